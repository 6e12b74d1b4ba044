"""Becoming a host: opening an invitation link, reading what it means, accepting it.

``/start host-<token>`` (bot/core/start_links.py) shows what the invitation is for and what
a host sees and does on the team's behalf; accepting makes the opener the host at once
(bot/db/hosts.py), gives them /host in their command list and tells them where their
tools are. An invitation bound to a phone number asks the opener to share their number
with Telegram's button first; another number changes nothing. A link that was used, has
expired or is forged changes nothing either, and says so.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.start_links import HostInvitation
from bot.db.hosts import Accepted
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.roles import set_host_command_menu
from bot.telegram.staff_screens import update_chat_id
from bot.telegram.start_payloads import payload_of, started_with
from bot.views import host as views
from bot.views.buttons import AcceptHosting, DeclineHosting

log = logging.getLogger(__name__)

OPEN, PHONE = range(2)
END = ConversationHandler.END
PENDING = "host_welcome.token"  # the invitation waiting for the opener's number


async def open_invitation(update: Update, context: NaboContext) -> int:
    """Show what an invitation is for, and ask to accept it (or say it does not work)."""
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    payload = payload_of(HostInvitation, context.args)
    now = context.clock.now()
    invitation = await context.hosts.invitation_for(payload.token, now) if payload else None
    activity = await context.activities.get(invitation.activity_id) if invitation else None
    if payload is None or invitation is None or activity is None:
        log.info("an invitation link that does not work was opened")
        await chat.send_message(views.invitation_not_valid(tr))
        return END
    organisation = (
        tr.gettext("The team")
        if invitation.organiser_kind == "team"
        else tr.ltr(invitation.organisation)
    )
    text, keyboard = views.invitation_text(tr, invitation, activity, organisation, payload.token)
    await chat.send_message(text, reply_markup=keyboard)
    return OPEN


async def accept(update: Update, context: NaboContext) -> int:
    """Accept the invitation (after the phone check, if it is bound to a number)."""
    press = await answer_press(update)
    return await _accept(update, context, AcceptHosting.parse(press.data).token, None)


async def take_contact(update: Update, context: NaboContext) -> int:
    """Check the opener's shared number against the one the invitation was made for."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert message.contact is not None
    assert user is not None
    token = context.user_data.get(PENDING)
    if not isinstance(token, str):
        return END
    if message.contact.user_id != user.id:
        await message.reply_text(
            views.not_own_number(context.tr), reply_markup=views.share_number_keyboard(context.tr)
        )
        return PHONE
    # Compared, never kept: the number goes no further than this call.
    return await _accept(update, context, token, message.contact.phone_number)


async def _accept(
    update: Update, context: NaboContext, token: str, shared_phone: str | None
) -> int:
    user = update.effective_user
    assert user is not None
    tr = context.tr
    chat_id = update_chat_id(update)
    now = context.clock.now()
    invitation = await context.hosts.invitation_for(token, now)
    result = await context.hosts.accept(
        token, user.id, user.first_name, tr.language, now, shared_phone=shared_phone
    )
    if result is Accepted.NEEDS_PHONE:
        context.user_data[PENDING] = token
        await context.bot.send_message(
            chat_id, views.share_phone_request(tr), reply_markup=views.share_number_keyboard(tr)
        )
        return PHONE
    context.user_data.pop(PENDING, None)
    if result is Accepted.SOMEONE_ELSE:
        log.info("an invitation bound to a number was opened by someone else")
        await context.bot.send_message(chat_id, views.someone_else(tr))
        return END
    activity = await context.activities.get(invitation.activity_id) if invitation else None
    if result is Accepted.NOT_VALID or invitation is None or activity is None:
        await context.bot.send_message(chat_id, views.invitation_not_valid(tr))
        return END
    await context.bot_data.services.audit.record(
        user.id,
        "host.accept",
        now,
        subject=f"activity:{activity.id}",
        details=f"series={int(invitation.whole_series)}",
    )
    log.info("a host accepted an invitation for activity %s", activity.id)
    if not context.is_staff:
        await set_host_command_menu(
            context.bot,
            context.bot_data.services.catalogs,
            user.id,
            context.resident.language if context.resident else None,
            context.config.default_language,
        )
    text, keyboard = views.hosting_accepted(tr, activity, invitation.whole_series)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    return END


async def decline(update: Update, context: NaboContext) -> int:
    """Leave things as they are."""
    press = await answer_press(update)
    context.user_data.pop(PENDING, None)
    await edit_query_message(press.query, views.declined(context.tr))
    return END


async def remind(update: Update, context: NaboContext) -> None:
    """Ask for the number again (a typed number is not taken: only the shared one)."""
    await context.bot.send_message(
        update_chat_id(update),
        views.share_phone_request(context.tr),
        reply_markup=views.share_number_keyboard(context.tr),
    )
    return None


def register(application: NaboApplication) -> None:
    """Add the invitation's /start and its buttons; before the plain /start."""
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                CommandHandler("start", open_invitation, filters=started_with(HostInvitation)),
                CallbackQueryHandler(accept, pattern=AcceptHosting.pattern()),
                CallbackQueryHandler(decline, pattern=DeclineHosting.pattern()),
            ],
            states={
                OPEN: [
                    CallbackQueryHandler(accept, pattern=AcceptHosting.pattern()),
                    CallbackQueryHandler(decline, pattern=DeclineHosting.pattern()),
                ],
                PHONE: [
                    MessageHandler(filters.CONTACT & filters.ChatType.PRIVATE, take_contact),
                    # Commands go on to their own journeys; the link still works later.
                    MessageHandler(
                        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                        remind,
                    ),
                ],
            },
            fallbacks=[],
            name="host_welcome",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )

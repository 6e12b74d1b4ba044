"""Joining by link: someone the team signed up by phone attaches their own chat.

``/start join-<token>`` (bot/core/start_links.py) opens the one-time link on the slip or
in the message staff gave them. Nabo says whose it is and checks it is theirs: with the
phone number the team has, by Telegram's "share my number" (compared, never kept); for
a record without a number, by asking. Someone new then reads the privacy notice (in the
language the team noted for them) and accepts; then their sign-ups become their own
(bot/db/people.py ``attach``, with its merge rule for someone who already uses Nabo), and
Nabo reminds them itself. A link that was used, has expired, is forged, or is someone
else's changes nothing; three wrong numbers spend it.
"""

from __future__ import annotations

import logging

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.i18n import Translator
from bot.core.phones import same_phone
from bot.core.start_links import JoinLink
from bot.db.activities import Activity
from bot.db.people import OfflinePerson
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.staff_screens import update_chat_id
from bot.telegram.start_payloads import payload_of, started_with
from bot.views import join as views
from bot.views.buttons import JoinAccept, JoinItIsMe, JoinNotMe
from bot.views.host import not_own_number, share_number_keyboard
from bot.views.menu import main_menu_keyboard, main_menu_text
from bot.views.notice import send_consent_request

log = logging.getLogger(__name__)

CHECK, CONSENT = range(2)
END = ConversationHandler.END
PENDING = "join.token"  # the link being opened (in memory only)
VERIFIED = "join.verified"  # the link whose check this person passed


def _reader(context: NaboContext, person: OfflinePerson) -> Translator:
    """Speak the language the person chose in Nabo, else the one the team noted for them."""
    if context.resident is not None and context.resident.language:
        return context.tr
    return context.bot_data.services.catalogs.translator(person.language)


async def _coming(context: NaboContext, person: OfflinePerson) -> list[Activity]:
    activities = []
    now = context.clock.now()
    for signup in await context.people.signups_of(person.id):
        activity = await context.activities.get(signup.activity_id)
        if activity is not None and activity.ends_at > now and signup.status.value != "cancelled":
            activities.append(activity)
    return activities


async def open_link(update: Update, context: NaboContext) -> int:
    """Say whose link it is and check it is theirs (or say it does not work)."""
    chat_id = update_chat_id(update)
    payload = payload_of(JoinLink, context.args)
    person = (
        await context.people.join_target(payload.token, context.clock.now()) if payload else None
    )
    if payload is None or person is None:
        log.info("a joining link that does not work was opened")
        await context.bot.send_message(chat_id, views.link_not_valid(context.tr))
        await _plain_start(update, context)
        return END
    tr = _reader(context, person)
    await context.bot.send_message(
        chat_id, views.what_it_does(tr, person.first_name, await _coming(context, person))
    )
    context.user_data[PENDING] = payload.token
    context.user_data.pop(VERIFIED, None)
    if person.phone is not None:
        await context.bot.send_message(
            chat_id, views.ask_phone(tr), reply_markup=share_number_keyboard(tr)
        )
    else:
        text, keyboard = views.ask_is_it_you(tr, person.first_name, payload.token)
        await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    return CHECK


async def _plain_start(update: Update, context: NaboContext) -> None:
    resident = context.resident
    if resident is None or not resident.has_consented:
        await send_consent_request(update_chat_id(update), context.bot, context.tr)
        return
    await context.bot.send_message(
        update_chat_id(update),
        main_menu_text(context.tr),
        reply_markup=main_menu_keyboard(context.tr, context.is_staff),
    )


async def take_contact(update: Update, context: NaboContext) -> int:
    """Compare the shared number with the one the team has; never keep it."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert message.contact is not None
    assert user is not None
    token = context.user_data.get(PENDING)
    person = (
        await context.people.join_target(token, context.clock.now())
        if isinstance(token, str)
        else None
    )
    if not isinstance(token, str) or person is None:
        await message.reply_text(
            views.link_not_valid(context.tr), reply_markup=ReplyKeyboardRemove()
        )
        return END
    tr = _reader(context, person)
    if message.contact.user_id != user.id:
        await message.reply_text(not_own_number(tr), reply_markup=share_number_keyboard(tr))
        return CHECK
    if person.phone is None or not same_phone(person.phone, message.contact.phone_number or ""):
        spent = await context.people.wrong_answer(token)
        log.info("a joining link was opened with another number%s", " (now spent)" if spent else "")
        await message.reply_text(views.wrong_number(tr, spent), reply_markup=ReplyKeyboardRemove())
        return END
    return await _verified(update, context, token, person)


async def it_is_me(update: Update, context: NaboContext) -> int:
    """Take "yes, that's me" for a record without a number."""
    press = await answer_press(update)
    token = JoinItIsMe.parse(press.data).token
    person = await context.people.join_target(token, context.clock.now())
    if person is None or person.phone is not None or context.user_data.get(PENDING) != token:
        # A record with a number is checked by the number, never by a button.
        await edit_query_message(press.query, views.link_not_valid(context.tr))
        return END
    await edit_query_message(
        press.query, views.ask_is_it_you(_reader(context, person), person.first_name, token)[0]
    )
    return await _verified(update, context, token, person)


async def not_me(update: Update, context: NaboContext) -> int:
    """Take "no, it is not me": nothing changes."""
    press = await answer_press(update)
    context.user_data.pop(PENDING, None)
    context.user_data.pop(VERIFIED, None)
    await edit_query_message(press.query, views.not_me(context.tr))
    return END


async def _verified(update: Update, context: NaboContext, token: str, person: OfflinePerson) -> int:
    """Attach the sign-ups, now that the link is theirs (after the notice, if new)."""
    context.user_data[VERIFIED] = token
    resident = context.resident
    if resident is not None and resident.has_consented:
        return await _attach(update, context, token)
    tr = _reader(context, person)
    text, keyboard = views.consent_request(tr, token)
    await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)
    return CONSENT


async def accept(update: Update, context: NaboContext) -> int:
    """Accept the notice (only after passing the check in this chat), then attach."""
    press = await answer_press(update)
    token = JoinAccept.parse(press.data).token
    person = await context.people.join_target(token, context.clock.now())
    if person is None or context.user_data.get(VERIFIED) != token:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return END
    tr = _reader(context, person)
    context.resident = await context.residents.consent(
        press.user_id, press.chat_id, tr.language, context.clock.now()
    )
    context.tr = context.bot_data.services.catalogs.translator(
        context.resident.language or tr.language
    )
    await edit_query_message(press.query, views.consent_request(tr, token)[0])
    return await _attach(update, context, token)


async def _attach(update: Update, context: NaboContext, token: str) -> int:
    user = update.effective_user
    assert user is not None
    context.user_data.pop(PENDING, None)
    context.user_data.pop(VERIFIED, None)
    result = await context.people.attach(token, user.id, context.clock.now())
    chat_id = update_chat_id(update)
    if not result.attached:
        await context.bot.send_message(
            chat_id, views.link_not_valid(context.tr), reply_markup=ReplyKeyboardRemove()
        )
        return END
    log.info(
        "someone signed up by the team joined in the chat: %d moved, %d merged",
        result.moved,
        result.merged,
    )
    # Who moved up where a duplicate place was freed is told by the senders.
    context.bot_data.services.sender.wake()
    mine = await context.signups.mine(user.id, context.clock.now())
    text, keyboard = views.joined(context.tr, [item.activity for item in mine])
    await context.bot.send_message(
        chat_id, context.tr.gettext("🔗 Thank you."), reply_markup=ReplyKeyboardRemove()
    )
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    return END


async def remind(update: Update, context: NaboContext) -> None:
    """Ask again for the number (a typed one is not taken)."""
    token = context.user_data.get(PENDING)
    person = (
        await context.people.join_target(token, context.clock.now())
        if isinstance(token, str)
        else None
    )
    if person is not None and person.phone is not None:
        tr = _reader(context, person)
        await context.bot.send_message(
            update_chat_id(update), views.ask_phone(tr), reply_markup=share_number_keyboard(tr)
        )


def register(application: NaboApplication) -> None:
    """Add the joining link's /start and its steps; before the plain /start."""
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                CommandHandler("start", open_link, filters=started_with(JoinLink)),
                CallbackQueryHandler(accept, pattern=JoinAccept.pattern()),
                CallbackQueryHandler(not_me, pattern=JoinNotMe.pattern()),
            ],
            states={
                CHECK: [
                    MessageHandler(filters.CONTACT & filters.ChatType.PRIVATE, take_contact),
                    CallbackQueryHandler(it_is_me, pattern=JoinItIsMe.pattern()),
                    CallbackQueryHandler(not_me, pattern=JoinNotMe.pattern()),
                    MessageHandler(
                        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                        remind,
                    ),
                ],
                CONSENT: [CallbackQueryHandler(accept, pattern=JoinAccept.pattern())],
            },
            fallbacks=[],
            name="join",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )

"""Staff and volunteers: status buttons on an offer, /volunteers, and writing to a volunteer.

The buttons sit on Nabo's posts in the staff chat (and on cards opened from
/volunteers). Only staff can press them; for anyone else they are unknown buttons.
Staff write to a volunteer through Nabo, so they never see a phone number the
volunteer did not share; nothing they write is stored.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import ButtonPress, answer_press, edit_query_message
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.team import StaffPosts, Team, team_translator
from bot.telegram.tell import Told, tell_resident
from bot.views.buttons import (
    STATUS_CODES,
    OfferList,
    OfferOpen,
    OfferStatus,
    OfferWrite,
    ReplyToTeam,
)
from bot.views.volunteer import staff_card_keyboard, staff_card_text, staff_overview
from bot.work.translations import drop_translator

log = logging.getLogger(__name__)

_STATUS_BY_CODE = {code: status for status, code in STATUS_CODES.items()}

WRITING = 0
TARGET = "volunteer_write"  # user_data: the offer whose volunteer is being written to
CONVERSATION_TIMEOUT = timedelta(minutes=30)
# Telegram allows 4096 UTF-16 units a message; this leaves room for the heading.
MAX_RELAY = 3500


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _card_translator(press: ButtonPress, context: NaboContext) -> Translator:
    """Cards in the staff chat read in the team's language; elsewhere in the reader's."""
    if press.chat_id == context.config.staff_chat_id:
        return team_translator(context.bot_data.services.catalogs, context.config)
    return context.tr


async def _language_of(context: NaboContext, user_id: int) -> str | None:
    resident = await context.residents.get(user_id)
    return resident.language if resident else None


async def set_status(update: Update, context: NaboContext) -> None:
    """Record contacted / active / not now, and show it on the card."""
    press = await answer_press(update)
    button = OfferStatus.parse(press.data)
    offer_id, status = button.offer_id, _STATUS_BY_CODE[button.status]
    tr = _card_translator(press, context)
    now = context.clock.now()
    offer = await context.volunteers.set_status(offer_id, status, now)
    if offer is None:
        current = await context.volunteers.get(offer_id)
        text = (
            staff_card_text(tr, current, None)
            if current is not None
            else tr.gettext("This offer of help no longer exists.")
        )
        await edit_query_message(press.query, text)
        return
    # An offer put on hold no longer translates: a task its volunteer holds goes back.
    await drop_translator(context.application, offer.user_id)
    await context.bot_data.services.audit.record(
        press.user_id,
        "volunteer.status",
        now,
        subject=f"volunteer:{offer.id}",
        details=f"status={status}",
    )
    language = await _language_of(context, offer.user_id)
    await edit_query_message(
        press.query, staff_card_text(tr, offer, language), staff_card_keyboard(tr, offer)
    )
    # Every other post about the offer shows the new status too (each staff member's
    # copy in their own chat, or the staff chat's post when pressed on a /volunteers card).
    pressed = press.query.message.message_id if press.query.message is not None else 0
    others = StaffPosts(offer.staff_message_id, offer.staff_copies).without(
        press.chat_id, pressed, context.config.staff_chat_id
    )

    def card(reader: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        return staff_card_text(reader, offer, language), staff_card_keyboard(reader, offer)

    await Team.of(context.application).edit(others, card)


async def open_card(update: Update, context: NaboContext) -> None:
    """Show one offer with its buttons (from /volunteers)."""
    press = await answer_press(update)
    offer = await context.volunteers.get(OfferOpen.parse(press.data).offer_id)
    tr = context.tr
    if offer is None:
        await context.bot.send_message(
            press.chat_id, tr.gettext("This offer of help no longer exists.")
        )
        return
    language = await _language_of(context, offer.user_id)
    await context.bot.send_message(
        press.chat_id,
        staff_card_text(tr, offer, language),
        reply_markup=staff_card_keyboard(tr, offer),
    )


async def show_list(update: Update, context: NaboContext) -> None:
    """List the offers by status and by kind of help."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await answer_press(update)
    text, keyboard = staff_overview(context.tr, await context.volunteers.all())
    await update.effective_chat.send_message(text, reply_markup=keyboard)


# ---------------------------------------------------------------- writing to a volunteer


async def start_writing(update: Update, context: NaboContext) -> int:
    """Ask the staff member, in their private chat, for the message to the volunteer."""
    press = await answer_press(update)
    offer = await context.volunteers.get(OfferWrite.parse(press.data).offer_id)
    tr = context.tr
    if offer is None or not offer.is_open:
        await _tell_staff_member(
            context,
            press,
            tr.gettext("That offer of help was withdrawn, so you cannot write to them any more."),
        )
        return ConversationHandler.END
    prompt = tr.gettext(
        "✍️ Write your message to volunteer #{number}. They get it from the team, exactly "
        "as you write it, and can reply. Send /cancel to stop."
    ).format(number=tr.ltr(offer.id))
    try:
        # Always in the private chat: what staff type must not land in the group.
        await context.bot.send_message(press.user_id, prompt)
    except TelegramError:
        await context.bot.send_message(
            press.chat_id,
            tr.gettext(
                "To write to a volunteer, first open a private chat with Nabo and press "
                "Start. Then press «Write to them» again."
            ),
        )
        return ConversationHandler.END
    context.user_data[TARGET] = offer.id
    return WRITING


async def _tell_staff_member(context: NaboContext, press: ButtonPress, text: str) -> None:
    try:
        await context.bot.send_message(press.user_id, text)
    except TelegramError as error:
        log.warning("could not tell a staff member: %s", type(error).__name__)


async def take_message(update: Update, context: NaboContext) -> int:
    """Pass the message on to the volunteer, from the team."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    assert update.effective_user is not None
    tr = context.tr
    text = message.text.strip()
    if _utf16(text) > MAX_RELAY:
        await message.reply_text(
            tr.gettext(
                "That is {count} characters; a message can have at most {limit}. "
                "Please shorten it and send it again."
            ).format(count=tr.ltr(_utf16(text)), limit=tr.ltr(MAX_RELAY))
        )
        return WRITING
    offer_id = context.user_data.pop(TARGET, None)
    offer = await context.volunteers.get(offer_id) if offer_id is not None else None
    resident = await context.residents.get(offer.user_id) if offer is not None else None
    if offer is None or not offer.is_open or resident is None:
        await message.reply_text(
            tr.gettext("That offer of help was withdrawn, so you cannot write to them any more.")
        )
        return ConversationHandler.END
    language = resident.language
    reader = context.bot_data.services.catalogs.translator(
        language if language in LANGUAGES else context.config.default_language
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    reader.gettext("↩️ Reply to the team"), callback_data=ReplyToTeam().pack()
                )
            ]
        ]
    )
    told = (
        Told.BLOCKED
        if resident.blocked
        else await tell_resident(
            context.bot,
            context.residents,
            resident.user_id,
            resident.chat_id,
            reader.gettext("💬 A message from the team about your offer of help:\n\n{text}").format(
                text=reader.ltr(text)
            ),
            keyboard,
        )
    )
    now = context.clock.now()
    await context.bot_data.services.audit.record(
        update.effective_user.id,
        "volunteer.message",
        now,
        subject=f"volunteer:{offer.id}",
        details=f"result={told.value}",
    )
    number = tr.ltr(offer.id)
    if told is Told.SENT:
        await message.reply_text(
            tr.gettext("✅ Sent to volunteer #{number}.").format(number=number)
        )
        # The rest of the team sees what was written, so a reply makes sense to them.
        await Team.of(context.application).notify(
            lambda team: (
                team.gettext("✉️ The team wrote to volunteer #{number}:\n\n{text}").format(
                    number=team.ltr(offer.id), text=team.ltr(text)
                ),
                None,
            ),
            skip=update.effective_user.id,
        )
    elif told is Told.BLOCKED:
        await message.reply_text(
            tr.gettext(
                "Volunteer #{number} has blocked Nabo, so the message could not be delivered."
            ).format(number=number)
        )
    else:
        await message.reply_text(
            tr.gettext("Sorry, the message could not be delivered. Please try again later.")
        )
    return ConversationHandler.END


async def cancel(update: Update, context: NaboContext) -> int:
    """Stop writing; nothing is sent."""
    context.user_data.pop(TARGET, None)
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return ConversationHandler.END


def register(application: NaboApplication) -> None:
    """Add the staff's volunteer handlers."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    typed = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[StaffCallbackQueryHandler(staff, start_writing, OfferWrite.pattern())],
            states={WRITING: [MessageHandler(typed, take_message)]},
            fallbacks=[staff_command(staff, "cancel", cancel)],
            # The button may be pressed in the staff chat; the message is written in the
            # private chat: the conversation follows the staff member, not the chat.
            per_chat=False,
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            name="staff_volunteer_write",
        )
    )
    application.add_handler(StaffCallbackQueryHandler(staff, set_status, OfferStatus.pattern()))
    application.add_handler(StaffCallbackQueryHandler(staff, open_card, OfferOpen.pattern()))
    application.add_handler(staff_command(staff, "volunteers", show_list))
    application.add_handler(StaffCallbackQueryHandler(staff, show_list, OfferList.pattern()))

"""Everything no journey claimed: unknown commands, free text, stickers, stale buttons.

Registered last, so it only sees what every other handler passed over.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.roles import refuse_command, refuse_press
from bot.views.menu import main_menu_keyboard
from bot.views.notice import send_consent_request

log = logging.getLogger(__name__)


async def unknown_message(update: Update, context: NaboContext) -> None:
    """Answer anything unexpected with a short, friendly way back to the menu."""
    message = update.effective_message
    assert message is not None
    assert update.effective_chat is not None
    if message.text and message.text.startswith("/"):
        # The same answer a command gets that someone may not use (bot/telegram/roles.py).
        await refuse_command(update, context)
        return
    # Log only the kind of input, never its content.
    log.info("unhandled %s in update %s", _kind(update), update.update_id)
    resident = context.resident
    if resident is None or not resident.has_consented:
        await send_consent_request(update.effective_chat.id, context.bot, context.tr)
        return
    await update.effective_chat.send_message(
        context.tr.gettext("Sorry, I can't read that. Please use the buttons:"),
        reply_markup=main_menu_keyboard(context.tr, context.is_staff),
    )


async def nothing_to_cancel(update: Update, context: NaboContext) -> None:
    """Answer /cancel outside any conversation: nothing is going on, here is the menu."""
    assert update.effective_chat is not None
    resident = context.resident
    keyboard = (
        main_menu_keyboard(context.tr, context.is_staff)
        if resident is not None and resident.has_consented
        else None
    )
    await update.effective_chat.send_message(
        context.tr.gettext("There is nothing to stop right now."), reply_markup=keyboard
    )


async def unknown_button(update: Update, context: NaboContext) -> None:
    """Answer a button Nabo no longer knows (old, or forged) and offer the menu."""
    # The same answer a button gets that someone may not press (bot/telegram/roles.py).
    await refuse_press(update, context)


def _kind(update: Update) -> str:
    message = update.effective_message
    if message is None:
        return "update"
    for kind in ("text", "sticker", "photo", "voice", "video", "document", "contact", "location"):
        if getattr(message, kind, None):
            return kind
    return "message"


def register(application: NaboApplication) -> None:
    """Add the catch-all handlers; must be registered after every journey."""
    application.add_handler(
        CommandHandler("cancel", nothing_to_cancel, filters=filters.ChatType.PRIVATE)
    )
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, unknown_message)
    )
    application.add_handler(CallbackQueryHandler(unknown_button))

"""Choosing a language: /language and the menu button, with each language in its own name."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.config import LANGUAGES
from bot.core.i18n import LANGUAGE_NAMES
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.staff import set_own_staff_commands
from bot.views.buttons import MenuLanguage, SetLanguage
from bot.views.menu import back_to_menu_keyboard, main_menu_keyboard


def _language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=SetLanguage(code).pack())]
            for code in LANGUAGES
        ]
    )


async def ask_language(update: Update, context: NaboContext) -> None:
    """Offer the three languages, each written in its own language."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    # The question itself is in all three languages: the reader may not read the current one.
    question = " / ".join(
        context.bot_data.services.catalogs.translator(code).gettext("Choose your language:")
        for code in LANGUAGES
    )
    await update.effective_chat.send_message(question, reply_markup=_language_keyboard())


async def set_language(update: Update, context: NaboContext) -> None:
    """Store the chosen language and continue in it."""
    press = await answer_press(update)
    language = SetLanguage.parse(press.data).language
    tr = await context.choose_language(press.user_id, press.chat_id, language)
    # Staff have their own command list in this chat; it should speak the new language.
    await set_own_staff_commands(context)
    consented = context.resident is not None and context.resident.has_consented
    text = tr.gettext("Nabo now speaks English with you.")
    if not consented:
        text += "\n" + tr.gettext("Send /start to begin.")
    await edit_query_message(
        press.query,
        text,
        reply_markup=main_menu_keyboard(tr, context.is_staff)
        if consented
        else back_to_menu_keyboard(tr),
    )


def register(application: NaboApplication) -> None:
    """Add the language handlers."""
    application.add_handler(
        CommandHandler("language", ask_language, filters=filters.ChatType.PRIVATE)
    )
    application.add_handler(CallbackQueryHandler(ask_language, pattern=MenuLanguage.pattern()))
    application.add_handler(CallbackQueryHandler(set_language, pattern=SetLanguage.pattern()))

"""Help: /help and the menu button explain, in the resident's language, what Nabo can do.

Staff also read their own commands there, with the button to the staff menu.
"""

from __future__ import annotations

from babel.lists import format_list
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.i18n import Translator
from bot.telegram.context import NaboApplication, NaboContext
from bot.views.buttons import MenuHelp
from bot.views.menu import menu_button
from bot.views.notice import PARTNERS
from bot.views.staff_menu import staff_commands_text, staff_menu_button


def help_text(tr: Translator) -> str:
    """Return the help text in the reader's language."""
    partners = format_list([tr.ltr(name) for name in PARTNERS], locale=tr.locale)
    return tr.gettext(
        "Nabo is the chat helper of the social housing master plan in Viborg ({partners}). "
        "It tells you about activities for residents.\n"
        "\n"
        "What you can do:\n"
        "/start – start, or open the menu\n"
        "/menu – open the menu\n"
        "/activities – see coming activities and sign up\n"
        "/mine – your sign-ups, and reminders on or off\n"
        "/settings – choose what you hear about\n"
        "/volunteer – offer to help as a volunteer\n"
        "/feedback – tell us what you think\n"
        "/language – change language\n"
        "/privacy – how Nabo handles your data\n"
        "/mydata – see what Nabo stores about you\n"
        "/deleteme – delete your data\n"
        "/help – this help\n"
        "\n"
        "You can also just use the buttons."
    ).format(partners=partners)


def staff_help_text(tr: Translator) -> str:
    """Return the part of the help only staff see: their own commands."""
    return tr.gettext("🛠 For the team:") + "\n" + staff_commands_text(tr)


async def show_help(update: Update, context: NaboContext) -> None:
    """Explain what Nabo is and which commands it understands."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    tr = context.tr
    text = help_text(tr)
    rows = [[menu_button(tr)]]
    if context.is_staff:
        text += "\n\n" + staff_help_text(tr)
        rows.insert(0, [staff_menu_button(tr)])
    await update.effective_chat.send_message(text, reply_markup=InlineKeyboardMarkup(rows))


def register(application: NaboApplication) -> None:
    """Add the help handlers."""
    application.add_handler(CommandHandler("help", show_help, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(show_help, pattern=MenuHelp.pattern()))

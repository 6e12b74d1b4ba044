"""The resident's main menu and the button that leads back to it.

Only journeys that exist get a button here; each callback prefix is handled by the
journey module named beside it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.views.staff_menu import staff_menu_button

MENU_HOME = "menu:home"  # handlers/start.py
MENU_ACTIVITIES = "menu:activities"  # handlers/activities.py
MENU_MINE = "menu:mine"  # handlers/signup.py
MENU_SETTINGS = "menu:settings"  # handlers/settings.py
MENU_HELP = "menu:help"  # handlers/help.py
MENU_LANGUAGE = "menu:language"  # handlers/language.py
MENU_PRIVACY = "menu:privacy"  # handlers/privacy.py
MENU_VOLUNTEER = "menu:volunteer"  # handlers/volunteer.py
MENU_FEEDBACK = "menu:feedback"  # handlers/feedback.py


def main_menu_text(tr: Translator) -> str:
    """Return the line shown above the main menu."""
    return tr.gettext("What would you like to do?")


def main_menu_keyboard(tr: Translator, is_staff: bool = False) -> InlineKeyboardMarkup:
    """Build the main menu's buttons in the reader's language (and the staff button)."""
    _ = tr.gettext
    staff_row = [[staff_menu_button(tr)]] if is_staff else []
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("📅 Activities"), callback_data=MENU_ACTIVITIES)],
            [InlineKeyboardButton(_("🗓 My sign-ups"), callback_data=MENU_MINE)],
            [InlineKeyboardButton(_("⚙️ What I hear about"), callback_data=MENU_SETTINGS)],
            [
                InlineKeyboardButton(_("🙋 Volunteer"), callback_data=MENU_VOLUNTEER),
                InlineKeyboardButton(_("💬 Feedback"), callback_data=MENU_FEEDBACK),
            ],
            [InlineKeyboardButton(_("❓ Help"), callback_data=MENU_HELP)],
            [
                InlineKeyboardButton(_("🌐 Language"), callback_data=MENU_LANGUAGE),
                InlineKeyboardButton(_("🔒 My data"), callback_data=MENU_PRIVACY),
            ],
            *staff_row,
        ]
    )


def menu_button(tr: Translator) -> InlineKeyboardButton:
    """Build the button that opens the main menu."""
    return InlineKeyboardButton(tr.gettext("☰ Menu"), callback_data=MENU_HOME)


def back_to_menu_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Build the single button that opens the main menu."""
    return InlineKeyboardMarkup([[menu_button(tr)]])

"""The resident's main menu and the button that leads back to it.

Only journeys that exist get a button here; each kind of button (bot/views/buttons.py)
names the journey module that answers it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.views.buttons import (
    MenuActivities,
    MenuFeedback,
    MenuHelp,
    MenuHome,
    MenuLanguage,
    MenuMine,
    MenuPrivacy,
    MenuSettings,
    MenuVolunteer,
)
from bot.views.staff_menu import staff_menu_button


def main_menu_text(tr: Translator) -> str:
    """Return the line shown above the main menu."""
    return tr.gettext("What would you like to do?")


def main_menu_keyboard(tr: Translator, is_staff: bool = False) -> InlineKeyboardMarkup:
    """Build the main menu's buttons in the reader's language (and the staff button)."""
    _ = tr.gettext
    staff_row = [[staff_menu_button(tr)]] if is_staff else []
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("📅 Activities"), callback_data=MenuActivities().pack())],
            [InlineKeyboardButton(_("🗓 My sign-ups"), callback_data=MenuMine().pack())],
            [InlineKeyboardButton(_("⚙️ What I hear about"), callback_data=MenuSettings().pack())],
            [
                InlineKeyboardButton(_("🙋 Volunteer"), callback_data=MenuVolunteer().pack()),
                InlineKeyboardButton(_("💬 Feedback"), callback_data=MenuFeedback().pack()),
            ],
            [InlineKeyboardButton(_("❓ Help"), callback_data=MenuHelp().pack())],
            [
                InlineKeyboardButton(_("🌐 Language"), callback_data=MenuLanguage().pack()),
                InlineKeyboardButton(_("🔒 My data"), callback_data=MenuPrivacy().pack()),
            ],
            *staff_row,
        ]
    )


def menu_button(tr: Translator) -> InlineKeyboardButton:
    """Build the button that opens the main menu."""
    return InlineKeyboardButton(tr.gettext("☰ Menu"), callback_data=MenuHome().pack())


def back_to_menu_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Build the single button that opens the main menu."""
    return InlineKeyboardMarkup([[menu_button(tr)]])

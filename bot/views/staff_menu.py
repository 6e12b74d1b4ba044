"""What staff see of their tools: the staff menu, its button, and their command list."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import N_, Translator

STAFF_MENU = "st:menu"
# Buttons Nabo posts in the staff group chat; only these are let through from a group
# (bot/telegram/session.py), and only staff can press them (StaffCallbackQueryHandler).
STAFF_CHAT_BUTTONS: tuple[str, ...] = ("st:vol:",)

# Staff commands, added to the resident ones in each staff member's own command list.
STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("staff", N_("Staff menu")),
    ("newactivity", N_("Create an activity")),
    ("signups", N_("Sign-ups and attendance")),
    ("broadcast", N_("Send a message to residents")),
    ("scheduled", N_("Scheduled messages")),
    ("volunteers", N_("Offers of help from volunteers")),
    ("export", N_("Everything in an Excel workbook")),
    ("report", N_("Report per delaftale and area")),
)


def staff_commands_text(tr: Translator) -> str:
    """List the staff commands, one a line, as the staff's command menu names them."""
    # Written like the residents' list in the help text: each line starts with its
    # command, isolated and after a right-to-left mark in Arabic (tests/test_bidi.py).
    return "\n".join(
        f"{tr.line_start()}{tr.ltr('/' + name)} – {tr.gettext(text)}"
        for name, text in STAFF_COMMANDS
    )


def staff_menu_button(tr: Translator) -> InlineKeyboardButton:
    """Build the button that opens the staff menu (shown to staff only)."""
    return InlineKeyboardButton(tr.gettext("🛠 Staff"), callback_data=STAFF_MENU)


def staff_menu_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Build the staff menu: every staff journey that exists."""
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("➕ New activity"), callback_data="st:new")],
            [
                InlineKeyboardButton(
                    _("📋 Activities, sign-ups and attendance"), callback_data="st:acts:0"
                )
            ],
            [InlineKeyboardButton(_("📣 Send a message"), callback_data="st:bc:new")],
            [InlineKeyboardButton(_("🗓 Scheduled messages"), callback_data="st:bc:list")],
            [InlineKeyboardButton(_("🙋 Offers of help"), callback_data="st:vol:list")],
            [
                InlineKeyboardButton(_("📊 Report, this quarter"), callback_data="st:report"),
                InlineKeyboardButton(_("📦 Export everything"), callback_data="st:export"),
            ],
            [InlineKeyboardButton(_("☰ Menu"), callback_data="menu:home")],
        ]
    )

"""What staff see of their tools: the staff menu, its button, and their command list."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import N_, Translator
from bot.views.buttons import (
    Export,
    FindPerson,
    HostList,
    MenuHome,
    NewActivity,
    NewBroadcast,
    OfferList,
    PosterList,
    Report,
    ScheduledList,
    StaffActivities,
    StaffMenu,
)

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
    ("poster", N_("Posters and flyers with a QR code")),
    ("sources", N_("Where links are put up")),
    ("newsource", N_("Add a place where links are put up")),
    ("hosts", N_("Activity hosts")),
    ("person", N_("Someone asks to see or delete their data")),
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
    return InlineKeyboardButton(tr.gettext("🛠 Staff"), callback_data=StaffMenu().pack())


def staff_menu_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Build the staff menu: every staff journey that exists."""
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("➕ New activity"), callback_data=NewActivity().pack())],
            [
                InlineKeyboardButton(
                    _("📋 Activities, sign-ups and attendance"),
                    callback_data=StaffActivities(0).pack(),
                )
            ],
            [InlineKeyboardButton(_("📣 Send a message"), callback_data=NewBroadcast().pack())],
            [InlineKeyboardButton(_("🗓 Scheduled messages"), callback_data=ScheduledList().pack())],
            [InlineKeyboardButton(_("🙋 Offers of help"), callback_data=OfferList().pack())],
            [InlineKeyboardButton(_("🖨 Posters and flyers"), callback_data=PosterList().pack())],
            [
                InlineKeyboardButton(_("👤 Hosts"), callback_data=HostList().pack()),
                InlineKeyboardButton(_("🔎 Find a person"), callback_data=FindPerson().pack()),
            ],
            [
                InlineKeyboardButton(_("📊 Report, this quarter"), callback_data=Report().pack()),
                InlineKeyboardButton(_("📦 Export everything"), callback_data=Export().pack()),
            ],
            [InlineKeyboardButton(_("☰ Menu"), callback_data=MenuHome().pack())],
        ]
    )

"""Who is staff, checked on the server for every staff command and button."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    filters,
)

from bot.commands import RESIDENT_COMMANDS
from bot.config import LANGUAGES
from bot.context import NaboContext
from bot.i18n import N_, Catalogs, Translator

log = logging.getLogger(__name__)

STAFF_MENU = "st:menu"
# Buttons Nabo posts in the staff group chat; only these are let through from a group
# (bot/session.py), and only staff can press them (StaffCallbackQueryHandler).
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


def staff_command(
    staff_user_ids: frozenset[int], command: str, callback: Any
) -> CommandHandler[Any, Any]:
    """Build a command only staff can use; for anyone else it is an unknown command."""
    # filters.User with no ids matches nobody, so an empty staff list locks everything.
    only_staff = filters.User(user_id=staff_user_ids) & filters.ChatType.PRIVATE
    return CommandHandler(command, callback, filters=only_staff)


class StaffCallbackQueryHandler(CallbackQueryHandler[Any, Any]):
    """A button only staff can press; anyone else's press falls through like a forged one."""

    def __init__(
        self, staff_user_ids: frozenset[int], callback: Any, pattern: str | re.Pattern[str]
    ) -> None:
        """Handle presses matching ``pattern`` from the given staff ids only."""
        super().__init__(callback, pattern=pattern)
        self._staff_user_ids = staff_user_ids

    def check_update(self, update: object) -> Any:
        """Match only presses by staff (checked against the configured ids)."""
        if not isinstance(update, Update) or update.effective_user is None:
            return None
        if update.effective_user.id not in self._staff_user_ids:
            return None
        return super().check_update(update)


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


async def set_staff_command_menus(
    bot: ExtBot[int],
    catalogs: Catalogs,
    staff_languages: dict[int, str | None],
    resident_commands: tuple[tuple[str, str], ...],
    default_language: str,
) -> None:
    """Give each staff member the resident commands plus the staff ones, in their language.

    ``staff_languages`` holds the language each chose in Nabo, or None: then the list
    follows their Telegram app's language, as Nabo's replies do (else the default).
    One list per language, as for residents, since the chat's own lists come first.
    """
    for user_id, chosen in staff_languages.items():
        try:
            for code in (*LANGUAGES, None):
                tr = catalogs.translator(chosen or code or default_language)
                commands = [
                    BotCommand(name, tr.gettext(text))
                    for name, text in (*resident_commands, *STAFF_COMMANDS)
                ]
                await bot.set_my_commands(
                    commands, scope=BotCommandScopeChat(user_id), language_code=code
                )
        except TelegramError as error:
            # A staff member who has never written to the bot has no chat yet; they get
            # the list when they press Start.
            log.info("could not set staff commands for one staff member: %s", error)


async def set_own_staff_commands(context: NaboContext) -> None:
    """Give the staff member behind this update their command list, now that Nabo can."""
    if context.user_id is None or not context.is_staff:
        return
    chosen = context.resident.language if context.resident is not None else None
    await set_staff_command_menus(
        context.bot,
        context.bot_data.catalogs,
        {context.user_id: chosen},
        RESIDENT_COMMANDS,
        context.config.default_language,
    )

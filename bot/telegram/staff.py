"""Who is staff, checked on the server for every staff command and button."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    filters,
)

from bot.core.config import LANGUAGES
from bot.core.i18n import Catalogs
from bot.telegram.commands import RESIDENT_COMMANDS
from bot.telegram.context import NaboContext
from bot.views.staff_menu import STAFF_COMMANDS

log = logging.getLogger(__name__)


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
        context.bot_data.services.catalogs,
        {context.user_id: chosen},
        RESIDENT_COMMANDS,
        context.config.default_language,
    )

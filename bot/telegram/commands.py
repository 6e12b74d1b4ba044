"""The command menu Telegram shows beside the text field, in each language."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import ExtBot

from bot.core.config import LANGUAGES
from bot.core.i18n import N_, Catalogs

log = logging.getLogger(__name__)

# (command, description) — descriptions are translated when the menu is set.
RESIDENT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start, or open the menu")),
    ("menu", N_("Open the menu")),
    ("activities", N_("See coming activities")),
    ("mine", N_("My sign-ups")),
    ("settings", N_("What I hear about")),
    ("volunteer", N_("Offer to help as a volunteer")),
    ("feedback", N_("Tell us what you think")),
    ("help", N_("What Nabo can do")),
    ("language", N_("Change language")),
    ("privacy", N_("How Nabo handles your data")),
    ("mydata", N_("See what Nabo stores about you")),
    ("deleteme", N_("Delete your data")),
)


async def set_command_menus(bot: ExtBot[int], catalogs: Catalogs, default_language: str) -> None:
    """Set the command list per language, plus a default for every other language."""
    for language in (*LANGUAGES, None):
        tr = catalogs.translator(language or default_language)
        commands = [BotCommand(name, tr.gettext(text)) for name, text in RESIDENT_COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
    log.info("command menus set for %s and the default", ", ".join(LANGUAGES))

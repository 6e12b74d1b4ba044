"""Between residents and the team: posts to the staff chat, and messages relayed to residents.

Staff-chat posts are written in the default language (the team's); a failed post is
logged (by kind, never by content) and never stops the resident's journey.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.activity_view import fit_message
from bot.config import Config
from bot.i18n import Catalogs, Translator

log = logging.getLogger(__name__)


def team_translator(catalogs: Catalogs, config: Config) -> Translator:
    """Return the translator for the staff chat: the default language."""
    return catalogs.translator(config.default_language)


async def post_to_staff_chat(
    bot: ExtBot[int],
    config: Config,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> int | None:
    """Post to the staff chat, if one is set; return the message id (None if not posted)."""
    if config.staff_chat_id is None:
        return None
    try:
        message = await bot.send_message(
            config.staff_chat_id, fit_message(text), reply_markup=reply_markup
        )
    except TelegramError as error:
        log.warning("could not post to the staff chat: %s", type(error).__name__)
        return None
    return message.message_id


async def edit_staff_post(
    bot: ExtBot[int],
    config: Config,
    message_id: int | None,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Rewrite an earlier staff-chat post (e.g. to drop details no longer to be kept)."""
    if config.staff_chat_id is None or message_id is None:
        return False
    try:
        await bot.edit_message_text(
            fit_message(text),
            chat_id=config.staff_chat_id,
            message_id=message_id,
            reply_markup=reply_markup,
        )
    except TelegramError as error:
        log.warning("could not update a staff-chat post: %s", type(error).__name__)
        return False
    return True


async def tell_team(
    bot: ExtBot[int],
    config: Config,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Post to the staff chat, or without one to each staff member; return how many got it."""
    if config.staff_chat_id is not None:
        return int(await post_to_staff_chat(bot, config, text, reply_markup) is not None)
    told = 0
    for user_id in sorted(config.staff_user_ids):
        try:
            await bot.send_message(user_id, fit_message(text), reply_markup=reply_markup)
        except TelegramError as error:
            # A staff member who never opened Nabo has no chat with it yet.
            log.warning("could not tell a staff member: %s", type(error).__name__)
            continue
        told += 1
    return told

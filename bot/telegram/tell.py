"""Sending one message to a resident outside a reply: blocked residents are marked so."""

from __future__ import annotations

import logging
from enum import Enum

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.db.residents import ResidentRepository
from bot.db.signups import Recipient
from bot.views.activity import fit_message

log = logging.getLogger(__name__)


class Told(Enum):
    """How sending one message to a resident went."""

    SENT = "sent"
    BLOCKED = "blocked"  # they blocked Nabo (now marked so)
    FAILED = "failed"  # Telegram refused it for good
    RETRY = "retry"  # a network problem: it may be worth another try later


async def tell(
    bot: ExtBot[int],
    residents: ResidentRepository,
    recipient: Recipient,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Told:
    """Send one message to a resident about their sign-up (see tell_resident)."""
    return await tell_resident(
        bot, residents, recipient.signup.user_id, recipient.chat_id, text, reply_markup
    )


async def tell_resident(
    bot: ExtBot[int],
    residents: ResidentRepository,
    user_id: int | None,
    chat_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Told:
    """Send one message to a resident; mark them blocked if Telegram says so."""
    try:
        await bot.send_message(chat_id, fit_message(text), reply_markup=reply_markup)
    except Forbidden:
        if user_id is not None:
            await residents.set_blocked(user_id, True)
        log.info("resident has blocked the bot; marked blocked")
        return Told.BLOCKED
    except BadRequest as error:
        log.warning("could not message a resident: %s", error.message)
        return Told.FAILED
    except TelegramError as error:
        log.warning("could not message a resident: %s", type(error).__name__)
        return Told.RETRY
    return Told.SENT

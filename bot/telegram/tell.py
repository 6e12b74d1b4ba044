"""Sending one message to a resident outside a reply: blocked residents are marked so."""

from __future__ import annotations

import logging
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Telling:
    """How sending one message went, and the message's id when it was sent."""

    told: Told
    message_id: int | None = None


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
    telling = await send_to_resident(bot, residents, user_id, chat_id, text, reply_markup)
    return telling.told


async def send_to_resident(
    bot: ExtBot[int],
    residents: ResidentRepository,
    user_id: int | None,
    chat_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Telling:
    """Send one message as tell_resident does, and say which message it became.

    For a message whose buttons Nabo changes later (a volunteer's translation task).
    """
    try:
        message = await bot.send_message(chat_id, fit_message(text), reply_markup=reply_markup)
    except Forbidden:
        if user_id is not None:
            await residents.set_blocked(user_id, True)
        log.info("resident has blocked the bot; marked blocked")
        return Telling(Told.BLOCKED)
    except BadRequest as error:
        log.warning("could not message a resident: %s", error.message)
        return Telling(Told.FAILED)
    except TelegramError as error:
        log.warning("could not message a resident: %s", type(error).__name__)
        return Telling(Told.RETRY)
    return Telling(Told.SENT, message.message_id)

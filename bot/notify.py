"""Telling residents about their sign-ups: promotions, reminders, cancelled activities."""

from __future__ import annotations

import logging
from enum import Enum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.activities import Activity
from bot.activity_view import activity_title_when, fit_message, party_text
from bot.i18n import Catalogs, Translator
from bot.residents import ResidentRepository
from bot.signups import Recipient, Signup

log = logging.getLogger(__name__)

# Callback data understood by handlers/signup.py.
REMINDERS_OFF = "su:rem:0"
REMINDERS_ON = "su:rem:1"


def cancel_signup_data(signup_id: int) -> str:
    """Return the callback data of a "cancel my sign-up" button."""
    return f"su:x:{signup_id}"


def cancel_button(tr: Translator, signup: Signup) -> InlineKeyboardButton:
    """Build the button that cancels a sign-up (or leaves the waitlist)."""
    label = (
        tr.gettext("❌ Leave the waitlist")
        if signup.status == "waitlisted"
        else tr.gettext("❌ Cancel my sign-up")
    )
    return InlineKeyboardButton(label, callback_data=cancel_signup_data(signup.id))


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


def promoted_message(
    tr: Translator, activity: Activity, signup: Signup
) -> tuple[str, InlineKeyboardMarkup]:
    """Tell a resident who moved up from the waitlist (sent by the delivery sender)."""
    text = tr.gettext(
        "🎉 Good news! A place became free, and you are now signed up: {party}.\n\n"
        "{activity}\n\n"
        "If you can no longer come, please cancel so someone else can have the place."
    ).format(
        party=party_text(tr, signup.adults, signup.children),
        activity=activity_title_when(tr, activity),
    )
    return fit_message(text), InlineKeyboardMarkup([[cancel_button(tr, signup)]])


async def tell_reminder(
    bot: ExtBot[int],
    catalogs: Catalogs,
    residents: ResidentRepository,
    activity: Activity,
    recipient: Recipient,
    default_language: str,
) -> Told:
    """Remind a signed-up resident of an activity, with cancel and stop buttons."""
    tr = catalogs.translator(recipient.language or default_language)
    text = tr.gettext(
        "⏰ Reminder: you are signed up ({party}).\n\n{activity}\n\n"
        "See you there! If you cannot come, please cancel."
    ).format(
        party=party_text(tr, recipient.signup.adults, recipient.signup.children),
        activity=activity_title_when(tr, activity),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [cancel_button(tr, recipient.signup)],
            [InlineKeyboardButton(tr.gettext("🔕 No more reminders"), callback_data=REMINDERS_OFF)],
        ]
    )
    return await tell(bot, residents, recipient, text, keyboard)


def cancelled_text(tr: Translator, activity: Activity) -> str:
    """Say that an activity is cancelled (sent to those signed up or waiting)."""
    return tr.gettext(
        "❌ Sorry, this activity has been cancelled:\n\n{activity}\n\n"
        "You do not need to do anything."
    ).format(activity=activity_title_when(tr, activity))

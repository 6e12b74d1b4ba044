"""Telling residents about their sign-ups: promotions, reminders, cancelled activities."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.activities import Activity
from bot.activity_view import activity_title_when, party_text
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


async def tell(
    bot: ExtBot[None],
    residents: ResidentRepository,
    recipient: Recipient,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Send one message to a resident; mark them blocked if Telegram says so."""
    try:
        await bot.send_message(recipient.chat_id, text, reply_markup=reply_markup)
    except Forbidden:
        if recipient.signup.user_id is not None:
            await residents.set_blocked(recipient.signup.user_id, True)
        log.info("resident has blocked the bot; marked blocked")
        return False
    except BadRequest as error:
        log.warning("could not message a resident: %s", error.message)
        return False
    except TelegramError as error:
        log.warning("could not message a resident: %s", type(error).__name__)
        return False
    return True


async def tell_promoted(
    bot: ExtBot[None],
    catalogs: Catalogs,
    residents: ResidentRepository,
    activity: Activity,
    promoted: list[Recipient],
    default_language: str,
) -> None:
    """Tell each resident who moved up from the waitlist, at once, in their language."""
    for recipient in promoted:
        tr = catalogs.translator(recipient.language or default_language)
        text = tr.gettext(
            "🎉 Good news! A place became free, and you are now signed up: {party}.\n\n"
            "{activity}\n\n"
            "If you can no longer come, please cancel so someone else can have the place."
        ).format(
            party=party_text(tr, recipient.signup.adults, recipient.signup.children),
            activity=activity_title_when(tr, activity),
        )
        keyboard = InlineKeyboardMarkup([[cancel_button(tr, recipient.signup)]])
        await tell(bot, residents, recipient, text, keyboard)


async def tell_reminder(
    bot: ExtBot[None],
    catalogs: Catalogs,
    residents: ResidentRepository,
    activity: Activity,
    recipient: Recipient,
    default_language: str,
) -> bool:
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


async def tell_cancelled(
    bot: ExtBot[None],
    catalogs: Catalogs,
    residents: ResidentRepository,
    activity: Activity,
    recipients: list[Recipient],
    default_language: str,
) -> int:
    """Tell everyone signed up or waiting that the activity is cancelled; return how many."""
    told = 0
    for recipient in recipients:
        tr = catalogs.translator(recipient.language or default_language)
        text = tr.gettext(
            "❌ Sorry, this activity has been cancelled:\n\n{activity}\n\n"
            "You do not need to do anything."
        ).format(activity=activity_title_when(tr, activity))
        told += await tell(bot, residents, recipient, text)
    return told

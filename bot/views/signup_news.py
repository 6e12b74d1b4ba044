"""What residents are told about their sign-ups: promotions, reminders, cancellations."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.db.activities import Activity
from bot.db.signups import Signup
from bot.views.activity import activity_title_when, fit_message, party_text
from bot.views.buttons import AskCancelSignup, SetReminders

log = logging.getLogger(__name__)


def cancel_button(tr: Translator, signup: Signup) -> InlineKeyboardButton:
    """Build the button that cancels a sign-up (or leaves the waitlist)."""
    label = (
        tr.gettext("❌ Leave the waitlist")
        if signup.status == "waitlisted"
        else tr.gettext("❌ Cancel my sign-up")
    )
    return InlineKeyboardButton(label, callback_data=AskCancelSignup(signup.id).pack())


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


def reminder_message(
    tr: Translator, activity: Activity, signup: Signup
) -> tuple[str, InlineKeyboardMarkup]:
    """Remind a signed-up resident of an activity, with cancel and stop buttons."""
    text = tr.gettext(
        "⏰ Reminder: you are signed up ({party}).\n\n{activity}\n\n"
        "See you there! If you cannot come, please cancel."
    ).format(
        party=party_text(tr, signup.adults, signup.children),
        activity=activity_title_when(tr, activity),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [cancel_button(tr, signup)],
            [
                InlineKeyboardButton(
                    tr.gettext("🔕 No more reminders"), callback_data=SetReminders(on=False).pack()
                )
            ],
        ]
    )
    return text, keyboard


def cancelled_text(tr: Translator, activity: Activity) -> str:
    """Say that an activity is cancelled (sent to those signed up or waiting)."""
    return tr.gettext(
        "❌ Sorry, this activity has been cancelled:\n\n{activity}\n\n"
        "You do not need to do anything."
    ).format(activity=activity_title_when(tr, activity))

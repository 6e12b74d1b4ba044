"""Staff in chat: cancel an activity, after a confirmation that says who will be told.

AskCancelActivity asks "sure?" with how many residents will be told; CancelActivity cancels, tells
everyone signed up or waiting in their language and drops the reminders. Stateless buttons,
built with bot.telegram.staff's staff-only helpers; the activity is checked again before anything.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.config import LANGUAGES
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.telegram.staff_screens import audit_activity, changeable_activity, show_screen
from bot.views.activity import activity_title_when
from bot.views.buttons import AskCancelActivity, CancelActivity, StaffActivities, StaffActivity
from bot.views.signup_news import cancelled_text
from bot.work.broadcasting import notify_activity
from bot.work.reminders import sync_reminder_jobs
from bot.work.translations import cancel_for_activity

log = logging.getLogger(__name__)


async def ask_cancel(update: Update, context: NaboContext) -> None:
    """Ask before cancelling an activity, and say how many residents will be told."""
    press = await answer_press(update)
    button = AskCancelActivity.parse(press.data)
    activity = await changeable_activity(press, context, button.activity_id)
    if activity is None:
        return
    tr = context.tr
    _ = tr.gettext
    count = len(await context.signups.active_recipients(activity.id))
    parts = [
        _("Cancel this activity?"),
        activity_title_when(tr, activity),
        tr.ngettext(
            "{count} resident who signed up or is waiting will be told.",
            "{count} residents who signed up or are waiting will be told.",
            count,
        ).format(count=tr.ltr(count)),
    ]
    offline = len(await context.people.on_activity(activity.id))
    if offline:
        parts.append(
            tr.ngettext(
                "{count} participant is not on Telegram: the team and the activity's host "
                "get a message saying whom to call.",
                "{count} participants are not on Telegram: the team and the activity's host "
                "get a message saying whom to call.",
                offline,
            ).format(count=tr.ltr(offline))
        )
    text = "\n\n".join(parts)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, cancel the activity"), callback_data=CancelActivity(activity.id).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    _("No, keep the activity"), callback_data=StaffActivity(activity.id).pack()
                )
            ],
        ]
    )
    await show_screen(press, context, text, keyboard)


async def cancel_activity(update: Update, context: NaboContext) -> None:
    """Cancel the activity, tell everyone signed up or waiting, and drop its reminders."""
    press = await answer_press(update)
    button = CancelActivity.parse(press.data)
    activity = await changeable_activity(press, context, button.activity_id)
    if activity is None:
        return
    if not await context.activities.cancel(activity.id, context.clock.now()):
        await changeable_activity(press, context, activity.id)  # cancelled meanwhile: say so
        return
    cancelled = await context.activities.get(activity.id)
    assert cancelled is not None
    told = await notify_activity(
        context.application,
        activity.id,
        {
            language: cancelled_text(
                context.bot_data.services.catalogs.translator(language), cancelled
            )
            for language in LANGUAGES
        },
        press.user_id,
        press.chat_id,
    )
    await sync_reminder_jobs(context.application)
    # Volunteers translating its texts are told they are no longer needed.
    await cancel_for_activity(context.application, activity.id)
    await audit_activity(context, press.user_id, "activity.cancel", activity.id, f"told={told}")
    log.info("staff cancelled activity %s; %d resident(s) told", activity.id, told)
    tr = context.tr
    text = tr.ngettext(
        "❌ The activity is cancelled. {count} resident is being told.",
        "❌ The activity is cancelled. {count} residents are being told.",
        told,
    ).format(count=tr.ltr(told))
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("◀ Back"), callback_data=StaffActivities(0).pack())]]
    )
    await show_screen(press, context, text, keyboard)


def register(application: NaboApplication) -> None:
    """Add the buttons that ask before cancelling an activity and then cancel it."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    for callback, pattern in (
        (ask_cancel, AskCancelActivity.pattern()),
        (cancel_activity, CancelActivity.pattern()),
    ):
        application.add_handler(StaffCallbackQueryHandler(staff, callback, pattern))

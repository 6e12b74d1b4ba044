"""Reminders before activities, and the job rebuild: everything scheduled comes from the database.

Job names are stable (``reminder:<activity>:<minutes before>``), so a rebuild replaces
jobs instead of doubling them. The database decides who is owed what: a reminder is
claimed in ``reminder_sends`` before it is sent, so a restart never sends it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.dates import reminder_due
from bot.db.activities import Activity
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.tell import Told, tell
from bot.views.signup_news import reminder_message
from bot.work.broadcasting import sync_broadcast_jobs
from bot.work.feedback_questions import sync_feedback_jobs
from bot.work.jobs import BackgroundJob, job_queue_of, reconcile_jobs
from bot.work.translations import ask_newcomers, sync_translation_jobs

log = logging.getLogger(__name__)

__all__ = ["reminder_due"]  # re-exported: when a reminder is due (bot/core/dates.py)

JOB_PREFIX = "reminder:"
# How often the jobs are rebuilt from the database, so activities added by another
# process (the import command) get their reminders without a restart.
SYNC_INTERVAL = timedelta(minutes=5)
SYNC_JOB = "jobs:sync"


def job_name(activity_id: int, offset: timedelta) -> str:
    """Return the stable name of one activity's reminder job."""
    return f"{JOB_PREFIX}{activity_id}:{int(offset.total_seconds() // 60)}"


def desired_jobs(
    activities: list[Activity], offsets: tuple[timedelta, ...], now: datetime, zone: ZoneInfo
) -> dict[str, tuple[int, int, timedelta]]:
    """Work out which reminder jobs should exist: name → (activity, minutes, delay)."""
    jobs = {}
    for activity in activities:
        if activity.status != "published" or activity.starts_at <= now:
            continue
        overdue = [
            offset for offset in offsets if reminder_due(activity.starts_at, offset, zone) <= now
        ]
        for offset in offsets:
            if overdue and offset in overdue and offset != min(overdue):
                # After downtime only the latest overdue reminder goes out; the job for
                # it marks the earlier ones as done.
                continue
            due = reminder_due(activity.starts_at, offset, zone)
            # Overdue (the bot was down): send now, since the activity has not started.
            delay = max(timedelta(0), due - now)
            jobs[job_name(activity.id, offset)] = (
                activity.id,
                int(offset.total_seconds() // 60),
                delay,
            )
    return jobs


async def sync_reminder_jobs(application: NaboApplication) -> int:
    """Make the JobQueue's reminder jobs match the database; return how many exist."""
    job_queue = job_queue_of(application)
    bot_data = application.bot_data
    now = bot_data.clock.now()
    activities = await bot_data.services.activities.not_started(now)
    config = bot_data.config
    wanted = desired_jobs(activities, config.reminder_offsets, now, config.timezone)
    by_id = {activity.id: activity for activity in activities}
    for name, (activity_id, minutes, delay) in list(wanted.items()):
        if delay > timedelta(0):
            continue
        # Already due: a job only while someone is still owed it (after downtime, or a
        # send to retry), not one more run on every sync until the activity starts.
        due = reminder_due(
            by_id[activity_id].starts_at, timedelta(minutes=minutes), config.timezone
        )
        if not await bot_data.services.signups.reminder_targets(activity_id, minutes, due):
            del wanted[name]
    reconcile_jobs(
        job_queue,
        JOB_PREFIX,
        {
            name: (delay, {"activity": activity_id, "minutes": minutes})
            for name, (activity_id, minutes, delay) in wanted.items()
        },
        send_reminders,
    )
    return len(wanted)


async def _sync_job(context: NaboContext) -> None:
    """Rebuild reminder, broadcast, feedback and translation jobs from the database (periodic)."""
    await sync_reminder_jobs(context.application)
    await sync_broadcast_jobs(context.application)
    await sync_feedback_jobs(context.application)
    await sync_translation_jobs(context.application)
    # Volunteers whose offer became active since are asked for translations still open.
    await ask_newcomers(context.application)
    # Lets whoever started the bot (the tests, the sandbox) wait until jobs exist.
    context.bot_data.jobs_synced.set()


def start_job_sync(application: NaboApplication) -> None:
    """Rebuild the jobs from the database now and every few minutes."""
    job_queue = job_queue_of(application)
    # run_repeating cannot start at once (an APScheduler limitation), so the first
    # rebuild is its own one-off job.
    job_queue.run_once(BackgroundJob(_sync_job), when=0, name=SYNC_JOB)
    job_queue.run_repeating(BackgroundJob(_sync_job), interval=SYNC_INTERVAL, name=SYNC_JOB)


async def send_reminders(context: NaboContext) -> None:
    """Send one activity's reminder to everyone still owed it."""
    assert context.job is not None
    data = context.job.data
    assert isinstance(data, dict)
    activity = await context.activities.get(data["activity"])
    now = context.clock.now()
    if activity is None or activity.status != "published" or now >= activity.starts_at:
        return
    # Sign-ups made, and reminders turned on, after the reminder was due do not get a
    # late "see you tomorrow".
    due = reminder_due(
        activity.starts_at, timedelta(minutes=data["minutes"]), context.config.timezone
    )
    sent = 0
    for recipient in await context.signups.reminder_targets(activity.id, data["minutes"], due):
        if not await context.signups.claim_reminder(recipient.signup.id, data["minutes"], now):
            continue
        # Earlier reminders that were never sent (the bot was down) are past their use.
        for earlier in context.config.reminder_offsets:
            minutes = int(earlier.total_seconds() // 60)
            if minutes > data["minutes"]:
                await context.signups.claim_reminder(recipient.signup.id, minutes, now)
        tr = context.bot_data.services.catalogs.translator(
            recipient.language or context.config.default_language
        )
        text, keyboard = reminder_message(tr, activity, recipient.signup)
        told = await tell(context.bot, context.residents, recipient, text, keyboard)
        if told is Told.RETRY:
            # Not delivered for a passing reason: free it, so the next sync tries again.
            await context.signups.unclaim_reminder(recipient.signup.id, data["minutes"])
        sent += told is Told.SENT
    if sent:
        log.info("sent %d reminder(s) for activity %s", sent, activity.id)

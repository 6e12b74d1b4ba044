"""The day-before call list: who to call among the participants without Telegram.

Nabo reminds residents itself; those signed up on their behalf need a call. For every
activity with such participants, staff and the activity's hosts get the list at
``CALL_LIST_TIME`` the day before (at once, if that moment has passed but the activity
has not started). Jobs are rebuilt from the database every few minutes with stable names;
the list itself is a team message written once per activity (bot/db/team_messages.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.telegram.context import NaboApplication, NaboContext
from bot.work.jobs import BackgroundJob, job_queue_of, reconcile_jobs

JOB_PREFIX = "call_list:"
SYNC_JOB = "call_lists:sync"
SYNC_INTERVAL = timedelta(minutes=5)
# Office hours, the day before: when staff can call.
CALL_LIST_TIME = time(10, 0)


def call_list_job_name(activity_id: int) -> str:
    """Return the stable name of an activity's call-list job."""
    return f"{JOB_PREFIX}{activity_id}"


def call_list_due(starts_at: datetime, zone: ZoneInfo) -> datetime:
    """Return when an activity's call list goes out: the day before, at CALL_LIST_TIME."""
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day, CALL_LIST_TIME, tzinfo=zone)


async def sync_call_list_jobs(application: NaboApplication) -> int:
    """Make the call-list jobs match the database; return how many there are."""
    bot_data = application.bot_data
    now = bot_data.clock.now()
    zone = bot_data.config.timezone
    wanted = {
        call_list_job_name(activity_id): (
            max(timedelta(0), call_list_due(starts_at, zone) - now),
            activity_id,
        )
        for activity_id, starts_at in await bot_data.services.people.needing_call_list(now)
    }
    reconcile_jobs(job_queue_of(application), JOB_PREFIX, wanted, _send_call_list)
    return len(wanted)


async def _send_call_list(context: NaboContext) -> None:
    """Write an activity's call list (once) and wake the outbox (JobQueue callback)."""
    assert context.job is not None
    activity_id = context.job.data
    assert isinstance(activity_id, int)
    services = context.bot_data.services
    if await services.team_messages.record("call_list", context.clock.now(), activity_id):
        services.sender.wake()


async def _sync_job(context: NaboContext) -> None:
    await sync_call_list_jobs(context.application)


def start_call_list_sync(application: NaboApplication) -> None:
    """Rebuild the call-list jobs from the database now and every few minutes."""
    job_queue = job_queue_of(application)
    job_queue.run_once(BackgroundJob(_sync_job), when=0, name=SYNC_JOB)
    job_queue.run_repeating(BackgroundJob(_sync_job), interval=SYNC_INTERVAL, name=SYNC_JOB)

"""The weekly overview: once a week, each subscriber's coming activities, durably delivered."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, tzinfo

from bot.db.broadcasts import DIGEST
from bot.telegram.context import NaboApplication, NaboContext
from bot.work.jobs import BackgroundJob, job_queue_of

log = logging.getLogger(__name__)

DIGEST_JOB = "digest:weekly"
DIGEST_DAYS = 7


def week_key(moment: datetime) -> str:
    """Return the ISO week of a local moment, e.g. 2030-W10 (one overview per week)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def start_digest_job(application: NaboApplication) -> None:
    """Schedule the weekly overview, and catch up on this week's if it was missed."""
    config = application.bot_data.config
    job_queue = job_queue_of(application)
    if config.digest_weekday is None:
        return  # DIGEST_SCHEDULE=off
    # PTB counts days from Sunday (0); the configuration from Monday (0).
    day = (config.digest_weekday + 1) % 7
    job_queue.run_daily(
        BackgroundJob(_digest_job),
        time=config.digest_time.replace(tzinfo=config.timezone),
        days=(day,),
        name=DIGEST_JOB,
    )
    job_queue.run_once(BackgroundJob(_catch_up_job), when=0, name=f"{DIGEST_JOB}:catch-up")


def this_weeks_time(now: datetime, weekday: int, at: time, timezone: tzinfo) -> datetime:
    """Return this ISO week's scheduled moment for the overview, in local time."""
    local = now.astimezone(timezone)
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=weekday)
    return datetime.combine(day, at, tzinfo=timezone)


async def _catch_up_job(context: NaboContext) -> None:
    """Send this week's overview if its time has passed while Nabo was down."""
    config = context.config
    now = context.clock.now()
    assert config.digest_weekday is not None
    due = this_weeks_time(now, config.digest_weekday, config.digest_time, config.timezone)
    if now >= due:
        await send_weekly_digest(context.application)


async def _digest_job(context: NaboContext) -> None:
    """Send the weekly overview (JobQueue callback)."""
    await send_weekly_digest(context.application)


async def send_weekly_digest(application: NaboApplication) -> int | None:
    """Write this week's overview for every subscriber with something to read; once a week.

    Returns the broadcast's id, or None when it exists already or nobody has news.
    """
    bot_data = application.bot_data
    now = bot_data.clock.now()
    week = week_key(now.astimezone(bot_data.config.timezone))
    recipients = []
    end = now + timedelta(days=DIGEST_DAYS)
    for user_id, chat_id, language in await bot_data.services.broadcasts.audience(DIGEST):
        if await bot_data.services.activities.matching_interests(user_id, now, end, limit=1):
            recipients.append((user_id, chat_id, language))
    if not recipients:
        # Nobody is sent anything, so nothing is recorded: no broadcast with 0
        # recipients in the export, and a later run this week (after a restart, once
        # activities are added) can still send the week's overview.
        log.info("weekly overview %s: nothing for anyone yet", week)
        return None
    broadcast_id = await bot_data.services.broadcasts.create_digest(week, recipients, now)
    if broadcast_id is None:
        return None  # this week's overview exists already (sent, or being sent)
    bot_data.services.sender.wake()
    log.info("weekly overview %s for %d residents", week, len(recipients))
    return broadcast_id

"""Broadcasts set going: scheduled ones at their time, news about an activity at once.

The rows and their SQL are ``bot.db.broadcasts``; this starts them and wakes the
delivery sender (``bot.work.delivery``), which sends them.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.config import LANGUAGES
from bot.db.activities import Activity
from bot.db.broadcasts import ACTIVITY_PREFIX
from bot.telegram.context import NaboApplication, NaboContext
from bot.views.activity_editor import change_notice
from bot.work.jobs import job_queue_of, reconcile_jobs

BROADCAST_JOB_PREFIX = "broadcast:"


def broadcast_job_name(broadcast_id: int) -> str:
    """Return the stable name of a scheduled broadcast's job."""
    return f"{BROADCAST_JOB_PREFIX}{broadcast_id}"


async def start_broadcast(application: NaboApplication, broadcast_id: int) -> int:
    """Write the broadcast's deliveries now and wake the sender; return how many."""
    bot_data = application.bot_data
    added = await bot_data.services.broadcasts.start(broadcast_id, bot_data.clock.now())
    bot_data.services.sender.wake()
    return added


async def _broadcast_job(context: NaboContext) -> None:
    """Start a scheduled broadcast when its time comes (JobQueue callback)."""
    assert context.job is not None
    broadcast_id = context.job.data
    assert isinstance(broadcast_id, int)
    await start_broadcast(context.application, broadcast_id)


async def sync_broadcast_jobs(application: NaboApplication) -> None:
    """Make the JobQueue's broadcast jobs match the scheduled broadcasts in the database."""
    bot_data = application.bot_data
    job_queue = job_queue_of(application)
    now = bot_data.clock.now()
    scheduled = await bot_data.services.broadcasts.scheduled()
    wanted = {
        broadcast_job_name(b.id): (max(timedelta(0), b.send_at - now), b.id) for b in scheduled
    }
    reconcile_jobs(job_queue, BROADCAST_JOB_PREFIX, wanted, _broadcast_job)


async def _send_now(
    application: NaboApplication,
    *,
    kind: str,
    audience: str,
    activity_id: int,
    staff_user_id: int,
    texts: dict[str, str | None] | None = None,
    report_chat_id: int | None = None,
) -> tuple[int, int]:
    """Store a broadcast about an activity and start it; return (its id, recipients)."""
    bot_data = application.bot_data
    now = bot_data.clock.now()
    broadcast_id = await bot_data.services.broadcasts.create(
        kind=kind,
        audience=audience,
        send_at=now,
        now=now,
        staff_user_id=staff_user_id,
        texts=texts,
        activity_id=activity_id,
        progress=(report_chat_id, None) if report_chat_id is not None else None,
    )
    assert broadcast_id is not None
    return broadcast_id, await start_broadcast(application, broadcast_id)


async def notify_activity(
    application: NaboApplication,
    activity_id: int,
    texts: dict[str, str | None],
    staff_user_id: int,
    report_chat_id: int | None,
) -> int:
    """Tell everyone signed up for (or waiting on) an activity, durably; return how many.

    The news goes out as a broadcast, so a crash or a flood wait cannot lose it, and
    the staff member gets the usual final report in ``report_chat_id``.
    """
    _, recipients = await _send_now(
        application,
        kind="message",
        audience=f"{ACTIVITY_PREFIX}{activity_id}",
        activity_id=activity_id,
        staff_user_id=staff_user_id,
        texts=texts,
        report_chat_id=report_chat_id,
    )
    return recipients


async def notify_change(
    application: NaboApplication,
    activity: Activity,
    before: Activity,
    what: str,
    staff_user_id: int,
) -> int:
    """Tell everyone signed up or waiting, in their language, that the time or place changed."""
    catalogs = application.bot_data.services.catalogs
    texts: dict[str, str | None] = {
        language: change_notice(catalogs.translator(language), activity, before, what)
        for language in LANGUAGES
    }
    # Staff talk to Nabo in private chats, so the report goes to the same id.
    return await notify_activity(application, activity.id, texts, staff_user_id, staff_user_id)

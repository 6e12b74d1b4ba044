"""Named one-off jobs kept in step with the database, the one source of truth."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, JobQueue

from bot.telegram.ratelimit import background_sends

# A waiting job whose time is off by more than this (the activity moved) is replaced.
RESCHEDULE_TOLERANCE = timedelta(minutes=1)

CCT = TypeVar("CCT", bound=CallbackContext[Any, Any, Any, Any])


JobCallback = Callable[[Any], Coroutine[Any, Any, None]]


class BackgroundJob:
    """A job's callback whose sends are background work: replies to people go first.

    Every scheduled job is one (reminders, questions, translations, retention, the weekly
    overview): nobody is waiting for it this second, so it yields the rate limit's
    tokens to whoever is.
    """

    def __init__(self, callback: JobCallback) -> None:
        """Wrap ``callback``, a JobQueue callback."""
        self.callback = callback
        # JobQueue names an unnamed job after its callback.
        self.__name__ = getattr(callback, "__name__", type(self).__name__)

    async def __call__(self, context: Any) -> None:
        """Run the callback with its sends marked as background work."""
        with background_sends():
            await self.callback(context)


def job_queue_of(application: Application[Any, CCT, Any, Any, Any, Any]) -> JobQueue[CCT]:
    """Return the application's JobQueue, which Nabo always has (the job-queue extra)."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("Nabo needs python-telegram-bot[job-queue] for its jobs")
    return job_queue


def reconcile_jobs(
    job_queue: JobQueue[Any],
    prefix: str,
    wanted: Mapping[str, tuple[timedelta, object]],
    callback: JobCallback,
) -> None:
    """Make the jobs named ``prefix…`` exactly ``wanted``: name → (delay, job data).

    A job already waiting for the right moment is left alone; one for a moment that has
    changed is replaced; one no longer wanted is removed. Stable names mean a rebuild
    never doubles a job.
    """
    for job in job_queue.jobs():
        if job.name and job.name.startswith(prefix) and job.name not in wanted:
            job.schedule_removal()
    real_now = datetime.now(UTC)
    for name, (delay, data) in wanted.items():
        waiting = [job for job in job_queue.get_jobs_by_name(name) if not job.removed]
        if (
            delay > timedelta(0)
            and len(waiting) == 1
            and waiting[0].next_t is not None
            and abs(waiting[0].next_t - (real_now + delay)) < RESCHEDULE_TOLERANCE
        ):
            continue  # already waiting for the time the database says
        for job in waiting:
            job.schedule_removal()
        job_queue.run_once(BackgroundJob(callback), when=delay, name=name, data=data)

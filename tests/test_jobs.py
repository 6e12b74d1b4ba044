"""Scheduled jobs send as background work, so a resident's reply never waits behind them."""

from datetime import timedelta

from bot.telegram.ratelimit import is_background
from bot.work.jobs import BackgroundJob
from tests.conftest import Nabo
from tests.factories import add_activity


async def test_a_background_job_marks_its_sends_as_background() -> None:
    seen: list[bool] = []

    async def job(context: object) -> None:
        seen.append(is_background())

    assert not is_background()
    await BackgroundJob(job)(None)
    assert seen == [True]
    assert not is_background()


async def test_every_scheduled_job_sends_in_the_background(nabo: Nabo) -> None:
    # An activity in three days: its reminders are jobs, next to the daily ones
    # (retention, the rebuild from the database).
    await add_activity(nabo.store, nabo.clock.now() + timedelta(days=3))
    await nabo.restart()
    jobs = nabo.application.job_queue.jobs()
    names = {job.name.split(":")[0] for job in jobs if job.name}
    assert {"reminder", "retention", "jobs"} <= names, names
    plain = [job.name for job in jobs if not isinstance(job.callback, BackgroundJob)]
    assert plain == []

"""Time around the changes to and from summer time in Europe/Copenhagen (2030).

Spring: on 31 March 2030 the clocks jump from 02:00 to 03:00 (02:30 does not exist).
Autumn: on 27 October 2030 they go back from 03:00 to 02:00 (02:30 happens twice; staff who
type it mean the first, summer-time one). Reminders, scheduled broadcasts and the weekly
overview must each fire once, at the intended local time, with the real JobQueue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import Config
from bot.core.dates import parse_start
from bot.core.i18n import Catalogs
from bot.db.signups import SignupRepository
from bot.sandbox.botapi import BotApiServer
from bot.work.broadcasting import broadcast_job_name
from bot.work.digest import DIGEST_JOB, send_weekly_digest
from bot.work.reminders import desired_jobs, job_name, reminder_due
from tests import conftest
from tests.conftest import STAFF_ID, Nabo, buttons, settle
from tests.factories import add_activity
from tests.test_calendar import DANISH_ONLY
from tests.test_journey_broadcast import press, residents, staff_says, wait_for_broadcast_end

CPH = ZoneInfo("Europe/Copenhagen")
DAY, TWO_HOURS = timedelta(hours=24), timedelta(hours=2)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local(moment: datetime) -> str:
    """A moment as a Copenhagen wall clock with its offset, e.g. 2030-10-26 02:30+02:00."""
    # Through UTC: a datetime already in CPH holding a skipped wall time is not normalised.
    return moment.astimezone(UTC).astimezone(CPH).isoformat(sep=" ", timespec="minutes")


@pytest.mark.parametrize(
    ("starts", "offset", "due"),
    [
        # Sunday 10:00 summer time: the day before is Saturday 10:00 winter time (09:00 UTC),
        # not 24 elapsed hours (09:00 local); two hours before is two real hours.
        ("31.03.2030 10:00", DAY, "2030-03-30 10:00+01:00"),
        ("31.03.2030 10:00", TWO_HOURS, "2030-03-31 08:00+02:00"),
        ("01.04.2030 10:00", DAY, "2030-03-31 10:00+02:00"),
        # Two real hours before 03:30 summer time is 00:30, across the skipped hour.
        ("31.03.2030 03:30", TWO_HOURS, "2030-03-31 00:30+01:00"),
        # The day before Monday 02:30 is a time that does not exist: one hour later.
        ("01.04.2030 02:30", DAY, "2030-03-31 03:30+02:00"),
        ("27.10.2030 10:00", DAY, "2030-10-26 10:00+02:00"),
        ("27.10.2030 10:00", TWO_HOURS, "2030-10-27 08:00+01:00"),
        # 02:30 on the autumn night is its first occurrence (summer time, 00:30 UTC).
        ("27.10.2030 02:30", DAY, "2030-10-26 02:30+02:00"),
        ("27.10.2030 02:30", TWO_HOURS, "2030-10-27 00:30+02:00"),
        # Two real hours before 03:00 winter time is the first 02:00.
        ("27.10.2030 03:00", TWO_HOURS, "2030-10-27 02:00+02:00"),
        ("28.10.2030 02:30", DAY, "2030-10-27 02:30+02:00"),
    ],
)
def test_reminder_due_at_the_intended_local_time(starts: str, offset: timedelta, due: str) -> None:
    starts_at = parse_start(starts, utc(2030, 1, 1, 0, 0), CPH)
    assert local(reminder_due(starts_at, offset, CPH)) == due


def test_each_reminder_is_wanted_once_before_an_ambiguous_start() -> None:
    """Through the night before, the activity at 02:30 aims each reminder at one moment."""
    starts_at = parse_start("27.10.2030 02:30", utc(2030, 1, 1, 0, 0), CPH)
    activity = replace(
        DANISH_ONLY, id=7, starts_at=starts_at, ends_at=starts_at + TWO_HOURS, status="published"
    )
    aims: dict[str, set[datetime]] = {}
    moment = utc(2030, 10, 25, 12, 0)
    while moment < starts_at:
        for name, (_, _, delay) in desired_jobs([activity], (DAY, TWO_HOURS), moment, CPH).items():
            if delay:  # not yet overdue
                aims.setdefault(name, set()).add(moment + delay)
        moment += timedelta(minutes=10)
    assert aims == {
        job_name(7, DAY): {utc(2030, 10, 26, 0, 30)},
        job_name(7, TWO_HOURS): {utc(2030, 10, 26, 22, 30)},
    }
    # After the start (00:30 UTC), the second 02:30 (01:30 UTC) wants nothing.
    assert desired_jobs([activity], (DAY, TWO_HOURS), utc(2030, 10, 27, 1, 30), CPH) == {}


@pytest.fixture
async def dst_nabo(
    botapi: BotApiServer, config: Config, clock: conftest.TestClock
) -> AsyncIterator[Nabo]:
    """Nabo with the weekly overview on Sundays at 02:30, the night of both changes."""
    instance = Nabo(botapi, replace(config, digest_weekday=6, digest_time=time(2, 30)), clock)
    yield instance
    await instance.stop()


def scheduled_for(nabo: Nabo, name: str, real_before: datetime, real_after: datetime) -> datetime:
    """When, on the test clock, the job ``name`` will run.

    The JobQueue runs on the real clock; a job scheduled between ``real_before`` and
    ``real_after`` with delay d was scheduled for test-clock time (clock now + d).
    """
    job = nabo.job(name)
    assert job.next_t is not None
    now = nabo.clock.now()
    earliest = now + (job.next_t - real_after)
    latest = now + (job.next_t - real_before)
    # Round to the minute: all our times are whole minutes.
    candidates = {
        moment.replace(second=0, microsecond=0) + timedelta(minutes=bump)
        for moment in (earliest, latest)
        for bump in (0, 1)
    }
    [when] = [c for c in candidates if earliest <= c <= latest]
    return when


@pytest.mark.parametrize(
    ("clock_start", "starts", "day_before", "two_hours_before"),
    [
        (
            "2030-03-29 12:00",
            "31.03.2030 10:00",
            "2030-03-30 10:00+01:00",
            "2030-03-31 08:00+02:00",
        ),
        (
            "2030-10-25 12:00",
            "27.10.2030 02:30",
            "2030-10-26 02:30+02:00",
            "2030-10-27 00:30+02:00",
        ),
        (
            "2030-10-25 12:00",
            "27.10.2030 10:00",
            "2030-10-26 10:00+02:00",
            "2030-10-27 08:00+01:00",
        ),
    ],
)
async def test_reminders_fire_once_at_the_local_time(
    dst_nabo: Nabo,
    catalogs: Catalogs,
    clock_start: str,
    starts: str,
    day_before: str,
    two_hours_before: str,
) -> None:
    nabo, clock = dst_nabo, dst_nabo.clock
    clock.current = datetime.fromisoformat(clock_start).replace(tzinfo=UTC)
    starts_at = parse_start(starts, clock.now(), CPH)
    real_before = datetime.now(UTC)
    await nabo.start()
    real_after = datetime.now(UTC)
    server = nabo.server
    tr = catalogs.translator("en")
    await residents(nabo, {50: "en"})
    activity_id = await add_activity(
        nabo.store, clock.now(), starts_at=starts_at, ends_at=starts_at + TWO_HOURS
    )
    await SignupRepository(nabo.store).sign_up(activity_id, 50, 1, 0, clock.now(), waitlist=False)
    real_before = datetime.now(UTC)
    await nabo.restart()  # jobs are rebuilt from the database at start-up
    real_after = datetime.now(UTC)

    for offset, expected in ((DAY, day_before), (TWO_HOURS, two_hours_before)):
        name = job_name(activity_id, offset)
        when = scheduled_for(nabo, name, real_before, real_after)
        assert local(when) == expected
        clock.current = when
        cursor = server.cursor(50)
        await nabo.run_job(name)
        [reminder] = await server.wait_for_messages(50, after=cursor)
        assert reminder["text"].startswith(tr.gettext("⏰ Reminder").split(":")[0])
        assert tr.time(starts_at) in reminder["text"]
        await nabo.run_job(name)  # the JobQueue running it again sends nothing
        await settle(nabo)
        assert server.cursor(50) == cursor + 1
        real_before = datetime.now(UTC)
        await nabo.restart()  # nor does a rebuild after it went out
        real_after = datetime.now(UTC)
        await settle(nabo)
        assert server.cursor(50) == cursor + 1

    # Past the start (and, in autumn, past the second 02:30): nothing left to remind.
    clock.current = starts_at + timedelta(hours=1)
    await nabo.restart()
    assert [
        job.name
        for job in nabo.application.job_queue.jobs()
        if job.name and job.name.startswith(f"reminder:{activity_id}:")
    ] == []
    assert await nabo.rows("SELECT offset_minutes FROM reminder_sends ORDER BY 1") == [
        (120,),
        (1440,),
    ]


@pytest.mark.parametrize(
    ("clock_start", "typed", "expected"),
    [
        ("2030-03-30 12:00", "31.03.2030 03:30", "2030-03-31 03:30+02:00"),
        ("2030-10-26 12:00", "27.10.2030 02:30", "2030-10-27 02:30+02:00"),
        ("2030-10-26 12:00", "27.10.2030 03:30", "2030-10-27 03:30+01:00"),
    ],
)
async def test_scheduled_broadcast_goes_out_once_at_the_typed_local_time(
    dst_nabo: Nabo, catalogs: Catalogs, clock_start: str, typed: str, expected: str
) -> None:
    nabo, clock = dst_nabo, dst_nabo.clock
    clock.current = datetime.fromisoformat(clock_start).replace(tzinfo=UTC)
    await nabo.start()
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await residents(nabo, {20: "da"})

    await staff_says(server, "/broadcast")
    [arabic] = await staff_says(server, "Natteløb i nat")
    [english] = await press(server, arabic, da.gettext("Skip"))
    [audience] = await press(server, english, da.gettext("Skip"))
    server.press(STAFF_ID, audience, buttons(audience)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    server.press(STAFF_ID, when, da.gettext("Choose a later time"))
    await server.wait_for_edit(STAFF_ID, audience["message_id"])
    real_before = datetime.now(UTC)
    preview = await staff_says(server, typed)
    assert da.time(parse_start(typed, clock.now(), CPH)) in preview[-1]["text"]
    server.press(STAFF_ID, preview[-1], da.gettext("✅ Send"))
    await server.wait_for_edit(STAFF_ID, preview[-1]["message_id"])
    await settle(nabo)
    real_after = datetime.now(UTC)
    [(broadcast_id, send_at)] = await nabo.rows("SELECT id, send_at FROM broadcasts")
    assert local(datetime.fromisoformat(str(send_at))) == expected
    name = broadcast_job_name(int(str(broadcast_id)))
    assert local(scheduled_for(nabo, name, real_before, real_after)) == expected

    clock.current = datetime.fromisoformat(str(send_at))
    cursor = server.cursor(20)
    await nabo.run_job(name)
    await wait_for_broadcast_end(nabo)
    [message] = await server.wait_for_messages(20, after=cursor)
    assert message["text"] == "Natteløb i nat"
    await nabo.run_job(name)  # run again, and after an hour and a rebuild: nothing more
    clock.advance(timedelta(hours=1))
    await nabo.restart()
    await settle(nabo)
    assert server.cursor(20) == cursor + 1
    assert await nabo.rows("SELECT COUNT(*) FROM deliveries") == [(1,)]


async def test_weekly_overview_once_on_both_change_nights(dst_nabo: Nabo) -> None:
    """DIGEST_SCHEDULE=sun 02:30: the trigger fires twice in autumn; one overview goes out."""
    nabo, clock = dst_nabo, dst_nabo.clock
    clock.current = utc(2030, 3, 29, 12, 0)
    await nabo.start()
    server = nabo.server
    await residents(nabo, {60: "en"})
    trigger = nabo.job(DIGEST_JOB).job.trigger

    # Spring: 02:30 does not exist; it runs at 03:30 summer time, the moment after the jump.
    spring = trigger.get_next_fire_time(None, clock.now())
    assert local(spring) == "2030-03-31 03:30+02:00"
    # Autumn: APScheduler's cron trigger fires at both 02:30s of the night.
    first = trigger.get_next_fire_time(None, utc(2030, 10, 26, 12, 0))
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert (local(first), local(second)) == ("2030-10-27 02:30+02:00", "2030-10-27 02:30+01:00")

    for fire_times in ((spring,), (first, second)):
        clock.current = fire_times[0] - timedelta(days=1)
        await add_activity(nabo.store, clock.now(), title_en="Søndagsbrunch")
        cursor = server.cursor(60)
        for moment in fire_times:
            clock.current = moment.astimezone(UTC)
            await nabo.run_job(DIGEST_JOB)
            await settle(nabo)
        await wait_for_broadcast_end(nabo, done=len(fire_times))
        [overview] = await server.wait_for_messages(60, after=cursor)
        assert "Søndagsbrunch" in overview["text"]
        assert await send_weekly_digest(nabo.application) is None
        await settle(nabo)
        assert server.cursor(60) == cursor + 1
    assert await nabo.rows("SELECT digest_week FROM broadcasts ORDER BY id") == [
        ("2030-W13",),
        ("2030-W43",),
    ]

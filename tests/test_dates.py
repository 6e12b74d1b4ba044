"""Reading staff's dates, times, durations and numbers of places, in Europe/Copenhagen."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.dates import (
    MAX_DURATION,
    CapacityError,
    DateError,
    DateProblem,
    localize,
    parse_capacity,
    parse_datetime,
    parse_deadline,
    parse_duration,
    parse_end,
    parse_start,
    weekly,
)

CPH = ZoneInfo("Europe/Copenhagen")
# Wednesday 4 March 2026, 10:00 in Copenhagen (winter time, UTC+1).
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.03.2026 17:00", utc(2026, 3, 12, 16, 0)),
        ("12.3.2026 17.00", utc(2026, 3, 12, 16, 0)),
        ("12/3/2026 17:00", utc(2026, 3, 12, 16, 0)),
        ("12/3 17:00", utc(2026, 3, 12, 16, 0)),
        ("12.3 kl. 17:00", utc(2026, 3, 12, 16, 0)),
        ("12.3, 17:00", utc(2026, 3, 12, 16, 0)),
        ("2026-03-12 17:00", utc(2026, 3, 12, 16, 0)),
        ("2026-03-12T17:00", utc(2026, 3, 12, 16, 0)),
        ("  2026-3-12   9:05 ", utc(2026, 3, 12, 8, 5)),
        # Summer time: UTC+2.
        ("12.06.2026 17:00", utc(2026, 6, 12, 15, 0)),
        # Arabic-Indic digits, as an Arabic keyboard types them.
        ("١٢/٣ ١٧:٠٠", utc(2026, 3, 12, 16, 0)),
        # Today, later: this year.
        ("4/3 18:00", utc(2026, 3, 4, 17, 0)),
    ],
)
def test_parse_datetime_formats(text: str, expected: datetime) -> None:
    assert parse_datetime(text, NOW, CPH) == expected


def test_a_date_without_a_year_that_has_passed_means_next_year() -> None:
    assert parse_datetime("1/3 17:00", NOW, CPH) == utc(2027, 3, 1, 16, 0)
    assert parse_datetime("3.3 17:00", NOW, CPH) == utc(2027, 3, 3, 16, 0)
    # New Year's Eve asks about January: next year.
    new_years_eve = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    assert parse_datetime("5/1 10:00", new_years_eve, CPH) == utc(2027, 1, 5, 9, 0)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tomorrow 17:00", DateProblem.FORMAT),
        ("12.03.2026", DateProblem.FORMAT),
        ("17:00", DateProblem.FORMAT),
        ("12.03/2026 17:00", DateProblem.FORMAT),
        ("12.03.26 17:00", DateProblem.FORMAT),
        ("", DateProblem.FORMAT),
        ("31.02.2026 17:00", DateProblem.NO_SUCH_DAY),
        ("12.13.2026 17:00", DateProblem.NO_SUCH_DAY),
        ("12.03.2026 25:00", DateProblem.NO_SUCH_DAY),
        ("12.03.2026 17:60", DateProblem.NO_SUCH_DAY),
        ("29/2 10:00", DateProblem.NO_SUCH_DAY),
    ],
)
def test_parse_datetime_refuses(text: str, problem: DateProblem) -> None:
    with pytest.raises(DateError) as caught:
        parse_datetime(text, NOW, CPH)
    assert caught.value.problem is problem


def test_dst_gap_is_refused_and_the_repeated_hour_means_the_first() -> None:
    # 29 March 2026: 02:00 → 03:00. 02:30 never happens in Copenhagen.
    with pytest.raises(DateError) as caught:
        parse_datetime("29.03.2026 02:30", NOW, CPH)
    assert caught.value.problem is DateProblem.CLOCK_GAP
    assert parse_datetime("29.03.2026 03:00", NOW, CPH) == utc(2026, 3, 29, 1, 0)
    assert parse_datetime("29.03.2026 01:59", NOW, CPH) == utc(2026, 3, 29, 0, 59)
    # 25 October 2026: 03:00 → 02:00. 02:30 happens twice; the first is summer time.
    assert parse_datetime("25.10.2026 02:30", NOW, CPH) == utc(2026, 10, 25, 0, 30)
    assert localize(datetime(2026, 10, 25, 2, 30), CPH) == utc(2026, 10, 25, 0, 30)


def test_parse_start_must_be_in_the_future() -> None:
    assert parse_start("4.3.2026 10:01", NOW, CPH) == utc(2026, 3, 4, 9, 1)
    for text in ("4.3.2026 10:00", "4.3.2026 09:00", "1.1.2026 10:00"):
        with pytest.raises(DateError) as caught:
            parse_start(text, NOW, CPH)
        assert caught.value.problem is DateProblem.PAST


START = utc(2026, 3, 12, 16, 0)  # 17:00 in Copenhagen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:00", utc(2026, 3, 12, 18, 0)),
        ("kl. 19.30", utc(2026, 3, 12, 18, 30)),
        ("17:01", utc(2026, 3, 12, 16, 1)),
        ("2h", START + timedelta(hours=2)),
        ("2 t", START + timedelta(hours=2)),
        ("90m", START + timedelta(minutes=90)),
        ("90 min", START + timedelta(minutes=90)),
        ("1h30m", START + timedelta(minutes=90)),
        ("1H 30M", START + timedelta(minutes=90)),
        ("24h", START + timedelta(hours=24)),
    ],
)
def test_parse_end(text: str, expected: datetime) -> None:
    assert parse_end(text, START, CPH) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("17:00", DateProblem.END_NOT_AFTER_START),
        ("16:00", DateProblem.END_NOT_AFTER_START),
        ("0h", DateProblem.END_NOT_AFTER_START),
        ("0m", DateProblem.END_NOT_AFTER_START),
        ("25h", DateProblem.TOO_LONG),
        ("24h1m", DateProblem.TOO_LONG),
        ("2", DateProblem.END_FORMAT),
        ("two hours", DateProblem.END_FORMAT),
        ("", DateProblem.END_FORMAT),
        ("12.03.2026 19:00", DateProblem.END_FORMAT),
        ("24:00", DateProblem.NO_SUCH_DAY),
    ],
)
def test_parse_end_refuses(text: str, problem: DateProblem) -> None:
    with pytest.raises(DateError) as caught:
        parse_end(text, START, CPH)
    assert caught.value.problem is problem


def test_end_time_in_the_dst_gap_is_refused_and_durations_are_elapsed_time() -> None:
    start = parse_datetime("29.03.2026 01:00", NOW, CPH)
    with pytest.raises(DateError) as caught:
        parse_end("02:30", start, CPH)
    assert caught.value.problem is DateProblem.CLOCK_GAP
    # Two real hours after 01:00 on the night the clocks jump forward is 04:00 local.
    two_hours = parse_end("2h", start, CPH)
    assert two_hours - start == timedelta(hours=2)
    assert two_hours.astimezone(CPH).hour == 4
    # "04:00" the same day is also two real hours later.
    assert parse_end("04:00", start, CPH) == two_hours


def test_max_duration_is_a_day() -> None:
    assert parse_duration("24h") == MAX_DURATION


def test_parse_deadline() -> None:
    assert parse_deadline("10.3.2026 12:00", NOW, START, CPH) == utc(2026, 3, 10, 11, 0)
    assert parse_deadline("12.3.2026 17:00", NOW, START, CPH) == START
    with pytest.raises(DateError) as after:
        parse_deadline("12.3.2026 17:01", NOW, START, CPH)
    assert after.value.problem is DateProblem.AFTER_START
    with pytest.raises(DateError) as past:
        parse_deadline("2026-03-04 09:00", NOW, START, CPH)
    assert past.value.problem is DateProblem.PAST


UNLIMITED = ["unlimited", "Ubegrænset", "غير محدود"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("12", 12),
        (" 30 ", 30),
        ("١٥", 15),
        ("10000", 10_000),
        ("unlimited", None),
        ("UBEGRÆNSET", None),
        (" ubegrænset ", None),
        ("غير محدود", None),
    ],
)
def test_parse_capacity(text: str, expected: int | None) -> None:
    assert parse_capacity(text, UNLIMITED) == expected


@pytest.mark.parametrize("text", ["0", "-3", "3.5", "ti", "10 pladser", "", "10001", "1e3", "²"])
def test_parse_capacity_refuses(text: str) -> None:
    with pytest.raises(CapacityError):
        parse_capacity(text, UNLIMITED)


def test_weekly_keeps_the_local_time_across_dst() -> None:
    # Thursday 19 March 2026, 17:00 winter time; the clocks go forward on 29 March.
    first = parse_datetime("19.03.2026 17:00", NOW, CPH)
    series = [weekly(first, weeks, CPH) for weeks in range(4)]
    assert series == [
        utc(2026, 3, 19, 16, 0),
        utc(2026, 3, 26, 16, 0),
        utc(2026, 4, 2, 15, 0),
        utc(2026, 4, 9, 15, 0),
    ]
    assert {moment.astimezone(CPH).strftime("%a %H:%M") for moment in series} == {"Thu 17:00"}
    # And back again in October.
    autumn = parse_datetime("22.10.2026 17:00", NOW, CPH)
    assert weekly(autumn, 1, CPH) == utc(2026, 10, 29, 16, 0)

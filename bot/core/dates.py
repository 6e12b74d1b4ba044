"""Reading what staff type: dates and times, end times and durations, numbers of places.

Pure functions: they take ``now`` and the time zone, return aware UTC datetimes, and say
what is wrong with a ``DateError`` whose ``problem`` the handler turns into a message in the
staff member's language. Local wall-clock times are read in the configured zone: a time that
does not exist (the clocks jump forward) is refused, an ambiguous one (the clocks go back)
means its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# The longest an activity can last when its end is given as a duration.
MAX_DURATION = timedelta(hours=24)
MAX_CAPACITY = 10_000

# 12.03.2026 · 12/3/2026 · 12.3 · 12/3 · 2026-03-12, then the time: 17:00 or 17.00, maybe
# after "kl." as Danes write it. \d also accepts Arabic-Indic digits, which int() reads.
_DATE = (
    r"(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}))?)"
)
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
_DATETIME = re.compile(rf"^\s*{_DATE}(?:\s*,\s*|\s+|T)(?:kl\.?\s*)?{_TIME}\s*$", re.IGNORECASE)
_CLOCK = re.compile(rf"^\s*(?:kl\.?\s*)?{_TIME}\s*$", re.IGNORECASE)
# 2h · 90m · 1h30m · 1h 30min · 2t (Danish "timer").
_DURATION = re.compile(
    r"^\s*(?:(?P<hours>\d{1,3})\s*[ht])?\s*(?:(?P<minutes>\d{1,4})\s*m(?:in)?)?\s*$",
    re.IGNORECASE,
)


class DateProblem(StrEnum):
    """Why a date, time or duration was not accepted."""

    FORMAT = "format"  # not a date and time we can read
    NO_SUCH_DAY = "no_such_day"  # 31.02, or 25:00
    CLOCK_GAP = "clock_gap"  # skipped when the clocks go forward
    PAST = "past"  # not in the future
    END_FORMAT = "end_format"  # neither a time nor a duration
    END_NOT_AFTER_START = "end_not_after_start"
    TOO_LONG = "too_long"  # a duration above MAX_DURATION
    AFTER_START = "after_start"  # a sign-up deadline after the start


class DateError(ValueError):
    """A date, time or duration staff typed cannot be used; ``problem`` says why."""

    def __init__(self, problem: DateProblem) -> None:
        """Remember the problem."""
        super().__init__(problem.value)
        self.problem = problem


class CapacityError(ValueError):
    """A number of places is not a whole number from 1 to MAX_CAPACITY."""


def localize(wall: datetime, zone: ZoneInfo) -> datetime:
    """Read a naive local wall-clock time in ``zone``; return it in UTC.

    A time in the gap when the clocks jump forward does not exist and is refused; in the
    hour that repeats when they go back, the first occurrence (summer time) is meant.
    """
    aware = wall.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise DateError(DateProblem.CLOCK_GAP)
    return aware.astimezone(UTC)


def parse_datetime(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Read a date and time such as ``12.03.2026 17:00``, ``12/3 17:00`` or ``2026-03-12 17:00``.

    Without a year, the date is this year's, or next year's if it has already passed.
    """
    match = _DATETIME.match(text)
    if match is None:
        raise DateError(DateProblem.FORMAT)
    clock = _clock(match)
    if match["iso_y"] is not None:
        day = _day(int(match["iso_y"]), int(match["iso_m"]), int(match["iso_d"]))
    elif match["y"] is not None:
        day = _day(int(match["y"]), int(match["m"]), int(match["d"]))
    else:
        today = now.astimezone(zone).date()
        day = _day(today.year, int(match["m"]), int(match["d"]))
        if day < today:
            day = _day(today.year + 1, day.month, day.day)
    return localize(datetime.combine(day, clock), zone)


def parse_start(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Read when an activity starts; it must lie in the future."""
    starts_at = parse_datetime(text, now, zone)
    if starts_at <= now:
        raise DateError(DateProblem.PAST)
    return starts_at


def parse_end(text: str, starts_at: datetime, zone: ZoneInfo) -> datetime:
    """Read when an activity ends: a time the same day (``19:00``) or a duration (``2h``)."""
    clock_match = _CLOCK.match(text)
    if clock_match is not None:
        day = starts_at.astimezone(zone).date()
        ends_at = localize(datetime.combine(day, _clock(clock_match)), zone)
    else:
        ends_at = starts_at + parse_duration(text)
    if ends_at <= starts_at:
        raise DateError(DateProblem.END_NOT_AFTER_START)
    return ends_at


def parse_duration(text: str) -> timedelta:
    """Read a duration such as ``2h``, ``90m`` or ``1h30m`` (at most MAX_DURATION)."""
    match = _DURATION.match(text)
    if match is None or (match["hours"] is None and match["minutes"] is None):
        raise DateError(DateProblem.END_FORMAT)
    duration = timedelta(hours=int(match["hours"] or 0), minutes=int(match["minutes"] or 0))
    if duration <= timedelta(0):
        raise DateError(DateProblem.END_NOT_AFTER_START)
    if duration > MAX_DURATION:
        raise DateError(DateProblem.TOO_LONG)
    return duration


def parse_deadline(text: str, now: datetime, starts_at: datetime, zone: ZoneInfo) -> datetime:
    """Read a sign-up deadline: in the future, and not after the start."""
    deadline = parse_datetime(text, now, zone)
    if deadline > starts_at:
        raise DateError(DateProblem.AFTER_START)
    if deadline <= now:
        raise DateError(DateProblem.PAST)
    return deadline


def parse_capacity(text: str, unlimited_words: Iterable[str]) -> int | None:
    """Read a number of places (1 or more), or None for a word meaning "unlimited"."""
    answer = text.strip().casefold()
    if answer in {word.strip().casefold() for word in unlimited_words}:
        return None
    if not answer.isdecimal() or len(answer) > len(str(MAX_CAPACITY)):
        raise CapacityError(text)
    capacity = int(answer)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise CapacityError(text)
    return capacity


def weekly(moment: datetime, weeks: int, zone: ZoneInfo) -> datetime:
    """Return the same local wall-clock time ``weeks`` weeks later, in UTC.

    Across a change to or from summer time the local time stays put and the UTC time moves.
    """
    return shift_wall_clock(moment, timedelta(weeks=weeks), zone)


def shift_wall_clock(moment: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """Move ``moment`` by ``delta`` on the local calendar and clock (not in elapsed time).

    A day before Sunday 10:00 is Saturday 10:00, also when the clocks change that night.
    Should the result fall in the hour skipped in spring, it is read with the offset from
    before the change (02:30 becomes 03:30 summer time); in the hour that repeats in
    autumn, it is the first occurrence, as when staff type such a time.
    """
    wall = moment.astimezone(zone).replace(tzinfo=None) + delta
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise DateError(DateProblem.NO_SUCH_DAY) from error


def _clock(match: re.Match[str]) -> time:
    try:
        return time(int(match["hour"]), int(match["minute"]))
    except ValueError as error:
        raise DateError(DateProblem.NO_SUCH_DAY) from error


def reminder_due(starts_at: datetime, offset: timedelta, zone: ZoneInfo) -> datetime:
    """Return when the reminder ``offset`` before an activity starting at ``starts_at`` is due.

    Whole days (24h, 2d) count on the local calendar: the day-before reminder for Sunday
    10:00 comes on Saturday at 10:00 even if the clocks change in between (24 elapsed
    hours would make it 09:00 or 11:00). Shorter offsets (2h, 90m) are elapsed time, so
    "two hours before" stays two real hours across the change.
    """
    if offset % timedelta(days=1):
        return starts_at - offset
    return shift_wall_clock(starts_at, -offset, zone)

"""Periods of a report or export: a quarter, a year, or two days, as staff write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Period:
    """A span of local days, first and last included."""

    first: date
    last: date

    def start(self, timezone: ZoneInfo) -> datetime:
        """Return the first moment of the period (UTC)."""
        return datetime.combine(self.first, time(), timezone).astimezone(UTC)

    def end(self, timezone: ZoneInfo) -> datetime:
        """Return the first moment after the period (UTC)."""
        return datetime.combine(self.last + timedelta(days=1), time(), timezone).astimezone(UTC)

    def label_da(self) -> str:
        """Name the period in Danish for the workbook, e.g. 1. kvartal 2026."""
        year = self.first.year
        if self.last.year == year and (self.first.month, self.first.day) == (1, 1):
            if (self.last.month, self.last.day) == (12, 31):
                return str(year)
            for quarter in range(1, 5):
                if self == quarter_period(year, quarter):
                    return f"{quarter}. kvartal {year}"
        return f"{self.first:%d.%m.%Y}–{self.last:%d.%m.%Y}"


class PeriodError(ValueError):
    """A period or date that cannot be read."""


_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def quarter_period(year: int, quarter: int) -> Period:
    """Return the quarter ``quarter`` (1-4) of ``year``."""
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(first, following - timedelta(days=1))


def parse_period(text: str) -> Period:
    """Read a quarter (2026Q1) or a year (2026)."""
    text = text.strip()
    if match := _QUARTER.match(text):
        return quarter_period(int(match[1]), int(match[2]))
    if match := _YEAR.match(text):
        year = int(match[1])
        return Period(date(year, 1, 1), date(year, 12, 31))
    raise PeriodError(f"{text!r} is not a quarter (2026Q1) or a year (2026)")


def parse_day(text: str) -> date:
    """Read a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{text!r} is not a date written YYYY-MM-DD") from None


def current_quarter(today: date) -> Period:
    """Return the quarter ``today`` falls in."""
    return quarter_period(today.year, (today.month - 1) // 3 + 1)

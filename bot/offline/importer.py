"""Import activities from a staff CSV file: check every row, then store all or nothing.

The first line names the columns (see ``COLUMNS``); the optional ones may be left
out. Times are local wall-clock times in the configured time zone. Messages are
for staff at the command line, so they are plain English and not translated.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.core.config import Config
from bot.db.activities import (
    DEFAULT_MAX_PER_SIGNUP,
    DELAFTALER,
    DELAFTALER_DA,
    MAX_ORGANISER_NAME,
    ORGANISER_KINDS_DA,
    OTHER_AREA,
    Activity,
    ActivityDraft,
    ActivityRepository,
)
from bot.db.store import Store

REQUIRED_COLUMNS: tuple[str, ...] = (
    "title_da",
    "starts_at",
    "ends_at",
    "place",
    "delaftale",
    "area",
)
COLUMNS: tuple[str, ...] = (
    "title_da",
    "title_ar",
    "title_en",
    "description_da",
    "description_ar",
    "description_en",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "delaftale",
    "area",
    "signup_deadline",
    "max_per_signup",
    "repeat_weekly",
    "organiser",
    "organiser_name",
)
TIME_FORMAT = "%Y-%m-%d %H:%M"
TITLE_MAX = 200
DESCRIPTION_MAX = 3000
PLACE_MAX = 200
MAX_PER_SIGNUP_LIMIT = 20
REPEAT_WEEKLY_LIMIT = 52
# Words staff may write for an activity outside the configured housing areas.
OTHER_AREA_WORDS = frozenset({OTHER_AREA, "andet"})

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One reason a file cannot be imported, located as staff see it in the file."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        """Render as ``line 4, starts_at: reason`` (or ``line 4: reason``)."""
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What a file says: the activities of each row (a row's weekly repeats together)."""

    series: tuple[tuple[ActivityDraft, ...], ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        """Tell whether the file can be imported as it is."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of an import: the stored activities, or why nothing was stored."""

    activities: tuple[Activity, ...]
    problems: tuple[RowProblem, ...]
    # Rows already stored by an earlier import (same Danish title and start): left out.
    skipped: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether the activities were stored."""
        return not self.problems


class _RowError(ValueError):
    """A cell's value is wrong; the message says why, for staff."""


def parse_activities(text: str, config: Config, now: datetime) -> ImportResult:
    """Check a CSV text and turn it into activity drafts, or list every problem in it."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return _failed(1, None, "the file is empty; the first line must name the columns")
    header_line = text.splitlines()[0]
    if not header_line.strip():
        return _failed(1, None, "the first line is empty; it must name the columns")
    # Danish Excel saves "CSV" with semicolons. Column names contain neither
    # character, so whichever the header line uses more is the delimiter.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    # newline="" lets the csv module keep line breaks inside quoted descriptions.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    header_problems = _check_header(header)
    if header_problems:
        return ImportResult(series=(), problems=tuple(header_problems))

    series: list[tuple[ActivityDraft, ...]] = []
    problems: list[RowProblem] = []
    last_line = reader.line_num
    for cells in reader:
        # A quoted description may span lines, so a row starts after the previous one.
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and Excel's rows of bare delimiters
        stray = [i + 1 for i, cell in enumerate(cells) if cell.strip() and not _named(header, i)]
        if stray:
            places = ", ".join(str(number) for number in stray)
            message = f"has a value in cell {places}, which the header gives no column name"
            problems.append(RowProblem(line, None, message))
            continue
        # Missing trailing cells are empty optional columns, as some editors write them.
        row = {
            name: (cells[i].strip() if i < len(cells) else "")
            for i, name in enumerate(header)
            if name
        }
        drafts, row_problems = _parse_row(line, row, config, now)
        problems.extend(row_problems)
        if drafts:
            series.append(drafts)
    if not series and not problems:
        problems.append(RowProblem(1, None, "the file has no activities below the header"))
    return ImportResult(series=tuple(series), problems=tuple(problems))


async def import_activities(path: Path, config: Config, now: datetime) -> ImportReport:
    """Read, check and store the activities of a CSV file in one transaction.

    Raises OSError if the file cannot be read; stores nothing if any row is wrong.
    """
    data = await asyncio.to_thread(path.read_bytes)
    try:
        # utf-8-sig drops the byte order mark Excel puts in front of "CSV UTF-8".
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = "is not UTF-8 text; in Excel, save as 'CSV UTF-8'"
        return ImportReport(activities=(), problems=(RowProblem(line, None, message),))
    result = parse_activities(text, config, now)
    if not result.ok:
        return ImportReport(activities=(), problems=result.problems)
    store = await Store.open(config.database_path)
    try:
        repository = ActivityRepository(store)
        # A file imported twice (staff fixing one row and running it again) adds nothing new.
        id_groups = await repository.add_series(
            [list(drafts) for drafts in result.series], now, skip_existing=True
        )
        activities = []
        for activity_id in (activity_id for ids in id_groups for activity_id in ids):
            activity = await repository.get(activity_id)
            assert activity is not None, "an activity just inserted must be there"
            activities.append(activity)
    finally:
        await store.close()
    drafts = sum(len(group) for group in result.series)
    return ImportReport(activities=tuple(activities), problems=(), skipped=drafts - len(activities))


def _named(header: list[str], index: int) -> bool:
    return index < len(header) and bool(header[index])


def _failed(line: int, column: str | None, message: str) -> ImportResult:
    return ImportResult(series=(), problems=(RowProblem(line, column, message),))


def _check_header(header: list[str]) -> list[RowProblem]:
    problems = []
    seen: set[str] = set()
    for name in header:
        if not name:
            continue  # Excel names no column after a trailing delimiter; its cells must be empty
        if name not in COLUMNS:
            problems.append(
                RowProblem(1, name, f"unknown column; the columns are: {', '.join(COLUMNS)}")
            )
        elif name in seen:
            problems.append(RowProblem(1, name, "the column is named twice"))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(RowProblem(1, name, "the column is missing from the header"))
    return problems


class _Cells:
    """One row's cells, collecting a problem for each cell that does not parse."""

    def __init__(self, line: int, row: dict[str, str]) -> None:
        self.line = line
        self.row = row
        self.problems: list[RowProblem] = []

    def take(self, column: str, parse: Callable[[str], _T]) -> _T | None:
        """Parse a column's cell; on a bad value record why and return None."""
        try:
            return parse(self.row.get(column, ""))
        except _RowError as error:
            self.problems.append(RowProblem(self.line, column, str(error)))
            return None

    def fail(self, column: str | None, message: str) -> None:
        """Record a problem that involves more than one cell."""
        self.problems.append(RowProblem(self.line, column, message))


def _parse_row(
    line: int, row: dict[str, str], config: Config, now: datetime
) -> tuple[tuple[ActivityDraft, ...], list[RowProblem]]:
    cells = _Cells(line, row)
    zone = config.timezone
    title_da = cells.take("title_da", _text(TITLE_MAX, required=True))
    title_ar = cells.take("title_ar", _text(TITLE_MAX))
    title_en = cells.take("title_en", _text(TITLE_MAX))
    description_da = cells.take("description_da", _text(DESCRIPTION_MAX))
    description_ar = cells.take("description_ar", _text(DESCRIPTION_MAX))
    description_en = cells.take("description_en", _text(DESCRIPTION_MAX))
    place = cells.take("place", _text(PLACE_MAX, required=True))
    starts = cells.take("starts_at", _local_time(required=True))
    ends = cells.take("ends_at", _local_time(required=True))
    deadline = cells.take("signup_deadline", _local_time(required=False))
    capacity = cells.take("capacity", _count(minimum=1, maximum=None, default=None))
    max_per_signup = cells.take(
        "max_per_signup",
        _count(minimum=1, maximum=MAX_PER_SIGNUP_LIMIT, default=DEFAULT_MAX_PER_SIGNUP),
    )
    repeats = cells.take("repeat_weekly", _count(minimum=0, maximum=REPEAT_WEEKLY_LIMIT, default=0))
    delaftale = cells.take("delaftale", _delaftale)
    area = cells.take("area", _area(config.areas))
    organiser = cells.take("organiser", _organiser)
    organiser_name = cells.take("organiser_name", _text(MAX_ORGANISER_NAME))
    if organiser in ("board", "partner") and not row.get("organiser_name"):
        cells.fail(
            "organiser_name", "a partner or an afdelingsbestyrelse needs its name in organiser_name"
        )
    if organiser == "team" and organiser_name:
        cells.fail(
            "organiser_name", "organiser_name is only for a partner or an afdelingsbestyrelse"
        )

    start_utc = _to_utc(cells, "starts_at", starts, zone)
    end_utc = _to_utc(cells, "ends_at", ends, zone)
    deadline_utc = _to_utc(cells, "signup_deadline", deadline, zone)
    if start_utc is not None and start_utc <= now:
        cells.fail("starts_at", f"{row['starts_at']!r} is not in the future")
    if start_utc is not None and end_utc is not None and end_utc <= start_utc:
        cells.fail("ends_at", f"{row['ends_at']!r} is not after starts_at {row['starts_at']!r}")
    if start_utc is not None and deadline_utc is not None and deadline_utc > start_utc:
        cells.fail(
            "signup_deadline",
            f"{row['signup_deadline']!r} is after starts_at {row['starts_at']!r}",
        )
    if cells.problems:
        return (), cells.problems
    # No problems means every required cell parsed; the asserts say so to the type checker.
    assert title_da is not None
    assert place is not None
    assert starts is not None
    assert ends is not None
    assert delaftale is not None
    assert area is not None
    assert max_per_signup is not None
    assert repeats is not None

    drafts = []
    for week in range(repeats + 1):
        # Same wall-clock time every week, so 17:00 stays 17:00 across a DST change.
        shift = timedelta(weeks=week)
        start_at = _to_utc(cells, "repeat_weekly", starts + shift, zone)
        end_at = _to_utc(cells, "repeat_weekly", ends + shift, zone)
        deadline_at = _to_utc(cells, "repeat_weekly", deadline + shift, zone) if deadline else None
        if start_at is None or end_at is None or cells.problems:
            continue  # a week that falls in a DST gap is reported; go on to list the others
        drafts.append(
            ActivityDraft(
                title_da=title_da,
                title_ar=title_ar,
                title_en=title_en,
                description_da=description_da or "",
                description_ar=description_ar,
                description_en=description_en,
                starts_at=start_at,
                ends_at=end_at,
                place=place,
                capacity=capacity,
                delaftale=delaftale,
                area=area,
                signup_deadline=deadline_at,
                max_per_signup=max_per_signup,
                organiser_kind=organiser or "team",
                organiser_name=organiser_name if organiser != "team" else None,
            )
        )
    if cells.problems:
        return (), cells.problems
    return tuple(drafts), []


def _text(limit: int, *, required: bool = False) -> Callable[[str], str | None]:
    def parse(value: str) -> str | None:
        if not value:
            if required:
                raise _RowError("is required")
            return None
        if len(value) > limit:
            raise _RowError(f"is {len(value)} characters long; at most {limit} fit")
        return value

    return parse


def _local_time(*, required: bool) -> Callable[[str], datetime | None]:
    def parse(value: str) -> datetime | None:
        if not value:
            if required:
                raise _RowError("is required")
            return None
        try:
            return datetime.strptime(value, TIME_FORMAT)
        except ValueError:
            raise _RowError(f"{value!r} is not a date and time like 2026-03-12 17:00") from None

    return parse


def _count(
    *, minimum: int, maximum: int | None, default: int | None
) -> Callable[[str], int | None]:
    def parse(value: str) -> int | None:
        if not value:
            return default
        if not value.isdecimal():
            raise _RowError(f"{value!r} is not a whole number")
        number = int(value)
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            raise _RowError(f"{value!r} is not {bound}")
        return number

    return parse


def _delaftale(value: str) -> str:
    if not value:
        raise _RowError("is required")
    wanted = value.casefold()
    for code, danish_name in DELAFTALER_DA.items():
        if wanted in (code, danish_name.casefold()):
            return code
    choices = ", ".join([*DELAFTALER, *(repr(name) for name in DELAFTALER_DA.values())])
    raise _RowError(f"{value!r} is not a delaftale; write one of {choices}")


# What staff may write for who runs an activity, besides the codes and the Danish names.
_ORGANISER_WORDS = {
    "det boligsociale team": "team",
    "bestyrelse": "board",
    "partnerorganisation": "partner",
}


def _organiser(value: str) -> str:
    if not value:
        return "team"  # left empty: the boligsocial team itself runs it
    wanted = value.casefold()
    for code, danish_name in ORGANISER_KINDS_DA.items():
        if wanted in (code, danish_name.casefold()):
            return code
    if wanted in _ORGANISER_WORDS:
        return _ORGANISER_WORDS[wanted]
    raise _RowError(f"{value!r} is not an organiser; write one of team, board, partner")


def _area(areas: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value:
            raise _RowError("is required")
        wanted = value.casefold()
        if wanted in OTHER_AREA_WORDS:
            return OTHER_AREA
        for area in areas:
            if wanted == area.casefold():
                return area  # stored as configured, so filters match it exactly
        raise _RowError(f"{value!r} is not an area; write one of {', '.join(areas)} or other")

    return parse


def _to_utc(cells: _Cells, column: str, local: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Turn a local wall-clock time into UTC, recording a problem if the clock skips it."""
    if local is None:
        return None
    # fold=0: a time that happens twice when the clocks go back (e.g. 02:30 on the
    # last Sunday of October) means the first of the two, still on summer time.
    aware = local.replace(tzinfo=zone, fold=0)
    in_utc = aware.astimezone(UTC)
    # A time in the gap when the clocks go forward does not come back from UTC unchanged.
    if in_utc.astimezone(zone).replace(tzinfo=None) != local:
        cells.fail(
            column,
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks go forward then",
        )
        return None
    # UTC from here on: aware datetimes sharing one zone compare by wall clock, not instant.
    return in_utc

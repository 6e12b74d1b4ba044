"""Read-only SQL for staff exports and reports, on a snapshot of the database.

Exports read every table, up to hundreds of thousands of rows. They do not go through
the Store's one shared connection: that would hold its lock (and so every resident's
tap) for seconds. Instead they open their own read-only connection in a worker thread
and read inside one transaction, which in WAL mode is a consistent snapshot that never
blocks the bot's writes. Rows are streamed from the cursor, never all held at once.

Sheet names, headers and labels here are Danish on purpose: the issue asks for a Danish
workbook for staff and Landsbyggefonden, whatever language the staff member chats in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, overload
from zoneinfo import ZoneInfo

from bot.core.i18n import Translator
from bot.db.activities import DELAFTALER_DA, OTHER_AREA
from bot.db.broadcasts import (
    ACTIVITY_PREFIX,
    DIGEST,
    INTERESTED_PREFIX,
    LANGUAGE_PREFIX,
    SUBSCRIBERS,
    VOLUNTEERS,
)
from bot.db.signups import PROMOTED_PREFIX
from bot.db.volunteers import KINDS, STATUSES, TIMES

OTHER_AREA_DA = "Andet område"
LANGUAGES_DA = {"da": "Dansk", "ar": "Arabisk", "en": "Engelsk"}
ACTIVITY_STATUS_DA = {"published": "Offentliggjort", "cancelled": "Aflyst"}
SIGNUP_STATUS_DA = {"confirmed": "Bekræftet", "waitlisted": "Venteliste", "cancelled": "Afmeldt"}
BROADCAST_KIND_DA = {
    "message": "Besked",
    "announcement": "Ny aktivitet",
    "digest": "Ugeoversigt",
    "promotion": "Fik plads fra ventelisten",
}
BROADCAST_STATUS_DA = {
    "scheduled": "Planlagt",
    "sending": "Sendes",
    "done": "Sendt",
    "cancelled": "Annulleret",
}
SUBJECTS_DA = {"activity": "Aktivitet", "area": "Område", "nabo": "Nabo", "other": "Andet"}
CONTACTS_DA = {"nabo": "Via Nabo", "phone": "Telefon"}
YES_NO = {1: "Ja", 0: "Nej"}


class Kind:
    """How a column's values are written: the cell type and number format."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: its Danish header, kind and width (in characters)."""

    header: str
    kind: str = Kind.TEXT
    width: int = 14


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet to write: its name, columns and rows (streamed; read only once)."""

    name: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[Any, ...]]


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


# ---------------------------------------------------------------- the snapshot


@contextmanager
def snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """Open the database read-only and hold one read transaction: a consistent snapshot."""
    if not path.is_file():
        raise FileNotFoundError(path)
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("BEGIN")
        yield connection
    finally:
        connection.close()


class ResidentNumbers:
    """Pseudonymous resident numbers: an HMAC of the Telegram id under the database's key.

    The same resident has the same number in every export; the number cannot be turned
    back into a Telegram id without the key, which never leaves the database. Erased
    residents' sign-ups have no user id and so no number.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Read the key from the snapshot."""
        row = connection.execute(
            "SELECT value FROM secrets WHERE name = 'resident_number'"
        ).fetchone()
        if row is None:
            raise RuntimeError("the database has no resident-number key (migration 5)")
        self._key: bytes = row[0]
        self._cache: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str | None:
        """Return the resident's number, e.g. B-3F9A2C71D0; None for no resident."""
        if user_id is None:
            return None
        number = self._cache.get(user_id)
        if number is None:
            digest = hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()
            # 40 bits: no two of even 100,000 residents are likely to share a number.
            number = self._cache[user_id] = "B-" + digest[:10].upper()
        return number


# ---------------------------------------------------------------- the export


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which rows to export: each sheet by its own date, in local days, both included."""

    since: date | None = None
    until: date | None = None

    def sql(self, column: str, timezone: ZoneInfo) -> tuple[str, dict[str, str]]:
        """Return a WHERE condition on a UTC ISO-8601 column, and its parameters."""
        conditions, params = ["1"], {}
        if self.since is not None:
            conditions.append(f"{column} >= :since")
            params["since"] = _utc(datetime.combine(self.since, time(), timezone))
        if self.until is not None:
            conditions.append(f"{column} < :until")
            end = datetime.combine(self.until + timedelta(days=1), time(), timezone)
            params["until"] = _utc(end)
        return " AND ".join(conditions), params


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class _Local:
    """Turns stored UTC texts into naive local datetimes, which Excel shows as they are."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self._timezone = timezone

    @overload
    def __call__(self, text: str) -> datetime: ...
    @overload
    def __call__(self, text: None) -> None: ...
    @overload
    def __call__(self, text: str | None) -> datetime | None: ...

    def __call__(self, text: str | None) -> datetime | None:
        if text is None:
            return None
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self._timezone).replace(tzinfo=None)


def area_da(area: str) -> str:
    """Name a housing area in Danish (place names are kept as they are)."""
    return OTHER_AREA_DA if area == OTHER_AREA else area


def _labels(codes: str | None, known: dict[str, str], danish: Translator) -> str:
    return ", ".join(danish.gettext(known[code]) for code in (codes or "").split(",") if code)


def audience_da(audience: str) -> str:
    """Describe a broadcast's audience in Danish."""
    if audience == SUBSCRIBERS:
        return "Alle der får meddelelser"
    if audience == DIGEST:
        return "Ugeoversigt til alle der får meddelelser"
    if audience == VOLUNTEERS:
        return "Frivillige"
    if audience.startswith(LANGUAGE_PREFIX):
        language = audience.removeprefix(LANGUAGE_PREFIX)
        return f"Alle der får meddelelser på {LANGUAGES_DA.get(language, language).lower()}"
    if audience.startswith(ACTIVITY_PREFIX):
        return f"Tilmeldte til aktivitet {audience.removeprefix(ACTIVITY_PREFIX)}"
    if audience.startswith(INTERESTED_PREFIX):
        return f"Interesserede i aktivitet {audience.removeprefix(INTERESTED_PREFIX)}"
    if audience.startswith(PROMOTED_PREFIX):
        return f"Rykket op fra ventelisten til aktivitet {audience.removeprefix(PROMOTED_PREFIX)}"
    return audience


def export_sheets(
    connection: sqlite3.Connection,
    timezone: ZoneInfo,
    danish: Translator,
    where: ExportFilter = ExportFilter(),
) -> list[Sheet]:
    """Return the six sheets of the staff workbook, reading lazily from ``connection``."""
    x = _Export(connection, timezone, danish, where, ResidentNumbers(connection))
    return [
        _activities_sheet(x),
        _signups_sheet(x),
        _volunteers_sheet(x),
        _feedback_sheet(x),
        _broadcasts_sheet(x),
        _residents_sheet(x),
    ]


class _Export:
    """What every sheet reads with: the snapshot, the filter, local time, resident numbers."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        timezone: ZoneInfo,
        danish: Translator,
        where: ExportFilter,
        number: ResidentNumbers,
    ) -> None:
        self.connection = connection
        self.timezone = timezone
        self.danish = danish
        self.where = where
        self.number = number
        self.local = _Local(timezone)

    def where_sql(self, column: str) -> tuple[str, dict[str, str]]:
        return self.where.sql(column, self.timezone)

    def rows(
        self, sql: str, params: dict[str, Any], shape: Callable[[sqlite3.Row], tuple[Any, ...]]
    ) -> Iterator[tuple[Any, ...]]:
        cursor = self.connection.execute(sql, params)
        cursor.row_factory = sqlite3.Row
        for row in cursor:
            yield shape(row)


_ACTIVITIES = """
SELECT a.*, c.signups, c.people, c.waitlisted, c.cancelled, c.attended
  FROM activities a
  LEFT JOIN (SELECT activity_id,
                    SUM(status = 'confirmed') AS signups,
                    SUM(CASE WHEN status = 'confirmed' THEN adults + children END) AS people,
                    SUM(status = 'waitlisted') AS waitlisted,
                    SUM(status = 'cancelled') AS cancelled,
                    SUM(CASE WHEN status = 'confirmed' AND attended = 1
                             THEN adults + children END) AS attended
               FROM signups GROUP BY activity_id) c ON c.activity_id = a.id
 WHERE {where}
 ORDER BY a.starts_at, a.id
"""


def _activities_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("a.starts_at")
    columns = (
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Titel (dansk)", width=32),
        Column("Titel (arabisk)", width=24),
        Column("Titel (engelsk)", width=24),
        Column("Beskrivelse (dansk)", width=40),
        Column("Beskrivelse (arabisk)", width=30),
        Column("Beskrivelse (engelsk)", width=30),
        Column("Start", Kind.DATETIME, 17),
        Column("Slut", Kind.DATETIME, 17),
        Column("Sted", width=24),
        Column("Delaftale", width=32),
        Column("Område", width=18),
        Column("Status", width=14),
        Column("Serie nr.", Kind.INT, 10),
        Column("Pladser", Kind.INT, 10),
        Column("Maks. pr. tilmelding", Kind.INT, 12),
        Column("Tilmeldingsfrist", Kind.DATETIME, 17),
        Column("Tilmeldinger", Kind.INT, 12),
        Column("Tilmeldte personer", Kind.INT, 12),
        Column("Venteliste", Kind.INT, 11),
        Column("Afmeldinger", Kind.INT, 12),
        Column("Fremmøde (personer)", Kind.INT, 12),
        Column("Walk-ins", Kind.INT, 10),
        Column("Fremmøde registreret", Kind.DATETIME, 17),
        Column("Oprettet", Kind.DATETIME, 17),
        Column("Ændret", Kind.DATETIME, 17),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            row["id"],
            row["title_da"],
            row["title_ar"],
            row["title_en"],
            row["description_da"],
            row["description_ar"],
            row["description_en"],
            x.local(row["starts_at"]),
            x.local(row["ends_at"]),
            row["place"],
            DELAFTALER_DA[row["delaftale"]],
            area_da(row["area"]),
            ACTIVITY_STATUS_DA[row["status"]],
            row["series_id"],
            row["capacity"],
            row["max_per_signup"],
            x.local(row["signup_deadline"]),
            row["signups"] or 0,
            row["people"] or 0,
            row["waitlisted"] or 0,
            row["cancelled"] or 0,
            row["attended"] or 0,
            row["walk_ins"],
            x.local(row["attendance_taken_at"]),
            x.local(row["created_at"]),
            x.local(row["updated_at"]),
        )

    sql = _ACTIVITIES.format(where=condition)
    return Sheet("Aktiviteter", columns, x.rows(sql, params, shape))


def _signups_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("a.starts_at")
    columns = (
        Column("Tilmelding nr.", Kind.INT, 12),
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Aktivitet", width=32),
        Column("Aktivitetens start", Kind.DATETIME, 17),
        Column("Beboernummer", width=15),
        Column("Voksne", Kind.INT, 8),
        Column("Børn", Kind.INT, 8),
        Column("Status", width=12),
        Column("Tilmeldt", Kind.DATETIME, 17),
        Column("Fik plads", Kind.DATETIME, 17),
        Column("Afmeldt", Kind.DATETIME, 17),
        Column("Mødt op", width=9),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            row["id"],
            row["activity_id"],
            row["title_da"],
            x.local(row["starts_at"]),
            x.number(row["user_id"]),
            row["adults"],
            row["children"],
            SIGNUP_STATUS_DA[row["status"]],
            x.local(row["created_at"]),
            x.local(row["confirmed_at"]),
            x.local(row["cancelled_at"]),
            YES_NO.get(row["attended"]),
        )

    # The first name kept for staff's own list is deliberately not exported.
    sql = (
        "SELECT s.id, s.activity_id, a.title_da, a.starts_at, s.user_id, s.adults, s.children,"
        " s.status, s.created_at, s.confirmed_at, s.cancelled_at, s.attended"
        " FROM signups s JOIN activities a ON a.id = s.activity_id"
        f" WHERE {condition} ORDER BY a.starts_at, s.activity_id, s.id"
    )
    return Sheet("Tilmeldinger", columns, x.rows(sql, params, shape))


def _volunteers_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("created_at")
    columns = (
        Column("Tilbud nr.", Kind.INT, 10),
        Column("Beboernummer", width=15),
        Column("Hjælp med", width=40),
        Column("Anden hjælp", width=24),
        Column("Hvornår", width=28),
        Column("Kontakt", width=10),
        Column("Telefon", width=16),
        Column("Note", width=40),
        Column("Status", width=16),
        Column("Modtaget", Kind.DATETIME, 17),
        Column("Ændret", Kind.DATETIME, 17),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            row["id"],
            x.number(row["user_id"]),
            _labels(row["kinds"], KINDS, x.danish),
            row["other_help"],
            _labels(row["times"], TIMES, x.danish),
            CONTACTS_DA[row["contact"]],
            # Only there when the resident shared it with Telegram's button for this.
            row["phone"],
            row["note"],
            x.danish.gettext(STATUSES[row["status"]]),
            x.local(row["created_at"]),
            x.local(row["updated_at"]),
        )

    sql = f"SELECT * FROM volunteer_offers WHERE {condition} ORDER BY created_at, id"
    return Sheet("Frivillige", columns, x.rows(sql, params, shape))


def _feedback_sheet(x: _Export) -> Sheet:
    # Unlinked feedback keeps only its UTC date, so feedback is filtered by that date.
    params: dict[str, str] = {}
    conditions = ["1"]
    if x.where.since is not None:
        conditions.append("substr(f.created_at, 1, 10) >= :since")
        params["since"] = x.where.since.isoformat()
    if x.where.until is not None:
        conditions.append("substr(f.created_at, 1, 10) <= :until")
        params["until"] = x.where.until.isoformat()
    columns = (
        Column("Tilbagemelding nr.", Kind.INT, 12),
        Column("Dato", Kind.DATE, 12),
        Column("Emne", width=12),
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Aktivitet", width=32),
        Column("Vurdering (1-5)", Kind.INT, 10),
        Column("Kommentar", width=60),
        Column("Beboernummer", width=15),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        created: str = row["created_at"]
        # Linked feedback has a time: its local date; unlinked only ever had the date.
        day = x.local(created).date() if len(created) > 10 else date.fromisoformat(created)
        return (
            row["id"],
            day,
            SUBJECTS_DA[row["subject"]],
            row["activity_id"],
            row["title_da"],
            row["rating"],
            row["text"],
            x.number(row["user_id"]),
        )

    # Comments erased without a rating stay as bare rows, so the count matches the report.
    sql = (
        "SELECT * FROM (SELECT f.id, f.created_at, f.subject, f.activity_id, a.title_da,"
        " f.rating, f.text, f.user_id"
        " FROM feedback f LEFT JOIN activities a ON a.id = f.activity_id"
        " UNION ALL SELECT NULL, e.day, e.subject, e.activity_id, a.title_da, NULL, NULL, NULL"
        " FROM erased_comments e LEFT JOIN activities a ON a.id = e.activity_id) f"
        f" WHERE {' AND '.join(conditions)} ORDER BY f.created_at, f.id"
    )
    return Sheet("Tilbagemeldinger", columns, x.rows(sql, params, shape))


def _broadcasts_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("b.send_at")
    columns = (
        Column("Udsendelse nr.", Kind.INT, 12),
        Column("Type", width=14),
        Column("Målgruppe", width=36),
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Tekst (dansk)", width=48),
        Column("Status", width=12),
        Column("Oprettet", Kind.DATETIME, 17),
        Column("Sendes", Kind.DATETIME, 17),
        Column("Færdig", Kind.DATETIME, 17),
        Column("Modtagere", Kind.INT, 11),
        Column("Sendt", Kind.INT, 9),
        Column("Blokeret", Kind.INT, 9),
        Column("Fejlet", Kind.INT, 9),
        Column("Venter", Kind.INT, 9),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            row["id"],
            BROADCAST_KIND_DA[row["kind"]],
            audience_da(row["audience"]),
            row["activity_id"],
            row["text_da"],
            BROADCAST_STATUS_DA[row["status"]],
            x.local(row["created_at"]),
            x.local(row["send_at"]),
            x.local(row["finished_at"]),
            row["recipients"] or 0,
            row["sent"] or 0,
            row["blocked"] or 0,
            row["failed"] or 0,
            (row["recipients"] or 0)
            - (row["sent"] or 0)
            - (row["blocked"] or 0)
            - (row["failed"] or 0),
        )

    # Messages to residents erased since then still count, as tallies (bot/db/remains.py).
    sql = (
        "SELECT b.*, d.recipients, d.sent, d.blocked, d.failed FROM broadcasts b"
        " LEFT JOIN (SELECT broadcast_id, SUM(n) AS recipients,"
        " SUM(CASE WHEN status = 'sent' THEN n END) AS sent,"
        " SUM(CASE WHEN status = 'blocked' THEN n END) AS blocked,"
        " SUM(CASE WHEN status = 'failed' THEN n END) AS failed"
        " FROM (SELECT broadcast_id, status, 1 AS n FROM deliveries"
        " UNION ALL SELECT broadcast_id, status, count FROM erased_deliveries)"
        " GROUP BY broadcast_id) d"
        f" ON d.broadcast_id = b.id WHERE {condition} ORDER BY b.send_at, b.id"
    )
    return Sheet("Udsendelser", columns, x.rows(sql, params, shape))


def _residents_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("first_seen_at")
    columns = (
        Column("Beboernummer", width=15),
        Column("Sprog", width=10),
        Column("Første gang set", Kind.DATETIME, 17),
        Column("Samtykke givet", Kind.DATETIME, 17),
        Column("Samtykke (version)", Kind.INT, 12),
        Column("Meddelelser", width=12),
        Column("Påmindelser", width=12),
        Column("Status", width=18),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            x.number(row["user_id"]),
            LANGUAGES_DA.get(row["language"]) if row["language"] else None,
            x.local(row["first_seen_at"]),
            x.local(row["consented_at"]),
            row["consent_version"],
            YES_NO[row["subscribed"]],
            YES_NO[row["reminders"]],
            "Har blokeret Nabo" if row["blocked"] else "Aktiv",
        )

    # Ordered by when they came, so the order says nothing about Telegram ids.
    sql = f"SELECT * FROM residents WHERE {condition} ORDER BY first_seen_at, user_id"
    return Sheet("Beboere", columns, x.rows(sql, params, shape))


# ---------------------------------------------------------------- the report


@dataclass(slots=True)
class Figures:
    """The report's figures for one delaftale, one area, or everything."""

    held: int = 0
    minutes: int = 0
    signups: int = 0
    people: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    attended: int = 0
    walk_ins: int = 0
    participants: int = 0
    new: int = 0
    offers: int | None = None
    offers_active: int | None = None
    feedback: int = 0
    ratings: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])
    broadcasts: int = 0
    reach: int = 0

    @property
    def hours(self) -> float:
        """Hours of activity (activities are planned in whole minutes)."""
        return round(self.minutes / 60, 2)

    @property
    def visits(self) -> int:
        """People who came: those marked as present, plus walk-ins."""
        return self.attended + self.walk_ins

    @property
    def returning(self) -> int:
        """Participants who had taken part in an activity before the period."""
        return self.participants - self.new

    @property
    def average_rating(self) -> float | None:
        """The mean rating, to two decimals; None without ratings."""
        count = sum(self.ratings)
        if not count:
            return None
        return round(sum(star * n for star, n in enumerate(self.ratings, 1)) / count, 2)


# The report's columns: Danish header and how to read it from Figures.
REPORT_COLUMNS: tuple[tuple[str, Callable[[Figures], Any]], ...] = (
    ("Aktiviteter afholdt", lambda f: f.held),
    ("Timer med aktiviteter", lambda f: f.hours),
    ("Tilmeldinger", lambda f: f.signups),
    ("Tilmeldte personer", lambda f: f.people),
    ("På venteliste", lambda f: f.waitlisted),
    ("Afmeldinger", lambda f: f.cancelled),
    ("Besøg (fremmøde + walk-ins)", lambda f: f.visits),
    ("Unikke deltagere", lambda f: f.participants),
    ("Nye deltagere", lambda f: f.new),
    ("Tilbagevendende deltagere", lambda f: f.returning),
    ("Tilbud om hjælp modtaget", lambda f: f.offers),
    ("Heraf aktive nu", lambda f: f.offers_active),
    ("Tilbagemeldinger", lambda f: f.feedback),
    ("Gns. vurdering", lambda f: f.average_rating),
    *((f"Vurdering {star}", lambda f, i=star - 1: f.ratings[i]) for star in range(1, 6)),
    ("Udsendelser sendt", lambda f: f.broadcasts),
    ("Modtagere nået", lambda f: f.reach),
)


@dataclass(frozen=True, slots=True)
class Report:
    """The figures of a period: in total, per delaftale, per area and per month."""

    period: Period
    made_at: datetime
    total: Figures
    by_delaftale: dict[str, Figures]
    by_area: dict[str, Figures]
    # (first day of the month, {delaftale: confirmed sign-ups}) for each month.
    months: list[tuple[date, dict[str, int]]]


# Activities counted: published (not cancelled) and started within the period and by now.
_HELD = (
    "a.status = 'published' AND a.starts_at >= :start AND a.starts_at < :end"
    " AND a.starts_at <= :now"
)
_GROUPS = {"total": "'total'", "delaftale": "a.delaftale", "area": "a.area"}

_ACTIVITY_FIGURES = f"""
SELECT {{g}} AS g, COUNT(*) AS held, SUM(walk_ins) AS walk_ins,
       SUM(CAST(round((julianday(a.ends_at) - julianday(a.starts_at)) * 1440) AS INTEGER))
           AS minutes
  FROM activities a WHERE {_HELD} GROUP BY g
"""
_SIGNUP_FIGURES = f"""
SELECT {{g}} AS g,
       SUM(s.status = 'confirmed') AS signups,
       SUM(CASE WHEN s.status = 'confirmed' THEN s.adults + s.children ELSE 0 END) AS people,
       SUM(s.status = 'waitlisted') AS waitlisted,
       SUM(s.status = 'cancelled') AS cancelled,
       SUM(CASE WHEN s.status = 'confirmed' AND s.attended = 1
                THEN s.adults + s.children ELSE 0 END) AS attended
  FROM signups s JOIN activities a ON a.id = s.activity_id
 WHERE {_HELD} GROUP BY g
"""
# Participants: residents marked as present. Erased residents' sign-ups have no user id
# and cannot be told apart, so they count in visits but not here.
_PARTICIPANT_FIGURES = f"""
SELECT {{g}} AS g, COUNT(DISTINCT s.user_id) AS participants,
       COUNT(DISTINCT CASE WHEN NOT EXISTS (
           SELECT 1 FROM signups p JOIN activities pa ON pa.id = p.activity_id
            WHERE p.user_id = s.user_id AND p.status = 'confirmed' AND p.attended = 1
              AND pa.status = 'published' AND pa.starts_at < :start)
       THEN s.user_id END) AS new
  FROM signups s JOIN activities a ON a.id = s.activity_id
 WHERE {_HELD} AND s.status = 'confirmed' AND s.attended = 1 AND s.user_id IS NOT NULL
 GROUP BY g
"""
# Feedback by its UTC date: the only time kept with unlinked feedback. Erased comments
# without a rating still count (bot/db/remains.py).
_FEEDBACK_FIGURES = """
SELECT {g} AS g, COUNT(*) AS feedback,
       SUM(f.rating = 1) AS r1, SUM(f.rating = 2) AS r2, SUM(f.rating = 3) AS r3,
       SUM(f.rating = 4) AS r4, SUM(f.rating = 5) AS r5
  FROM (SELECT activity_id, rating, created_at FROM feedback
        UNION ALL SELECT activity_id, NULL, day FROM erased_comments) f
  LEFT JOIN activities a ON a.id = f.activity_id
 WHERE substr(f.created_at, 1, 10) BETWEEN :first_day AND :last_day
 GROUP BY g
"""
# Reach counts messages to residents erased since then too (bot/db/remains.py).
_BROADCAST_FIGURES = """
SELECT {g} AS g, COUNT(*) AS broadcasts,
       SUM((SELECT COUNT(*) FROM deliveries d
             WHERE d.broadcast_id = b.id AND d.status = 'sent')
           + (SELECT COALESCE(SUM(e.count), 0) FROM erased_deliveries e
               WHERE e.broadcast_id = b.id AND e.status = 'sent')) AS reach
  FROM broadcasts b LEFT JOIN activities a ON a.id = b.activity_id
 WHERE b.status IN ('sending', 'done') AND b.send_at >= :start AND b.send_at < :end
   AND b.send_at <= :now
 GROUP BY g
"""
# Offers received include erased ones, kept to the hour (exact: periods start on whole
# UTC hours); "active now" is a state of now, so only offers still there can be.
_OFFER_FIGURES = """
SELECT (SELECT COUNT(*) FROM volunteer_offers WHERE created_at >= :start AND created_at < :end)
     + (SELECT COUNT(*) FROM erased_offers WHERE received_at >= :start AND received_at < :end),
       (SELECT COUNT(*) FROM volunteer_offers
         WHERE status = 'active' AND created_at >= :start AND created_at < :end)
"""
_MONTHLY_SIGNUPS = f"""
SELECT a.starts_at, a.delaftale, SUM(s.status = 'confirmed') AS signups
  FROM activities a JOIN signups s ON s.activity_id = a.id
 WHERE {_HELD} GROUP BY a.id
"""


def build_report(
    connection: sqlite3.Connection,
    period: Period,
    now: datetime,
    timezone: ZoneInfo,
    areas: Iterable[str] = (),
) -> Report:
    """Compute every figure of the report for ``period`` from the snapshot."""
    params = {
        "start": _utc(period.start(timezone)),
        "end": _utc(period.end(timezone)),
        "now": _utc(now),
        "first_day": period.first.isoformat(),
        "last_day": period.last.isoformat(),
    }
    groups: dict[str, dict[str, Figures]] = {}
    for name, expression in _GROUPS.items():
        figures: dict[str, Figures] = {}
        groups[name] = figures
        for sql in (
            _ACTIVITY_FIGURES,
            _SIGNUP_FIGURES,
            _PARTICIPANT_FIGURES,
            _FEEDBACK_FIGURES,
            _BROADCAST_FIGURES,
        ):
            cursor = connection.execute(sql.format(g=expression), params)
            names = [description[0] for description in cursor.description]
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                group = row.pop("g")
                if group is None:  # feedback or a broadcast not about an activity
                    continue
                _add(figures.setdefault(group, Figures()), row)
    total = groups["total"].get("total", Figures())
    offers = connection.execute(_OFFER_FIGURES, params).fetchone()
    # Offers of help belong to no delaftale or area: they are counted in the total only.
    total.offers, total.offers_active = offers[0], offers[1] or 0
    by_delaftale = {code: groups["delaftale"].get(code, Figures()) for code in DELAFTALER_DA}
    known_areas = [*dict.fromkeys([*areas, *sorted(groups["area"])])]
    ordered = [area for area in known_areas if area != OTHER_AREA]
    if OTHER_AREA in known_areas:
        ordered.append(OTHER_AREA)
    by_area = {area: groups["area"].get(area, Figures()) for area in ordered}
    return Report(
        period, now, total, by_delaftale, by_area, _months(connection, period, params, timezone)
    )


def _add(figures: Figures, row: dict[str, Any]) -> None:
    for key, value in row.items():
        if key.startswith("r") and key[1:].isdigit():
            figures.ratings[int(key[1:]) - 1] = value or 0
        else:
            setattr(figures, key, value or 0)


def _months(
    connection: sqlite3.Connection, period: Period, params: dict[str, str], timezone: ZoneInfo
) -> list[tuple[date, dict[str, int]]]:
    months: dict[date, dict[str, int]] = {}
    day = period.first.replace(day=1)
    while day <= period.last:
        months[day] = dict.fromkeys(DELAFTALER_DA, 0)
        day = (day + timedelta(days=32)).replace(day=1)
    for starts_at, delaftale, signups in connection.execute(_MONTHLY_SIGNUPS, params):
        local = datetime.fromisoformat(starts_at).astimezone(timezone)
        months[local.date().replace(day=1)][delaftale] += signups or 0
    return list(months.items())

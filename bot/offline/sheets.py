"""The staff workbook's sheets: read-only SQL on a snapshot, one sheet per table.

Sheet names, headers and labels here are Danish on purpose: the workbook is for staff and
Landsbyggefonden, whatever language the staff member chats in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol, cast, overload
from zoneinfo import ZoneInfo

from bot.core.clock import to_db
from bot.core.i18n import Translator
from bot.db.activities import DELAFTALER_DA, ORGANISER_KINDS_DA, OTHER_AREA, TEAM_NAME_DA
from bot.db.broadcasts import (
    ACTIVITY_PREFIX,
    DIGEST,
    INTERESTED_PREFIX,
    LANGUAGE_PREFIX,
    SUBSCRIBERS,
    VOLUNTEERS,
)
from bot.db.signups import PROMOTED_PREFIX
from bot.db.volunteers import KINDS, LANGUAGES, STATUSES, TIMES
from bot.offline.snapshot import ResidentNumbers

OTHER_AREA_DA = "Andet område"
LANGUAGES_DA = {"da": "Dansk", "ar": "Arabisk", "en": "Engelsk"}
ACTIVITY_STATUS_DA = {"published": "Udgivet", "cancelled": "Aflyst"}
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
CONTACTS_DA = {"nabo": "Gennem Nabo", "phone": "Telefon"}
# The languages a volunteer goes between, named in Danish ("other" through the catalog).
VOLUNTEER_LANGUAGES_DA = {**LANGUAGES_DA, "other": LANGUAGES["other"]}
YES_NO = {1: "Ja", 0: "Nej"}


class Kind:
    """How a column's values are written: the cell type and number format."""

    TEXT = "text"  # anything a person typed, or configured: cleaned, formulas kept as text
    LABEL = "label"  # Nabo's own words (a fixed Danish label) or a resident number: as it is
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
    """A sheet to write: its name, columns and rows (streamed; read only once).

    ``times_as_text``: its times are the CSV file's text (YYYY-MM-DD HH:MM, local), not
    datetimes (see ``export_sheets``).
    """

    name: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[Any, ...]]
    times_as_text: bool = False


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
            params["since"] = to_db(datetime.combine(self.since, time(), timezone))
        if self.until is not None:
            conditions.append(f"{column} < :until")
            end = datetime.combine(self.until + timedelta(days=1), time(), timezone)
            params["until"] = to_db(end)
        return " AND ".join(conditions), params


# A stored time as Nabo writes it (bot.core.clock.to_db): UTC, to the second.
_STORED_LENGTH = len("2026-01-01T08:00:00+00:00")
_UTC_SUFFIX = "+00:00"


class LocalTimes(Protocol):
    """Stored UTC texts to naive local datetimes; None stays None (see ``local_times``)."""

    @overload
    def __call__(self, text: str) -> datetime: ...
    @overload
    def __call__(self, text: None) -> None: ...
    @overload
    def __call__(self, text: str | None) -> datetime | None: ...


def local_times(timezone: ZoneInfo) -> LocalTimes:
    """Return a function from stored UTC texts to naive local datetimes (None stays None).

    Excel shows a naive datetime as it is, so the workbook shows local time. A workbook
    holds hundreds of thousands of times. Each stored time is read as a naive UTC time
    plus its hour's offset from UTC in ``timezone``, worked out once per hour: the same
    result as converting it with the time zone, for a fraction of the work. Other texts,
    and the hours in which the offset changes, are converted one by one.
    """
    return cast(LocalTimes, _LocalClock(timezone).moment)


def local_texts(timezone: ZoneInfo) -> Callable[[str | None], str | None]:
    """Return a function from stored UTC texts to local times as a CSV file holds them.

    YYYY-MM-DD HH:MM; None stays None. As fast as ``local_times``, which it is made from.
    """
    return _LocalClock(timezone).text


class _LocalClock:
    """Local time for stored UTC texts, with each UTC hour's offset worked out once."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self._timezone = timezone
        self._offsets: dict[str, timedelta] = {}  # per UTC hour, "YYYY-MM-DDTHH"

    def _convert(self, text: str) -> datetime:
        """Convert one by one; note the hour's offset if the whole hour has the one."""
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if len(text) == _STORED_LENGTH and text.endswith(_UTC_SUFFIX):
            hour = text[:13]
            first = datetime.fromisoformat(f"{hour}:00:00{_UTC_SUFFIX}")
            offset = first.astimezone(self._timezone).utcoffset()
            last = (first + timedelta(minutes=59, seconds=59)).astimezone(self._timezone)
            if offset is not None and offset == last.utcoffset():
                self._offsets[hour] = offset
        return moment.astimezone(self._timezone).replace(tzinfo=None)

    @property
    def moment(self) -> Callable[[str | None], datetime | None]:
        """The function from stored texts to naive local datetimes."""
        offsets, convert, parse = self._offsets, self._convert, datetime.fromisoformat

        # A closure, not a method: it runs for every time in the workbook.
        def moment(text: str | None) -> datetime | None:
            if text is None:
                return None
            offset = offsets.get(text[:13])
            if offset is not None and len(text) == _STORED_LENGTH and text[19:] == _UTC_SUFFIX:
                return parse(text[:19]) + offset
            return convert(text)

        return moment

    @property
    def text(self) -> Callable[[str | None], str | None]:
        """The function from stored texts to local times as the CSV file's text."""
        # Per UTC hour whose offset is whole hours: the local "YYYY-MM-DD HH"; the minutes
        # are then the stored text's own.
        hours: dict[str, str] = {}
        moment = self.moment

        def text(stored: str | None) -> str | None:
            if stored is None:
                return None
            hour = hours.get(stored[:13])
            if hour is not None and len(stored) == _STORED_LENGTH and stored[19:] == _UTC_SUFFIX:
                return hour + stored[13:16]
            local = moment(stored)
            assert local is not None
            offset = self._offsets.get(stored[:13])
            if offset is not None and not offset % timedelta(hours=1):
                start = datetime.fromisoformat(f"{stored[:13]}:00:00") + offset
                hours[stored[:13]] = start.isoformat(sep=" ", timespec="hours")
            return local.isoformat(sep=" ", timespec="minutes")  # strftime is slower

        return text


def area_da(area: str) -> str:
    """Name a housing area in Danish (place names are kept as they are)."""
    return OTHER_AREA_DA if area == OTHER_AREA else area


def _labels(codes: str | None, known: dict[str, str], danish: Translator) -> str:
    return ", ".join(danish.gettext(known[code]) for code in (codes or "").split(",") if code)


def audience_da(audience: str) -> str:
    """Describe a broadcast's audience in Danish."""
    if audience == SUBSCRIBERS:
        return "Alle, der får meddelelser"
    if audience == DIGEST:
        return "Ugeoversigt til alle, der får meddelelser"
    if audience == VOLUNTEERS:
        return "Frivillige"
    if audience.startswith(LANGUAGE_PREFIX):
        language = audience.removeprefix(LANGUAGE_PREFIX)
        return f"Alle, der får meddelelser på {LANGUAGES_DA.get(language, language).lower()}"
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
    *,
    times_as_text: bool = False,
) -> list[Sheet]:
    """Return the six sheets of the staff workbook, reading lazily from ``connection``.

    Times are naive local datetimes, or with ``times_as_text`` the text a CSV file
    holds (YYYY-MM-DD HH:MM), made as they are read.
    """
    x = _Export(connection, timezone, danish, where, ResidentNumbers(connection))
    if times_as_text:
        x.local = local_texts(timezone)
        x.times_as_text = True
    return [
        _activities_sheet(x),
        _signups_sheet(x),
        _volunteers_sheet(x),
        _feedback_sheet(x),
        _broadcasts_sheet(x),
        _residents_sheet(x),
        _hosts_sheet(x),
    ]


class _Export:
    """What every sheet reads with: the snapshot, the filter, local time, resident numbers.

    Rows come from the database as tuples, in the order of the query's columns, and each
    sheet's ``shape`` turns one into the sheet's row.
    """

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
        self.moment = local_times(timezone)
        # The times the sheets show: datetimes, or the CSV file's text.
        self.local: Callable[[str | None], Any] = self.moment
        self.times_as_text = False

    def where_sql(self, column: str) -> tuple[str, dict[str, str]]:
        return self.where.sql(column, self.timezone)

    def rows(
        self, sql: str, params: dict[str, Any], shape: Callable[[Any], tuple[Any, ...]]
    ) -> Iterable[tuple[Any, ...]]:
        return _Rows(self.connection, sql, params, shape)

    def sheet(
        self, name: str, columns: tuple[Column, ...], rows: Iterable[tuple[Any, ...]]
    ) -> Sheet:
        return Sheet(name, columns, rows, self.times_as_text)


@dataclass(frozen=True, slots=True)
class _Rows:
    """A sheet's rows: the query runs when they are read (once), and each row is shaped."""

    connection: sqlite3.Connection
    sql: str
    params: dict[str, Any]
    shape: Callable[[Any], tuple[Any, ...]]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        cursor = self.connection.execute(self.sql, self.params)
        cursor.row_factory = None  # plain tuples: a sheet has many rows
        return map(self.shape, cursor)


_ACTIVITIES = """
SELECT a.id, a.title_da, a.title_ar, a.title_en, a.description_da, a.description_ar,
       a.description_en, a.starts_at, a.ends_at, a.place, a.delaftale, a.area, a.status,
       a.series_id, a.capacity, a.max_per_signup, a.signup_deadline,
       c.signups, c.people, c.waitlisted, c.cancelled, c.attended,
       a.walk_ins, a.attendance_taken_at, a.created_at, a.updated_at,
       a.organiser_kind, a.organiser_name
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
        Column("Delaftale", Kind.LABEL, 34),
        Column("Område", width=18),
        Column("Status", Kind.LABEL, 14),
        Column("Serie nr.", Kind.INT, 10),
        Column("Pladser", Kind.INT, 10),
        Column("Maks. pr. tilmelding", Kind.INT, 12),
        Column("Tilmeldingsfrist", Kind.DATETIME, 17),
        Column("Tilmeldinger", Kind.INT, 12),
        Column("Tilmeldte personer", Kind.INT, 12),
        Column("Venteliste", Kind.INT, 11),
        Column("Afmeldinger", Kind.INT, 12),
        Column("Fremmøde (personer)", Kind.INT, 12),
        Column("Uden tilmelding", Kind.INT, 10),
        Column("Fremmøde registreret", Kind.DATETIME, 17),
        Column("Oprettet", Kind.DATETIME, 17),
        Column("Ændret", Kind.DATETIME, 17),
        Column("Arrangør (type)", Kind.LABEL, 18),
        Column("Arrangør", width=30),
    )

    local = x.local

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (
            id_,
            title_da,
            title_ar,
            title_en,
            description_da,
            description_ar,
            description_en,
            starts_at,
            ends_at,
            place,
            delaftale,
            area,
            status,
            series_id,
            capacity,
            max_per_signup,
            signup_deadline,
            signups,
            people,
            waitlisted,
            cancelled,
            attended,
            walk_ins,
            attendance_taken_at,
            created_at,
            updated_at,
            organiser_kind,
            organiser_name,
        ) = row
        return (
            id_,
            title_da,
            title_ar,
            title_en,
            description_da,
            description_ar,
            description_en,
            local(starts_at),
            local(ends_at),
            place,
            DELAFTALER_DA[delaftale],
            area_da(area),
            ACTIVITY_STATUS_DA[status],
            series_id,
            capacity,
            max_per_signup,
            local(signup_deadline),
            signups or 0,
            people or 0,
            waitlisted or 0,
            cancelled or 0,
            attended or 0,
            walk_ins,
            local(attendance_taken_at),
            local(created_at),
            local(updated_at),
            ORGANISER_KINDS_DA[organiser_kind],
            TEAM_NAME_DA if organiser_kind == "team" else organiser_name,
        )

    sql = _ACTIVITIES.format(where=condition)
    return x.sheet("Aktiviteter", columns, x.rows(sql, params, shape))


def _signups_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("a.starts_at")
    columns = (
        Column("Tilmelding nr.", Kind.INT, 12),
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Aktivitet", width=32),
        Column("Aktivitetens start", Kind.DATETIME, 17),
        Column("Beboernummer", Kind.LABEL, 15),
        Column("Voksne", Kind.INT, 8),
        Column("Børn", Kind.INT, 8),
        Column("Status", Kind.LABEL, 12),
        Column("Tilmeldt", Kind.DATETIME, 17),
        Column("Fik plads", Kind.DATETIME, 17),
        Column("Afmeldt", Kind.DATETIME, 17),
        Column("Mødt op", Kind.LABEL, 9),
        Column("Tilmeldt af teamet (uden Telegram)", Kind.LABEL, 14),
    )

    local, number = x.local, x.number

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (
            id_,
            activity_id,
            title_da,
            starts_at,
            user_id,
            adults,
            children,
            status,
            created_at,
            confirmed_at,
            cancelled_at,
            attended,
            offline,
        ) = row
        return (
            id_,
            activity_id,
            title_da,
            local(starts_at),
            number[user_id],
            adults,
            children,
            SIGNUP_STATUS_DA[status],
            local(created_at),
            local(confirmed_at),
            local(cancelled_at),
            YES_NO.get(attended),
            YES_NO[offline],
        )

    # The first name kept for staff's own list is deliberately not exported, nor who a
    # person signed up by the team is (only that they were).
    sql = (
        "SELECT s.id, s.activity_id, a.title_da, a.starts_at, s.user_id, s.adults, s.children,"
        " s.status, s.created_at, s.confirmed_at, s.cancelled_at, s.attended,"
        " s.person_id IS NOT NULL AS offline"
        " FROM signups s JOIN activities a ON a.id = s.activity_id"
        f" WHERE {condition} ORDER BY a.starts_at, s.activity_id, s.id"
    )
    return x.sheet("Tilmeldinger", columns, x.rows(sql, params, shape))


def _volunteers_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("created_at")
    columns = (
        Column("Tilbud nr.", Kind.INT, 10),
        Column("Beboernummer", Kind.LABEL, 15),
        Column("Hjælp med", width=40),
        Column("Anden hjælp", width=24),
        Column("Sprog til oversættelse og tolkning", width=24),
        Column("Hvornår", width=36),
        Column("Kontakt", Kind.LABEL, 10),
        Column("Telefon", width=16),
        Column("Bemærkning", width=40),
        Column("Status", width=16),
        Column("Oversættelser brugt", Kind.INT, 12),
        Column("Modtaget", Kind.DATETIME, 17),
        Column("Ændret", Kind.DATETIME, 17),
    )

    local, number, danish = x.local, x.number, x.danish

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (
            id_,
            user_id,
            kinds,
            other_help,
            languages,
            times,
            contact,
            phone,
            note,
            status,
            translations,
            created_at,
            updated_at,
        ) = row
        return (
            id_,
            number[user_id],
            _labels(kinds, KINDS, danish),
            other_help,
            _labels(languages, VOLUNTEER_LANGUAGES_DA, danish) or None,
            _labels(times, TIMES, danish),
            CONTACTS_DA[contact],
            # Only there when the resident shared it with Telegram's button for this.
            phone,
            note,
            danish.gettext(STATUSES[status]),
            translations,
            local(created_at),
            local(updated_at),
        )

    # Translations of theirs that staff used, all told (the report counts them per period).
    sql = (
        "SELECT o.id, o.user_id, o.kinds, o.other_help, o.languages, o.times, o.contact,"
        " o.phone, o.note, o.status,"
        " (SELECT COUNT(*) FROM translation_requests t WHERE t.status = 'accepted'"
        " AND t.translator_id = o.user_id) AS translations, o.created_at, o.updated_at"
        f" FROM volunteer_offers o WHERE {condition} ORDER BY created_at, id"
    )
    return x.sheet("Frivillige", columns, x.rows(sql, params, shape))


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
        Column("Emne", Kind.LABEL, 12),
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Aktivitet", width=32),
        Column("Vurdering (1-5)", Kind.INT, 10),
        Column("Kommentar", width=60),
        Column("Beboernummer", Kind.LABEL, 15),
    )

    moment, number = x.moment, x.number

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        id_, created, subject, activity_id, title_da, rating, text, user_id = row
        # Linked feedback has a time: its local date; unlinked only ever had the date.
        day = moment(created).date() if len(created) > 10 else date.fromisoformat(created)
        return (
            id_,
            day,
            SUBJECTS_DA[subject],
            activity_id,
            title_da,
            rating,
            text,
            number[user_id],
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
    return x.sheet("Tilbagemeldinger", columns, x.rows(sql, params, shape))


def _broadcasts_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("b.send_at")
    columns = (
        Column("Udsendelse nr.", Kind.INT, 12),
        Column("Type", Kind.LABEL, 14),
        Column("Målgruppe", width=36),
        Column("Aktivitet nr.", Kind.INT, 12),
        Column("Tekst (dansk)", width=48),
        Column("Status", Kind.LABEL, 12),
        Column("Oprettet", Kind.DATETIME, 17),
        Column("Sendes", Kind.DATETIME, 17),
        Column("Færdig", Kind.DATETIME, 17),
        Column("Modtagere", Kind.INT, 11),
        Column("Sendt", Kind.INT, 9),
        Column("Blokeret", Kind.INT, 9),
        Column("Mislykket", Kind.INT, 10),
        Column("Venter", Kind.INT, 9),
    )

    local = x.local

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (
            id_,
            kind,
            audience,
            activity_id,
            text_da,
            status,
            created_at,
            send_at,
            finished_at,
            recipients,
            sent,
            blocked,
            failed,
        ) = row
        recipients, sent, blocked, failed = recipients or 0, sent or 0, blocked or 0, failed or 0
        return (
            id_,
            BROADCAST_KIND_DA[kind],
            audience_da(audience),
            activity_id,
            text_da,
            BROADCAST_STATUS_DA[status],
            local(created_at),
            local(send_at),
            local(finished_at),
            recipients,
            sent,
            blocked,
            failed,
            recipients - sent - blocked - failed,
        )

    # Messages to residents erased since then still count, as tallies (bot/db/remains.py).
    sql = (
        "SELECT b.id, b.kind, b.audience, b.activity_id, b.text_da, b.status, b.created_at,"
        " b.send_at, b.finished_at, d.recipients, d.sent, d.blocked, d.failed FROM broadcasts b"
        " LEFT JOIN (SELECT broadcast_id, SUM(n) AS recipients,"
        " SUM(CASE WHEN status = 'sent' THEN n END) AS sent,"
        " SUM(CASE WHEN status = 'blocked' THEN n END) AS blocked,"
        " SUM(CASE WHEN status = 'failed' THEN n END) AS failed"
        " FROM (SELECT broadcast_id, status, 1 AS n FROM deliveries"
        " UNION ALL SELECT broadcast_id, status, count FROM erased_deliveries)"
        " GROUP BY broadcast_id) d"
        f" ON d.broadcast_id = b.id WHERE {condition} ORDER BY b.send_at, b.id"
    )
    return x.sheet("Udsendelser", columns, x.rows(sql, params, shape))


def _residents_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("first_seen_at")
    columns = (
        Column("Beboernummer", Kind.LABEL, 15),
        Column("Sprog", Kind.LABEL, 10),
        Column("Første gang set", Kind.DATETIME, 17),
        Column("Samtykke givet", Kind.DATETIME, 17),
        Column("Samtykke (version)", Kind.INT, 12),
        Column("Meddelelser", Kind.LABEL, 12),
        Column("Påmindelser", Kind.LABEL, 12),
        Column("Status", Kind.LABEL, 18),
    )

    local, number = x.local, x.number

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (
            user_id,
            language,
            first_seen_at,
            consented_at,
            consent_version,
            subscribed,
            reminders,
            blocked,
        ) = row
        return (
            number[user_id],
            LANGUAGES_DA.get(language) if language else None,
            local(first_seen_at),
            local(consented_at),
            consent_version,
            YES_NO[subscribed],
            YES_NO[reminders],
            "Har blokeret Nabo" if blocked else "Aktiv",
        )

    # Ordered by when they came, so the order says nothing about Telegram ids.
    sql = (
        "SELECT user_id, language, first_seen_at, consented_at, consent_version, subscribed,"
        f" reminders, blocked FROM residents WHERE {condition} ORDER BY first_seen_at, user_id"
    )
    return x.sheet("Beboere", columns, x.rows(sql, params, shape))


HOST_ENDED_DA = {
    "removed": "Fjernet af teamet",
    "expired": "Aktiviteten er slut",
    "erased": "Værten slettede sine data",
}


def _hosts_sheet(x: _Export) -> Sheet:
    """List hosts by organisation and role, never by name or Telegram id."""
    condition, params = x.where_sql("h.started_at")
    columns = (
        Column("Vært nr.", Kind.INT, 11),
        Column("Type", Kind.LABEL, 21),
        Column("Organisation", width=30),
        Column("Rolle", width=22),
        Column("Aktivitet nr.", Kind.INT, 14),
        Column("Aktivitet", width=32),
        Column("Hele serien", Kind.LABEL, 13),
        Column("Vært fra", Kind.DATETIME, 17),
        Column("Vært til", Kind.DATETIME, 17),
        Column("Sluttede", Kind.LABEL, 24),
    )

    local = x.local

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (
            id_,
            organiser_kind,
            organisation,
            role,
            activity_id,
            title_da,
            whole_series,
            started_at,
            ended_at,
            ended_how,
        ) = row
        return (
            id_,
            ORGANISER_KINDS_DA[organiser_kind],
            organisation,
            role,
            activity_id,
            title_da,
            YES_NO[whole_series],
            local(started_at),
            local(ended_at),
            HOST_ENDED_DA.get(ended_how) if ended_how else None,
        )

    sql = (
        "SELECT h.id, h.organiser_kind, h.organisation, h.role, h.activity_id, a.title_da,"
        " h.whole_series, h.started_at, h.ended_at, h.ended_how FROM hosts h"
        f" JOIN activities a ON a.id = h.activity_id WHERE {condition} ORDER BY h.started_at, h.id"
    )
    return x.sheet("Værter", columns, x.rows(sql, params, shape))

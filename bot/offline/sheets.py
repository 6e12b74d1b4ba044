"""The staff workbook's sheets: read-only SQL on a snapshot, one sheet per table.

Sheet names, headers and labels here are Danish on purpose: the workbook is for staff and
Landsbyggefonden, whatever language the staff member chats in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, overload
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
        _hosts_sheet(x),
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
        Column("Delaftale", width=34),
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
        Column("Uden tilmelding", Kind.INT, 10),
        Column("Fremmøde registreret", Kind.DATETIME, 17),
        Column("Oprettet", Kind.DATETIME, 17),
        Column("Ændret", Kind.DATETIME, 17),
        Column("Arrangør (type)", width=18),
        Column("Arrangør", width=30),
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
            ORGANISER_KINDS_DA[row["organiser_kind"]],
            TEAM_NAME_DA if row["organiser_kind"] == "team" else row["organiser_name"],
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
        Column("Tilmeldt af teamet (uden Telegram)", width=14),
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
            YES_NO[row["offline"]],
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
    return Sheet("Tilmeldinger", columns, x.rows(sql, params, shape))


def _volunteers_sheet(x: _Export) -> Sheet:
    condition, params = x.where_sql("created_at")
    columns = (
        Column("Tilbud nr.", Kind.INT, 10),
        Column("Beboernummer", width=15),
        Column("Hjælp med", width=40),
        Column("Anden hjælp", width=24),
        Column("Sprog til oversættelse og tolkning", width=24),
        Column("Hvornår", width=36),
        Column("Kontakt", width=10),
        Column("Telefon", width=16),
        Column("Bemærkning", width=40),
        Column("Status", width=16),
        Column("Oversættelser brugt", Kind.INT, 12),
        Column("Modtaget", Kind.DATETIME, 17),
        Column("Ændret", Kind.DATETIME, 17),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            row["id"],
            x.number(row["user_id"]),
            _labels(row["kinds"], KINDS, x.danish),
            row["other_help"],
            _labels(row["languages"], VOLUNTEER_LANGUAGES_DA, x.danish) or None,
            _labels(row["times"], TIMES, x.danish),
            CONTACTS_DA[row["contact"]],
            # Only there when the resident shared it with Telegram's button for this.
            row["phone"],
            row["note"],
            x.danish.gettext(STATUSES[row["status"]]),
            row["translations"],
            x.local(row["created_at"]),
            x.local(row["updated_at"]),
        )

    # Translations of theirs that staff used, all told (the report counts them per period).
    sql = (
        "SELECT o.*, (SELECT COUNT(*) FROM translation_requests t WHERE t.status = 'accepted'"
        " AND t.translator_id = o.user_id) AS translations"
        f" FROM volunteer_offers o WHERE {condition} ORDER BY created_at, id"
    )
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
        Column("Mislykket", Kind.INT, 10),
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
        Column("Type", width=21),
        Column("Organisation", width=30),
        Column("Rolle", width=22),
        Column("Aktivitet nr.", Kind.INT, 14),
        Column("Aktivitet", width=32),
        Column("Hele serien", width=13),
        Column("Vært fra", Kind.DATETIME, 17),
        Column("Vært til", Kind.DATETIME, 17),
        Column("Sluttede", width=24),
    )

    def shape(row: sqlite3.Row) -> tuple[Any, ...]:
        return (
            row["id"],
            ORGANISER_KINDS_DA[row["organiser_kind"]],
            row["organisation"],
            row["role"],
            row["activity_id"],
            row["title_da"],
            YES_NO[row["whole_series"]],
            x.local(row["started_at"]),
            x.local(row["ended_at"]),
            HOST_ENDED_DA.get(row["ended_how"]) if row["ended_how"] else None,
        )

    sql = (
        "SELECT h.id, h.organiser_kind, h.organisation, h.role, h.activity_id, a.title_da,"
        " h.whole_series, h.started_at, h.ended_at, h.ended_how FROM hosts h"
        f" JOIN activities a ON a.id = h.activity_id WHERE {condition} ORDER BY h.started_at, h.id"
    )
    return Sheet("Værter", columns, x.rows(sql, params, shape))

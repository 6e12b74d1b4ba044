"""The report's figures per delaftale, area and month, read from a snapshot.

The figures are defined in the README (Export, report and backup); headers are Danish,
as in the workbook.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import to_db
from bot.db.activities import DELAFTALER_DA, OTHER_AREA
from bot.offline.periods import Period


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
    translations: int | None = None  # texts volunteers translated that staff used
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
    ("Besøg (fremmøde + uden tilmelding)", lambda f: f.visits),
    ("Unikke deltagere", lambda f: f.participants),
    ("Nye deltagere", lambda f: f.new),
    ("Tilbagevendende deltagere", lambda f: f.returning),
    ("Tilbud om hjælp modtaget", lambda f: f.offers),
    ("Heraf aktive nu", lambda f: f.offers_active),
    ("Oversættelser fra frivillige", lambda f: f.translations),
    ("Tilbagemeldinger", lambda f: f.feedback),
    ("Gns. vurdering", lambda f: f.average_rating),
    *((f"Vurdering {star}", lambda f, i=star - 1: f.ratings[i]) for star in range(1, 6)),
    ("Udsendelser sendt", lambda f: f.broadcasts),
    ("Modtagere nået", lambda f: f.reach),
)


@dataclass(frozen=True, slots=True)
class SourceFigures:
    """What one source's links brought in the period: counts that survive erasure."""

    name: str
    code: str
    deleted: bool
    residents: int  # new residents whose first start came by its link
    signups: int
    checkins: int


# Built-in source: residents' invitations to their neighbours (bot/db/sources.py).
INVITE_CODE = "invite"
INVITE_NAME_DA = "Invitation fra en nabo"


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
    # Who runs the activities: (team | board | partner, name or None) → their figures.
    by_organiser: dict[tuple[str, str | None], Figures] = field(default_factory=dict)
    # Per source: sources still in use, and deleted ones that brought something.
    sources: list[SourceFigures] = field(default_factory=list)

    @property
    def partners(self) -> int:
        """Count the afdelingsbestyrelser and partners with activities held in the period."""
        return sum(1 for (kind, _), f in self.by_organiser.items() if kind != "team" and f.held)


# Activities counted: published (not cancelled) and started within the period and by now.
_HELD = (
    "a.status = 'published' AND a.starts_at >= :start AND a.starts_at < :end"
    " AND a.starts_at <= :now"
)
# Who runs an activity, as one text: its kind and, for a board or partner, its name.
_ORGANISER = "a.organiser_kind || '|' || COALESCE(a.organiser_name, '')"
_GROUPS = {
    "total": "'total'",
    "delaftale": "a.delaftale",
    "area": "a.area",
    "organiser": _ORGANISER,
}

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
# Participants: people marked as present, residents and those signed up on their behalf
# (bot/db/people.py) alike, each told apart by their own key. Erased people's sign-ups
# have neither id and cannot be told apart, so they count in visits but not here.
_PERSON = "COALESCE('u' || {s}.user_id, 'p' || {s}.person_id)"
_PARTICIPANT_FIGURES = f"""
SELECT {{g}} AS g, COUNT(DISTINCT {_PERSON.format(s="s")}) AS participants,
       COUNT(DISTINCT CASE WHEN NOT EXISTS (
           SELECT 1 FROM signups p JOIN activities pa ON pa.id = p.activity_id
            WHERE {_PERSON.format(s="p")} = {_PERSON.format(s="s")}
              AND p.status = 'confirmed' AND p.attended = 1
              AND pa.status = 'published' AND pa.starts_at < :start)
       THEN {_PERSON.format(s="s")} END) AS new
  FROM signups s JOIN activities a ON a.id = s.activity_id
 WHERE {_HELD} AND s.status = 'confirmed' AND s.attended = 1
   AND (s.user_id IS NOT NULL OR s.person_id IS NOT NULL)
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
# Events per source carry no person (bot/db/sources.py): erasure changes none of them.
_SOURCE_FIGURES = """
SELECT s.name, s.code, s.deleted_at IS NOT NULL AS deleted,
       COALESCE(SUM(e.kind = 'resident'), 0) AS residents,
       COALESCE(SUM(e.kind = 'signup'), 0) AS signups,
       COALESCE(SUM(e.kind = 'checkin'), 0) AS checkins
  FROM sources s
  LEFT JOIN source_events e ON e.source_id = s.id AND e.at >= :start AND e.at < :end
                           AND e.at <= :now
 GROUP BY s.id
HAVING s.deleted_at IS NULL OR COUNT(e.source_id) > 0
 ORDER BY s.code = 'invite', s.name, s.id
"""
# Translations volunteers made and staff used, by when staff decided; the request stays
# (without the volunteer) when the volunteer is erased, so the count survives erasure.
_TRANSLATION_FIGURES = """
SELECT COUNT(*) FROM translation_requests
 WHERE status = 'accepted' AND resolved_at >= :start AND resolved_at < :end
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
        "start": to_db(period.start(timezone)),
        "end": to_db(period.end(timezone)),
        "now": to_db(now),
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
    # So are translations (the volunteers' figures, beside their offers).
    total.translations = connection.execute(_TRANSLATION_FIGURES, params).fetchone()[0]
    by_delaftale = {code: groups["delaftale"].get(code, Figures()) for code in DELAFTALER_DA}
    known_areas = [*dict.fromkeys([*areas, *sorted(groups["area"])])]
    ordered = [area for area in known_areas if area != OTHER_AREA]
    if OTHER_AREA in known_areas:
        ordered.append(OTHER_AREA)
    by_area = {area: groups["area"].get(area, Figures()) for area in ordered}
    sources = [
        SourceFigures(
            INVITE_NAME_DA if code == INVITE_CODE else name,
            code,
            bool(deleted),
            int(residents),
            int(signups),
            int(checkins),
        )
        for name, code, deleted, residents, signups, checkins in connection.execute(
            _SOURCE_FIGURES, params
        )
    ]
    return Report(
        period,
        now,
        total,
        by_delaftale,
        by_area,
        _months(connection, period, params, timezone),
        _organisers(groups["organiser"]),
        sources,
    )


def _organisers(figures: dict[str, Figures]) -> dict[tuple[str, str | None], Figures]:
    """Order who ran activities: the team first, then boards, then partners, by name."""
    keyed = {}
    for text, value in figures.items():
        kind, _, name = text.partition("|")
        keyed[kind, name or None] = value
    order = {"team": 0, "board": 1, "partner": 2}
    return {
        key: keyed[key] for key in sorted(keyed, key=lambda k: (order.get(k[0], 3), k[1] or ""))
    }


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

"""Repository for activities: what is on, where, for whom, and how full it is."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.core.dates import reminder_due
from bot.core.i18n import N_
from bot.db.broadcasts import insert_announcement
from bot.db.store import Store, read_one, read_snapshot
from bot.db.team_messages import record_team_message
from bot.db.translations import insert_request

# The three delaftaler of the helhedsplan: code → official name (translated where shown).
DELAFTALER: dict[str, str] = {
    "education": N_("Education and life chances"),
    "employment": N_("Employment"),
    "community": N_("Community and citizenship"),
}
# The Danish names, for staff exports and for reading import files.
DELAFTALER_DA: dict[str, str] = {
    "education": "Uddannelse og livschancer",
    "employment": "Beskæftigelse",
    "community": "Sammenhængskraft og medborgerskab",
}
OTHER_AREA = "other"
DEFAULT_MAX_PER_SIGNUP = 6
# Who runs an activity: the boligsocial team, an afdelingsbestyrelse (with its name), or a
# named partner organisation. Code → what it is called (translated where shown).
ORGANISER_KINDS: dict[str, str] = {
    "team": N_("The team"),
    "board": N_("A tenants' board (afdelingsbestyrelse)"),
    "partner": N_("A partner organisation"),
}
ORGANISER_KINDS_DA: dict[str, str] = {
    "team": "Teamet",
    "board": "Afdelingsbestyrelse",
    "partner": "Partner",
}
# How the team itself is named where an organiser's name is written (exports are Danish).
TEAM_NAME_DA = "Det boligsociale team"
MAX_ORGANISER_NAME = 100


@dataclass(frozen=True, slots=True)
class ActivityDraft:
    """A new activity as staff describe it (times are aware datetimes)."""

    title_da: str
    starts_at: datetime
    ends_at: datetime
    place: str
    delaftale: str
    area: str
    title_ar: str | None = None
    title_en: str | None = None
    description_da: str = ""
    description_ar: str | None = None
    description_en: str | None = None
    capacity: int | None = None
    signup_deadline: datetime | None = None
    max_per_signup: int = DEFAULT_MAX_PER_SIGNUP
    series_id: int | None = None
    organiser_kind: str = "team"
    organiser_name: str | None = None  # the board's or partner's name; None for the team


@dataclass(frozen=True, slots=True)
class Published:
    """A new activity (or weekly series) as published, and what was stored with it."""

    ids: tuple[int, ...]  # the activities, the first date first
    requests: tuple[int, ...]  # translation requests, one per language asked for
    announcement: int | None  # to start now; None: not announced, or it waits for them


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity as stored."""

    id: int
    title_da: str
    title_ar: str | None
    title_en: str | None
    description_da: str
    description_ar: str | None
    description_en: str | None
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int | None
    delaftale: str
    area: str
    signup_deadline: datetime | None
    max_per_signup: int
    status: str
    series_id: int | None
    created_at: datetime
    walk_ins: int = 0
    attendance_taken_at: datetime | None = None
    updated_at: datetime | None = None
    organiser_kind: str = "team"
    organiser_name: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Activity:
        """Build an Activity from an ``activities`` row."""
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row
        for key in (
            "starts_at",
            "ends_at",
            "signup_deadline",
            "created_at",
            "attendance_taken_at",
            "updated_at",
        ):
            values[key] = from_db(values[key])
        return cls(**values)

    def title(self, language: str) -> str:
        """Return the title in ``language``, else the Danish one (always present)."""
        return getattr(self, f"title_{language}", None) or self.title_da

    def description(self, language: str) -> str:
        """Return the description in ``language``, else Danish, else any there is."""
        return (
            getattr(self, f"description_{language}", None)
            or self.description_da
            or self.description_en
            or self.description_ar
            or ""
        )

    def is_open_for_signup(self, now: datetime) -> bool:
        """Tell whether residents can still sign up (or join the waitlist)."""
        if self.status != "published" or now >= self.starts_at:
            return False
        return self.signup_deadline is None or now < self.signup_deadline


@dataclass(frozen=True, slots=True)
class ActivityListing:
    """An activity with how full it is and the reader's own place in it."""

    activity: Activity
    confirmed_people: int
    waitlisted_parties: int
    my_status: str | None  # 'confirmed', 'waitlisted' or None

    @property
    def places_left(self) -> int | None:
        """Places left in people, or None when there is no limit."""
        if self.activity.capacity is None:
            return None
        return max(0, self.activity.capacity - self.confirmed_people)


@dataclass(frozen=True, slots=True)
class CapacityChange:
    """The outcome of changing an activity's number of places."""

    changed: bool  # False: fewer places than people already signed up
    confirmed_people: int


# The staff's list: what is coming, soonest first, then what has ended, latest first.
_STAFF_ORDER = (
    " ORDER BY a.ends_at <= :now,"
    " CASE WHEN a.ends_at > :now THEN a.starts_at END, a.starts_at DESC, a.id"
)

# What ActivityRepository.update_details may change.
_EDITABLE_DETAILS = frozenset(
    {
        "title_da",
        "title_ar",
        "title_en",
        "description_da",
        "description_ar",
        "description_en",
        "place",
    }
)


_LISTING_SQL = """
    SELECT a.*,
           COALESCE((SELECT SUM(s.adults + s.children) FROM signups s
                     WHERE s.activity_id = a.id AND s.status = 'confirmed'), 0) AS _confirmed,
           (SELECT COUNT(*) FROM signups s
             WHERE s.activity_id = a.id AND s.status = 'waitlisted') AS _waitlisted,
           (SELECT s.status FROM signups s
             WHERE s.activity_id = a.id AND s.user_id = :user_id
               AND s.status != 'cancelled') AS _mine
      FROM activities a
"""


def _listing(row: Any) -> ActivityListing:
    values = {key: row[key] for key in row.keys() if not key.startswith("_")}  # noqa: SIM118
    return ActivityListing(
        activity=Activity.from_row(values),
        confirmed_people=int(row["_confirmed"]),
        waitlisted_parties=int(row["_waitlisted"]),
        my_status=row["_mine"],
    )


# Shared by the repository and the readers of a snapshot below (posters, offline).
_BY_ID = "SELECT * FROM activities WHERE id = ?"
# A weekly series' published dates not yet started, soonest first.
_COMING_IN_SERIES = (
    "SELECT * FROM activities WHERE series_id = ? AND status = 'published'"
    " AND starts_at > ? ORDER BY starts_at, id"
)


def read_activity(connection: sqlite3.Connection, activity_id: int) -> Activity | None:
    """Return the activity with this id from a snapshot (offline tools), if any."""
    rows = read_snapshot(connection, _BY_ID, (activity_id,))
    return Activity.from_row(rows[0]) if rows else None


def read_coming_in_series(
    connection: sqlite3.Connection, series_id: int, now: datetime
) -> list[Activity]:
    """Return a series' published dates not yet started, soonest first, from a snapshot."""
    return [
        Activity.from_row(row)
        for row in read_snapshot(connection, _COMING_IN_SERIES, (series_id, to_db(now)))
    ]


class ActivityRepository:
    """SQL for the ``activities`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def add_many(self, drafts: list[ActivityDraft], now: datetime) -> list[int]:
        """Insert activities in one transaction (all or nothing); return their ids."""
        async with self._store.transaction() as db:
            ids = [await insert_activity(db, draft, now) for draft in drafts]
        return ids

    async def add_missing(self, drafts: Sequence[ActivityDraft], now: datetime) -> list[int]:
        """Insert the drafts no activity matches yet (same Danish title and start); return ids.

        Loading the same drafts again adds nothing, which keeps demo data idempotent. One
        transaction, all or nothing.
        """
        ids = []
        async with self._store.transaction() as db:
            for draft in drafts:
                if not await _exists(db, draft):
                    ids.append(await insert_activity(db, draft, now))
        return ids

    async def add_series(
        self,
        series: Sequence[Sequence[ActivityDraft]],
        now: datetime,
        *,
        skip_existing: bool = False,
    ) -> list[list[int]]:
        """Insert groups of activities in one transaction (all or nothing); return their ids.

        The activities of a group of two or more share the first one's id as series_id;
        a group of one is a single activity and keeps its draft's series_id. With
        ``skip_existing``, drafts an activity already matches (same Danish title and
        start) are left out, so importing the same file twice adds nothing.
        """
        id_groups: list[list[int]] = []
        async with self._store.transaction() as db:
            for group in series:
                drafts = [d for d in group if not (skip_existing and await _exists(db, d))]
                id_groups.append(await _insert_series(db, drafts, now) if drafts else [])
        return id_groups

    async def publish(
        self,
        drafts: Sequence[ActivityDraft],
        now: datetime,
        *,
        staff_user_id: int,
        translate: Mapping[str, timedelta],
        announce: bool,
    ) -> Published:
        """Publish a new activity (a weekly series: one each week) with what comes with it.

        ``translate``: the languages volunteer translators are asked for the first date's
        title and description in, and within how long (never later than its start; the
        series' other dates get the texts with it). ``announce``: the announcement to
        send, now, or once those translations are decided. One transaction, so Nabo
        stopping right after publishing loses neither: the jobs' rebuild asks the
        translators and starts the announcement.
        """
        first = drafts[0]
        async with self._store.transaction() as db:
            ids = await _insert_series(db, drafts, now)
            requests = [
                await insert_request(
                    db,
                    language,
                    staff_user_id=staff_user_id,
                    needed_by=min(now + within, first.starts_at),
                    now=now,
                    activity_id=ids[0],
                    title_source=first.title_da,
                    text_source=first.description_da or None,
                    announce=announce,
                )
                for language, within in translate.items()
            ]
            announcement = (
                await insert_announcement(db, ids[0], staff_user_id, now)
                if announce and not requests
                else None
            )
        return Published(tuple(ids), tuple(requests), announcement)

    async def get(self, activity_id: int) -> Activity | None:
        """Return the activity with this id, if any."""
        row = await self._store.fetch_one(_BY_ID, (activity_id,))
        return Activity.from_row(row) if row else None

    async def in_series(self, series_id: int) -> list[Activity]:
        """Return every activity of a weekly series, in order."""
        rows = await self._store.fetch_all(
            "SELECT * FROM activities WHERE series_id = ? ORDER BY starts_at, id", (series_id,)
        )
        return [Activity.from_row(row) for row in rows]

    async def not_ended(
        self, now: datetime, *, limit: int, offset: int = 0
    ) -> tuple[list[Activity], int]:
        """Return a page of published activities not ended, soonest first, and the total."""
        where = " FROM activities WHERE status = 'published' AND ends_at > ?"
        total = await self._store.fetch_one("SELECT COUNT(*)" + where, (to_db(now),))
        rows = await self._store.fetch_all(
            "SELECT *" + where + " ORDER BY starts_at, id LIMIT ? OFFSET ?",
            (to_db(now), limit, offset),
        )
        return [Activity.from_row(row) for row in rows], int(total[0]) if total else 0

    async def next_in_series(self, series_id: int, now: datetime) -> Activity | None:
        """Return a weekly series' next date: its first published activity not yet started."""
        row = await self._store.fetch_one(_COMING_IN_SERIES + " LIMIT 1", (series_id, to_db(now)))
        return Activity.from_row(row) if row else None

    async def series_exists(self, series_id: int) -> bool:
        """Tell whether a weekly series with this id was ever made."""
        row = await self._store.fetch_one(
            "SELECT 1 FROM activities WHERE series_id = ? LIMIT 1", (series_id,)
        )
        return row is not None

    async def listing(self, activity_id: int, user_id: int) -> ActivityListing | None:
        """Return one activity with its occupancy and the reader's status."""
        row = await self._store.fetch_one(
            _LISTING_SQL + " WHERE a.id = :id", {"id": activity_id, "user_id": user_id}
        )
        return _listing(row) if row else None

    async def upcoming(
        self,
        now: datetime,
        user_id: int,
        *,
        delaftale: str | None = None,
        area: str | None = None,
        limit: int = 5,
        offset: int = 0,
    ) -> tuple[list[ActivityListing], int]:
        """Return a page of published activities not yet started, soonest first, and the total."""
        where = " WHERE a.status = 'published' AND a.starts_at > :now"
        params: dict[str, Any] = {"now": to_db(now), "user_id": user_id}
        if delaftale is not None:
            where += " AND a.delaftale = :delaftale"
            params["delaftale"] = delaftale
        if area is not None:
            where += " AND a.area = :area"
            params["area"] = area
        total_row = await self._store.fetch_one("SELECT COUNT(*) FROM activities a" + where, params)
        rows = await self._store.fetch_all(
            _LISTING_SQL + where + " ORDER BY a.starts_at, a.id LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset},
        )
        return [_listing(row) for row in rows], int(total_row[0]) if total_row else 0

    async def not_started(self, now: datetime) -> list[Activity]:
        """Return every published activity that has not started (to rebuild jobs)."""
        rows = await self._store.fetch_all(
            "SELECT * FROM activities WHERE status = 'published' AND starts_at > ?"
            " ORDER BY starts_at",
            (to_db(now),),
        )
        return [Activity.from_row(row) for row in rows]

    async def cancel(self, activity_id: int, now: datetime | None = None) -> bool:
        """Cancel a published activity; return False if it was not published.

        With ``now``, the team is told (durably, in the same transaction) whom to call
        among those signed up on their behalf.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE activities SET status = 'cancelled' WHERE id = ? AND status = 'published'",
                (activity_id,),
            )
            if cursor.rowcount == 1 and now is not None:
                await _tell_team(db, "cancelled", activity_id, now)
            return cursor.rowcount == 1

    async def staff_overview(
        self, now: datetime, ended_since: datetime, *, limit: int, offset: int = 0
    ) -> tuple[list[ActivityListing], int]:
        """Return a page of activities for staff (any status), and the total.

        The page holds activities not yet ended, soonest first, then those that ended
        since ``ended_since``, the most recent first.
        """
        where = " WHERE a.ends_at > :since"
        params: dict[str, Any] = {"since": to_db(ended_since), "now": to_db(now), "user_id": 0}
        total_row = await self._store.fetch_one("SELECT COUNT(*) FROM activities a" + where, params)
        rows = await self._store.fetch_all(
            _LISTING_SQL + where + _STAFF_ORDER + " LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset},
        )
        return [_listing(row) for row in rows], int(total_row[0]) if total_row else 0

    async def update_details(
        self, activity_id: int, changes: Mapping[str, str | None], now: datetime
    ) -> Activity | None:
        """Change a published activity's titles, descriptions or place; return it as it is now."""
        unknown = set(changes) - _EDITABLE_DETAILS
        if unknown or not changes:
            raise ValueError(f"not editable here: {sorted(unknown) or 'nothing'}")
        # Column names come from the whitelist above, never from the caller's text.
        assignments = ", ".join(f"{column} = :{column}" for column in sorted(changes))
        async with self._store.transaction() as db:
            cursor = await db.execute(
                f"UPDATE activities SET {assignments}, updated_at = :now"
                " WHERE id = :id AND status = 'published'",
                {**changes, "now": to_db(now), "id": activity_id},
            )
            if cursor.rowcount != 1:
                return None
            if "place" in changes:
                # A new place is news for those signed up on their behalf: the team calls.
                await _tell_team(db, "changed", activity_id, now)
            return await _fetch_activity(db, activity_id)

    async def set_organiser(
        self, activity_id: int, kind: str, name: str | None, now: datetime
    ) -> Activity | None:
        """Say who runs an activity (a name only for a board or partner); return it."""
        if kind not in ORGANISER_KINDS or (kind == "team") != (name is None):
            raise ValueError("a board or partner needs a name, the team none")
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE activities SET organiser_kind = ?, organiser_name = ?, updated_at = ?"
                " WHERE id = ?",
                (kind, name, to_db(now), activity_id),
            )
            if cursor.rowcount != 1:
                return None
            return await _fetch_activity(db, activity_id)

    async def reschedule(
        self,
        activity_id: int,
        starts_at: datetime,
        ends_at: datetime,
        now: datetime,
        zone: ZoneInfo,
    ) -> Activity | None:
        """Move a published activity to a new time; return it as it is now.

        A sign-up deadline after the new start is dropped (sign-up then closes at the
        start), and reminders already sent for the old time whose moment for the new time
        is still ahead are owed again, so residents are reminded of the new time.
        """
        if ends_at <= starts_at:
            raise ValueError("an activity must end after it starts")
        async with self._store.transaction() as db:
            activity = await _fetch_activity(db, activity_id)
            if activity is None or activity.status != "published":
                return None
            deadline = activity.signup_deadline
            if deadline is not None and deadline > starts_at:
                deadline = None
            await db.execute(
                "UPDATE activities SET starts_at = ?, ends_at = ?, signup_deadline = ?,"
                " updated_at = ? WHERE id = ?",
                (
                    to_db(starts_at),
                    to_db(ends_at),
                    to_db(deadline) if deadline else None,
                    to_db(now),
                    activity_id,
                ),
            )
            async with db.execute(
                "SELECT rs.signup_id, rs.offset_minutes FROM reminder_sends rs"
                " JOIN signups s ON s.id = rs.signup_id WHERE s.activity_id = ?",
                (activity_id,),
            ) as cursor:
                sends = list(await cursor.fetchall())
            for signup_id, minutes in sends:
                # The same moment the reminder job uses (whole days keep the local time).
                if reminder_due(starts_at, timedelta(minutes=minutes), zone) > now:
                    await db.execute(
                        "DELETE FROM reminder_sends WHERE signup_id = ? AND offset_minutes = ?",
                        (signup_id, minutes),
                    )
            await _tell_team(db, "changed", activity_id, now)
            return await _fetch_activity(db, activity_id)

    async def set_capacity(
        self, activity_id: int, capacity: int | None, now: datetime
    ) -> CapacityChange | None:
        """Change the number of places (None: no limit), never below the people signed up.

        Returns None when the activity is unknown or not published. Giving the freed
        places to the waitlist is ``SignupRepository.promote``'s job.
        """
        if capacity is not None and capacity < 1:
            raise ValueError("capacity must be at least 1")
        async with self._store.transaction() as db:
            activity = await _fetch_activity(db, activity_id)
            if activity is None or activity.status != "published":
                return None
            row = await read_one(
                db,
                "SELECT COALESCE(SUM(adults + children), 0) FROM signups"
                " WHERE activity_id = ? AND status = 'confirmed'",
                (activity_id,),
            )
            confirmed = int(row[0]) if row else 0
            if capacity is not None and capacity < confirmed:
                return CapacityChange(False, confirmed)
            await db.execute(
                "UPDATE activities SET capacity = ?, updated_at = ? WHERE id = ?",
                (capacity, to_db(now), activity_id),
            )
            return CapacityChange(True, confirmed)

    async def change_walk_ins(
        self, activity_id: int, delta: int, *, now: datetime | None = None
    ) -> int:
        """Add ``delta`` to the walk-ins (never below 0) and return the new count.

        With ``now``, the first change also records when attendance was taken.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE activities SET walk_ins = MAX(0, walk_ins + ?),"
                " attendance_taken_at = COALESCE(attendance_taken_at, ?) WHERE id = ?",
                (delta, to_db(now) if now else None, activity_id),
            )
            if cursor.rowcount != 1:
                raise LookupError(f"no activity {activity_id}")
            async with db.execute(
                "SELECT walk_ins FROM activities WHERE id = ?", (activity_id,)
            ) as count:
                row = await count.fetchone()
            assert row is not None
            return int(row[0])

    async def matching_interests(
        self, user_id: int, start: datetime, end: datetime, limit: int = 8
    ) -> list[Activity]:
        """Return published activities starting in [start, end) that match a resident's interests.

        No stored choice of a kind (delaftale or area) means every one of that kind.
        """
        rows = await self._store.fetch_all(
            """
            SELECT a.* FROM activities a
             WHERE a.status = 'published' AND a.starts_at >= :start AND a.starts_at < :end
               AND (NOT EXISTS (SELECT 1 FROM resident_interests i
                                WHERE i.user_id = :user AND i.kind = 'delaftale')
                    OR EXISTS (SELECT 1 FROM resident_interests i WHERE i.user_id = :user
                               AND i.kind = 'delaftale' AND i.value = a.delaftale))
               AND (NOT EXISTS (SELECT 1 FROM resident_interests i
                                WHERE i.user_id = :user AND i.kind = 'area')
                    OR EXISTS (SELECT 1 FROM resident_interests i WHERE i.user_id = :user
                               AND i.kind = 'area' AND i.value = a.area))
             ORDER BY a.starts_at, a.id LIMIT :limit
            """,
            {"user": user_id, "start": to_db(start), "end": to_db(end), "limit": limit},
        )
        return [Activity.from_row(row) for row in rows]


async def _tell_team(db: aiosqlite.Connection, kind: str, activity_id: int, now: datetime) -> None:
    """Write a team message about the activity if anyone on it was signed up on their behalf."""
    row = await read_one(
        db,
        "SELECT 1 FROM signups WHERE activity_id = ? AND person_id IS NOT NULL"
        " AND status IN ('confirmed', 'waitlisted') LIMIT 1",
        (activity_id,),
    )
    if row is None:
        return
    await record_team_message(db, kind, now, activity_id)


async def _fetch_activity(db: aiosqlite.Connection, activity_id: int) -> Activity | None:
    """Read one activity inside the caller's transaction."""
    row = await read_one(db, "SELECT * FROM activities WHERE id = ?", (activity_id,))
    return Activity.from_row(row) if row else None


async def _insert_series(
    db: aiosqlite.Connection, drafts: Sequence[ActivityDraft], now: datetime
) -> list[int]:
    """Insert one activity, or a series (two or more, with the first's id as series_id)."""
    first_id = await insert_activity(db, drafts[0], now)
    if len(drafts) > 1:
        # The first id is only known once it is inserted, so it joins its series now.
        await db.execute("UPDATE activities SET series_id = id WHERE id = ?", (first_id,))
    ids = [first_id]
    for draft in drafts[1:]:
        ids.append(await insert_activity(db, replace(draft, series_id=first_id), now))
    return ids


async def _exists(db: aiosqlite.Connection, draft: ActivityDraft) -> bool:
    """Tell whether an activity with the draft's Danish title and start is stored."""
    row = await read_one(
        db,
        "SELECT 1 FROM activities WHERE title_da = ? AND starts_at = ?",
        (draft.title_da, to_db(draft.starts_at)),
    )
    return row is not None


async def insert_activity(db: aiosqlite.Connection, draft: ActivityDraft, now: datetime) -> int:
    """Insert one activity inside the caller's transaction; return its id."""
    cursor = await db.execute(
        """
        INSERT INTO activities (
            title_da, title_ar, title_en, description_da, description_ar,
            description_en, starts_at, ends_at, place, capacity, delaftale, area,
            signup_deadline, max_per_signup, series_id, created_at, organiser_kind,
            organiser_name)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            draft.title_da,
            draft.title_ar,
            draft.title_en,
            draft.description_da,
            draft.description_ar,
            draft.description_en,
            to_db(draft.starts_at),
            to_db(draft.ends_at),
            draft.place,
            draft.capacity,
            draft.delaftale,
            draft.area,
            to_db(draft.signup_deadline) if draft.signup_deadline else None,
            draft.max_per_signup,
            draft.series_id,
            to_db(now),
            draft.organiser_kind,
            draft.organiser_name,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid

"""Repository for activities: what is on, where, for whom, and how full it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import from_db, to_db
from bot.i18n import N_
from bot.store import Store

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

    @classmethod
    def from_row(cls, row: Any) -> Activity:
        """Build an Activity from an ``activities`` row."""
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row
        for key in ("starts_at", "ends_at", "signup_deadline", "created_at"):
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


class ActivityRepository:
    """SQL for the ``activities`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def add_many(self, drafts: list[ActivityDraft], now: datetime) -> list[int]:
        """Insert activities in one transaction (all or nothing); return their ids."""
        async with self._store.transaction() as db:
            ids = [await _insert_activity(db, draft, now) for draft in drafts]
        return ids

    async def add_series(
        self, series: Sequence[Sequence[ActivityDraft]], now: datetime
    ) -> list[list[int]]:
        """Insert groups of activities in one transaction (all or nothing); return their ids.

        The activities of a group of two or more share the first one's id as series_id;
        a group of one is a single activity and keeps its draft's series_id.
        """
        id_groups = []
        async with self._store.transaction() as db:
            for drafts in series:
                if not drafts:
                    id_groups.append([])
                    continue
                first_id = await _insert_activity(db, drafts[0], now)
                if len(drafts) > 1:
                    # The first id is only known once it is inserted, so it joins its series now.
                    await db.execute(
                        "UPDATE activities SET series_id = id WHERE id = ?", (first_id,)
                    )
                ids = [first_id]
                for draft in drafts[1:]:
                    ids.append(await _insert_activity(db, replace(draft, series_id=first_id), now))
                id_groups.append(ids)
        return id_groups

    async def get(self, activity_id: int) -> Activity | None:
        """Return the activity with this id, if any."""
        row = await self._store.fetch_one("SELECT * FROM activities WHERE id = ?", (activity_id,))
        return Activity.from_row(row) if row else None

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

    async def cancel(self, activity_id: int) -> bool:
        """Cancel a published activity; return False if it was not published."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE activities SET status = 'cancelled' WHERE id = ? AND status = 'published'",
                (activity_id,),
            )
            return cursor.rowcount == 1


async def _insert_activity(db: aiosqlite.Connection, draft: ActivityDraft, now: datetime) -> int:
    """Insert one activity inside the caller's transaction; return its id."""
    cursor = await db.execute(
        """
        INSERT INTO activities (
            title_da, title_ar, title_en, description_da, description_ar,
            description_en, starts_at, ends_at, place, capacity, delaftale, area,
            signup_deadline, max_per_signup, series_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid

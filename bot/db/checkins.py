"""Repository for check-ins at the door: the door poster's code, scanned by residents.

A check-in is the same attendance staff take by hand, so the report needs no new rules:
someone signed up is marked as came (``signups.attended``); someone who was not, or is
waiting, gets a place if there is room and nobody is ahead of them in line (a sign-up
marked as came, so the roster is right) and otherwise counts as a walk-in
(``activities.walk_ins``), as does a person who declines the privacy notice.
``door_checkins`` keeps who checked in, so scanning twice counts once, and what staff see
live; its user id goes with erasure and sign-up retention.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.core.clock import to_db
from bot.db.activities import Activity
from bot.db.signups import waiting_ahead
from bot.db.sources import SourceEvent, record_event
from bot.db.store import Store, read_snapshot


class CheckInOutcome(StrEnum):
    """What became of a scan of the door code."""

    CAME = "came"  # signed up: marked as came
    PLACED = "placed"  # not signed up (or waiting): given a place, marked as came
    NO_PLACE = "no_place"  # no room (or others wait first): a visit without a place
    ALREADY = "already"  # checked in before: nothing changes
    ASK_PARTY = "ask_party"  # not signed up: how many came? (nothing written yet)
    CLOSED = "closed"  # unknown or cancelled activity


@dataclass(frozen=True, slots=True)
class CheckInResult:
    """The outcome of a check-in, with how many people it counted."""

    outcome: CheckInOutcome
    adults: int = 0
    children: int = 0

    @property
    def people(self) -> int:
        """Return how many people this check-in counted."""
        return self.adults + self.children


@dataclass(frozen=True, slots=True)
class DoorCount:
    """How many people checked in at the door so far, by how they came in."""

    came: int = 0  # signed up
    placed: int = 0  # got a place at the door
    no_place: int = 0  # the activity was full
    anonymous: int = 0  # declined the notice: one anonymous visit each

    @property
    def total(self) -> int:
        """Return everyone who checked in at the door."""
        return self.came + self.placed + self.no_place + self.anonymous


# The key door codes' tokens are made with; also read by the door poster (offline).
_DOOR_KEY = "SELECT value FROM secrets WHERE name = 'door_code'"


def read_door_key(connection: sqlite3.Connection) -> bytes:
    """Return the door codes' key from a snapshot (offline tools: the door poster)."""
    rows = read_snapshot(connection, _DOOR_KEY)
    if not rows:
        raise RuntimeError("the database has no door-code key")
    return bytes(rows[0]["value"])


class CheckInRepository:
    """SQL for ``door_checkins`` and the attendance a check-in records."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store
        self._key: bytes | None = None

    async def door_key(self) -> bytes:
        """Return the key the door codes' tokens are made with (kept in the database)."""
        if self._key is None:
            row = await self._store.fetch_one(_DOOR_KEY)
            if row is None:
                raise RuntimeError("the database has no door-code key")
            self._key = bytes(row[0])
        return self._key

    async def check_in(
        self,
        activity_id: int,
        user_id: int,
        now: datetime,
        *,
        adults: int | None = None,
        children: int | None = None,
        first_name: str | None = None,
        source_id: int | None = None,
    ) -> CheckInResult:
        """Check a resident in, in one transaction (the caller checked the door's window).

        Without ``adults``/``children``, someone not signed up gets ASK_PARTY and nothing is
        written; with them, they get a place if there is room, else a visit without one.
        """
        async with self._store.transaction() as db:
            activity = await _activity(db, activity_id)
            if activity is None or activity.status != "published":
                return CheckInResult(CheckInOutcome.CLOSED)
            done = await _one(
                db,
                "SELECT adults, children FROM door_checkins WHERE activity_id = ? AND user_id = ?",
                (activity_id, user_id),
            )
            if done is not None:
                return CheckInResult(CheckInOutcome.ALREADY, done["adults"], done["children"])
            signup = await _one(
                db,
                "SELECT * FROM signups WHERE activity_id = ? AND user_id = ?"
                " AND status IN ('confirmed', 'waitlisted')",
                (activity_id, user_id),
            )
            if signup is not None and signup["status"] == "confirmed":
                await db.execute("UPDATE signups SET attended = 1 WHERE id = ?", (signup["id"],))
                result = CheckInResult(CheckInOutcome.CAME, signup["adults"], signup["children"])
            elif signup is not None:
                # On the waitlist: they came all the same; a place if one is free now.
                party = (signup["adults"], signup["children"])
                if await _place_for(db, activity, sum(party), now, signup["id"]):
                    await db.execute(
                        "UPDATE signups SET status = 'confirmed', confirmed_at = ?, attended = 1"
                        " WHERE id = ?",
                        (to_db(now), signup["id"]),
                    )
                    result = CheckInResult(CheckInOutcome.PLACED, *party)
                else:
                    result = await _no_place(db, activity_id, *party)
            elif adults is None or children is None:
                return CheckInResult(CheckInOutcome.ASK_PARTY)
            elif await _place_for(db, activity, adults + children, now, None):
                await db.execute(
                    "INSERT INTO signups (activity_id, user_id, adults, children, status,"
                    " created_at, confirmed_at, first_name, attended)"
                    " VALUES (?, ?, ?, ?, 'confirmed', ?, ?, ?, 1)",
                    (
                        activity_id,
                        user_id,
                        adults,
                        children,
                        to_db(now),
                        to_db(now),
                        first_name[:64] if first_name else None,
                    ),
                )
                result = CheckInResult(CheckInOutcome.PLACED, adults, children)
            else:
                result = await _no_place(db, activity_id, adults, children)
            how = {
                CheckInOutcome.CAME: "signup",
                CheckInOutcome.PLACED: "placed",
                CheckInOutcome.NO_PLACE: "full",
            }[result.outcome]
            await _record(db, activity_id, user_id, result, how, now)
            await db.execute(
                "UPDATE activities SET attendance_taken_at = COALESCE(attendance_taken_at, ?)"
                " WHERE id = ?",
                (to_db(now), activity_id),
            )
            await record_event(db, source_id, SourceEvent.CHECKIN, now)
            return result

    async def anonymous_visit(
        self, activity_id: int, now: datetime, *, source_id: int | None = None
    ) -> bool:
        """Count one visit by someone who declined the notice: nothing about them is kept."""
        async with self._store.transaction() as db:
            activity = await _activity(db, activity_id)
            if activity is None or activity.status != "published":
                return False
            result = await _no_place(db, activity_id, 1, 0)
            await _record(db, activity_id, None, result, "anonymous", now)
            await record_event(db, source_id, SourceEvent.CHECKIN, now)
            return True

    async def door_count(self, activity_id: int) -> DoorCount:
        """Return how many people checked in at the door, by how they came in."""
        rows = await self._store.fetch_all(
            "SELECT how, SUM(adults + children) AS people FROM door_checkins"
            " WHERE activity_id = ? GROUP BY how",
            (activity_id,),
        )
        people = {row["how"]: int(row["people"]) for row in rows}
        return DoorCount(
            came=people.get("signup", 0),
            placed=people.get("placed", 0),
            no_place=people.get("full", 0),
            anonymous=people.get("anonymous", 0),
        )


async def _one(db: aiosqlite.Connection, sql: str, params: Any) -> Any:
    async with db.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _activity(db: aiosqlite.Connection, activity_id: int) -> Activity | None:
    row = await _one(db, "SELECT * FROM activities WHERE id = ?", (activity_id,))
    return Activity.from_row(row) if row else None


async def _place_for(
    db: aiosqlite.Connection,
    activity: Activity,
    people: int,
    now: datetime,
    signup_id: int | None,
) -> bool:
    """Tell whether a party at the door gets a place: room, and nobody ahead of it in line.

    Until the start the waitlist moves up first come, first served (promote_waitlist), so
    a free place belongs to the head of the line: a waiting party (``signup_id``) gets one
    only with nobody still waiting ahead of it, and someone not signed up only when nobody
    waits. Once it has started the waitlist no longer moves, and a free place is for whoever
    is at the door.
    """
    if now < activity.starts_at and await waiting_ahead(db, activity.id, signup_id):
        return False
    return await _room_for(db, activity, people)


async def _room_for(db: aiosqlite.Connection, activity: Activity, people: int) -> bool:
    if activity.capacity is None:
        return True
    row = await _one(
        db,
        "SELECT COALESCE(SUM(adults + children), 0) FROM signups"
        " WHERE activity_id = ? AND status = 'confirmed'",
        (activity.id,),
    )
    return int(row[0]) + people <= activity.capacity


async def _no_place(
    db: aiosqlite.Connection, activity_id: int, adults: int, children: int
) -> CheckInResult:
    """Count a party without a place as walk-ins: the visits the report counts."""
    await db.execute(
        "UPDATE activities SET walk_ins = walk_ins + ? WHERE id = ?",
        (adults + children, activity_id),
    )
    return CheckInResult(CheckInOutcome.NO_PLACE, adults, children)


async def _record(
    db: aiosqlite.Connection,
    activity_id: int,
    user_id: int | None,
    result: CheckInResult,
    how: str,
    now: datetime,
) -> None:
    await db.execute(
        "INSERT INTO door_checkins (activity_id, user_id, adults, children, how, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (activity_id, user_id, result.adults, result.children, how, to_db(now)),
    )

"""Repository for sign-ups: places, the waitlist, cancellations and reminders sent."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.activities import Activity
from bot.db.sources import SourceEvent, count_event
from bot.db.store import Store, on_thread, read_all, read_one, rows_of
from bot.db.team_messages import record_team_message


class SignupStatus(StrEnum):
    """Where a sign-up stands."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """What became of a request to sign up."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    NO_ROOM = "no_room"  # does not fit, and the resident did not ask for the waitlist
    ALREADY = "already"  # the resident already has an active sign-up
    CLOSED = "closed"  # cancelled, started, or past the sign-up deadline
    BAD_PARTY = "bad_party"  # no people, or more than the activity allows per sign-up
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Signup:
    """A sign-up as stored; ``user_id`` is None once the resident has been erased."""

    id: int
    activity_id: int
    user_id: int | None
    adults: int
    children: int
    status: SignupStatus
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    first_name: str | None = None
    attended: bool | None = None  # None until staff take attendance
    # Someone signed up on their behalf (bot/db/people.py), not on Telegram; None once
    # they are erased, or attach their own chat (then user_id is theirs).
    person_id: int | None = None

    @property
    def offline(self) -> bool:
        """Tell whether the sign-up is of someone staff signed up, who is not on Telegram."""
        return self.person_id is not None

    @property
    def people(self) -> int:
        """Return how many people the sign-up is for."""
        return self.adults + self.children

    @classmethod
    def from_row(cls, row: Any) -> Signup:
        """Build a Signup from a ``signups`` row."""
        created = from_db(row["created_at"])
        assert created is not None
        return cls(
            id=row["id"],
            activity_id=row["activity_id"],
            user_id=row["user_id"],
            adults=row["adults"],
            children=row["children"],
            status=SignupStatus(row["status"]),
            created_at=created,
            confirmed_at=from_db(row["confirmed_at"]),
            cancelled_at=from_db(row["cancelled_at"]),
            first_name=row["first_name"],
            attended=None if row["attended"] is None else bool(row["attended"]),
            person_id=row["person_id"],
        )


@dataclass(frozen=True, slots=True)
class SignupResult:
    """The outcome of a sign-up request, with the sign-up it concerns."""

    outcome: Outcome
    signup: Signup | None = None
    waitlist_position: int | None = None
    places_left: int | None = None
    activity: Activity | None = None  # as it was when the request was decided


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone to tell about a sign-up: chat and language, never more."""

    signup: Signup
    chat_id: int
    language: str | None


@dataclass(frozen=True, slots=True)
class CancelResult:
    """A cancelled sign-up and the waitlisted sign-ups that moved up because of it."""

    signup: Signup | None
    promoted: list[Recipient]
    too_late: bool = False  # the activity has started


@dataclass(frozen=True, slots=True)
class MySignup:
    """One of a resident's active sign-ups, with its activity and waitlist position."""

    signup: Signup
    activity: Activity
    waitlist_position: int | None


_ACTIVE = "status IN ('confirmed', 'waitlisted')"

# A waiting party that can still move up: a resident who has not blocked Nabo, or someone
# signed up on their behalf (the team tells them). Erased residents' rows (no user id, no
# person) and those of residents who blocked Nabo are passed over by promotion
# (promote_waitlist), so they do not count as ahead. Needs ``residents r`` LEFT JOINed.
CAN_MOVE_UP = "(r.blocked = 0 OR w.person_id IS NOT NULL)"

# Everything a sign-up request is decided on, in one query (insert_signup): the activity,
# the people confirmed, the parties waiting who can still move up (CAN_MOVE_UP), and the
# party's own active sign-up (a resident's, by user_id, or a person's signed up on their
# behalf, by person_id), if any.
_SIGN_UP_STATE = {
    column: f"""
    SELECT a.*,
           (SELECT COALESCE(SUM(s.adults + s.children), 0) FROM signups s
             WHERE s.activity_id = a.id AND s.status = 'confirmed') AS _taken,
           (SELECT COUNT(*) FROM signups w LEFT JOIN residents r ON r.user_id = w.user_id
             WHERE w.activity_id = a.id AND w.status = 'waitlisted' AND {CAN_MOVE_UP})
             AS _waiting,
           (SELECT s.id FROM signups s
             WHERE s.activity_id = a.id AND s.{column} = :who AND s.{_ACTIVE}) AS _existing
      FROM activities a WHERE a.id = :activity
"""
    for column in ("user_id", "person_id")
}

# The waiting parties that can still move up, ahead of a sign-up (all of them when it is
# NULL). Those of residents who blocked Nabo, or were erased, are passed over by promotion
# (promote_waitlist), so they do not count as ahead; people signed up without Telegram
# do (CAN_MOVE_UP). A waiting party's place in line is 1 + this.
_WAITING_AHEAD = f"""
    SELECT COUNT(*) FROM signups w LEFT JOIN residents r ON r.user_id = w.user_id
     WHERE w.activity_id = :activity AND w.status = 'waitlisted' AND {CAN_MOVE_UP}
       AND (:signup IS NULL OR w.id < :signup)
"""

# The audience of a "promotion" broadcast: those who moved up on this activity's waitlist
# (+ activity id). Its deliveries are chosen when the promotion happens, never by query.
PROMOTED_PREFIX = "promoted:"


@dataclass(frozen=True, slots=True)
class PromotionNotice:
    """Who asked for a promotion (staff who raised the capacity) and gets the tally."""

    staff_user_id: int
    report_chat_id: int


class SignupRepository:
    """SQL for the ``signups`` and ``reminder_sends`` tables."""

    def __init__(self, store: Store, default_language: str = "da") -> None:
        """Use the process's store; promoted residents without a language get the default."""
        self._store = store
        self._default_language = default_language

    async def sign_up(
        self,
        activity_id: int,
        user_id: int,
        adults: int,
        children: int,
        now: datetime,
        *,
        waitlist: bool,
        first_name: str | None = None,
        source_id: int | None = None,
    ) -> SignupResult:
        """Sign a party up, or put it on the waitlist; checks and insert in one transaction.

        A party that does not fit goes on the waitlist when the resident asked for it
        (``waitlist``) or when no places are left at all. When some places are left but
        too few, the answer is NO_ROOM, so the resident can bring fewer people instead.
        A sign-up made through a source's link (``source_id``) counts for that source.
        """
        # One trip to the database's thread for the whole transaction (Store.write).
        return await self._store.write(
            partial(
                decide_signup,
                activity_id=activity_id,
                who=Who("user_id", user_id),
                adults=adults,
                children=children,
                now=now,
                waitlist=waitlist,
                first_name=first_name,
                source_id=source_id,
            )
        )

    async def cancel(self, signup_id: int, user_id: int | None, now: datetime) -> CancelResult:
        """Cancel an active sign-up (the resident's own, unless user_id is None) and promote.

        Once the activity has started, sign-ups stay as they are: they are the record of
        who was expected, and attendance is taken against them.
        """
        async with self._store.transaction() as db:
            row = await _fetch_one(
                db, f"SELECT * FROM signups WHERE id = ? AND {_ACTIVE}", (signup_id,)
            )
            if row is None or (user_id is not None and row["user_id"] != user_id):
                return CancelResult(None, [])
            activity_row = await _fetch_one(
                db, "SELECT starts_at FROM activities WHERE id = ?", (row["activity_id"],)
            )
            starts_at = from_db(activity_row["starts_at"]) if activity_row else None
            if starts_at is not None and now >= starts_at:
                return CancelResult(None, [], too_late=True)
            await db.execute(
                "UPDATE signups SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
                (to_db(now), signup_id),
            )
            cancelled = await _signup(db, signup_id)
            promoted = await promote_waitlist(
                db, cancelled.activity_id, now, default_language=self._default_language
            )
            return CancelResult(cancelled, promoted)

    async def active_for(self, activity_id: int, user_id: int) -> Signup | None:
        """Return the resident's active sign-up for an activity, if any."""
        row = await self._store.fetch_one(
            f"SELECT * FROM signups WHERE activity_id = ? AND user_id = ? AND {_ACTIVE}",
            (activity_id, user_id),
        )
        return Signup.from_row(row) if row else None

    async def get(self, signup_id: int) -> Signup | None:
        """Return a sign-up by id."""
        row = await self._store.fetch_one("SELECT * FROM signups WHERE id = ?", (signup_id,))
        return Signup.from_row(row) if row else None

    async def waitlist_position(self, signup: Signup) -> int | None:
        """Return the 1-based waitlist position of a waitlisted sign-up."""
        if signup.status is not SignupStatus.WAITLISTED:
            return None
        row = await self._store.fetch_one(
            _WAITING_AHEAD, {"activity": signup.activity_id, "signup": signup.id}
        )
        return 1 + int(row[0]) if row else None

    async def mine(self, user_id: int, now: datetime) -> list[MySignup]:
        """Return the resident's active sign-ups for activities that have not ended."""
        rows = await self._store.fetch_all(
            f"""
            SELECT s.*, a.id AS a_id FROM signups s JOIN activities a ON a.id = s.activity_id
             WHERE s.user_id = ? AND s.{_ACTIVE} AND a.ends_at > ? AND a.status = 'published'
             ORDER BY a.starts_at, a.id
            """,
            (user_id, to_db(now)),
        )
        result = []
        for row in rows:
            signup = Signup.from_row(row)
            activity_row = await self._store.fetch_one(
                "SELECT * FROM activities WHERE id = ?", (row["a_id"],)
            )
            assert activity_row is not None
            result.append(
                MySignup(
                    signup, Activity.from_row(activity_row), await self.waitlist_position(signup)
                )
            )
        return result

    async def reminder_targets(
        self, activity_id: int, offset_minutes: int, due: datetime | None = None
    ) -> list[Recipient]:
        """Return confirmed sign-ups still owed this reminder, of residents who want them.

        With ``due`` (when the reminder was due): only those who were signed up, with
        reminders on, by then; nobody gets a late "see you tomorrow".
        """
        rows = await self._store.fetch_all(
            """
            SELECT s.*, r.chat_id AS r_chat_id, r.language AS r_language
              FROM signups s JOIN residents r ON r.user_id = s.user_id
             WHERE s.activity_id = :activity AND s.status = 'confirmed'
               AND r.blocked = 0 AND r.reminders = 1
               AND (:due IS NULL OR (s.confirmed_at <= :due
                    AND (r.reminders_on_at IS NULL OR r.reminders_on_at <= :due)))
               AND NOT EXISTS (SELECT 1 FROM reminder_sends rs
                               WHERE rs.signup_id = s.id AND rs.offset_minutes = :minutes)
             ORDER BY s.id
            """,
            {
                "activity": activity_id,
                "minutes": offset_minutes,
                "due": to_db(due) if due else None,
            },
        )
        return [
            Recipient(Signup.from_row(row), row["r_chat_id"], row["r_language"]) for row in rows
        ]

    async def claim_reminder(self, signup_id: int, offset_minutes: int, now: datetime) -> bool:
        """Record that a reminder is being sent; False if it already was (send at most once)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO reminder_sends (signup_id, offset_minutes, sent_at)"
                " VALUES (?, ?, ?)",
                (signup_id, offset_minutes, to_db(now)),
            )
            return cursor.rowcount == 1

    async def unclaim_reminder(self, signup_id: int, offset_minutes: int) -> None:
        """Forget a claimed reminder that could not be delivered, so it is tried again."""
        async with self._store.transaction() as db:
            await db.execute(
                "DELETE FROM reminder_sends WHERE signup_id = ? AND offset_minutes = ?",
                (signup_id, offset_minutes),
            )

    async def active_recipients(self, activity_id: int) -> list[Recipient]:
        """Return everyone signed up or waiting for an activity who has not blocked Nabo."""
        rows = await self._store.fetch_all(
            f"""
            SELECT s.*, r.chat_id AS r_chat_id, r.language AS r_language
              FROM signups s JOIN residents r ON r.user_id = s.user_id
             WHERE s.activity_id = ? AND s.{_ACTIVE} AND r.blocked = 0
             ORDER BY s.id
            """,
            (activity_id,),
        )
        return [
            Recipient(Signup.from_row(row), row["r_chat_id"], row["r_language"]) for row in rows
        ]

    async def roster(self, activity_id: int) -> list[Signup]:
        """Return an activity's confirmed and waitlisted sign-ups, oldest first (for staff)."""
        rows = await self._store.fetch_all(
            f"SELECT * FROM signups WHERE activity_id = ? AND {_ACTIVE} ORDER BY id",
            (activity_id,),
        )
        return [Signup.from_row(row) for row in rows]

    async def promote(
        self, activity_id: int, now: datetime, notice: PromotionNotice | None = None
    ) -> list[Recipient]:
        """Give free places to the waitlist, in order (after staff added places).

        With ``notice``, that staff member gets the tally of who was told.
        """
        async with self._store.transaction() as db:
            return await promote_waitlist(
                db, activity_id, now, default_language=self._default_language, notice=notice
            )

    async def unlink_ended_before(self, ended_before: datetime) -> int:
        """Unlink sign-ups of activities that ended before then from their residents.

        What stays is what reports count: activity, party size, status and attendance.
        Sign-ups made on someone's behalf lose the link to their record alike.
        """
        async with self._store.transaction() as db:
            # Those signed up on their behalf lose the link to their record too.
            cursor = await db.execute(
                """
                UPDATE signups SET user_id = NULL, person_id = NULL, first_name = NULL
                 WHERE (user_id IS NOT NULL OR person_id IS NOT NULL)
                   AND activity_id IN (SELECT id FROM activities WHERE ends_at <= ?)
                """,
                (to_db(ended_before),),
            )
            # Who checked in at the door goes the same way; the counts stay.
            await db.execute(
                "UPDATE door_checkins SET user_id = NULL WHERE user_id IS NOT NULL"
                " AND activity_id IN (SELECT id FROM activities WHERE ends_at <= ?)",
                (to_db(ended_before),),
            )
            return cursor.rowcount

    async def set_attended(
        self,
        signup_id: int,
        activity_id: int,
        attended: bool,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Record whether a confirmed sign-up of this activity came; False if it is not one.

        With ``now``, the first record also notes when attendance was taken.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE signups SET attended = ?"
                " WHERE id = ? AND activity_id = ? AND status = 'confirmed'",
                (int(attended), signup_id, activity_id),
            )
            if cursor.rowcount != 1:
                return False
            if now is not None:
                await db.execute(
                    "UPDATE activities SET attendance_taken_at = COALESCE(attendance_taken_at, ?)"
                    " WHERE id = ?",
                    (to_db(now), activity_id),
                )
            return True


@dataclass(frozen=True, slots=True)
class Who:
    """Whose sign-up: a resident's (``user_id``) or a person's signed up on their behalf."""

    column: str  # "user_id" or "person_id"
    id: int


async def insert_signup(
    db: aiosqlite.Connection,
    activity_id: int,
    who: Who,
    adults: int,
    children: int,
    now: datetime,
    *,
    waitlist: bool,
    first_name: str | None = None,
    source_id: int | None = None,
) -> SignupResult:
    """Sign a party up or put it on the waitlist, inside the caller's transaction.

    The rules are one for everyone, whoever signs up: see ``SignupRepository.sign_up``.
    """
    return await on_thread(
        db,
        partial(
            decide_signup,
            activity_id=activity_id,
            who=who,
            adults=adults,
            children=children,
            now=now,
            waitlist=waitlist,
            first_name=first_name,
            source_id=source_id,
        ),
    )


def decide_signup(
    connection: sqlite3.Connection,
    *,
    activity_id: int,
    who: Who,
    adults: int,
    children: int,
    now: datetime,
    waitlist: bool,
    first_name: str | None = None,
    source_id: int | None = None,
) -> SignupResult:
    """As ``insert_signup``, on the database's thread, inside the transaction there."""
    if who.column not in _SIGN_UP_STATE:
        raise ValueError(f"not a sign-up's owner: {who.column}")
    # What the decision needs, in one query: the activity, the places taken, who is
    # waiting, and the party's own active sign-up, if any.
    row = _first(connection, _SIGN_UP_STATE[who.column], {"activity": activity_id, "who": who.id})
    if row is None:
        return SignupResult(Outcome.NOT_FOUND)
    activity = Activity.from_row(
        {key: row[key] for key in row.keys() if not key.startswith("_")}  # noqa: SIM118
    )
    if not activity.is_open_for_signup(now):
        return SignupResult(Outcome.CLOSED, activity=activity)
    people = adults + children
    if adults < 0 or children < 0 or not 0 < people <= activity.max_per_signup:
        return SignupResult(Outcome.BAD_PARTY, activity=activity)
    if row["_existing"] is not None:
        existing = _first(connection, "SELECT * FROM signups WHERE id = ?", (row["_existing"],))
        signup = Signup.from_row(existing)
        position = _position_now(connection, signup) or None
        return SignupResult(Outcome.ALREADY, signup, position, activity=activity)
    taken = int(row["_taken"])
    left = None if activity.capacity is None else activity.capacity - taken
    # First come, first served: while anyone is waiting, newcomers queue too.
    queue = int(row["_waiting"])
    if not queue and (left is None or people <= left):
        status = SignupStatus.CONFIRMED
    elif queue or waitlist or (left is not None and left <= 0):
        status = SignupStatus.WAITLISTED
    else:
        return SignupResult(Outcome.NO_ROOM, places_left=left, activity=activity)
    # The unique indexes are the last line of defence against a double sign-up; the
    # check above, in this same transaction, means they should never fire. The column
    # name comes from the check above, never from outside.
    inserted = _first(
        connection,
        f"""
        INSERT INTO signups (activity_id, {who.column}, adults, children, status,
                             created_at, confirmed_at, first_name)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING *
        """,
        (
            activity_id,
            who.id,
            adults,
            children,
            status.value,
            to_db(now),
            to_db(now) if status is SignupStatus.CONFIRMED else None,
            # For the staff's list of who is coming; at most a name's length.
            first_name[:64] if first_name else None,
        ),
    )
    signup = Signup.from_row(inserted)
    count_event(connection, source_id, SourceEvent.SIGNUP, now)
    position = _position_now(connection, signup) if status is SignupStatus.WAITLISTED else None
    new_left = None if left is None else left - (people if position is None else 0)
    return SignupResult(Outcome(status.value), signup, position, new_left, activity)


def _first(connection: sqlite3.Connection, sql: str, parameters: Any = ()) -> Any:
    """On the database's thread: the first row of a statement's result, None if none."""
    return next(iter(rows_of(connection, sql, parameters)), None)


def _position_now(connection: sqlite3.Connection, signup: Signup) -> int | None:
    """Return a waitlisted sign-up's place in line (None if not waiting), on the thread."""
    if signup.status is not SignupStatus.WAITLISTED:
        return None
    row = _first(connection, _WAITING_AHEAD, {"activity": signup.activity_id, "signup": signup.id})
    return 1 + int(row[0])


async def promote_waitlist(
    db: aiosqlite.Connection,
    activity_id: int,
    now: datetime,
    *,
    default_language: str,
    notice: PromotionNotice | None = None,
) -> list[Recipient]:
    """Move waiting parties up, strictly in order, while the next one fits; in a transaction.

    Waiting rows of residents who blocked Nabo, or were erased, are passed over: nobody
    could tell them, and they must not keep the place from the next in line. Those who
    move up are told by the delivery sender: their deliveries are written in the same
    transaction, so a crash cannot promote anyone without telling them (wake the sender).
    Someone signed up on their behalf moves up in their turn like anyone; the team gets
    a durable message to call them, written in the same transaction (they are not in the
    list returned, which is of residents to tell in the chat).
    """
    row = await _fetch_one(db, "SELECT * FROM activities WHERE id = ?", (activity_id,))
    if row is None:
        return []
    activity = Activity.from_row(row)
    if activity.status != "published" or now >= activity.starts_at:
        return []
    left = (
        None
        if activity.capacity is None
        else activity.capacity - await _confirmed_people(db, activity_id)
    )
    waiting = await _fetch_all(
        db,
        """
        SELECT s.*, r.chat_id AS r_chat_id, r.language AS r_language, r.blocked AS r_blocked
          FROM signups s LEFT JOIN residents r ON r.user_id = s.user_id
         WHERE s.activity_id = ? AND s.status = 'waitlisted'
         ORDER BY s.id
        """,
        (activity_id,),
    )
    promoted = []
    for candidate in waiting:
        offline = candidate["person_id"] is not None
        if not offline and (candidate["r_chat_id"] is None or candidate["r_blocked"]):
            continue
        people = candidate["adults"] + candidate["children"]
        if left is not None and people > left:
            break  # first come, first served: nobody overtakes the party at the head
        await db.execute(
            "UPDATE signups SET status = 'confirmed', confirmed_at = ? WHERE id = ?",
            (to_db(now), candidate["id"]),
        )
        if left is not None:
            left -= people
        signup = await _signup(db, candidate["id"])
        if offline:
            await record_team_message(db, "promoted", now, activity_id, signup_id=signup.id)
            continue
        promoted.append(Recipient(signup, candidate["r_chat_id"], candidate["r_language"]))
    if promoted:
        await _record_promotion(db, activity_id, promoted, now, default_language, notice)
    return promoted


async def _record_promotion(
    db: aiosqlite.Connection,
    activity_id: int,
    promoted: list[Recipient],
    now: datetime,
    default_language: str,
    notice: PromotionNotice | None,
) -> None:
    """Write a sending "promotion" broadcast with one pending delivery per promoted resident."""
    cursor = await db.execute(
        "INSERT INTO broadcasts (kind, staff_user_id, activity_id, audience, status,"
        " created_at, send_at, progress_chat_id) VALUES ('promotion', ?, ?, ?, 'sending', ?, ?, ?)",
        (
            notice.staff_user_id if notice else None,
            activity_id,
            f"{PROMOTED_PREFIX}{activity_id}",
            to_db(now),
            to_db(now),
            notice.report_chat_id if notice else None,
        ),
    )
    await db.executemany(
        "INSERT INTO deliveries (broadcast_id, user_id, chat_id, language, status, updated_at)"
        " VALUES (?, ?, ?, ?, 'pending', ?)",
        [
            (
                cursor.lastrowid,
                recipient.signup.user_id,
                recipient.chat_id,
                recipient.language or default_language,
                to_db(now),
            )
            for recipient in promoted
        ],
    )


_fetch_one = read_one
_fetch_all = read_all


async def _signup(db: aiosqlite.Connection, signup_id: int | None) -> Signup:
    row = await _fetch_one(db, "SELECT * FROM signups WHERE id = ?", (signup_id,))
    assert row is not None
    return Signup.from_row(row)


async def cancel_all_where(
    db: aiosqlite.Connection,
    users: str,
    params: tuple[Any, ...],
    now: datetime,
    *,
    default_language: str,
) -> list[tuple[int, list[Recipient]]]:
    """Cancel the coming sign-ups of the residents ``users`` selects, then promote them.

    In the caller's transaction; ``users`` is SQL selecting user ids (or ``?``, with
    ``params``). All of theirs are
    cancelled first and each activity's waitlist moves up once after, so none of them
    moves up into a place only to leave it again.
    """
    rows = await read_all(
        db,
        "SELECT s.id, s.activity_id FROM signups s JOIN activities a ON a.id = s.activity_id"
        f" WHERE s.user_id IN ({users}) AND s.{_ACTIVE} AND a.starts_at > ?"
        # A sign-up already marked as came (checked in at the door before the start) is
        # a visit that happened: it stays, kept as an unlinked count like any past one.
        " AND s.attended IS NOT 1",
        (*params, to_db(now)),
    )
    if not rows:
        return []
    await db.executemany(
        "UPDATE signups SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
        [(to_db(now), row["id"]) for row in rows],
    )
    promotions = []
    for activity_id in sorted({row["activity_id"] for row in rows}):
        promoted = await promote_waitlist(db, activity_id, now, default_language=default_language)
        if promoted:
            promotions.append((activity_id, promoted))
    return promotions


async def _confirmed_people(db: aiosqlite.Connection, activity_id: int) -> int:
    row = await _fetch_one(
        db,
        "SELECT COALESCE(SUM(adults + children), 0) FROM signups"
        " WHERE activity_id = ? AND status = 'confirmed'",
        (activity_id,),
    )
    return int(row[0])


async def waiting_ahead(
    db: aiosqlite.Connection, activity_id: int, signup_id: int | None = None
) -> int:
    """Count the waiting parties promotion would move up before this sign-up (or anyone).

    In the caller's transaction; without ``signup_id``, everyone waiting is ahead.
    """
    row = await _fetch_one(db, _WAITING_AHEAD, {"activity": activity_id, "signup": signup_id})
    return int(row[0])

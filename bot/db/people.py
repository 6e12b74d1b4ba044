"""Repository for people signed up on their behalf: residents who do not use Nabo's chat.

Staff, or an activity's host, register such a person with what the work needs: a first
name, their language and area, a phone number only if they agree to be called about it,
who registered them and how they were told about privacy. Their sign-ups are ordinary
sign-ups (``signups.person_id``), so every rule about places and the waitlist holds for
them unchanged (bot/db/signups.py).

Retention (bot/work/retention.py): the phone number goes ``PHONE_DAYS`` after their last
activity, the record ``OFFLINE_RETENTION_DAYS`` after it, unless staff renewed it since.
A one-time joining link (bot/core/tokens.py; only its digest is kept) lets the person
attach their own chat later; the merge rule is ``attach``'s.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.core.tokens import new_token, token_digest
from bot.db.hosts import COVERS
from bot.db.signups import (
    Outcome,
    Recipient,
    Signup,
    SignupResult,
    Who,
    insert_signup,
    promote_waitlist,
)
from bot.db.store import Store, read_snapshot

TOLD_HOW = ("in_person", "phone", "paper")
ROLES = ("staff", "host")
MAX_NAME = 64
# A phone number is for calls about the activities they signed up for: it goes this long
# after the last of them.
PHONE_DAYS = 30
# How long a joining link (a slip) works, and how many wrong answers it takes.
JOIN_LINK_DAYS = 90
JOIN_TRIES = 3

# When a person last had something on: the end of their latest activity (kept on the row,
# as sign-ups lose their link to the record after SIGNUP_RETENTION_DAYS), or when staff
# registered or renewed them. UTC ISO-8601 texts compare as the times they are.
_LAST_ACTIVITY = """
    MAX(p.last_activity_at, COALESCE(p.renewed_at, ''),
        COALESCE((SELECT MAX(a.ends_at) FROM signups s JOIN activities a ON a.id = s.activity_id
                   WHERE s.person_id = p.id), ''))
"""


@dataclass(frozen=True, slots=True)
class NewPerson:
    """Someone staff are signing up on their behalf, as staff describe them."""

    first_name: str
    language: str
    area: str
    phone: str | None  # only if they agreed to be called about it (normalised)
    told_how: str  # in_person, phone or paper

    def __post_init__(self) -> None:
        """Refuse what the database would (a clear error instead of a CHECK failure)."""
        if not 0 < len(self.first_name.strip()) <= MAX_NAME:
            raise ValueError("a first name of 1 to 64 characters")
        if self.told_how not in TOLD_HOW:
            raise ValueError(f"told_how must be one of {TOLD_HOW}")


@dataclass(frozen=True, slots=True)
class OfflinePerson:
    """A person signed up on their behalf, as stored."""

    id: int
    first_name: str
    language: str
    area: str
    phone: str | None
    told_how: str
    registered_by: int | None  # None once that staff member or host is erased
    registered_role: str
    registered_at: datetime
    last_activity_at: datetime
    renewed_at: datetime | None
    join_expires_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> OfflinePerson:
        """Build an OfflinePerson from an ``offline_people`` row."""
        registered = from_db(row["registered_at"])
        last = from_db(row["last_activity_at"])
        assert registered is not None
        assert last is not None
        return cls(
            id=row["id"],
            first_name=row["first_name"],
            language=row["language"],
            area=row["area"],
            phone=row["phone"],
            told_how=row["told_how"],
            registered_by=row["registered_by"],
            registered_role=row["registered_role"],
            registered_at=registered,
            last_activity_at=last,
            renewed_at=from_db(row["renewed_at"]),
            join_expires_at=from_db(row["join_expires_at"]),
        )


# A person's record with the digest of their joining link, for the slip to print.
_SLIP = "SELECT * FROM offline_people WHERE id = ?"


def read_slip_holder(
    connection: sqlite3.Connection, person_id: int, token: str, now: datetime
) -> tuple[OfflinePerson | None, bool]:
    """Return the person from a snapshot (offline tools), and whether ``token`` is their link.

    The link must be the one the record holds now, unused and not expired: a replaced,
    used or expired link is not theirs any more.
    """
    rows = read_snapshot(connection, _SLIP, (person_id,))
    if not rows:
        return None, False
    person = OfflinePerson.from_row(rows[0])
    holds = (
        rows[0]["join_token"] == token_digest(token)
        and person.join_expires_at is not None
        and person.join_expires_at > now
    )
    return person, holds


@dataclass(frozen=True, slots=True)
class OfflineSignup:
    """A sign-up made on someone's behalf, with the person (for rosters and call lists)."""

    signup: Signup
    person: OfflinePerson


@dataclass(frozen=True, slots=True)
class PersonForgetResult:
    """What erasing a person did: whether they existed, and who moved up in their place."""

    found: bool
    promotions: list[tuple[int, list[Recipient]]]


@dataclass(frozen=True, slots=True)
class AttachResult:
    """What opening a joining link did (``attach``)."""

    attached: bool
    moved: int = 0  # sign-ups now the resident's own
    merged: int = 0  # sign-ups the resident already had: one kept, the other cancelled
    first_name: str | None = None
    promotions: tuple[tuple[int, list[Recipient]], ...] = ()


class PeopleRepository:
    """SQL for the ``offline_people`` table and the sign-ups made on people's behalf."""

    def __init__(self, store: Store, default_language: str = "da") -> None:
        """Use the process's store; promoted residents without a language get the default."""
        self._store = store
        self._default_language = default_language

    async def sign_up_new(
        self,
        activity_id: int,
        person: NewPerson,
        adults: int,
        children: int,
        now: datetime,
        *,
        waitlist: bool,
        registered_by: int,
        role: str,
    ) -> tuple[SignupResult, OfflinePerson | None]:
        """Register a person and sign them up, all or nothing.

        The record exists only with its sign-up: when the sign-up is refused (closed, too
        few places, a party too large) nothing is stored and the person is None.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO offline_people (first_name, language, area, phone, told_how,"
                " registered_by, registered_role, registered_at, last_activity_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    person.first_name.strip(),
                    person.language,
                    person.area,
                    person.phone,
                    person.told_how,
                    registered_by,
                    role,
                    to_db(now),
                    to_db(now),
                ),
            )
            person_id = cursor.lastrowid
            assert person_id is not None
            result = await _sign_up(db, activity_id, person_id, adults, children, now, waitlist)
            if result.signup is None or result.outcome.value not in ("confirmed", "waitlisted"):
                await db.execute("DELETE FROM offline_people WHERE id = ?", (person_id,))
                return result, None
            return result, await _person(db, person_id)

    async def sign_up(
        self,
        activity_id: int,
        person_id: int,
        adults: int,
        children: int,
        now: datetime,
        *,
        waitlist: bool,
    ) -> SignupResult:
        """Sign a registered person up for another activity (same rules as anyone)."""
        async with self._store.transaction() as db:
            if await _person(db, person_id) is None:
                return SignupResult(Outcome.NOT_FOUND)
            return await _sign_up(db, activity_id, person_id, adults, children, now, waitlist)

    async def get(self, person_id: int) -> OfflinePerson | None:
        """Return the person with this id, if there is one."""
        row = await self._store.fetch_one(_SLIP, (person_id,))
        return OfflinePerson.from_row(row) if row else None

    async def named(
        self, first_name: str, *, host_user_id: int | None = None
    ) -> list[OfflinePerson]:
        """Return people with this first name (any case), most recently registered first.

        With ``host_user_id``: only those that host may see (signed up for one of their
        activities, or registered by them), never everyone's.
        """
        where = "lower(p.first_name) = lower(:name)"
        if host_user_id is not None:
            where += (
                " AND (p.registered_by = :host OR EXISTS (SELECT 1 FROM signups s, hosts h"
                " WHERE s.person_id = p.id AND h.user_id = :host AND h.ended_at IS NULL"
                f" AND {COVERS.format(activity='s.activity_id')}))"
            )
        rows = await self._store.fetch_all(
            f"SELECT p.* FROM offline_people p WHERE {where}"
            " ORDER BY p.registered_at DESC, p.id DESC",
            {"name": first_name.strip(), "host": host_user_id},
        )
        return [OfflinePerson.from_row(row) for row in rows]

    async def with_phone(self, phone: str) -> list[OfflinePerson]:
        """Return people with this (normalised) phone number."""
        rows = await self._store.fetch_all(
            "SELECT * FROM offline_people WHERE phone = ? ORDER BY id", (phone,)
        )
        return [OfflinePerson.from_row(row) for row in rows]

    async def on_activity(self, activity_id: int) -> list[OfflineSignup]:
        """Return the activity's active sign-ups made on someone's behalf, in order."""
        rows = await self._store.fetch_all(
            """
            SELECT s.*, p.id AS p_id FROM signups s JOIN offline_people p ON p.id = s.person_id
             WHERE s.activity_id = ? AND s.status IN ('confirmed', 'waitlisted')
             ORDER BY s.id
            """,
            (activity_id,),
        )
        people = {
            person.id: person
            for person in [
                OfflinePerson.from_row(row)
                for row in await self._store.fetch_all(
                    "SELECT p.* FROM offline_people p WHERE p.id IN (SELECT person_id"
                    " FROM signups WHERE activity_id = ? AND status IN"
                    " ('confirmed', 'waitlisted'))",
                    (activity_id,),
                )
            ]
        }
        return [
            OfflineSignup(Signup.from_row(row), people[row["p_id"]])
            for row in rows
            if row["p_id"] in people
        ]

    async def needing_call_list(self, now: datetime) -> list[tuple[int, datetime]]:
        """Return (id, start) of coming activities with people to call and no call list yet."""
        rows = await self._store.fetch_all(
            """
            SELECT a.id, a.starts_at FROM activities a
             WHERE a.status = 'published' AND a.starts_at > ?
               AND EXISTS (SELECT 1 FROM signups s WHERE s.activity_id = a.id
                            AND s.person_id IS NOT NULL
                            AND s.status IN ('confirmed', 'waitlisted'))
               AND NOT EXISTS (SELECT 1 FROM team_messages t WHERE t.kind = 'call_list'
                                AND t.audience = 'team' AND t.activity_id = a.id)
             ORDER BY a.starts_at, a.id
            """,
            (to_db(now),),
        )
        result = []
        for row in rows:
            starts = from_db(row["starts_at"])
            assert starts is not None
            result.append((int(row["id"]), starts))
        return result

    async def signups_of(self, person_id: int) -> list[Signup]:
        """Return every sign-up of a person, oldest first."""
        rows = await self._store.fetch_all(
            "SELECT * FROM signups WHERE person_id = ? ORDER BY id", (person_id,)
        )
        return [Signup.from_row(row) for row in rows]

    async def renew(self, person_id: int, now: datetime) -> bool:
        """Keep a record for another retention period from now (staff, on request)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE offline_people SET renewed_at = ? WHERE id = ?", (to_db(now), person_id)
            )
            return cursor.rowcount == 1

    async def forget(self, person_id: int, now: datetime) -> PersonForgetResult:
        """Erase a person: coming places go to the waitlist, past sign-ups stay as counts.

        Checked by the test that searches every table (tests/test_offline_people.py).
        """
        async with self._store.transaction() as db:
            if await _person(db, person_id) is None:
                return PersonForgetResult(False, [])
            promotions = await _cancel_coming(db, person_id, now, self._default_language)
            # Messages about them go; what stays of their sign-ups is counts, unlinked.
            await db.execute(
                "DELETE FROM team_messages"
                " WHERE signup_id IN (SELECT id FROM signups WHERE person_id = ?)",
                (person_id,),
            )
            await db.execute(
                "UPDATE signups SET person_id = NULL, first_name = NULL WHERE person_id = ?",
                (person_id,),
            )
            await db.execute("DELETE FROM offline_people WHERE id = ?", (person_id,))
            return PersonForgetResult(True, promotions)

    async def drop_phones(self, now: datetime) -> int:
        """Delete phone numbers ``PHONE_DAYS`` after the person's last activity."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                f"UPDATE offline_people AS p SET phone = NULL"
                f" WHERE phone IS NOT NULL AND {_LAST_ACTIVITY} <= ?",
                (to_db(now - timedelta(days=PHONE_DAYS)),),
            )
            return cursor.rowcount

    async def due_for_erasure(self, now: datetime, *, days: int) -> list[int]:
        """Return the ids of people whose last activity (or renewal) is ``days`` ago."""
        rows = await self._store.fetch_all(
            f"SELECT p.id FROM offline_people p WHERE {_LAST_ACTIVITY} <= ? ORDER BY p.id",
            (to_db(now - timedelta(days=days)),),
        )
        return [int(row["id"]) for row in rows]

    async def new_join_link(self, person_id: int, now: datetime) -> str | None:
        """Make a new joining link for a person (an older one stops working); its token."""
        token = new_token()
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE offline_people SET join_token = ?, join_expires_at = ?, join_tries = 0"
                " WHERE id = ?",
                (token_digest(token), to_db(now + timedelta(days=JOIN_LINK_DAYS)), person_id),
            )
            return token if cursor.rowcount == 1 else None

    async def join_target(self, token: str, now: datetime) -> OfflinePerson | None:
        """Return the person a joining link is for, if it still works (not used, not expired)."""
        row = await self._store.fetch_one(
            "SELECT * FROM offline_people WHERE join_token = ? AND join_expires_at > ?",
            (token_digest(token), to_db(now)),
        )
        return OfflinePerson.from_row(row) if row else None

    async def wrong_answer(self, token: str) -> bool:
        """Count a wrong answer to a joining link's check; True if the link is spent now."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE offline_people SET join_tries = join_tries + 1 WHERE join_token = ?",
                (token_digest(token),),
            )
            cursor = await db.execute(
                "UPDATE offline_people SET join_token = NULL, join_expires_at = NULL"
                " WHERE join_token = ? AND join_tries >= ?",
                (token_digest(token), JOIN_TRIES),
            )
            return cursor.rowcount == 1

    async def expire_join_links(self, now: datetime) -> int:
        """Forget joining links that have expired (retention)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE offline_people SET join_token = NULL, join_expires_at = NULL,"
                " join_tries = 0 WHERE join_expires_at <= ?",
                (to_db(now),),
            )
            return cursor.rowcount

    async def attach(self, token: str, user_id: int, now: datetime) -> AttachResult:
        """Make a person's sign-ups the resident's own, once; the record goes.

        The merge rule, when the resident already has a sign-up for the same activity
        (the same household, counted twice): one sign-up is kept, the one that holds the
        better place: confirmed before waitlisted, and between equals the older one (it
        was first in line). The other is cancelled as any cancellation is (its places go
        to the waitlist while the activity is still to come), keeping its attendance on
        the kept one. Every other sign-up, past ones too, moves to the resident as it
        is. So no sign-up is lost (each is the resident's, kept or cancelled) and none
        is counted twice. Nothing happens if the link does not work any more or the
        resident is not there (they must have accepted the privacy notice first).
        """
        async with self._store.transaction() as db:
            row = await _one(
                db,
                "SELECT * FROM offline_people WHERE join_token = ? AND join_expires_at > ?",
                (token_digest(token), to_db(now)),
            )
            resident = await _one(db, "SELECT 1 FROM residents WHERE user_id = ?", (user_id,))
            if row is None or resident is None:
                return AttachResult(False)
            person = OfflinePerson.from_row(row)
            moved = merged = 0
            freed: set[int] = set()
            for signup in [
                Signup.from_row(r)
                for r in await _all(
                    db, "SELECT * FROM signups WHERE person_id = ? ORDER BY id", (person.id,)
                )
            ]:
                theirs = await _one(
                    db,
                    "SELECT * FROM signups WHERE activity_id = ? AND user_id = ?"
                    " AND status IN ('confirmed', 'waitlisted')",
                    (signup.activity_id, user_id),
                )
                if theirs is None or signup.status.value == "cancelled":
                    moved += 1
                    await _relink(db, signup.id, user_id)
                    continue
                merged += 1
                keep, drop = _better(Signup.from_row(theirs), signup)
                await db.execute(
                    "UPDATE signups SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
                    (to_db(now), drop.id),
                )
                if drop.attended and not keep.attended:
                    await db.execute("UPDATE signups SET attended = 1 WHERE id = ?", (keep.id,))
                for signup_id in {keep.id, drop.id}:
                    await _relink(db, signup_id, user_id)
                if drop.status.value == "confirmed":
                    freed.add(signup.activity_id)
            promotions = []
            for activity_id in sorted(freed):
                promoted = await promote_waitlist(
                    db, activity_id, now, default_language=self._default_language
                )
                if promoted:
                    promotions.append((activity_id, promoted))
            await db.execute("DELETE FROM offline_people WHERE id = ?", (person.id,))
            return AttachResult(True, moved, merged, person.first_name, tuple(promotions))


async def forget_as_actors(db: aiosqlite.Connection, users: str, params: tuple[Any, ...]) -> None:
    """Erase what staff members or hosts leave in this part of the data, in a transaction.

    ``users`` is SQL selecting their user ids (or ``?``, with ``params``), as in the
    residents' erasure (``ResidentRepository.forget``, which calls this). Who registered
    a person keeps its role, not the person's id; messages to their chats go (they are
    theirs: a staff member's or host's private chat has their user id).
    """
    await db.execute(
        f"UPDATE offline_people SET registered_by = NULL WHERE registered_by IN ({users})",
        params,
    )
    await db.execute(f"DELETE FROM team_messages WHERE chat_id IN ({users})", params)


def _better(first: Signup, second: Signup) -> tuple[Signup, Signup]:
    """Return (the sign-up to keep, the one to cancel): confirmed first, then the older."""
    rank = sorted((first, second), key=lambda s: (s.status.value != "confirmed", s.id))
    return rank[0], rank[1]


async def _relink(db: aiosqlite.Connection, signup_id: int, user_id: int) -> None:
    await db.execute(
        "UPDATE signups SET user_id = ?, person_id = NULL WHERE id = ?", (user_id, signup_id)
    )


async def _sign_up(
    db: aiosqlite.Connection,
    activity_id: int,
    person_id: int,
    adults: int,
    children: int,
    now: datetime,
    waitlist: bool,
) -> SignupResult:
    person = await _person(db, person_id)
    assert person is not None
    result = await insert_signup(
        db,
        activity_id,
        Who("person_id", person_id),
        adults,
        children,
        now,
        waitlist=waitlist,
        first_name=person.first_name,
    )
    if result.signup is not None and result.outcome.value in ("confirmed", "waitlisted"):
        # Retention counts from their latest activity.
        await db.execute(
            "UPDATE offline_people SET last_activity_at = MAX(last_activity_at,"
            " (SELECT ends_at FROM activities WHERE id = ?)) WHERE id = ?",
            (activity_id, person_id),
        )
    return result


async def _cancel_coming(
    db: aiosqlite.Connection, person_id: int, now: datetime, default_language: str
) -> list[tuple[int, list[Recipient]]]:
    """Cancel a person's sign-ups for activities still to come, and promote in their place."""
    rows = await _all(
        db,
        "SELECT s.id, s.activity_id FROM signups s JOIN activities a ON a.id = s.activity_id"
        " WHERE s.person_id = ? AND s.status IN ('confirmed', 'waitlisted') AND a.starts_at > ?",
        (person_id, to_db(now)),
    )
    promotions = []
    for row in rows:
        await db.execute(
            "UPDATE signups SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
            (to_db(now), row["id"]),
        )
        promoted = await promote_waitlist(
            db, row["activity_id"], now, default_language=default_language
        )
        if promoted:
            promotions.append((row["activity_id"], promoted))
    return promotions


async def _person(db: aiosqlite.Connection, person_id: int) -> OfflinePerson | None:
    row = await _one(db, "SELECT * FROM offline_people WHERE id = ?", (person_id,))
    return OfflinePerson.from_row(row) if row else None


async def _one(db: aiosqlite.Connection, sql: str, params: Any = ()) -> Any:
    async with db.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _all(db: aiosqlite.Connection, sql: str, params: Any = ()) -> list[Any]:
    async with db.execute(sql, params) as cursor:
        return list(await cursor.fetchall())

"""Repository for residents: who Nabo talks to, in which language, and with what consent."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.hosts import forget_hosts
from bot.db.notice_version import PRIVACY_NOTICE_VERSION as PRIVACY_NOTICE_VERSION
from bot.db.people import forget_as_actors
from bot.db.remains import delete_deliveries_where, delete_offers, unlink_feedback_where
from bot.db.signups import Recipient, cancel_all_where
from bot.db.sources import SourceEvent, record_event
from bot.db.store import Store, read_all
from bot.db.team_messages import record_offer_edits
from bot.db.translations import forget_translators_and_staff
from bot.db.volunteers import OFFERS_SQL, Offer

# PRIVACY_NOTICE_VERSION (imported above) is read from here by most who need it.

# Not seen since a moment (bound as the next parameter); day precision is enough.
_INACTIVE = "COALESCE(last_seen_at, first_seen_at) <= ?"


@dataclass(frozen=True, slots=True)
class Resident:
    """A resident as stored: never a name, username, phone number or message text."""

    user_id: int
    chat_id: int
    language: str | None
    first_seen_at: datetime
    consented_at: datetime | None
    consent_version: int | None
    subscribed: bool
    blocked: bool
    reminders: bool
    last_seen_at: datetime | None = None
    retention_warned_at: datetime | None = None
    source_id: int | None = None  # the source whose link brought them here first

    def needs_touch(self, now: datetime) -> bool:
        """Tell whether this interaction must be recorded: once a day, or to cancel a warning."""
        seen = self.last_seen_at
        return seen is None or seen.date() != now.date() or self.retention_warned_at is not None

    @property
    def has_consented(self) -> bool:
        """Tell whether the resident accepted the current privacy notice."""
        return self.consent_version == PRIVACY_NOTICE_VERSION

    @classmethod
    def from_row(cls, row: Any) -> Resident:
        """Build a Resident from a ``residents`` row."""
        first_seen = from_db(row["first_seen_at"])
        assert first_seen is not None
        return cls(
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            language=row["language"],
            first_seen_at=first_seen,
            consented_at=from_db(row["consented_at"]),
            consent_version=row["consent_version"],
            subscribed=bool(row["subscribed"]),
            blocked=bool(row["blocked"]),
            reminders=bool(row["reminders"]),
            last_seen_at=from_db(row["last_seen_at"]),
            retention_warned_at=from_db(row["retention_warned_at"]),
            source_id=row["source_id"],
        )


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What erasing a resident did: whether they existed, and who moved up in their place."""

    found: bool
    promotions: list[tuple[int, list[Recipient]]]
    reopened: list[tuple[int, int]]  # translations they held, open again (see Erased)
    hosts: list[int]  # whose hosting the erasure ended (see Erased)


@dataclass(frozen=True, slots=True)
class Erased:
    """What erasing several residents at once did (retention)."""

    residents: list[tuple[int, int]]  # (user id, chat id) of each erased resident
    promotions: list[tuple[int, list[Recipient]]]
    # Translations they held or sent, now open again: (request id, the erased translator).
    reopened: list[tuple[int, int]]
    # The user ids of hosts whose hosting the erasure ended: /host leaves their commands.
    hosts: list[int]


class ResidentRepository:
    """SQL for the ``residents`` table."""

    def __init__(self, store: Store, default_language: str = "da") -> None:
        """Use the process's store; residents without a language get the default."""
        self._store = store
        self._default_language = default_language

    async def get(self, user_id: int) -> Resident | None:
        """Return the resident with this Telegram user id, if Nabo knows them."""
        row = await self._store.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        return Resident.from_row(row) if row else None

    async def set_language(
        self, user_id: int, chat_id: int, language: str, now: datetime
    ) -> Resident:
        """Remember a language choice, creating the minimal row if needed."""
        async with self._store.transaction() as db:
            await db.execute(
                """
                INSERT INTO residents (user_id, chat_id, language, first_seen_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,
                                                    chat_id = excluded.chat_id
                """,
                (user_id, chat_id, language, to_db(now), to_db(now)),
            )
        return await self._require(user_id)

    async def consent(
        self,
        user_id: int,
        chat_id: int,
        language: str,
        now: datetime,
        *,
        source_id: int | None = None,
    ) -> Resident:
        """Record consent to the current privacy notice (and the language it was read in).

        A resident's first consent records the source whose link brought them
        (``source_id``), and counts them as a new resident for it.
        """
        async with self._store.transaction() as db:
            async with db.execute(
                "SELECT 1 FROM residents WHERE user_id = ? AND consented_at IS NOT NULL",
                (user_id,),
            ) as cursor:
                first = await cursor.fetchone() is None
            await db.execute(
                """
                INSERT INTO residents (user_id, chat_id, language, first_seen_at,
                                       last_seen_at, consented_at, consent_version)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    chat_id = excluded.chat_id,
                    language = COALESCE(residents.language, excluded.language),
                    consented_at = excluded.consented_at,
                    consent_version = excluded.consent_version,
                    blocked = 0
                """,
                (
                    user_id,
                    chat_id,
                    language,
                    to_db(now),
                    to_db(now),
                    to_db(now),
                    PRIVACY_NOTICE_VERSION,
                ),
            )
            if first and source_id is not None:
                await db.execute(
                    "UPDATE residents SET source_id = ? WHERE user_id = ?", (source_id, user_id)
                )
                await record_event(db, source_id, SourceEvent.RESIDENT, now)
        return await self._require(user_id)

    async def forget(self, user_id: int, now: datetime) -> ForgetResult:
        """Erase the resident everywhere; their coming places go to the waitlist.

        Checked against every table in bot/db/migrations.py (tests/test_privacy.py searches
        them all). Sign-ups stay only as unlinked counts (activity, party size, status,
        attendance), so the reports still add up. Erased with the resident: their row,
        interests, offer of help, the comments and link of their feedback, deliveries
        (sent and pending), the first name on sign-ups, and which post-activity
        questions they were sent; what the report counts of these stays as anonymous
        remains (bot/db/remains.py).
        Unlinked feedback and answer tokens point to nobody by design, and the audit log
        keeps staff actions (ids only) for accountability. The message ids of staff
        members' copies of an offer go with the offer, and only with it: they stay when
        a staff member erases themselves, so the volunteer's own erasure can still edit
        every copy.
        """
        async with self._store.transaction() as db:
            rows = await read_all(db, "SELECT chat_id FROM residents WHERE user_id = ?", (user_id,))
            chat_id = rows[0][0] if rows else user_id
            # One resident: plain parameters, which use the tables' indexes directly.
            chosen = _Chosen("?", (user_id,), "?", (chat_id,), [(user_id, chat_id)])
            # The staff's posts about their offer lose its details: at their request.
            erased = await _erase_chosen(db, chosen, now, self._default_language, "offer_erased")
            return ForgetResult(
                bool(erased.residents), erased.promotions, erased.reopened, erased.hosts
            )

    async def forget_inactive(
        self, inactive_since: datetime, warned_before: datetime, now: datetime, limit: int
    ) -> Erased:
        """Erase up to ``limit`` residents unseen since then and warned long enough ago.

        One transaction, set-based (the same erasure as ``forget``); retention calls it
        until fewer than ``limit`` come back.
        """
        async with self._store.transaction() as db:
            await db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS erasing"
                " (user_id INTEGER PRIMARY KEY, chat_id INTEGER)"
            )
            await db.execute("DELETE FROM temp.erasing")
            await db.execute(
                "INSERT INTO temp.erasing (user_id, chat_id) SELECT user_id, chat_id"
                f" FROM residents WHERE {_INACTIVE} AND retention_warned_at IS NOT NULL"
                " AND retention_warned_at <= ? ORDER BY user_id LIMIT ?",
                (to_db(inactive_since), to_db(warned_before), limit),
            )
            rows = await read_all(db, "SELECT user_id, chat_id FROM temp.erasing ORDER BY user_id")
            chosen = _Chosen(
                "SELECT e.user_id FROM temp.erasing e",
                (),
                "SELECT e.chat_id FROM temp.erasing e",
                (),
                [(int(row[0]), int(row[1])) for row in rows],
            )
            return await _erase_chosen(db, chosen, now, self._default_language, "offer_expired")

    async def due_for_warning(self, inactive_since: datetime) -> list[Resident]:
        """Return residents unseen since then who have not been warned yet (retention)."""
        rows = await self._store.fetch_all(
            f"SELECT * FROM residents WHERE {_INACTIVE} AND retention_warned_at IS NULL"
            " ORDER BY user_id",
            (to_db(inactive_since),),
        )
        return [Resident.from_row(row) for row in rows]

    async def mark_all_warned(
        self, user_ids: list[int], now: datetime, *, inactive_since: datetime
    ) -> None:
        """Record that these residents were told their data will be erased; one transaction.

        Only those still unseen since ``inactive_since``: one who came back between the
        warning's sending and this record is not warned any more (``touch``).
        """
        async with self._store.transaction() as db:
            await db.executemany(
                "UPDATE residents SET retention_warned_at = ?"
                f" WHERE user_id = ? AND retention_warned_at IS NULL AND {_INACTIVE}",
                [(to_db(now), user_id, to_db(inactive_since)) for user_id in user_ids],
            )

    async def touch(self, user_id: int, now: datetime) -> None:
        """Record that the resident used Nabo now; this also cancels a retention warning."""

        def seen(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE residents SET last_seen_at = ?, retention_warned_at = NULL"
                " WHERE user_id = ?",
                (to_db(now), user_id),
            )

        # On the way to a resident's first journey of the day: one trip to the database's
        # thread for the whole transaction.
        await self._store.write(seen)

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        """Mark whether the resident has blocked the bot; return whether a row changed."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE residents SET blocked = ? WHERE user_id = ? AND blocked != ?",
                (int(blocked), user_id, int(blocked)),
            )
            return cursor.rowcount > 0

    async def set_subscribed(self, user_id: int, on: bool) -> None:
        """Turn announcements (broadcasts and the weekly overview) on or off."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE residents SET subscribed = ? WHERE user_id = ?", (int(on), user_id)
            )

    async def set_reminders(self, user_id: int, on: bool, now: datetime | None = None) -> None:
        """Turn reminders before activities on or off for a resident.

        Turning them on at ``now`` means reminders from then on: one already due is not
        sent late (see SignupRepository.reminder_targets).
        """
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE residents SET reminders_on_at = CASE WHEN :on AND reminders = 0"
                " THEN :now ELSE reminders_on_at END, reminders = :on WHERE user_id = :user",
                {"on": int(on), "now": to_db(now) if now else None, "user": user_id},
            )

    async def _require(self, user_id: int) -> Resident:
        resident = await self.get(user_id)
        if resident is None:  # pragma: no cover - only if the row vanished mid-call
            raise LookupError(f"resident {user_id} disappeared")
        return resident


@dataclass(frozen=True, slots=True)
class _Chosen:
    """Who is being erased: SQL (a subquery, or ``?``) for their user and chat ids."""

    users: str
    user_params: tuple[Any, ...]
    chats: str
    chat_params: tuple[Any, ...]
    residents: list[tuple[int, int]]


async def _erase_chosen(
    db: aiosqlite.Connection,
    chosen: _Chosen,
    now: datetime,
    default_language: str,
    offer_edit: str,
) -> Erased:
    """Erase the chosen residents everywhere, set-based; in the caller's transaction.

    Checked against every table in bot/db/migrations.py (tests/test_privacy.py searches
    them all). See ``ResidentRepository.forget`` for what goes and what stays.
    ``offer_edit`` is the kind of team message that edits the staff's posts about their
    offers of help (offer_erased at their request, offer_expired for inactivity).
    """
    if not chosen.residents:
        return Erased([], [], [], [])
    who, params = chosen.users, chosen.user_params
    offers = [
        Offer.from_row(row)
        for row in await read_all(
            db, f"{OFFERS_SQL} WHERE o.user_id IN ({who}) ORDER BY o.id", params
        )
    ]
    promotions = await cancel_all_where(db, who, params, now, default_language=default_language)
    # Deliveries and questions also go explicitly, not only by foreign key, so nothing
    # depends on PRAGMA foreign_keys alone. What the staff's report counts stays as
    # anonymous remains (bot/db/remains.py).
    users = f"user_id IN ({who})"
    await delete_deliveries_where(db, users, params)
    await db.execute(
        f"DELETE FROM feedback_requests WHERE signup_id IN (SELECT id FROM signups WHERE {users})",
        params,
    )
    await unlink_feedback_where(db, users, params)
    # Every post about their offers of help (the staff chat's, each staff member's copy)
    # loses its details: durable edits, written with the erasure, that the running bot
    # makes (also when the erasure came from the command line).
    posts = [(offer.id, offer.staff_message_id, offer.staff_copies) for offer in offers]
    await record_offer_edits(db, posts, offer_edit, now)
    await delete_offers(db, users, params)
    await db.execute(f"DELETE FROM resident_interests WHERE {users}", params)
    reopened = await forget_translators_and_staff(db, who, params, now)
    # Check-ins at the door stay as counts, unlinked.
    await db.execute(f"UPDATE door_checkins SET user_id = NULL WHERE {users}", params)
    # The counts stay, unlinked; the name given to Telegram goes with them.
    await db.execute(f"UPDATE signups SET user_id = NULL, first_name = NULL WHERE {users}", params)
    # A staff member or host: who registered a person, messages to them, hosting. Most
    # residents are neither: one look first spares them the statements.
    hosts: list[int] = []
    if await _beyond_the_chat(db, who, params):
        await forget_as_actors(db, who, params)
        hosts = await forget_hosts(db, who, params)
    # Only a staff member who erases themselves appears on broadcasts they sent.
    await db.execute(
        f"UPDATE broadcasts SET staff_user_id = NULL WHERE staff_user_id IN ({who})", params
    )
    await db.execute(
        "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL"
        f" WHERE progress_chat_id IN ({chosen.chats})",
        chosen.chat_params,
    )
    cursor = await db.execute(f"DELETE FROM residents WHERE {users}", params)
    # Retention chooses residents by their rows; only forget() may name someone without one
    # (a host or staff member who never used Nabo as a resident: erased all the same).
    found = chosen.residents if cursor.rowcount > 0 else []
    return Erased(found, promotions, reopened, hosts)


async def _beyond_the_chat(db: aiosqlite.Connection, who: str, params: tuple[Any, ...]) -> bool:
    """Tell whether any of them hosts, invited, proposed, registered or got a team message."""
    rows = await read_all(
        db,
        f"""
        SELECT EXISTS (SELECT 1 FROM hosts WHERE user_id IN ({who}))
            OR EXISTS (SELECT 1 FROM host_invitations WHERE created_by IN ({who}))
            OR EXISTS (SELECT 1 FROM activity_proposals
                        WHERE proposed_by IN ({who}) OR decided_by IN ({who}))
            OR EXISTS (SELECT 1 FROM offline_people WHERE registered_by IN ({who}))
            OR EXISTS (SELECT 1 FROM team_messages WHERE chat_id IN ({who}))
        """,
        params * 6,
    )
    return bool(rows[0][0])

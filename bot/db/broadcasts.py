"""Repository for broadcasts and their deliveries: who gets what, durably, exactly once.

A broadcast becomes one delivery row per recipient, committed before anything is sent.
A delivery goes pending → sending → sent | blocked | failed, and a row found in
``sending`` after a restart becomes ``uncertain`` and is never sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.notice_version import PRIVACY_NOTICE_VERSION
from bot.db.store import Store, read_all, read_one

SUBSCRIBERS = "subscribers"
LANGUAGE_PREFIX = "language:"  # + da | ar | en
ACTIVITY_PREFIX = "activity:"  # + activity id: those signed up or waiting
INTERESTED_PREFIX = "interested:"  # + activity id: subscribers whose interests match it
DIGEST = "digest"
VOLUNTEERS = "volunteers"  # residents with an offer of help standing (bot/db/volunteers.py)


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A broadcast as stored."""

    id: int
    kind: str
    staff_user_id: int | None
    text_da: str | None
    text_ar: str | None
    text_en: str | None
    activity_id: int | None
    audience: str
    digest_week: str | None
    status: str
    created_at: datetime
    send_at: datetime
    finished_at: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None

    @classmethod
    def from_row(cls, row: Any) -> Broadcast:
        """Build a Broadcast from a ``broadcasts`` row."""
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row
        for key in ("created_at", "send_at", "finished_at"):
            values[key] = from_db(values[key])
        return cls(**values)

    def text(self, language: str) -> str:
        """Return the text in ``language``, else the Danish one."""
        return getattr(self, f"text_{language}", None) or self.text_da or ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One recipient of one broadcast."""

    id: int
    broadcast_id: int
    user_id: int | None
    chat_id: int
    language: str
    status: str

    @classmethod
    def from_row(cls, row: Any) -> Delivery:
        """Build a Delivery from a ``deliveries`` row."""
        return cls(
            row["id"],
            row["broadcast_id"],
            row["user_id"],
            row["chat_id"],
            row["language"],
            row["status"],
        )


# Announcements reach residents who accepted the current notice and have not blocked Nabo.
_REACHABLE = f"r.consent_version = {PRIVACY_NOTICE_VERSION} AND r.blocked = 0"
# News about what a resident already did (a sign-up, an offer of help) reaches anyone who
# accepted any version: a cancelled or moved activity must reach those signed up even
# before they have been shown, and accepted, an updated notice.
_INVOLVED = "r.consented_at IS NOT NULL AND r.blocked = 0"


def _audience_sql(audience: str) -> tuple[str, tuple[Any, ...]]:
    """Return SQL selecting (user_id, chat_id, language) of an audience's residents."""
    base = (
        "SELECT r.user_id, r.chat_id, COALESCE(r.language, :default) AS language FROM residents r"
    )
    # The weekly overview goes to subscribers; who has something to read is decided
    # per resident when it is written (bot/work/digest.py).
    if audience in (SUBSCRIBERS, DIGEST):
        return f"{base} WHERE {_REACHABLE} AND r.subscribed = 1", ()
    if audience == VOLUNTEERS:
        # "An active offer": not withdrawn, and not put on hold by staff ("not now").
        # Messages about their offer reach volunteers whether or not they want news.
        return (
            f"{base} WHERE {_INVOLVED} AND r.user_id IN (SELECT v.user_id"
            " FROM volunteer_offers v WHERE v.status IN ('new', 'contacted', 'active'))",
            (),
        )
    if audience.startswith(LANGUAGE_PREFIX):
        language = audience.removeprefix(LANGUAGE_PREFIX)
        return (
            f"{base} WHERE {_REACHABLE} AND r.subscribed = 1"
            " AND COALESCE(r.language, :default) = ?",
            (language,),
        )
    if audience.startswith(ACTIVITY_PREFIX):
        activity_id = int(audience.removeprefix(ACTIVITY_PREFIX))
        return (
            f"{base} WHERE {_INVOLVED} AND r.user_id IN (SELECT s.user_id FROM signups s"
            " WHERE s.activity_id = ? AND s.status IN ('confirmed', 'waitlisted'))",
            (activity_id,),
        )
    if audience.startswith(INTERESTED_PREFIX):
        activity_id = int(audience.removeprefix(INTERESTED_PREFIX))
        # No stored choice of a kind means "all of them".
        return (
            f"""{base}, activities a
             WHERE a.id = ? AND {_REACHABLE} AND r.subscribed = 1
               AND (NOT EXISTS (SELECT 1 FROM resident_interests i
                                WHERE i.user_id = r.user_id AND i.kind = 'delaftale')
                    OR EXISTS (SELECT 1 FROM resident_interests i WHERE i.user_id = r.user_id
                               AND i.kind = 'delaftale' AND i.value = a.delaftale))
               AND (NOT EXISTS (SELECT 1 FROM resident_interests i
                                WHERE i.user_id = r.user_id AND i.kind = 'area')
                    OR EXISTS (SELECT 1 FROM resident_interests i WHERE i.user_id = r.user_id
                               AND i.kind = 'area' AND i.value = a.area))""",
            (activity_id,),
        )
    raise ValueError(f"unknown audience {audience!r}")


def _named(
    sql: str, positional: tuple[Any, ...], default_language: str
) -> tuple[str, dict[str, Any]]:
    """Turn the audience SQL's ? markers into named ones, beside :default."""
    params: dict[str, Any] = {"default": default_language}
    for index, value in enumerate(positional):
        sql = sql.replace("?", f":p{index}", 1)
        params[f"p{index}"] = value
    return sql, params


async def insert_broadcast(
    db: aiosqlite.Connection,
    *,
    kind: str,
    audience: str,
    send_at: datetime,
    now: datetime,
    staff_user_id: int | None = None,
    texts: dict[str, str | None] | None = None,
    activity_id: int | None = None,
    digest_week: str | None = None,
    progress: tuple[int, int | None] | None = None,
) -> int | None:
    """Store a scheduled broadcast inside a transaction; None if this week's digest exists.

    Also used where a broadcast comes from something else in the same transaction (a
    draft that waited for its translations, bot/db/translations.py).
    """
    texts = texts or {}
    _audience_sql(audience)  # refuse an unknown audience before storing anything
    cursor = await db.execute(
        """
        INSERT INTO broadcasts (
            kind, staff_user_id, text_da, text_ar, text_en, activity_id, audience,
            digest_week, status, created_at, send_at, progress_chat_id, progress_message_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)
        ON CONFLICT (digest_week) DO NOTHING
        """,
        (
            kind,
            staff_user_id,
            texts.get("da"),
            texts.get("ar"),
            texts.get("en"),
            activity_id,
            audience,
            digest_week,
            to_db(now),
            to_db(send_at),
            progress[0] if progress else None,
            progress[1] if progress else None,
        ),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def insert_announcement(
    db: aiosqlite.Connection, activity_id: int, staff_user_id: int, now: datetime
) -> int:
    """Store a new activity's announcement, to start now, inside a transaction; return its id.

    To subscribers whose interests match the activity; its final report goes to the staff
    member's private chat. In the transaction that publishes the activity (or that ends
    its wait for translations), so a stop right after cannot lose it: a scheduled
    broadcast whose time has come is started by the jobs' rebuild.
    """
    broadcast_id = await insert_broadcast(
        db,
        kind="announcement",
        audience=f"{INTERESTED_PREFIX}{activity_id}",
        send_at=now,
        now=now,
        staff_user_id=staff_user_id,
        activity_id=activity_id,
        # Staff write in private chats: the final report goes to the same id.
        progress=(staff_user_id, None),
    )
    assert broadcast_id is not None  # only a weekly overview can already exist
    return broadcast_id


class BroadcastRepository:
    """SQL for the ``broadcasts`` and ``deliveries`` tables."""

    def __init__(self, store: Store, default_language: str) -> None:
        """Use the process's store; recipients without a language get the default."""
        self._store = store
        self._default_language = default_language

    async def audience(self, audience: str) -> list[tuple[int, int, str]]:
        """Return (user id, chat id, language) of everyone an audience reaches right now."""
        sql, params = _named(*_audience_sql(audience), self._default_language)
        return [(row[0], row[1], row[2]) for row in await self._store.fetch_all(sql, params)]

    async def count_audience(self, audience: str) -> int:
        """Count who an audience reaches right now (for the staff's preview)."""
        sql, params = _named(*_audience_sql(audience), self._default_language)
        row = await self._store.fetch_one(f"SELECT COUNT(*) FROM ({sql})", params)
        return int(row[0]) if row else 0

    async def count_audience_by_language(self, audience: str) -> dict[str, int]:
        """Count who an audience reaches right now, per language they read Nabo in."""
        sql, params = _named(*_audience_sql(audience), self._default_language)
        rows = await self._store.fetch_all(
            f"SELECT language, COUNT(*) FROM ({sql}) GROUP BY language", params
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def create(
        self,
        *,
        kind: str,
        audience: str,
        send_at: datetime,
        now: datetime,
        staff_user_id: int | None = None,
        texts: dict[str, str | None] | None = None,
        activity_id: int | None = None,
        digest_week: str | None = None,
        progress: tuple[int, int | None] | None = None,
    ) -> int | None:
        """Store a broadcast to send at ``send_at``; None if this week's digest exists."""
        async with self._store.transaction() as db:
            return await insert_broadcast(
                db,
                kind=kind,
                audience=audience,
                send_at=send_at,
                now=now,
                staff_user_id=staff_user_id,
                texts=texts,
                activity_id=activity_id,
                digest_week=digest_week,
                progress=progress,
            )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return a broadcast by id."""
        row = await self._store.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return Broadcast.from_row(row) if row else None

    async def set_progress_message(
        self, broadcast_id: int, chat_id: int, message_id: int | None
    ) -> None:
        """Remember where to report the broadcast: a message to edit, or None for a new one."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    async def due(self, now: datetime) -> list[Broadcast]:
        """Return scheduled broadcasts whose time has come."""
        rows = await self._store.fetch_all(
            "SELECT * FROM broadcasts WHERE status = 'scheduled' AND send_at <= ? ORDER BY id",
            (to_db(now),),
        )
        return [Broadcast.from_row(row) for row in rows]

    async def scheduled(self) -> list[Broadcast]:
        """Return broadcasts waiting for their time, soonest first."""
        rows = await self._store.fetch_all(
            "SELECT * FROM broadcasts WHERE status = 'scheduled' ORDER BY send_at, id"
        )
        return [Broadcast.from_row(row) for row in rows]

    async def cancel(self, broadcast_id: int) -> bool:
        """Cancel a broadcast that has not started sending."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcasts SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'",
                (broadcast_id,),
            )
            return cursor.rowcount == 1

    async def start(self, broadcast_id: int, now: datetime) -> int:
        """Write one pending delivery per recipient, then mark the broadcast as sending.

        Idempotent: a second call (after a crash in between) adds nobody twice.
        """
        async with self._store.transaction() as db:
            # Read the status inside the transaction: a cancel cannot slip in between.
            row = await read_one(db, "SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
            if row is None or row["status"] != "scheduled":
                return 0
            broadcast = Broadcast.from_row(row)
            sql, params = _named(*_audience_sql(broadcast.audience), self._default_language)
            # "WHERE 1": SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT.
            cursor = await db.execute(
                f"""
                INSERT INTO deliveries
                    (broadcast_id, user_id, chat_id, language, status, updated_at)
                SELECT :broadcast, user_id, chat_id, language, 'pending', :now FROM ({sql}) WHERE 1
                ON CONFLICT (broadcast_id, user_id) DO NOTHING
                """,
                {**params, "broadcast": broadcast_id, "now": to_db(now)},
            )
            added = cursor.rowcount
            await db.execute(
                "UPDATE broadcasts SET status = 'sending' WHERE id = ? AND status = 'scheduled'",
                (broadcast_id,),
            )
        return added

    async def create_digest(
        self, week: str, recipients: list[tuple[int, int, str]], now: datetime
    ) -> int | None:
        """Store this week's overview with its deliveries, all at once; None if it exists.

        One transaction: a crash can leave either nothing or the whole overview, never a
        scheduled overview without its chosen recipients.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                """
                INSERT INTO broadcasts (kind, audience, digest_week, status, created_at, send_at)
                VALUES ('digest', ?, ?, 'sending', ?, ?)
                ON CONFLICT (digest_week) DO NOTHING
                """,
                (DIGEST, week, to_db(now), to_db(now)),
            )
            if cursor.rowcount != 1:
                return None
            broadcast_id = cursor.lastrowid
            await db.executemany(
                "INSERT INTO deliveries"
                " (broadcast_id, user_id, chat_id, language, status, updated_at)"
                " VALUES (?, ?, ?, ?, 'pending', ?)",
                [(broadcast_id, *recipient, to_db(now)) for recipient in recipients],
            )
            return broadcast_id

    async def add_deliveries(
        self, broadcast_id: int, recipients: list[tuple[int, int, str]], now: datetime
    ) -> int:
        """Write pending deliveries for chosen recipients (user, chat, language); mark sending."""
        async with self._store.transaction() as db:
            cursor = await db.executemany(
                "INSERT INTO deliveries"
                " (broadcast_id, user_id, chat_id, language, status, updated_at)"
                " VALUES (?, ?, ?, ?, 'pending', ?)"
                " ON CONFLICT (broadcast_id, user_id) DO NOTHING",
                [(broadcast_id, *recipient, to_db(now)) for recipient in recipients],
            )
            await db.execute(
                "UPDATE broadcasts SET status = 'sending' WHERE id = ? AND status = 'scheduled'",
                (broadcast_id,),
            )
            return cursor.rowcount

    async def recover(self, now: datetime) -> int:
        """After a restart: a delivery left in ``sending`` may have gone out; never resend it."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE deliveries SET status = 'uncertain', updated_at = ?"
                " WHERE status = 'sending'",
                (to_db(now),),
            )
            return cursor.rowcount

    async def next_pending(self, limit: int) -> list[Delivery]:
        """Return the next pending deliveries of broadcasts that are sending, oldest first."""
        rows = await self._store.fetch_all(
            """
            SELECT d.* FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
             WHERE d.status = 'pending' AND b.status = 'sending'
             ORDER BY d.broadcast_id, d.id LIMIT ?
            """,
            (limit,),
        )
        return [Delivery.from_row(row) for row in rows]

    async def claim(self, delivery_id: int, now: datetime) -> bool:
        """Move a delivery from pending to sending (committed before the send)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE deliveries SET status = 'sending', updated_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (to_db(now), delivery_id),
            )
            return cursor.rowcount == 1

    async def settle(
        self, delivery_id: int, status: str, now: datetime, error: str | None = None
    ) -> None:
        """Record how a send ended: sent, blocked, failed, uncertain, or pending (retry)."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE deliveries SET status = ?, error = ?, updated_at = ? WHERE id = ?",
                (status, error, to_db(now), delivery_id),
            )

    async def finish_completed(self, now: datetime) -> list[int]:
        """Mark sending broadcasts with nothing left to send as done; return their ids."""
        async with self._store.transaction() as db:
            rows = await read_all(
                db,
                """
                SELECT b.id FROM broadcasts b WHERE b.status = 'sending' AND NOT EXISTS (
                    SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id
                       AND d.status IN ('pending', 'sending'))
                """,
            )
            done = [row[0] for row in rows]
            for broadcast_id in done:
                await db.execute(
                    "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ?",
                    (to_db(now), broadcast_id),
                )
        return done

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        """Count a broadcast's deliveries by status, those to residents erased since too."""
        rows = await self._store.fetch_all(
            "SELECT status, SUM(n) FROM (SELECT status, 1 AS n FROM deliveries"
            " WHERE broadcast_id = :id UNION ALL SELECT status, count FROM erased_deliveries"
            " WHERE broadcast_id = :id) GROUP BY status",
            {"id": broadcast_id},
        )
        counts = dict.fromkeys(("pending", "sending", "sent", "blocked", "failed", "uncertain"), 0)
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    async def sending(self) -> list[Broadcast]:
        """Return broadcasts currently being sent."""
        rows = await self._store.fetch_all(
            "SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id"
        )
        return [Broadcast.from_row(row) for row in rows]

"""The team's outbox: durable messages to staff and hosts, written with what caused them.

Some news has no one in the chat to tell: a person signed up on their behalf moved up
from the waitlist, or their activity changed, and someone must call them. Such a
message is a row here, written in the same transaction as its cause (a promotion, a
cancellation), so a crash can lose neither. The running bot addresses a row for the
``team`` (the staff chat, or each staff member, and the activity's hosts: one row each,
in their language), then sends each addressed row the way the delivery sender sends
broadcasts: claimed (``pending`` → ``sending``, committed) before it is sent, settled
after, and ``uncertain`` if found in ``sending`` after a restart (never sent twice).
Rows hold references, not texts: a name or phone number is read when the message is
written, so an erased person is never named in it.

Rows for one chat (``audience = 'chat'``) or the staff chat can also carry a
``message_id``: then the message is an edit of that earlier post (the details of an
offer of help taken away after an erasure on the command line, say).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.store import Store

# What a team message is about (bot/views/team_messages.py writes each).
KINDS = (
    "promoted",  # a person without Telegram moved up from the waitlist: call them
    "changed",  # an activity moved: call those without Telegram
    "cancelled",  # an activity was cancelled: call those without Telegram
    "call_list",  # the day before: who to call
    "proposal",  # a host proposed an activity (staff only)
    "offer_erased",  # edit: the volunteer's data was deleted at their request
    "offer_expired",  # edit: the volunteer's data was deleted for inactivity
)
# Kinds about an activity: the activity's hosts get them too, not only staff.
FOR_HOSTS = frozenset({"promoted", "changed", "cancelled", "call_list"})
# Finished rows are kept this long (for /mydata and the log), then deleted by retention.
SETTLED = ("sent", "failed", "uncertain", "void", "addressed")


@dataclass(frozen=True, slots=True)
class TeamMessage:
    """One message to the team or to one chat, as stored."""

    id: int
    kind: str
    activity_id: int | None
    signup_id: int | None
    number: int | None
    audience: str
    chat_id: int | None
    message_id: int | None
    language: str | None
    status: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> TeamMessage:
        """Build a TeamMessage from a ``team_messages`` row."""
        created = from_db(row["created_at"])
        assert created is not None
        return cls(
            id=row["id"],
            kind=row["kind"],
            activity_id=row["activity_id"],
            signup_id=row["signup_id"],
            number=row["number"],
            audience=row["audience"],
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            language=row["language"],
            status=row["status"],
            created_at=created,
        )


@dataclass(frozen=True, slots=True)
class Address:
    """Where one copy goes: the staff chat (no chat id), or a chat, in a language."""

    chat_id: int | None
    language: str


async def record_team_message(
    db: aiosqlite.Connection,
    kind: str,
    now: datetime,
    activity_id: int | None = None,
    *,
    signup_id: int | None = None,
    number: int | None = None,
    chat_id: int | None = None,
    staff_chat: bool = False,
    message_id: int | None = None,
    language: str | None = None,
) -> bool:
    """Write one message for the team (or one chat, or the staff chat), in a transaction.

    Returns False when it is already there (the day's call list, written once).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown team message {kind!r}")
    audience = "chat" if chat_id is not None else "staff_chat" if staff_chat else "team"
    cursor = await db.execute(
        "INSERT INTO team_messages (kind, activity_id, signup_id, number, audience, chat_id,"
        " message_id, language, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING",
        (
            kind,
            activity_id,
            signup_id,
            number,
            audience,
            chat_id,
            message_id,
            language,
            to_db(now),
            to_db(now),
        ),
    )
    return cursor.rowcount == 1


async def record_offer_edits(
    db: aiosqlite.Connection,
    posts: Iterable[tuple[int, int | None, Mapping[int, int]]],
    kind: str,
    now: datetime,
) -> None:
    """Write an edit for every staff post about offers of help (in a transaction).

    ``posts``: for each offer, its number, the staff chat's post (if any) and each staff
    member's copy (staff user id → message id). Each post then says the offer was
    removed, without its details; ``kind`` says why (offer_erased or offer_expired).
    """
    for number, staff_message_id, copies in posts:
        if staff_message_id is not None:
            await record_team_message(
                db, kind, now, number=number, staff_chat=True, message_id=staff_message_id
            )
        for staff_user_id, message_id in sorted(copies.items()):
            await record_team_message(
                db, kind, now, number=number, chat_id=staff_user_id, message_id=message_id
            )


class TeamMessageRepository:
    """SQL for the ``team_messages`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def record(self, kind: str, now: datetime, activity_id: int | None = None) -> bool:
        """Write one message for the team in a transaction of its own (see the function)."""
        async with self._store.transaction() as db:
            return await record_team_message(db, kind, now, activity_id)

    async def unaddressed(self, limit: int) -> list[TeamMessage]:
        """Return messages for the team that do not know their recipients yet."""
        rows = await self._store.fetch_all(
            "SELECT * FROM team_messages WHERE audience = 'team' AND status = 'pending'"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [TeamMessage.from_row(row) for row in rows]

    async def address(self, message: TeamMessage, to: list[Address], now: datetime) -> int:
        """Write one copy per recipient and mark the team's row done; all at once."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE team_messages SET status = 'addressed', updated_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (to_db(now), message.id),
            )
            if cursor.rowcount != 1:
                return 0
            await db.executemany(
                "INSERT INTO team_messages (kind, activity_id, signup_id, number, audience,"
                " chat_id, language, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                [
                    (
                        message.kind,
                        message.activity_id,
                        message.signup_id,
                        message.number,
                        "staff_chat" if address.chat_id is None else "chat",
                        address.chat_id,
                        address.language,
                        to_db(message.created_at),
                        to_db(now),
                    )
                    for address in to
                ],
            )
            return len(to)

    async def next_pending(self, limit: int) -> list[TeamMessage]:
        """Return addressed messages waiting to be sent, oldest first."""
        rows = await self._store.fetch_all(
            "SELECT * FROM team_messages WHERE audience != 'team' AND status = 'pending'"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [TeamMessage.from_row(row) for row in rows]

    async def claim(self, message_id: int, now: datetime) -> bool:
        """Move a message from pending to sending (committed before the send)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE team_messages SET status = 'sending', updated_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (to_db(now), message_id),
            )
            return cursor.rowcount == 1

    async def settle(self, message_id: int, status: str, now: datetime) -> None:
        """Record how a send ended: sent, failed, uncertain, void, or pending (retry)."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE team_messages SET status = ?, updated_at = ? WHERE id = ?",
                (status, to_db(now), message_id),
            )

    async def recover(self, now: datetime) -> int:
        """After a restart: a message left in ``sending`` may have gone out; never resend it."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE team_messages SET status = 'uncertain', updated_at = ?"
                " WHERE status = 'sending'",
                (to_db(now),),
            )
            return cursor.rowcount

    async def delete_settled_before(self, before: datetime) -> int:
        """Delete messages finished before then (retention)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                f"DELETE FROM team_messages WHERE status IN ({', '.join('?' * len(SETTLED))})"
                " AND updated_at < ?",
                (*SETTLED, to_db(before)),
            )
            return cursor.rowcount

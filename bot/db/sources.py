"""Repository for sources: where staff put a link up, and what came in through each.

A source is a name staff give ("Opslag Houlkær opgang 12", "Flyer Vestervang Skole") and a
short random code carried in the links printed or posted there. What the report counts per
source (new residents, sign-ups, check-ins) is kept as events with no person in them, to
the hour, so the counts still add up after any erasure (as bot/db/remains.py does).
"""

from __future__ import annotations

import secrets
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.store import Store, read_one, read_snapshot

# Built in (migration 12): residents who share an activity with a neighbour.
INVITE_CODE = "invite"
# Codes are read off paper only by a phone, but staff type them on the command line:
# no letters that look alike (l/1, o/0).
_CODE_LETTERS = "abcdefghijkmnpqrstuvwxyz23456789"
CODE_LENGTH = 6
MAX_NAME = 100


class SourceEvent(StrEnum):
    """What a source's link brought in."""

    RESIDENT = "resident"  # a new resident's first start
    SIGNUP = "signup"
    CHECKIN = "checkin"


@dataclass(frozen=True, slots=True)
class Source:
    """A place a link is put up, as stored."""

    id: int
    code: str
    name: str
    created_at: datetime
    deleted_at: datetime | None

    @property
    def is_active(self) -> bool:
        """Tell whether links with this source still count (it has not been deleted)."""
        return self.deleted_at is None

    @classmethod
    def from_row(cls, row: Any) -> Source:
        """Build a Source from a ``sources`` row."""
        created = from_db(row["created_at"])
        assert created is not None
        return cls(row["id"], row["code"], row["name"], created, from_db(row["deleted_at"]))


# Draws of a fresh code before giving up: with 32**6 codes, a second is already rare.
_CODE_DRAWS = 20


def new_code() -> str:
    """Return a random source code."""
    return "".join(secrets.choice(_CODE_LETTERS) for _ in range(CODE_LENGTH))


def source_name(text: str) -> str:
    """Return a place's name as stored: one line, single spaces, no control characters.

    A control character is never part of a name, and SQLite counts a text's length only
    up to a NUL, so the table's check would refuse a name that holds one.
    """
    visible = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return " ".join(visible.split())


def _hour(now: datetime) -> str:
    # To the hour, as erased offers: the report's periods start on whole UTC hours.
    return to_db(now.replace(minute=0, second=0, microsecond=0))


_EVENT = "INSERT INTO source_events (source_id, kind, at) VALUES (?, ?, ?)"


async def record_event(
    db: aiosqlite.Connection, source_id: int | None, kind: SourceEvent, now: datetime
) -> None:
    """Count one thing a source brought in, inside the caller's transaction (None: nothing)."""
    if source_id is None:
        return
    await db.execute(_EVENT, (source_id, kind.value, _hour(now)))


def count_event(
    connection: sqlite3.Connection, source_id: int | None, kind: SourceEvent, now: datetime
) -> None:
    """As ``record_event``, on the database's thread (``Store.write``)."""
    if source_id is not None:
        connection.execute(_EVENT, (source_id, kind.value, _hour(now)))


# Shared by the repository and the snapshot reader below (posters, offline).
_BY_CODE = "SELECT * FROM sources WHERE code = ?"


def read_source(connection: sqlite3.Connection, code: str) -> Source | None:
    """Return the source with this code from a snapshot (offline tools), deleted or not."""
    rows = read_snapshot(connection, _BY_CODE, (code,))
    return Source.from_row(rows[0]) if rows else None


class SourceRepository:
    """SQL for the ``sources`` table."""

    def __init__(self, store: Store, *, new_code: Callable[[], str] = new_code) -> None:
        """Use the process's store; ``new_code`` draws codes (random; tests choose them)."""
        self._store = store
        self._new_code = new_code

    async def create(self, name: str, now: datetime) -> Source:
        """Name a new source and give it a fresh random code.

        Only a code already taken makes it draw another; any other refusal by the database
        is an error, raised as it is.
        """
        name = source_name(name)
        if not 0 < len(name) <= MAX_NAME:
            raise ValueError(f"a source's name is 1-{MAX_NAME} characters")
        async with self._store.transaction() as db:
            for _ in range(_CODE_DRAWS):
                row = await read_one(
                    db,
                    "INSERT INTO sources (code, name, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (code) DO NOTHING RETURNING *",
                    (self._new_code(), name, to_db(now)),
                )
                if row is not None:
                    return Source.from_row(row)
        raise RuntimeError("no free source code found")

    async def get(self, source_id: int) -> Source | None:
        """Return the source with this id, deleted or not."""
        row = await self._store.fetch_one("SELECT * FROM sources WHERE id = ?", (source_id,))
        return Source.from_row(row) if row else None

    async def by_code(self, code: str) -> Source | None:
        """Return the source with this code, deleted or not."""
        row = await self._store.fetch_one(_BY_CODE, (code,))
        return Source.from_row(row) if row else None

    async def page(
        self, *, limit: int, offset: int = 0, invite: bool = True
    ) -> tuple[list[Source], int]:
        """Return a page of the sources whose links count, by name, and how many there are.

        The built-in invitation comes last; without ``invite``, it is left out (it is no
        place staff put a link up).
        """
        where = " FROM sources WHERE deleted_at IS NULL AND (:invite OR code != :invite_code)"
        params = {"invite": int(invite), "invite_code": INVITE_CODE}
        total = await self._store.fetch_one("SELECT COUNT(*)" + where, params)
        rows = await self._store.fetch_all(
            f"SELECT * {where} ORDER BY code = :invite_code, name, id LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset},
        )
        return [Source.from_row(row) for row in rows], int(total[0]) if total else 0

    async def place_of(self, code: str) -> int:
        """Return how many sources whose links count come before this one in ``page``'s order."""
        row = await self._store.fetch_one(
            "SELECT COUNT(*) FROM sources s, sources this"
            " WHERE this.code = :code AND s.deleted_at IS NULL"
            " AND (s.code = :invite_code, s.name, s.id)"
            " < (this.code = :invite_code, this.name, this.id)",
            {"code": code, "invite_code": INVITE_CODE},
        )
        return int(row[0]) if row else 0

    async def delete(self, code: str, now: datetime) -> bool:
        """Stop counting a source's links (its past counts stay); the built-in one stays."""
        if code == INVITE_CODE:
            return False
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE sources SET deleted_at = ? WHERE code = ? AND deleted_at IS NULL",
                (to_db(now), code),
            )
            return cursor.rowcount == 1

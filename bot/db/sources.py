"""Repository for sources: where staff put a link up, and what came in through each.

A source is a name staff give ("Opslag Houlkær opgang 12", "Flyer Vestervang Skole") and a
short random code carried in the links printed or posted there. What the report counts per
source (new residents, sign-ups, check-ins) is kept as events with no person in them, to
the hour, so the counts still add up after any erasure (as bot/db/remains.py does).
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.store import Store

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


def new_code() -> str:
    """Return a random source code."""
    return "".join(secrets.choice(_CODE_LETTERS) for _ in range(CODE_LENGTH))


def _hour(now: datetime) -> str:
    # To the hour, as erased offers: the report's periods start on whole UTC hours.
    return to_db(now.replace(minute=0, second=0, microsecond=0))


async def record_event(
    db: aiosqlite.Connection, source_id: int | None, kind: SourceEvent, now: datetime
) -> None:
    """Count one thing a source brought in, inside the caller's transaction (None: nothing)."""
    if source_id is None:
        return
    await db.execute(
        "INSERT INTO source_events (source_id, kind, at) VALUES (?, ?, ?)",
        (source_id, kind.value, _hour(now)),
    )


class SourceRepository:
    """SQL for the ``sources`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def create(self, name: str, now: datetime) -> Source:
        """Name a new source and give it a fresh random code."""
        name = " ".join(name.split())
        if not 0 < len(name) <= MAX_NAME:
            raise ValueError(f"a source's name is 1-{MAX_NAME} characters")
        for _ in range(20):
            try:
                async with self._store.transaction() as db:
                    cursor = await db.execute(
                        "INSERT INTO sources (code, name, created_at) VALUES (?, ?, ?)",
                        (new_code(), name, to_db(now)),
                    )
                    source_id = cursor.lastrowid
            except sqlite3.IntegrityError:
                continue  # the code was taken: draw another
            source = await self.get(int(source_id or 0))
            assert source is not None
            return source
        raise RuntimeError("no free source code found")  # pragma: no cover - 32**6 codes

    async def get(self, source_id: int) -> Source | None:
        """Return the source with this id, deleted or not."""
        row = await self._store.fetch_one("SELECT * FROM sources WHERE id = ?", (source_id,))
        return Source.from_row(row) if row else None

    async def by_code(self, code: str) -> Source | None:
        """Return the source with this code, deleted or not."""
        row = await self._store.fetch_one("SELECT * FROM sources WHERE code = ?", (code,))
        return Source.from_row(row) if row else None

    async def active(self) -> list[Source]:
        """Return the sources whose links count, the built-in invitation last."""
        rows = await self._store.fetch_all(
            "SELECT * FROM sources WHERE deleted_at IS NULL ORDER BY code = ?, name, id",
            (INVITE_CODE,),
        )
        return [Source.from_row(row) for row in rows]

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

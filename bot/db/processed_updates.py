"""Each update acted on once, even when Telegram delivers it again.

Polling confirms updates by offset, so a crash between handling an update and the next
poll makes Telegram send it again. Recent update ids are kept in memory (cheap, and
enough within one run, also for updates arriving out of order); every id is also
written to ``processed_updates`` (only the id and a time), so a restart remembers.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from datetime import datetime, timedelta

from bot.core.clock import Clock, to_db
from bot.db.store import Store, is_busy

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; twice that is plenty.
KEEP_FOR = timedelta(days=2)
PRUNE_EVERY = timedelta(hours=1)
# About a day of a busy Nabo's updates; a few hundred kilobytes at most.
MEMORY_SIZE = 10_000
# How long the record may wait for another process's lock before it is skipped.
RECORD_WAIT_MS = 50


class ProcessedUpdates:
    """Remembers which update ids were handled: recent ones in memory, all in the database."""

    def __init__(self, store: Store, clock: Clock, memory_size: int = MEMORY_SIZE) -> None:
        """Use ``store`` for the durable record and ``clock`` for its times."""
        self._store = store
        self._clock = clock
        self._memory_size = memory_size
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._next_prune: datetime | None = None

    async def first_time(self, update_id: int) -> bool:
        """Record ``update_id`` as handled; return False if it had been handled before."""
        if update_id in self._recent:
            return False
        self._recent[update_id] = None
        if len(self._recent) > self._memory_size:
            self._recent.popitem(last=False)
        now = self._clock.now()
        try:
            async with self._store.transaction(wait_ms=RECORD_WAIT_MS) as connection:
                cursor = await connection.execute(
                    "INSERT INTO processed_updates (update_id, seen_at) VALUES (?, ?) "
                    "ON CONFLICT (update_id) DO NOTHING",
                    (update_id, to_db(now)),
                )
                inserted = cursor.rowcount == 1
                if self._next_prune is None or now >= self._next_prune:
                    await connection.execute(
                        "DELETE FROM processed_updates WHERE seen_at < ?", (to_db(now - KEEP_FOR),)
                    )
                    self._next_prune = now + PRUNE_EVERY
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            # Another process holds the database; reading still works, and this run's
            # memory still catches repeats, so the resident is not held up for it
            # (only a crash during the lock could let a repeat through).
            log.warning("update %s not recorded as handled: the database is busy", update_id)
            return True
        return inserted


async def highest_recorded_update_id(store: Store) -> int:
    """Return the highest update id recorded as handled, or 0."""
    row = await store.fetch_one("SELECT COALESCE(MAX(update_id), 0) FROM processed_updates")
    return int(row[0]) if row is not None else 0

"""Each update acted on once, even when Telegram delivers it again.

Polling confirms updates by offset, so a crash between handling an update and the next
poll makes Telegram send it again. Recent update ids are kept in memory (cheap, and
enough within one run, also for updates arriving out of order); every id is also
written to ``processed_updates`` (only the id and a time), so a restart remembers.

The id is written in the update's own first write transaction (``Store.transaction``
runs ``record_in`` right after BEGIN): the effect and the record commit together or not
at all, so a redelivered update has its effect exactly once, and recording costs no
transaction of its own. An update that writes nothing has its id written with the next
transaction of anyone, or a fraction of a second later by itself (``finish_update``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock, to_db
from bot.db.store import Bookkeeping, Store, is_busy

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; twice that is plenty.
KEEP_FOR = timedelta(days=2)
PRUNE_EVERY = timedelta(hours=1)
# About a day of a busy Nabo's updates; a few hundred kilobytes at most.
MEMORY_SIZE = 10_000
# How long the record may wait for another process's lock before it is skipped.
RECORD_WAIT_MS = 50
# How long the id of an update that wrote nothing waits for someone else's transaction.
FLUSH_AFTER = 0.5

_INSERT = (
    "INSERT INTO processed_updates (update_id, seen_at) VALUES (?, ?)"
    " ON CONFLICT (update_id) DO NOTHING"
)


class UpdateHandledBefore(Exception):
    """The update's id was already recorded: its effect happened; this transaction rolls back."""


@dataclass
class _Handling:
    """The update the current task is handling, until its id is written."""

    owner: ProcessedUpdates
    update_id: int
    seen_at: str
    recorded: bool = False
    # Written in a transaction that has not committed (yet): if it rolled back, the
    # update's effect did not happen, so its id must stay unwritten for a redelivery.
    attempted: bool = False

    def mark_recorded(self) -> None:
        """Note that the id has been committed."""
        self.recorded = True


_CURRENT: ContextVar[_Handling | None] = ContextVar("nabo_update_being_handled", default=None)


class ProcessedUpdates:
    """Remembers which update ids were handled: recent ones in memory, all in the database."""

    def __init__(self, store: Store, clock: Clock, memory_size: int = MEMORY_SIZE) -> None:
        """Use ``store`` for the durable record and ``clock`` for its times."""
        self._store = store
        self._clock = clock
        self._memory_size = memory_size
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._next_prune: datetime | None = None
        # The highest id recorded before this run: only ids up to it can be in the table
        # without being in memory (until memory forgets its oldest).
        self._recorded_before: int | None = None
        self._forgotten_below = 0
        self._unwritten: list[tuple[int, str]] = []
        self._flush: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        store.on_transaction(self.record_in)
        store.on_attempt(self._attempting)

    async def begin(self, update_id: int) -> bool:
        """Start handling ``update_id``; return False if it was handled before (drop it).

        Its id is then written with the first transaction the handling makes.
        """
        if not await self._is_new(update_id):
            return False
        self._remember(update_id)
        _CURRENT.set(_Handling(self, update_id, to_db(self._clock.now())))
        return True

    async def _is_new(self, update_id: int) -> bool:
        if update_id in self._recent:
            return False
        if self._recorded_before is None:
            self._recorded_before = await highest_recorded_update_id(self._store)
        if update_id > self._recorded_before and update_id >= self._forgotten_below:
            return True  # recorded neither by an earlier run nor by this one
        row = await self._store.fetch_one(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return row is None

    def _remember(self, update_id: int) -> None:
        self._recent[update_id] = None
        if len(self._recent) > self._memory_size:
            forgotten, _ = self._recent.popitem(last=False)
            self._forgotten_below = max(self._forgotten_below, forgotten + 1)

    def _attempting(self) -> None:
        """Note that the update being handled tries to write (``Store.on_attempt``).

        If that write fails, even before it begins, the update may have had no effect:
        its id must stay unwritten so that a redelivery after a crash is carried out.
        """
        handling = _CURRENT.get()
        if handling is not None and handling.owner is self and not handling.recorded:
            handling.attempted = True

    def record_in(self) -> Bookkeeping | None:
        """Say what is due in a transaction that is beginning (``Store.on_transaction``).

        The ids of finished updates that wrote nothing; the id of the update this task is
        handling, if not written yet (UpdateHandledBefore if it was, long ago); and, once
        an hour, the pruning of old ids. Called on the event loop, where the task's update
        is known; the writing happens on the database's thread, right after BEGIN. What
        that returns marks the update's id written, once the transaction has committed
        (if it rolls back, the next one writes it).
        """
        # Taken off the list only once committed: if this transaction rolls back, the
        # next one writes them. (Ids added meanwhile go after these.)
        unwritten = self._unwritten[:]
        written = len(unwritten)
        handling = _CURRENT.get()
        if handling is None or handling.owner is not self or handling.recorded:
            handling = None
        else:
            handling.attempted = True
        now = self._clock.now()
        prune_before = None
        if self._next_prune is None or now >= self._next_prune:
            prune_before = to_db(now - KEEP_FOR)
            self._next_prune = now + PRUNE_EVERY
        if not written and handling is None and prune_before is None:
            return None

        def committed() -> None:
            del self._unwritten[:written]
            if handling is not None:
                handling.mark_recorded()

        def write(connection: sqlite3.Connection) -> Callable[[], None] | None:
            """On the database's thread, inside the transaction: write what is due."""
            if written:
                connection.executemany(_INSERT, unwritten)
            if handling is not None:
                cursor = connection.execute(_INSERT, (handling.update_id, handling.seen_at))
                if cursor.rowcount != 1:
                    raise UpdateHandledBefore(handling.update_id)
            if prune_before is not None:
                connection.execute(
                    "DELETE FROM processed_updates WHERE seen_at < ?", (prune_before,)
                )
            return committed if written or handling is not None else None

        return write

    def _written_later(self, handling: _Handling) -> None:
        """Write this id with the next transaction, or by itself a moment from now."""
        self._unwritten.append((handling.update_id, handling.seen_at))
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(FLUSH_AFTER, self._start_flush)

    def _start_flush(self) -> None:
        self._flush = None
        if self._unwritten:
            task = asyncio.get_running_loop().create_task(self._write_unwritten())
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def _write_unwritten(self) -> None:
        try:
            # record_in writes them (unless another transaction already did); a write
            # with no work of its own is one trip to the database's thread.
            await self._store.write(_no_work, wait_ms=RECORD_WAIT_MS)
        except Exception as error:
            if isinstance(error, sqlite3.OperationalError) and is_busy(error):
                # Another process holds the database (BEGIN failed, so they are still
                # there): memory catches repeats meanwhile; try again in a moment.
                log.warning("handled updates not recorded yet: the database is busy")
            else:
                # Nobody awaits this task: say so here. The ids stay on the list for the
                # next transaction of anyone's, without a retry of their own.
                log.exception("handled updates not recorded yet")
                return
            if self._flush is None:
                loop = asyncio.get_running_loop()
                self._flush = loop.call_later(FLUSH_AFTER, self._start_flush)

    async def close(self) -> None:
        """Write the ids still waiting, before the store closes (a clean stop).

        Without this a write planned for a moment later would find the connection gone,
        and a restart would handle those updates again.
        """
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
        if self._unwritten:
            try:
                await self._write_unwritten()
            except Exception:
                # The store must still close; a restart may then handle these again.
                log.exception("handled updates could not be recorded at stop")
        if self._flush is not None:  # the database was busy: give up, memory is going too
            self._flush.cancel()
            self._flush = None
            log.warning("%d handled updates not recorded at stop", len(self._unwritten))


def _no_work(connection: sqlite3.Connection) -> None:
    """Write nothing but the bookkeeping the transaction carries anyway."""


@contextmanager
def bookkeeping() -> Iterator[None]:
    """Write outside the current update's record: the transactions inside are not its effect.

    For notes made on the way to the journey (that the resident used Nabo today): if the
    update's id committed with them, a crash before the journey's own write would make a
    redelivery look handled, and the sign-up it carried would be lost.
    """
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def finish_update() -> None:
    """End the handling of the current task's update: its id is written soon if not yet.

    Only for an update that wrote nothing: one whose write rolled back (the database was
    busy, say) had no effect, and a redelivery after a crash must be carried out.
    """
    handling = _CURRENT.get()
    if handling is not None and not handling.recorded and not handling.attempted:
        handling.recorded = True
        handling.owner._written_later(handling)
    _CURRENT.set(None)


async def highest_recorded_update_id(store: Store) -> int:
    """Return the highest update id recorded as handled, or 0."""
    row = await store.fetch_one("SELECT COALESCE(MAX(update_id), 0) FROM processed_updates")
    return int(row[0]) if row is not None else 0

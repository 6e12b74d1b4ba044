"""The one SQLite connection of the process: opening, migrating and write transactions."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.db.migrations import MIGRATIONS

log = logging.getLogger(__name__)

T = TypeVar("T")

# Long enough to ride out a backup or a staff export, short enough that a resident
# gets a "please try again" instead of a hanging chat.
BUSY_TIMEOUT_MS = 5_000


class StoreError(RuntimeError):
    """The database cannot be used as it is (e.g. it is newer than this code)."""


# SQLite's result codes for a lock it could not get. Extended codes (SQLITE_BUSY_SNAPSHOT,
# SQLITE_LOCKED_SHAREDCACHE, …) keep the primary code in their low byte.
_LOCK_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_busy(error: BaseException | None) -> bool:
    """Tell whether ``error`` is SQLite giving up on a lock (SQLITE_BUSY or SQLITE_LOCKED)."""
    # The code, not the message: "no such table: locked_out" is a bug, not a lock.
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.Error) and isinstance(code, int) and code & 0xFF in _LOCK_CODES


class Store:
    """Owns the process's single aiosqlite connection and serialises write transactions."""

    def __init__(
        self, connection: aiosqlite.Connection, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS
    ) -> None:
        """Wrap an open connection; use ``Store.open`` instead of calling this directly."""
        self._connection = connection
        self.path = path
        self._busy_timeout_ms = int(busy_timeout_ms)
        # Handlers, reminder jobs and the broadcast sender share one connection, so
        # their transactions must not interleave, nor a read with a transaction.
        self._write_lock = asyncio.Lock()
        self._hooks: list[TransactionHook] = []
        self._attempt_hooks: list[Callable[[], None]] = []

    def on_transaction(self, hook: TransactionHook) -> None:
        """Call ``hook`` as every write transaction begins, for bookkeeping to write in it.

        It is called on the event loop, holding the write lock; the bookkeeping it returns,
        if any, is written on the database's thread right after BEGIN, in the same trip,
        and what that returns is called once the transaction has committed. For
        bookkeeping that must commit with the work it belongs to, or may ride along
        with anyone's (bot/db/processed_updates.py), instead of a transaction of its own.
        """
        self._hooks.append(hook)

    def on_attempt(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` as each write transaction is about to begin, even one that fails to.

        A transaction that cannot begin (another process holds the database) still
        means its caller tried to write: bot/db/processed_updates.py must then not take
        the update for one that wrote nothing.
        """
        self._attempt_hooks.append(hook)

    @classmethod
    async def open(
        cls,
        path: Path,
        migrations: Sequence[Sequence[str]] = MIGRATIONS,
        *,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> Store:
        """Open (creating if needed) and migrate the database at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, nothing implicit.
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        try:
            await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA synchronous = NORMAL")
            store = cls(connection, path, busy_timeout_ms)
            await store.migrate(migrations)
        except BaseException:
            await connection.close()
            raise
        return store

    async def close(self) -> None:
        """Close the connection; waits for a running write transaction to finish."""
        async with self._write_lock:
            await self._connection.close()

    async def schema_version(self) -> int:
        """Return the database's ``PRAGMA user_version``."""
        row = await self.fetch_one("PRAGMA user_version")
        assert row is not None
        return int(row[0])

    async def migrate(self, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> int:
        """Apply every pending migration, each in its own transaction; return the version."""
        current = await self.schema_version()
        latest = len(migrations)
        if current > latest:
            raise StoreError(
                f"database {self.path} has schema version {current}, but this Nabo only "
                f"knows up to {latest}; upgrade Nabo instead of opening it with old code"
            )
        for version in range(current + 1, latest + 1):
            async with self.transaction() as connection:
                for statement in migrations[version - 1]:
                    await connection.execute(statement)
                # user_version lives in the database header, so it commits with the step.
                await connection.execute(f"PRAGMA user_version = {version}")
            log.info("database migrated to schema version %d", version)
        return latest

    @asynccontextmanager
    async def transaction(
        self, *, wait_ms: int | None = None
    ) -> AsyncIterator[aiosqlite.Connection]:
        """Run a write transaction (BEGIN IMMEDIATE); commit on success, roll back on error.

        ``wait_ms`` waits less than the busy timeout for another process's lock, for
        bookkeeping that had better be skipped than hold a resident up.

        However it ends (an error, a failed COMMIT, the task cancelled while BEGIN or
        COMMIT runs), no transaction is left open on the shared connection. A task
        cancelled during COMMIT may still have committed.
        """
        for attempt in self._attempt_hooks:
            attempt()
        async with self._write_lock:
            bookkeeping = self._bookkeeping_due()
            committed = await self._or_roll_back(
                on_thread(self._connection, lambda db: self._begin(db, wait_ms, bookkeeping))
            )
            try:
                yield self._connection
            except BaseException:
                await self._connection.rollback()
                raise
            await self._or_roll_back(self._connection.commit())
            for then in committed:
                then()

    async def write(
        self, work: Callable[[sqlite3.Connection], T], *, wait_ms: int | None = None
    ) -> T:
        """Run ``work`` in a write transaction on the database's thread; return its result.

        The same transaction as ``transaction`` (BEGIN IMMEDIATE, the bookkeeping, commit
        on success, roll back on error), but BEGIN, the bookkeeping, every statement of
        ``work`` and COMMIT go to the database's thread in one trip instead of one trip
        each: for the writes of every update, where those trips are much of the CPU.
        ``work`` runs on that thread, so it only talks to the connection it is given.

        No transaction is left open however it ends. A task cancelled meanwhile may still
        have committed: the trip runs to its end on the thread.
        """
        for attempt in self._attempt_hooks:
            attempt()
        async with self._write_lock:
            bookkeeping = self._bookkeeping_due()
            result, committed = await self._or_roll_back(
                on_thread(
                    self._connection,
                    lambda db: self._begin_work_commit(db, work, wait_ms, bookkeeping),
                )
            )
            for then in committed:
                then()
            return result

    def _bookkeeping_due(self) -> list[Bookkeeping]:
        """Ask the hooks, on the event loop, what to write in the transaction beginning."""
        return [book for hook in self._hooks if (book := hook()) is not None]

    def _begin(
        self, connection: sqlite3.Connection, wait_ms: int | None, bookkeeping: list[Bookkeeping]
    ) -> list[Callable[[], None]]:
        """On the database's thread: BEGIN IMMEDIATE, then the bookkeeping (undone if it fails)."""
        # IMMEDIATE takes the write lock up front, so a check-then-insert inside
        # cannot be overtaken by another process between the check and the insert
        # (and, in WAL mode, nothing inside waits for a lock again).
        if wait_ms is None:
            connection.execute("BEGIN IMMEDIATE")
        else:
            connection.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                connection.execute("BEGIN IMMEDIATE")
            finally:
                connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        try:
            return [then for book in bookkeeping if (then := book(connection)) is not None]
        except BaseException:
            connection.rollback()
            raise

    def _begin_work_commit(
        self,
        connection: sqlite3.Connection,
        work: Callable[[sqlite3.Connection], T],
        wait_ms: int | None,
        bookkeeping: list[Bookkeeping],
    ) -> tuple[T, list[Callable[[], None]]]:
        """On the database's thread: a whole write transaction (``write``)."""
        committed = self._begin(connection, wait_ms, bookkeeping)
        try:
            result = work(connection)
            connection.commit()
        except BaseException:
            # A failed COMMIT (a deferred foreign key) leaves its transaction open too.
            connection.rollback()
            raise
        return result, committed

    async def _or_roll_back(self, step: Awaitable[T]) -> T:
        """Run BEGIN, COMMIT or a whole write; if it fails or the task is cancelled, roll back."""
        try:
            return await step
        except BaseException:
            # A cancelled task stops waiting, but the statement still runs on aiosqlite's
            # thread and may open a transaction there; a failed COMMIT leaves its own open.
            # The thread runs statements in order, so this ROLLBACK comes after it, and
            # before anything the next holder of the lock sends (a no-op if none is open).
            await self._connection.rollback()
            raise

    async def fetch_one(self, sql: str, parameters: Parameters = ()) -> aiosqlite.Row | None:
        """Run a read query and return its first row, if any."""
        rows = await self.fetch_all(sql, parameters)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, parameters: Parameters = ()) -> list[aiosqlite.Row]:
        """Run a read query and return all its rows."""
        # On the one shared connection a read during another coroutine's transaction
        # would see its uncommitted rows; wait for it to commit or roll back. One trip
        # to the database's thread: execute and fetch there together.
        async with self._write_lock:
            return list(await self._connection.execute_fetchall(sql, _bind(parameters)))


async def read_one(db: aiosqlite.Connection, sql: str, parameters: Parameters = ()) -> Any:
    """Inside a transaction: run a query and return its first row (None if none)."""
    rows = await db.execute_fetchall(sql, _bind(parameters))
    return next(iter(rows), None)


async def read_all(db: aiosqlite.Connection, sql: str, parameters: Parameters = ()) -> list[Any]:
    """Inside a transaction: run a query and return all its rows, in one trip to its thread."""
    return list(await db.execute_fetchall(sql, _bind(parameters)))


async def on_thread(db: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Inside a transaction: run ``work`` on the database's thread, all its statements in one trip.

    For work of several statements, or with Python between them: each of aiosqlite's own
    calls is a trip of its own to that thread and back, the largest cost per update.
    """
    # aiosqlite queues every call for its thread this way, in order with the others;
    # its public calls each take one statement (executescript commits, so never that).
    execute: Callable[..., Awaitable[T]] = db._execute
    return await execute(lambda: work(db._conn))


# Bookkeeping to write in a transaction, right after BEGIN, on the database's thread; may
# return what to call once the transaction has committed.
Bookkeeping = Callable[[sqlite3.Connection], Callable[[], None] | None]
# Called on the event loop as a write transaction begins (see Store.on_transaction).
TransactionHook = Callable[[], Bookkeeping | None]

# Positional (?) or named (:name) parameters, as sqlite3 takes them.
Parameters = Iterable[Any] | Mapping[str, Any]


def read_snapshot(
    connection: sqlite3.Connection, sql: str, parameters: Parameters = ()
) -> list[sqlite3.Row]:
    """Run a query on an offline tool's own connection (a snapshot); rows by column name.

    The repositories' synchronous readers use it with the same SQL as their async
    methods, so a poster made in another process reads what the bot would.
    """
    return rows_of(connection, sql, parameters)


def rows_of(connection: sqlite3.Connection, sql: str, parameters: Parameters = ()) -> list[Any]:
    """Run a statement on a connection used synchronously; return its rows by column name.

    For work on the database's thread (``Store.write``, ``on_thread``), as for snapshots.
    """
    cursor = connection.cursor()
    cursor.row_factory = sqlite3.Row
    try:
        return list(cursor.execute(sql, _bind(parameters)).fetchall())
    finally:
        cursor.close()


def _bind(parameters: Parameters) -> tuple[Any, ...] | Mapping[str, Any]:
    return parameters if isinstance(parameters, Mapping) else tuple(parameters)

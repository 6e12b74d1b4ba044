"""The store: migrations from empty and step by step, refusal of newer databases, transactions."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.db.migrations import MIGRATIONS
from bot.db.store import Store, StoreError


def _schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    return [(name, " ".join((sql or "").split())) for name, sql in rows]


async def test_migrates_empty_database_to_latest(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "sub" / "nabo.db")
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        row = await store.fetch_one("PRAGMA journal_mode")
        assert row is not None
        assert row[0] == "wal"
        row = await store.fetch_one("PRAGMA foreign_keys")
        assert row is not None
        assert row[0] == 1
    finally:
        await store.close()


@pytest.mark.parametrize("start", range(len(MIGRATIONS) + 1))
async def test_step_by_step_equals_from_empty(tmp_path: Path, start: int) -> None:
    fresh = tmp_path / "fresh.db"
    await (await Store.open(fresh)).close()

    stepped = tmp_path / "stepped.db"
    # Bring a database to version `start`, then one step at a time to the latest.
    await (await Store.open(stepped, MIGRATIONS[:start])).close()
    for version in range(start + 1, len(MIGRATIONS) + 1):
        store = await Store.open(stepped, MIGRATIONS[:version])
        assert await store.schema_version() == version
        await store.close()
    assert _schema(stepped) == _schema(fresh)


async def test_refuses_database_newer_than_code(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match=r"newer|upgrade Nabo"):
        await Store.open(path)


async def test_failed_migration_leaves_previous_version(tmp_path: Path) -> None:
    broken = (*MIGRATIONS, ("CREATE TABLE ok_table (x INTEGER)", "THIS IS NOT SQL"))
    path = tmp_path / "broken.db"
    with pytest.raises(sqlite3.OperationalError):
        await Store.open(path, broken)
    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.fetch_one("SELECT name FROM sqlite_master WHERE name='ok_table'") is None
    finally:
        await store.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "nabo.db")
    try:

        async def insert_then_fail() -> None:
            async with store.transaction() as db:
                await db.execute(
                    "INSERT INTO residents (user_id, chat_id, first_seen_at) VALUES (1, 1, 'x')"
                )
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            await insert_then_fail()
        assert await store.fetch_all("SELECT * FROM residents") == []
        async with store.transaction() as db:
            await db.execute(
                "INSERT INTO residents (user_id, chat_id, first_seen_at) VALUES (2, 2, 'x')"
            )
        rows = await store.fetch_all("SELECT user_id FROM residents")
        assert [row["user_id"] for row in rows] == [2]
    finally:
        await store.close()


# A parent and a child whose foreign key SQLite checks only at COMMIT, so that a COMMIT
# can fail (and leave its transaction open, as SQLite does).
FAMILY = (
    (
        "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE child"
        " (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
    ),
)


class PauseAt:
    """Hold aiosqlite's thread as it starts one statement, until the test lets it go."""

    def __init__(self, statement: str) -> None:
        self.statement = statement
        self.reached = asyncio.Event()
        self.go = threading.Event()
        self._loop = asyncio.get_running_loop()

    def __call__(self, statement: str) -> None:
        # sqlite3's trace callback: called on the connection's thread as a statement starts.
        if statement == self.statement and not self.go.is_set():
            self._loop.call_soon_threadsafe(self.reached.set)
            self.go.wait(timeout=10)


@pytest.fixture
async def family(tmp_path: Path) -> AsyncIterator[tuple[Store, aiosqlite.Connection]]:
    """A store on a real file, with its connection at hand to trace its statements."""
    path = tmp_path / "family.db"
    connection = await aiosqlite.connect(path, isolation_level=None)
    await connection.execute("PRAGMA journal_mode = WAL")
    await connection.execute("PRAGMA foreign_keys = ON")
    store = Store(connection, path)
    await store.migrate(FAMILY)
    try:
        yield store, connection
    finally:
        await store.close()


async def assert_no_transaction_left_open(store: Store) -> None:
    """Another connection can write, and so can the store's next transaction."""
    await store.fetch_one("SELECT 1")  # queued behind whatever aiosqlite's thread still runs
    other = sqlite3.connect(store.path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" while a transaction is open
        other.execute("ROLLBACK")
    finally:
        other.close()
    async with store.transaction() as db:
        await db.execute("INSERT INTO parent (id) VALUES (2)")
    assert [tuple(row) for row in await store.fetch_all("SELECT id FROM parent")] == [(2,)]
    assert await store.fetch_all("SELECT * FROM child") == []


async def test_a_commit_that_fails_leaves_no_transaction_open(
    family: tuple[Store, aiosqlite.Connection],
) -> None:
    store, _ = family
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with store.transaction() as db:
            await db.execute("INSERT INTO child (parent_id) VALUES (1)")
    await assert_no_transaction_left_open(store)


@pytest.mark.parametrize("statement", ["BEGIN IMMEDIATE", "COMMIT"])
async def test_a_task_cancelled_while_a_transaction_starts_or_ends_leaves_none_open(
    family: tuple[Store, aiosqlite.Connection], statement: str
) -> None:
    store, connection = family
    pause = PauseAt(statement)
    await connection.set_trace_callback(pause)

    async def write() -> None:
        async with store.transaction() as db:
            await db.execute("INSERT INTO parent (id) VALUES (1)")
            # Fails at COMMIT: the transaction would stay open if nothing rolled it back.
            await db.execute("INSERT INTO child (parent_id) VALUES (3)")

    task = asyncio.create_task(write())
    try:
        await pause.reached.wait()
        # Cancelled while the statement runs on aiosqlite's thread: the statement goes
        # on there all the same, after the task has stopped waiting for it.
        task.cancel()
    finally:
        pause.go.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    await assert_no_transaction_left_open(store)


def count_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the calls sent to aiosqlite's thread from now on: each a trip there and back."""
    trips: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await execute(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return trips


INSERT_RESIDENT = "INSERT INTO residents (user_id, chat_id, first_seen_at) VALUES (?, ?, 'x')"


async def test_a_write_is_one_trip_with_its_bookkeeping_and_commits_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await Store.open(tmp_path / "nabo.db")
    committed: list[str] = []

    def bookkeeping(connection: sqlite3.Connection) -> Callable[[], None]:
        connection.execute(INSERT_RESIDENT, (1, 1))
        return lambda: committed.append("noted")

    store.on_transaction(lambda: bookkeeping)
    try:
        trips = count_trips(monkeypatch)

        def work(connection: sqlite3.Connection) -> bool:
            connection.execute(INSERT_RESIDENT, (2, 2))
            return connection.in_transaction

        assert await store.write(work) is True
        assert len(trips) == 1
        assert committed == ["noted"]
        rows = await store.fetch_all("SELECT user_id FROM residents ORDER BY user_id")
        assert [row["user_id"] for row in rows] == [1, 2]
    finally:
        await store.close()


async def test_a_write_that_fails_rolls_back_its_work_and_bookkeeping(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "nabo.db")
    committed: list[str] = []

    def bookkeeping(connection: sqlite3.Connection) -> Callable[[], None]:
        connection.execute(INSERT_RESIDENT, (1, 1))
        return lambda: committed.append("noted")

    store.on_transaction(lambda: bookkeeping)
    try:

        def work(connection: sqlite3.Connection) -> None:
            connection.execute(INSERT_RESIDENT, (2, 2))
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            await store.write(work)
        assert committed == []
        assert await store.fetch_all("SELECT * FROM residents") == []
        # The next transaction begins (none was left open) and writes the bookkeeping.
        async with store.transaction() as db:
            await db.execute(INSERT_RESIDENT, (3, 3))
        assert committed == ["noted"]
        rows = await store.fetch_all("SELECT user_id FROM residents ORDER BY user_id")
        assert [row["user_id"] for row in rows] == [1, 3]
    finally:
        await store.close()


def orphan(connection: sqlite3.Connection) -> None:
    """Write a parent, then a child whose missing parent fails the COMMIT."""
    connection.execute("INSERT INTO parent (id) VALUES (1)")
    connection.execute("INSERT INTO child (parent_id) VALUES (3)")


async def test_a_write_whose_commit_fails_leaves_no_transaction_open(
    family: tuple[Store, aiosqlite.Connection],
) -> None:
    store, _ = family
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.write(orphan)
    await assert_no_transaction_left_open(store)


@pytest.mark.parametrize("statement", ["BEGIN IMMEDIATE", "COMMIT"])
async def test_a_write_cancelled_while_it_runs_on_the_thread_leaves_no_transaction_open(
    family: tuple[Store, aiosqlite.Connection], statement: str
) -> None:
    store, connection = family
    pause = PauseAt(statement)
    await connection.set_trace_callback(pause)
    task = asyncio.create_task(store.write(orphan))
    try:
        await pause.reached.wait()
        # The task stops waiting; the write goes on to its end on aiosqlite's thread.
        task.cancel()
    finally:
        pause.go.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    await assert_no_transaction_left_open(store)

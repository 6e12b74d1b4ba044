"""The store: migrations from empty and step by step, refusal of newer databases, transactions."""

import sqlite3
from pathlib import Path

import pytest

from bot.migrations import MIGRATIONS
from bot.store import Store, StoreError


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

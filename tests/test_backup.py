"""Backups of the live database: consistent while the bot writes, and checked."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.signups import SignupRepository
from bot.db.store import Store
from bot.offline.backup import BackupError, backup_database
from tests.factories import add_activity, add_residents

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
WRITERS = 50


async def test_backup_during_50_concurrent_writes_is_a_consistent_snapshot(
    tmp_path: Path,
) -> None:
    live, copy = tmp_path / "nabo.sqlite3", tmp_path / "backup" / "nabo.sqlite3"
    store = await Store.open(live)
    try:
        await add_residents(store, list(range(1, WRITERS + 1)), NOW)
        activity_id = await add_activity(store, NOW, capacity=None)
        signups = SignupRepository(store)

        async def write(user_id: int) -> None:
            # One transaction writes a sign-up and its audit line: a consistent copy
            # holds both or neither, never half of it.
            async with store.transaction() as db:
                await db.execute(
                    "INSERT INTO audit_log (staff_user_id, action, subject, at)"
                    " VALUES (?, 'test.write', ?, ?)",
                    (user_id, str(user_id), NOW.isoformat()),
                )
            await signups.sign_up(activity_id, user_id, 1, 0, NOW, waitlist=False)
            async with store.transaction() as db:
                await db.execute(
                    "UPDATE audit_log SET details = 'signed up' WHERE subject = ?",
                    (str(user_id),),
                )

        async def back_up() -> None:
            await asyncio.sleep(0)  # let the writers start first
            await asyncio.to_thread(backup_database, live, copy)

        await asyncio.gather(*(write(user_id) for user_id in range(1, WRITERS + 1)), back_up())
    finally:
        await store.close()

    marked, signed_up, audited = read_backup(copy)
    # Whatever moment the copy caught: every mark has its sign-up, every sign-up its line.
    assert marked <= signed_up <= audited <= set(range(1, WRITERS + 1))
    # The live database has all fifty.
    live_db = sqlite3.connect(live)
    assert live_db.execute("SELECT COUNT(*) FROM signups").fetchone() == (WRITERS,)
    live_db.close()


def read_backup(copy: Path) -> tuple[set[int], set[int], set[int]]:
    """Check the copy and return who is marked, signed up and audited in it."""
    assert not Path(f"{copy}-wal").exists()
    backup = sqlite3.connect(copy)
    try:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert backup.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        signed_up = {row[0] for row in backup.execute("SELECT user_id FROM signups")}
        marked = {
            int(row[0])
            for row in backup.execute("SELECT subject FROM audit_log WHERE details IS NOT NULL")
        }
        audited = {int(row[0]) for row in backup.execute("SELECT subject FROM audit_log")}
    finally:
        backup.close()
    return marked, signed_up, audited


def test_a_corrupt_database_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    broken, out = tmp_path / "broken.sqlite3", tmp_path / "out.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(BackupError):
        backup_database(broken, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [broken]

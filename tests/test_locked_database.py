"""Another process holding the database: the resident is asked to try again, nothing half-done."""

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.activity_view import party_text
from bot.clock import Clock
from bot.config import Config
from bot.dedup import ProcessedUpdates
from bot.i18n import Catalogs
from bot.store import Store, is_busy
from tests.conftest import STAFF_CHAT_ID, Nabo, settle
from tests.factories import add_activity, add_residents

RESIDENT = 31
BUSY = "Nabo is very busy right now and could not save that. Please try again."
# A separate process takes SQLite's write lock and keeps it until told to let go.
HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@pytest.fixture
def config(config: Config) -> Config:
    # Give up on the lock quickly, so the test does not wait the production 5 s.
    return replace(config, database_busy_timeout=timedelta(milliseconds=200))


@asynccontextmanager
async def exclusive_lock(path: Path) -> AsyncIterator[None]:
    """Hold an exclusive lock on the database from another process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        assert await process.stdout.readline() == b"locked\n"
        yield
    finally:
        process.stdin.write(b"\n")
        await process.stdin.drain()
        await process.wait()


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_a_locked_database_asks_to_try_again(nabo: Nabo, language: str) -> None:
    server = nabo.server
    tr = Catalogs(ZoneInfo("Europe/Copenhagen")).translator(language)
    server.user(RESIDENT, language_code=language)
    await add_residents(nabo.store, [RESIDENT], nabo.clock.now(), language)
    activity = await add_activity(nabo.store, nabo.clock.now())
    server.send_command(RESIDENT, "menu")
    [menu] = await server.wait_for_messages(RESIDENT)
    staff_messages = len(server.messages(STAFF_CHAT_ID))

    async with exclusive_lock(nabo.config.database_path):
        query = server.press_button(RESIDENT, menu["message_id"], f"su:c:{activity}:0:2:1")
        [sorry] = await server.wait_for_messages(RESIDENT)
        await server.wait_for_callback_answer(query)
        await settle(nabo)
    assert sorry["text"] == tr.gettext(BUSY)
    # Nothing half-saved, and no error report: it is not a bug.
    assert await nabo.rows("SELECT count(*) FROM signups") == [(0,)]
    assert len(server.messages(STAFF_CHAT_ID)) == staff_messages

    # The lock is gone: the same press now works, and the bot never stopped.
    server.press_button(RESIDENT, menu["message_id"], f"su:c:{activity}:0:2:1")
    confirmation = await server.wait_for_edit(RESIDENT, menu["message_id"])
    assert confirmation["text"].startswith(
        tr.gettext("✅ You are signed up: {party}.").format(party=party_text(tr, 2, 1))
    )
    assert await nabo.rows("SELECT user_id, adults, children FROM signups") == [(RESIDENT, 2, 1)]


async def test_a_short_wait_gives_up_and_keeps_the_busy_timeout(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "nabo.sqlite3", busy_timeout_ms=5_000)
    try:
        async with exclusive_lock(store.path):
            with pytest.raises(sqlite3.OperationalError) as raised:
                async with store.transaction(wait_ms=10):
                    pass
            assert is_busy(raised.value)
            # Bookkeeping skipped under the lock; reading still works meanwhile.
            assert await ProcessedUpdates(store, Clock()).first_time(7)
        [timeout] = await store.fetch_one("PRAGMA busy_timeout") or [None]
        assert timeout == 5_000
        # Once the lock is gone the record is written: a new process would remember.
        assert await ProcessedUpdates(store, Clock()).first_time(8)
        rows = await store.fetch_all("SELECT update_id FROM processed_updates")
        assert [tuple(row) for row in rows] == [(8,)]
    finally:
        await store.close()

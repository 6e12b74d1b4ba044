"""Another process holding the database: the resident is asked to try again, nothing half-done."""

import asyncio
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.i18n import Catalogs
from bot.db.broadcasts import Broadcast
from bot.db.processed_updates import ProcessedUpdates, finish_update
from bot.db.store import Store, is_busy
from bot.views.activity import party_text
from tests.conftest import STAFF_CHAT_ID, STAFF_ID, Nabo, buttons, settle
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
            # Reading still works under the lock: a new update is told from a repeat, and
            # one that wrote nothing waits to be recorded.
            processed = ProcessedUpdates(store, Clock())
            assert await processed.begin(7)
            finish_update()
        [timeout] = await store.fetch_one("PRAGMA busy_timeout") or [None]
        assert timeout == 5_000
        # Once the lock is gone, the next update's write records both: a new process
        # would remember them.
        assert await processed.begin(8)
        async with store.transaction():
            pass
        rows = await store.fetch_all("SELECT update_id FROM processed_updates ORDER BY 1")
        assert [tuple(row) for row in rows] == [(7,), (8,)]
        await processed.close()
    finally:
        await store.close()


def _raised(run: Callable[[], object]) -> sqlite3.Error:
    """Return the SQLite error that ``run`` raises."""
    with pytest.raises(sqlite3.Error) as raised:
        run()
    return raised.value


def _connect(path: Path) -> sqlite3.Connection:
    # No busy timeout: a lock held by another connection is an error at once.
    return sqlite3.connect(path, isolation_level=None, timeout=0)


def _busy(path: Path) -> sqlite3.Error:
    """SQLITE_BUSY: another connection holds the write lock."""
    holder, other = _connect(path), _connect(path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        return _raised(lambda: other.execute("BEGIN IMMEDIATE"))
    finally:
        holder.execute("ROLLBACK")


def _busy_snapshot(path: Path) -> sqlite3.Error:
    """SQLITE_BUSY_SNAPSHOT (extended): a reader's snapshot went stale before it wrote."""
    reader, writer = _connect(path), _connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()
    writer.execute("INSERT INTO t VALUES (1)")
    try:
        return _raised(lambda: reader.execute("INSERT INTO t VALUES (2)"))
    finally:
        reader.execute("ROLLBACK")


def _locked(path: Path) -> sqlite3.Error:
    """SQLITE_LOCKED: the same connection still reads the table it tries to drop."""
    connection = _connect(path)
    connection.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    cursor = connection.execute("SELECT * FROM t")
    cursor.fetchone()
    return _raised(lambda: connection.execute("DROP TABLE t"))


def _locked_sharedcache(path: Path) -> sqlite3.Error:
    """SQLITE_LOCKED_SHAREDCACHE (extended): a shared-cache neighbour writes the table."""
    uri = f"file:{path}?cache=shared"
    writer = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0)
    reader = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    try:
        return _raised(lambda: reader.execute("SELECT * FROM t").fetchall())
    finally:
        writer.execute("ROLLBACK")


def _no_such_table(path: Path) -> sqlite3.Error:
    """A plain mistake whose message happens to say "locked" and "busy"."""
    return _raised(lambda: _connect(path).execute("SELECT * FROM locked_busy"))


def _no_such_column(path: Path) -> sqlite3.Error:
    return _raised(lambda: _connect(path).execute("SELECT busy FROM t"))


@pytest.mark.parametrize(
    ("cause", "code", "busy"),
    [
        (_busy, sqlite3.SQLITE_BUSY, True),
        (_busy_snapshot, 517, True),  # SQLITE_BUSY | 2 << 8
        (_locked, sqlite3.SQLITE_LOCKED, True),
        (_locked_sharedcache, 262, True),  # SQLITE_LOCKED | 1 << 8
        (_no_such_table, sqlite3.SQLITE_ERROR, False),
        (_no_such_column, sqlite3.SQLITE_ERROR, False),
    ],
)
def test_is_busy_reads_the_sqlite_error_code_not_the_message(
    tmp_path: Path, cause: Callable[[Path], sqlite3.Error], code: int, busy: bool
) -> None:
    path = tmp_path / "nabo.sqlite3"
    with sqlite3.connect(path, isolation_level=None) as setup:
        setup.execute("PRAGMA journal_mode = WAL")  # as Store.open sets it
        setup.execute("CREATE TABLE t (x)")
    error = cause(path)
    assert error.sqlite_errorcode == code
    assert is_busy(error) is busy


def test_is_busy_is_false_for_other_errors_and_none() -> None:
    assert not is_busy(None)
    assert not is_busy(OSError("database is locked"))
    assert not is_busy(sqlite3.OperationalError("database is locked"))  # no error code


# ---------------------------------------------------------------- the delivery sender


async def _start_broadcast(nabo: Nabo, user_id: int, text: str) -> None:
    """A consented resident and a started broadcast to them; the sender is woken."""
    nabo.server.user(user_id, language_code="da")
    await add_residents(nabo.store, [user_id], nabo.clock.now(), "da")
    nabo.server.send_command(user_id, "menu")
    await nabo.server.wait_for_messages(user_id)
    repo = nabo.application.bot_data.services.broadcasts
    now = nabo.clock.now()
    broadcast = await repo.create(
        kind="message", audience="subscribers", send_at=now, now=now, texts={"da": text}
    )
    assert broadcast is not None
    await repo.start(broadcast, now)
    nabo.application.bot_data.services.sender.wake()


async def _delivery_status(nabo: Nabo, wanted: str) -> str:
    """Wait (a guard against hanging) until the one delivery is ``wanted``; return its status."""
    status = ""
    for _ in range(500):
        row = await nabo.store.fetch_one("SELECT status FROM deliveries")
        status = row[0] if row else ""
        if status == wanted:
            break
        await asyncio.sleep(0.02)
    return status


async def test_a_sent_delivery_is_recorded_once_the_lock_is_gone(
    nabo: Nabo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A backup holds the lock just as a message went out: it is recorded sent, not stuck."""
    repo = nabo.application.bot_data.services.broadcasts
    settle_for_real = repo.settle
    locks = AsyncExitStack()
    locked: list[bool] = []

    async def settle_under_a_lock(
        delivery_id: int, status: str, now: datetime, error: str | None = None
    ) -> None:
        if status == "sent" and not locked:
            locked.append(True)
            # The message has gone out; another process takes the lock before it is recorded.
            await locks.enter_async_context(exclusive_lock(nabo.config.database_path))
        await settle_for_real(delivery_id, status, now, error)

    monkeypatch.setattr(repo, "settle", settle_under_a_lock)
    caplog.set_level(logging.WARNING, logger="bot.work.delivery")
    try:
        await _start_broadcast(nabo, 51, "Hej")
        await nabo.server.wait_for_messages(51, after=1)
        # Hold the lock until the sender has found the database busy at least once.
        for _ in range(500):
            if any(r.name == "bot.work.delivery" for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    finally:
        await locks.aclose()
    assert await _delivery_status(nabo, "sent") == "sent"
    assert [m["text"] for m in nabo.server.messages(51)].count("Hej") == 1


async def test_a_busy_database_before_the_send_keeps_the_delivery_pending(
    nabo: Nabo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite busy while the message is prepared: tried again later, never 'failed'."""
    repo = nabo.application.bot_data.services.broadcasts
    get_for_real = repo.get
    calls = 0

    async def get_busy_once(broadcast_id: int) -> Broadcast | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise error
        return await get_for_real(broadcast_id)

    monkeypatch.setattr(repo, "get", get_busy_once)
    await _start_broadcast(nabo, 52, "Hej igen")
    assert await _delivery_status(nabo, "sent") == "sent"
    assert calls > 1
    assert [m["text"] for m in nabo.server.messages(52)].count("Hej igen") == 1


@pytest.mark.parametrize(
    ("label", "saved"),
    [
        ("✅ Send", "SELECT text_da FROM broadcasts"),
        ("💾 Keep it and ask the translators", "SELECT text_da FROM broadcast_drafts"),
    ],
)
async def test_staff_s_message_is_kept_when_saving_it_finds_the_database_locked(
    nabo: Nabo, catalogs: Catalogs, label: str, saved: str
) -> None:
    """The press that saves a typed message is refused while locked; pressed again, it saves."""
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    typed = "Husk fællesspisning i aften kl. 18."
    server.send_command(STAFF_ID, "broadcast")
    await server.wait_for_messages(STAFF_ID)
    server.send_text(STAFF_ID, typed)
    [arabic] = await server.wait_for_messages(STAFF_ID)
    ask_translators = label.startswith("💾")
    server.press(STAFF_ID, arabic, da.gettext("🙋 Within a day" if ask_translators else "Skip"))
    [english] = await server.wait_for_messages(STAFF_ID)
    server.press(STAFF_ID, english, da.gettext("Skip"))
    [audience] = await server.wait_for_messages(STAFF_ID)
    server.press(STAFF_ID, audience, buttons(audience)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    server.press(STAFF_ID, when, da.gettext("Send now"))
    [preview] = await server.wait_for_messages(STAFF_ID)

    async with exclusive_lock(nabo.config.database_path):
        server.press(STAFF_ID, preview, da.gettext(label))
        [sorry] = await server.wait_for_messages(STAFF_ID)
        await settle(nabo)
    assert sorry["text"] == da.gettext(BUSY)
    assert await nabo.rows(saved) == []

    # The lock is gone: the same button saves what staff typed.
    server.press(STAFF_ID, preview, da.gettext(label))
    done = await server.wait_for_edit(STAFF_ID, preview["message_id"])
    assert done["text"] != da.gettext("This button no longer works.")
    await settle(nabo)
    assert await nabo.rows(saved) == [(typed,)]

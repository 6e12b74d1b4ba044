"""Shared fixtures: the local Bot API server and Nabo running against it over HTTP."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Job

from bot.app import build_application, running
from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.i18n import Catalogs
from bot.db.residents import Resident, ResidentRepository
from bot.db.store import Store
from bot.sandbox.botapi import BotApiServer
from tests.factories import add_residents

STAFF_ID = 900
STAFF_CHAT_ID = -1000900
# Screenshots the browser tests saved; the end-of-run summary lists them.
SCREENSHOTS: list[Path] = []


# Where every test clock starts, unless NABO_TEST_NOW names another instant
# (ISO 8601 with an offset); `make test-dates` runs the suite at the awkward ones.
DEFAULT_NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def suite_now(environ: Mapping[str, str] = os.environ) -> datetime:
    """Return the instant the run's clocks start at: NABO_TEST_NOW, or a Monday morning."""
    text = environ.get("NABO_TEST_NOW", "").strip()
    if not text:
        return DEFAULT_NOW
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f"NABO_TEST_NOW={text!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        # A wall-clock time is ambiguous on the autumn night: say which 02:30 is meant.
        raise pytest.UsageError(f"NABO_TEST_NOW={text!r} needs an offset, e.g. Z or +01:00")
    return moment.astimezone(UTC)


SUITE_NOW = suite_now()


class TestClock(Clock):
    """A clock the test moves by hand, starting at the run's instant."""

    __test__ = False  # a helper, not a test class for pytest to collect

    def __init__(self, start: datetime = SUITE_NOW) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class Nabo:
    """Nabo's real Application, polling the local Bot API server; restartable."""

    def __init__(self, server: BotApiServer, config: Config, clock: TestClock) -> None:
        self.server = server
        self.config = config
        self.clock = clock
        self._stack: AsyncExitStack | None = None

    async def start(self) -> None:
        assert self._stack is None, "already running"
        self._stack = AsyncExitStack()
        application = build_application(self.config, clock=self.clock)
        self.application = await self._stack.enter_async_context(
            running(application, poll_timeout=1)
        )
        # Jobs are rebuilt from the database right after start; wait for that.
        await asyncio.wait_for(self.application.bot_data.jobs_synced.wait(), 10)

    async def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def store(self) -> Store:
        """The running bot's own database connection."""
        return self.application.bot_data.services.store

    def job(self, name: str) -> Job:
        """The one scheduled job with this name."""
        jobs = [job for job in self.application.job_queue.get_jobs_by_name(name) if not job.removed]
        assert len(jobs) == 1, f"expected one job {name!r}, found {len(jobs)}"
        return jobs[0]

    async def run_job(self, name: str) -> None:
        """Run a scheduled job now, as the JobQueue would at its time."""
        await self.job(name).run(self.application)

    async def resident(self, user_id: int) -> Resident | None:
        """Read a resident straight from the database file, as staff tools would."""
        store = await Store.open(self.config.database_path)
        try:
            return await ResidentRepository(store).get(user_id)
        finally:
            await store.close()

    async def rows(self, sql: str) -> list[tuple[object, ...]]:
        store = await Store.open(self.config.database_path)
        try:
            return [tuple(row) for row in await store.fetch_all(sql)]
        finally:
            await store.close()


@pytest.fixture
async def botapi(request: pytest.FixtureRequest) -> AsyncIterator[BotApiServer]:
    # Telegram's per-chat limit makes a journey wait out retry_after seconds a person would
    # spend reading; it is off unless a test is marked chat_limit (a few whole journeys are,
    # and prove that Nabo's own pacing never meets it).
    limited = request.node.get_closest_marker("chat_limit") is not None
    server = BotApiServer(chat_limit=limited)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    if limited:
        assert [call for call in server.rejected if call[1] == 429] == []
    # Telegram would have refused these, in production as here: over-long button data
    # or broken markup is a bug in Nabo, whichever test came across it.
    refused = [
        (method, description)
        for method, _, description in server.rejected
        if "BUTTON_DATA_INVALID" in description or "can't parse entities" in description
    ]
    assert refused == []


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    """The translations, read once for the whole run."""
    return Catalogs(ZoneInfo("Europe/Copenhagen"))


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> TestClock:
    # Years ahead of the real clock: jobs scheduled from the test clock never fire by
    # themselves during a test; tests run them on purpose. A test about one calendar
    # scenario (a series across the spring change, a known data set's quarter) names its
    # instant with @pytest.mark.clock("..."); every other test starts at the run's instant.
    marker = request.node.get_closest_marker("clock")
    if marker is not None:
        return TestClock(datetime.fromisoformat(marker.args[0]).astimezone(UTC))
    return TestClock(SUITE_NOW)


@pytest.fixture
def config(botapi: BotApiServer, tmp_path: Path) -> Config:
    return replace(
        Config.from_env({}),
        bot_token=botapi.token,
        telegram_base_url=botapi.base_url,
        database_path=tmp_path / "nabo.sqlite3",
        staff_user_ids=frozenset({STAFF_ID}),
        staff_chat_id=STAFF_CHAT_ID,
        # The weekly overview has its own tests; elsewhere it would add messages.
        digest_weekday=None,
        # Tests act at machine speed, far faster than any resident; the flood guard has
        # its own tests (tests/test_flood.py), which set the real limit back.
        flood_limit=1_000_000,
        flood_press_limit=1_000_000,
    )


@pytest.fixture
async def nabo(botapi: BotApiServer, config: Config, clock: TestClock) -> AsyncIterator[Nabo]:
    instance = Nabo(botapi, config, clock)
    await instance.start()
    try:
        yield instance
    finally:
        await instance.stop()


def pytest_report_header() -> str:
    """Say which instant the run's clocks start at, so a red run can be replayed."""
    local = SUITE_NOW.astimezone(ZoneInfo("Europe/Copenhagen"))
    return f"NABO_TEST_NOW={SUITE_NOW.isoformat()} ({local:%A %d.%m.%Y %H:%M %Z} in Viborg)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # -q hides the header; a red run must still say which instant to replay it at.
    terminalreporter.write_line(pytest_report_header())
    if SCREENSHOTS:
        terminalreporter.write_line(f"browser screenshots in {SCREENSHOTS[0].parent}:")
        for path in SCREENSHOTS:
            terminalreporter.write_line(f"  {path.name}")


@pytest.fixture(autouse=True)
def _quiet_third_party_logs() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


async def consented(nabo: Nabo, user_id: int, language: str, first_name: str | None = None) -> None:
    """A resident who accepted the notice and has written to the bot (their chat exists)."""
    nabo.server.user(user_id, language_code=language, first_name=first_name or f"R{user_id}")
    await add_residents(nabo.store, [user_id], nabo.clock.now(), language)
    nabo.server.send_command(user_id, "menu")
    await nabo.server.wait_for_messages(user_id)


async def open_staff_chat(nabo: Nabo) -> None:
    """Add Nabo to the staff group, and wait for its greeting there."""
    nabo.server.add_bot_to_group(STAFF_ID, STAFF_CHAT_ID, title="Team")
    await nabo.server.wait_for_messages(STAFF_CHAT_ID)


async def settle(nabo: Nabo) -> None:
    """Wait until Nabo has fetched and finished every update sent so far.

    Lets a test assert that something did *not* happen (no reply to a group message).
    """
    await nabo.server.wait_until_idle()
    application = nabo.application
    # A guard against hanging, not a speed check: 30 messages/s caps some tests' pace.
    for _ in range(6000):
        if (
            application.update_queue.empty()
            and application.update_processor.current_concurrent_updates == 0
            # Updates waiting for their chat's turn are not running yet, but not done.
            and getattr(application.update_processor, "waiting_updates", 0) == 0
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("Nabo did not finish its updates")


def refused(server: BotApiServer) -> list[tuple[str, int, str]]:
    """What the server refused, but the staff command list Nabo tries to set at start-up
    for a staff member who has not opened a chat yet (refused by Telegram too, expected).
    """
    return [
        rejection
        for rejection in server.rejected
        if rejection[0] != "setMyCommands" or "chat not found" not in rejection[2]
    ]


def buttons(message: dict) -> list[str]:
    """The labels of a message's inline buttons, row by row."""
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def team_outbox_idle(nabo: Nabo) -> None:
    """Wait until the team's outbox has addressed and sent everything written so far."""
    nabo.application.bot_data.services.sender.wake()
    # A guard against hanging, not a speed check.
    for _ in range(1000):
        rows = await nabo.store.fetch_all(
            "SELECT 1 FROM team_messages WHERE status IN ('pending', 'sending') LIMIT 1"
        )
        if not rows:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the team's outbox did not finish")

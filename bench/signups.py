"""Benchmark: residents sign up against Nabo in its own process, beside a bare PTB echo bot."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
# The test data builders live under tests/, which is not an
# installed package; `make bench` runs this file directly, so put the checkout on the path.
sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402
from telegram.constants import FloodLimit  # noqa: E402

from bench._results import Row, add_json_option, row, write_rows  # noqa: E402
from bot.core.clock import Clock  # noqa: E402
from bot.core.config import LANGUAGES  # noqa: E402
from bot.db.store import Store  # noqa: E402
from bot.sandbox.botapi import BotApiServer  # noqa: E402
from tests.factories import add_activity, add_residents  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
FIRST_USER_ID = 100_000
ROOMY_ACTIVITIES = 20
# More places than any run can fill, so every sign-up there is a confirmation.
ROOMY_CAPACITY = 100_000
# Every tenth resident picks the small activity, which has room for about half of them.
SMALL_EVERY = 10
# Bounds for one wait and for bot start-up/shutdown; generous because the machine is loaded.
WAIT_TIMEOUT = 60.0
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0

ECHO_BOT = '''\
"""A bare python-telegram-bot bot: the baseline Nabo is compared with.

It echoes a text, with one button; a press on it is answered and the message edited, as
Nabo answers a sign-up. With RATE_LIMITER=1 it has AIORateLimiter, as Nabo has.
"""

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text and a button."""
    assert update.effective_message is not None
    button = InlineKeyboardButton("OK", callback_data="ok")
    await update.effective_message.reply_text(
        update.effective_message.text or "", reply_markup=InlineKeyboardMarkup([[button]])
    )


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and say so in the message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Pressed: {query.data}")


builder = ApplicationBuilder().token(os.environ["BOT_TOKEN"]).base_url(
    os.environ["TELEGRAM_BASE_URL"]
)
if os.environ.get("RATE_LIMITER") == "1":
    builder = builder.rate_limiter(AIORateLimiter())
application = builder.build()
application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
application.add_handler(CallbackQueryHandler(press))
application.run_polling()
'''
# The burst of presses: this many residents press within BURST_WITHIN seconds.
BURST = 200
BURST_WITHIN = 1.0


class BenchError(RuntimeError):
    """The benchmark could not run (a bot did not start, or a check failed)."""


@dataclass(frozen=True, slots=True)
class Resident:
    """One simulated resident and the sign-up they will make."""

    user_id: int
    language: str
    activity_id: int
    adults: int
    children: int


@dataclass(frozen=True, slots=True)
class Plan:
    """The residents, and the small activity whose waitlist the run should fill."""

    residents: list[Resident]
    small_activity_id: int
    small_capacity: int
    roomy: list[int]


@dataclass(frozen=True, slots=True)
class Phase:
    """One measured phase: per-resident latencies, wall time and the CPU time spent on it."""

    latencies: list[float]
    wall: float
    cpu: float | None
    updates: int
    # Seconds between the two CPU readings, and this process's CPU (server and residents) in
    # them: if this process is near a whole core, the harness, not the bot, set the pace.
    span: float
    harness_cpu: float

    @property
    def per_second(self) -> float:
        """Return completed actions per second of wall time."""
        return len(self.latencies) / self.wall

    def percentile_ms(self, percent: int) -> float:
        """Return a latency percentile in milliseconds."""
        # "inclusive" treats the samples as the whole population, right for a finished run.
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[percent - 1] * 1000

    @property
    def cpu_ms_per_update(self) -> float | None:
        """Return the bot's CPU milliseconds per update handled, if CPU time was readable."""
        return None if self.cpu is None else self.cpu * 1000 / self.updates

    @property
    def bot_load(self) -> float | None:
        """Return the bot's CPU use as a percentage of one core, if CPU time was readable."""
        return None if self.cpu is None else self.cpu * 100 / self.span

    @property
    def harness_load(self) -> float:
        """Return this process's CPU use as a percentage of one core."""
        return self.harness_cpu * 100 / self.span


@dataclass(frozen=True, slots=True)
class Check:
    """What the database says after the sign-up phase."""

    presses: int
    rows: int
    confirmed: int
    waitlisted: int
    small_waitlisted: int
    overbooked: list[int]

    @property
    def ok(self) -> bool:
        """Tell whether every press became exactly one sign-up and nothing is overbooked."""
        return (
            self.rows == self.presses
            and self.confirmed + self.waitlisted == self.rows
            and not self.overbooked
        )


async def prepare_database(path: Path, count: int) -> Plan:
    """Create the database Nabo will open: consented residents, activities open for sign-up."""
    now = Clock().now()
    store = await Store.open(path)
    try:
        roomy = [
            await add_activity(store, now, title_da=f"Aktivitet {n + 1}", capacity=ROOMY_CAPACITY)
            for n in range(ROOMY_ACTIVITIES)
        ]
        small_capacity = max(1, len(range(0, count, SMALL_EVERY)) // 2)
        small = await add_activity(store, now, title_da="Lille værksted", capacity=small_capacity)
        residents = []
        for i in range(count):
            user_id, language = FIRST_USER_ID + i, LANGUAGES[i % len(LANGUAGES)]
            if i % SMALL_EVERY == 0:
                # Parties of one: a bigger party that does not fit while a place is left gets
                # "no room" and no row, but this benchmark expects one row per press.
                residents.append(Resident(user_id, language, small, 1, 0))
            else:
                # i // 2 keeps children independent of adults, so all 8 mixes occur.
                activity = roomy[i % ROOMY_ACTIVITIES]
                residents.append(Resident(user_id, language, activity, 1 + i % 2, (i // 2) % 4))
        for language in LANGUAGES:
            ids = [r.user_id for r in residents if r.language == language]
            await add_residents(store, ids, now, language)
    finally:
        await store.close()
    return Plan(residents, small, small_capacity, roomy)


async def check_database(path: Path, plan: Plan, presses: int) -> Check:
    """Count the sign-ups the bot stored and look for overbooked activities."""
    store = await Store.open(path)
    try:
        totals = await store.fetch_one(
            "SELECT COUNT(*), COALESCE(SUM(status = 'confirmed'), 0),"
            " COALESCE(SUM(status = 'waitlisted'), 0) FROM signups"
        )
        small = await store.fetch_one(
            "SELECT COUNT(*) FROM signups WHERE activity_id = ? AND status = 'waitlisted'",
            (plan.small_activity_id,),
        )
        overbooked = await store.fetch_all(
            """
            SELECT a.id FROM activities a
             WHERE a.capacity IS NOT NULL
               AND a.capacity < (SELECT COALESCE(SUM(s.adults + s.children), 0) FROM signups s
                                  WHERE s.activity_id = a.id AND s.status = 'confirmed')
            """
        )
    finally:
        await store.close()
    assert totals is not None
    assert small is not None
    return Check(
        presses=presses,
        rows=int(totals[0]),
        confirmed=int(totals[1]),
        waitlisted=int(totals[2]),
        small_waitlisted=int(small[0]),
        overbooked=[int(row[0]) for row in overbooked],
    )


def cpu_seconds(pid: int) -> float | None:
    """Return a process's user+system CPU seconds so far, or None where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return _psutil_cpu_seconds(pid)
    # The command name is in parentheses and may contain spaces; fields 14 and 15 (utime,
    # stime, in clock ticks, all threads included) are counted from after it.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _psutil_cpu_seconds(pid: int) -> float | None:
    """Return CPU seconds through psutil where there is no /proc (macOS), if it is installed."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return None
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def bot_environment(server: BotApiServer, database: Path) -> dict[str, str]:
    """Return a bot process's environment: only what it needs, never the developer's .env."""
    # `make` exports .env, which may hold a real token or staff chat; none of it belongs here.
    return {
        "PATH": os.environ.get("PATH", ""),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
    }


def open_log(path: Path) -> IO[bytes]:
    """Open the file a bot process writes its output to."""
    # A file rather than a pipe: nobody reads a pipe while we measure, and a full one would
    # stall the bot.
    return path.open("wb")


def log_tail(path: Path, lines: int = 10) -> list[str]:
    """Return the last lines a bot process wrote."""
    return path.read_text(errors="replace").splitlines()[-lines:]


@contextlib.asynccontextmanager
async def bot_process(
    command: Sequence[str], server: BotApiServer, env: dict[str, str], log_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run a bot in its own process until it polls the server; stop it with SIGTERM after."""
    polls_before = server.count("getUpdates")
    with open_log(log_path) as log:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await _wait_until_polling(server, process, polls_before, log_path)
            yield process
        finally:
            await _stop(process)


async def _wait_until_polling(
    server: BotApiServer, process: asyncio.subprocess.Process, polls_before: int, log_path: Path
) -> None:
    """Wait for the bot's first getUpdates; fail fast, with its output, if it exits instead."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while server.count("getUpdates") <= polls_before:
        if process.returncode is not None or time.monotonic() > deadline:
            what = (
                f"exited with {process.returncode}"
                if process.returncode is not None
                else f"did not poll within {STARTUP_TIMEOUT:.0f}s"
            )
            raise BenchError(f"the bot {what}:\n" + "\n".join(log_tail(log_path)))
        await asyncio.sleep(0.05)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Stop a bot with SIGTERM (PTB shuts down cleanly on it); kill it if it lingers."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)


async def for_each(
    residents: Sequence[Resident], concurrency: int, act: Callable[[Resident], Awaitable[float]]
) -> list[float]:
    """Run act for every resident, at most `concurrency` at once; return what each returned."""
    gate = asyncio.Semaphore(concurrency)

    async def one(resident: Resident) -> float:
        """Act for one resident once a slot is free."""
        async with gate:
            return await act(resident)

    # Each wait is bounded by WAIT_TIMEOUT; this bounds the phase as a whole as well.
    budget = WAIT_TIMEOUT + WAIT_TIMEOUT * len(residents) / concurrency
    try:
        async with asyncio.timeout(budget), asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(resident)) for resident in residents]
    except ExceptionGroup as failures:
        # One resident's failure is enough to explain the run; the rest usually repeat it.
        raise failures.exceptions[0] from failures
    return [task.result() for task in tasks]


async def measure(
    server: BotApiServer,
    process: asyncio.subprocess.Process,
    residents: Sequence[Resident],
    concurrency: int,
    act: Callable[[Resident], Awaitable[float]],
) -> Phase:
    """Run one measured phase (one update per resident) and read the bot's CPU around it."""
    cpu_before, harness_before = cpu_seconds(process.pid), time.process_time()
    started = time.perf_counter()
    latencies = await for_each(residents, concurrency, act)
    wall = time.perf_counter() - started
    # The bot confirms the last updates with its next poll; count that work too.
    await server.wait_until_idle(timeout=WAIT_TIMEOUT)
    cpu_after, harness_after = cpu_seconds(process.pid), time.process_time()
    span = time.perf_counter() - started
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Phase(latencies, wall, cpu, len(residents), span, harness_after - harness_before)


@dataclass(frozen=True, slots=True)
class Burst:
    """Many residents pressing at once: when each press was answered, and confirmed."""

    answers: list[float]
    confirmations: list[float]

    @staticmethod
    def percentile_ms(samples: list[float], percent: int) -> float:
        """Return a percentile of the samples in milliseconds."""
        return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1] * 1000


def _edits(server: BotApiServer, chat_id: int, message_id: int) -> int:
    """Return how often the bot has edited a message."""
    chat = server.chat_state(chat_id)
    assert chat is not None
    return chat.messages[message_id].edit_count


async def burst(
    server: BotApiServer, residents: Sequence[Resident], menus: dict[int, int], plan: Plan
) -> Burst:
    """Let the residents press a sign-up button within BURST_WITHIN seconds, all at once.

    The server notes how long each press waited for its answer; the confirmations (edits)
    are watched by one poller, so that 200 waiting residents do not slow the harness.
    """
    rng = random.Random(2)
    pressed: dict[str, tuple[int, int, float]] = {}  # query: resident, message, when
    confirmed: dict[str, float] = {}
    edits = {
        resident.user_id: _edits(server, resident.user_id, menus[resident.user_id])
        for resident in residents
    }

    async def press(resident: Resident, at: float) -> None:
        await asyncio.sleep(at)
        message_id = menus[resident.user_id]
        # Another roomy activity than the one they signed up for: a new sign-up.
        others = [a for a in plan.roomy if a != resident.activity_id]
        data = f"su:c:{others[resident.user_id % len(others)]}:0:1:0"
        query = server.press_button(resident.user_id, message_id, data)
        pressed[query] = (resident.user_id, message_id, time.perf_counter())

    async with asyncio.TaskGroup() as group:
        for resident in residents:
            group.create_task(press(resident, rng.uniform(0, BURST_WITHIN)))
    deadline = time.monotonic() + 2 * WAIT_TIMEOUT
    while len(confirmed) < len(pressed) or len(server.callback_answer_delays) < len(pressed):
        if time.monotonic() > deadline:
            raise BenchError(f"{len(pressed) - len(confirmed)} presses never confirmed")
        now = time.perf_counter()
        for query, (user_id, message_id, at) in pressed.items():
            if query not in confirmed and _edits(server, user_id, message_id) > edits[user_id]:
                confirmed[query] = now - at
        await asyncio.sleep(0.01)
    return Burst(
        [server.callback_answer_delays[query] for query in pressed],
        [confirmed[query] for query in pressed],
    )


async def bench_nabo(
    server: BotApiServer, workdir: Path, plan: Plan, concurrency: int
) -> tuple[Phase, Burst, Check, list[str]]:
    """Measure sign-ups against Nabo (`python -m bot`), then a burst; check the database."""
    database = workdir / "nabo.sqlite3"
    menus: dict[int, int] = {}

    async def open_menu(resident: Resident) -> float:
        """Send /menu and keep the menu's message id: the button press will belong to it."""
        # The resident must write first, or the server refuses to let the bot message them.
        server.send_command(resident.user_id, "menu")
        sent = await server.wait_for_messages(resident.user_id, timeout=WAIT_TIMEOUT)
        menus[resident.user_id] = sent[-1]["message_id"]
        return 0.0

    async def sign_up(resident: Resident) -> float:
        """Press the final sign-up button and wait for Nabo to edit in the confirmation."""
        message_id = menus[resident.user_id]
        data = f"su:c:{resident.activity_id}:0:{resident.adults}:{resident.children}"
        started = time.perf_counter()
        server.press_button(resident.user_id, message_id, data)
        await server.wait_for_edit(resident.user_id, message_id, timeout=WAIT_TIMEOUT)
        return time.perf_counter() - started

    command = [sys.executable, "-m", "bot"]
    env = bot_environment(server, database)
    log_path = workdir / "nabo.log"
    pressing = plan.residents[:BURST]
    async with bot_process(command, server, env, log_path) as process:
        await for_each(plan.residents, concurrency, open_menu)
        await server.wait_until_idle(timeout=WAIT_TIMEOUT)
        phase = await measure(server, process, plan.residents, concurrency, sign_up)
        pressed = await burst(server, pressing, menus, plan)
        await server.wait_until_idle(timeout=WAIT_TIMEOUT)
    check = await check_database(database, plan, len(plan.residents) + len(pressing))
    return phase, pressed, check, log_tail(log_path)


async def bench_bare(
    server: BotApiServer, workdir: Path, plan: Plan, concurrency: int, *, limiter: bool
) -> tuple[Phase, list[str]]:
    """Measure a bare PTB bot the same way.

    Without a rate limiter: one text per resident, until the echo. With AIORateLimiter:
    a press per resident, answered and edited in, as Nabo's sign-up is.
    """
    messages: dict[int, int] = {}

    async def echo(resident: Resident, text: str) -> float:
        """Send a text and wait for the same text to come back."""
        started = time.perf_counter()
        server.send_text(resident.user_id, text)
        sent = await server.wait_for_messages(resident.user_id, timeout=WAIT_TIMEOUT)
        latency = time.perf_counter() - started
        if sent[-1].get("text") != text:
            raise BenchError(f"echo bot answered {sent[-1].get('text')!r} to {text!r}")
        messages[resident.user_id] = sent[-1]["message_id"]
        return latency

    async def warm_up(resident: Resident) -> float:
        """Echo once, unmeasured, like Nabo's /menu."""
        return await echo(resident, "Hej")

    async def measured(resident: Resident) -> float:
        """Echo a text unique to the resident, or press the button and wait for the edit."""
        if not limiter:
            return await echo(resident, f"Hej fra {resident.user_id}")
        message_id = messages[resident.user_id]
        started = time.perf_counter()
        server.press_button(resident.user_id, message_id, f"ok:{resident.user_id}")
        await server.wait_for_edit(resident.user_id, message_id, timeout=WAIT_TIMEOUT)
        return time.perf_counter() - started

    script = workdir / "echo_bot.py"
    script.write_text(ECHO_BOT)
    env = {**bot_environment(server, workdir / "unused.sqlite3"), "RATE_LIMITER": str(int(limiter))}
    log_path = workdir / f"echo-{int(limiter)}.log"
    async with bot_process([sys.executable, str(script)], server, env, log_path) as process:
        await for_each(plan.residents, concurrency, warm_up)
        await server.wait_until_idle(timeout=WAIT_TIMEOUT)
        phase = await measure(server, process, plan.residents, concurrency, measured)
    return phase, log_tail(log_path)


def _cell(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ratio(nabo: float | None, echo: float | None) -> str:
    return "n/a" if nabo is None or not echo else f"{nabo / echo:.2f}"


def report(
    args: argparse.Namespace, phases: Phases, check: Check, plan: Plan, logs: list[str]
) -> None:
    """Print the figures as a small table that can be pasted into notes."""
    nabo, echo, limited = phases.nabo, phases.echo, phases.limited
    now = datetime.now().astimezone()
    print(f"Nabo sign-up benchmark, {now:%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}"
    )
    print(
        f"{args.residents} residents, {args.concurrency} in flight; the local Bot API server's "
        "rate limits are off (this measures the bot, not Telegram's limiter)"
    )
    print()
    rows = [
        ("sign-ups/s (bare: replies/s)", nabo.per_second, echo.per_second, limited.per_second, 1),
        (
            "p50 latency, ms",
            nabo.percentile_ms(50),
            echo.percentile_ms(50),
            limited.percentile_ms(50),
            1,
        ),
        (
            "p99 latency, ms",
            nabo.percentile_ms(99),
            echo.percentile_ms(99),
            limited.percentile_ms(99),
            1,
        ),
        (
            "bot CPU per update, ms",
            nabo.cpu_ms_per_update,
            echo.cpu_ms_per_update,
            limited.cpu_ms_per_update,
            2,
        ),
    ]
    print(f"{'':<30}{'Nabo':>10}{'echo':>10}{'echo+AIO':>10}{'Nabo/echo':>11}{'Nabo/AIO':>10}")
    for label, ours, theirs, aio, digits in rows:
        print(
            f"{label:<30}{_cell(ours, digits):>10}{_cell(theirs, digits):>10}"
            f"{_cell(aio, digits):>10}{_ratio(ours, theirs):>11}{_ratio(ours, aio):>10}"
        )
    print()
    pressed = phases.burst
    print(
        f"{len(pressed.answers)} residents pressing within {BURST_WITHIN:g} s: answered p50 "
        f"{pressed.percentile_ms(pressed.answers, 50):.0f} ms, p99 "
        f"{pressed.percentile_ms(pressed.answers, 99):.0f} ms; confirmed p50 "
        f"{pressed.percentile_ms(pressed.confirmations, 50):.0f} ms, p99 "
        f"{pressed.percentile_ms(pressed.confirmations, 99):.0f} ms"
    )
    print(
        f"wall time of the measured phase: Nabo {nabo.wall:.1f} s, echo {echo.wall:.1f} s, "
        f"echo with AIORateLimiter {limited.wall:.1f} s"
    )
    print(
        f"CPU use, % of one core: Nabo {_cell(nabo.bot_load, 0)} (harness "
        f"{nabo.harness_load:.0f}), echo {_cell(echo.bot_load, 0)} (harness "
        f"{echo.harness_load:.0f}), echo with AIORateLimiter {_cell(limited.bot_load, 0)}"
    )
    limit = FloodLimit.MESSAGES_PER_SECOND
    if nabo.per_second > 0.95 * limit:
        # Nabo keeps a rate limiter on for Telegram's sake; the plain echo bot has none.
        print(
            f"note: Nabo ran at its own rate limiter's {limit} messages/s (Telegram's overall "
            "limit), so its sign-ups/s and latency show that queue; CPU per update is the "
            "figure that compares the work per update"
        )
    verdict = "ok" if check.ok else "FAILED"
    print(
        f"check {verdict}: {check.presses} presses, {check.rows} sign-ups stored "
        f"({check.confirmed} confirmed, {check.waitlisted} waitlisted; "
        f"{check.small_waitlisted} on the waitlist of the {plan.small_capacity}-place activity), "
        + (f"overbooked activities: {check.overbooked}" if check.overbooked else "none overbooked")
    )
    for line in logs:
        print(f"  bot log: {line}")


@dataclass(frozen=True, slots=True)
class Phases:
    """What each bot did: Nabo, the bare echo bot, the bare bot with AIORateLimiter."""

    nabo: Phase
    burst: Burst
    echo: Phase
    limited: Phase


def result_rows(phases: Phases, check: Check) -> list[Row]:
    """Return the figures for `make bench`'s table (see bench/_results.py)."""
    nabo, echo, limited, pressed = phases.nabo, phases.echo, phases.limited, phases.burst
    name = "sign-ups"
    figures = [
        row(name, "sign-ups per second", nabo.per_second, "1/s"),
        row(name, "p99 latency", nabo.percentile_ms(99), "ms"),
        row(name, "bare echo bot: replies per second", echo.per_second, "1/s"),
        row(name, "bare echo bot: p99 latency", echo.percentile_ms(99), "ms"),
        row(name, "sign-ups/s ÷ echo replies/s", nabo.per_second / echo.per_second, "ratio"),
        row(name, "p99 ÷ echo p99", nabo.percentile_ms(99) / echo.percentile_ms(99), "ratio"),
    ]
    if nabo.cpu_ms_per_update is not None and echo.cpu_ms_per_update:
        figures += [
            row(name, "bot CPU per update", nabo.cpu_ms_per_update, "ms"),
            row(
                name,
                "CPU per update ÷ echo",
                nabo.cpu_ms_per_update / echo.cpu_ms_per_update,
                "ratio",
            ),
        ]
    if nabo.cpu_ms_per_update is not None and limited.cpu_ms_per_update:
        figures += [
            row(
                name,
                "bare bot with AIORateLimiter: CPU per update (press, answer, edit)",
                limited.cpu_ms_per_update,
                "ms",
            ),
            row(
                name,
                "CPU per update ÷ bare bot with AIORateLimiter",
                nabo.cpu_ms_per_update / limited.cpu_ms_per_update,
                "ratio",
            ),
        ]
    figures += [
        row(
            name,
            f"{len(pressed.answers)} presses within {BURST_WITHIN:g} s: answered p99",
            pressed.percentile_ms(pressed.answers, 99),
            "ms",
        ),
        row(
            name,
            f"{len(pressed.answers)} presses within {BURST_WITHIN:g} s: confirmed p99",
            pressed.percentile_ms(pressed.confirmations, 99),
            "ms",
        ),
        row(name, "check failed (sign-ups ≠ presses, overbooked)", 0 if check.ok else 1, "count"),
    ]
    return figures


async def run(args: argparse.Namespace, workdir: Path) -> int:
    """Set up the server and the data, measure the bots, print the figures."""
    # Rate limits off: the benchmark measures the bot, not the server's model of Telegram.
    server = BotApiServer(
        token=TOKEN, global_rate=None, global_burst=None, chat_rate=None, chat_burst=None
    )
    await server.start()
    try:
        plan = await prepare_database(workdir / "nabo.sqlite3", args.residents)
        for resident in plan.residents:
            server.user(resident.user_id, first_name="Beboer", language_code=resident.language)
        nabo, pressed, check, nabo_log = await bench_nabo(server, workdir, plan, args.concurrency)
        echo, echo_log = await bench_bare(server, workdir, plan, args.concurrency, limiter=False)
        limited, limited_log = await bench_bare(
            server, workdir, plan, args.concurrency, limiter=True
        )
    finally:
        await server.stop()
    logs = (
        [f"nabo: {line}" for line in nabo_log]
        + [f"echo: {line}" for line in echo_log]
        + [f"echo+AIORateLimiter: {line}" for line in limited_log]
    )
    phases = Phases(nabo, pressed, echo, limited)
    report(args, phases, check, plan, logs)
    write_rows(args.json, result_rows(phases, check))
    return 0 if check.ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=500, help="residents (default 500)")
    parser.add_argument(
        "--concurrency", type=int, default=50, help="residents in flight at once (default 50)"
    )
    add_json_option(parser)
    args = parser.parse_args(argv)
    if args.residents < 2 or args.concurrency < 1:
        parser.error("--residents must be at least 2 (for percentiles), --concurrency at least 1")
    with tempfile.TemporaryDirectory(prefix="nabo-bench-") as folder:
        try:
            return asyncio.run(run(args, Path(folder)))
        # A failed wait (AssertionError from the server) describes the chat; a trace adds nothing.
        except (BenchError, AssertionError, TimeoutError) as error:
            print(f"bench: {error or type(error).__name__}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())

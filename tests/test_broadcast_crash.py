"""Crash safety of broadcasts: SIGKILL the real bot mid-broadcast, restart, count what arrived.

Each seed runs Nabo as its own process (``python -m bot``) against its own local Bot API
server with Telegram's limits on, kills it with SIGKILL at random moments of a 500-recipient
broadcast, restarts it, lets it finish, then compares the deliveries in the database with
the messages the server received: every resident exactly once, except those marked
uncertain (at most the messages in flight per kill, each received at most once), and
nothing left pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from telegram import Bot

from bot.core.clock import Clock
from bot.core.config import LANGUAGES
from bot.db.broadcasts import SUBSCRIBERS, BroadcastRepository
from bot.db.store import Store
from bot.sandbox.botapi import BotApiServer
from bot.work.delivery import IN_FLIGHT
from tests.factories import add_residents

ROOT = Path(__file__).resolve().parents[1]
RECIPIENTS = 500
FIRST_USER_ID = 200_000
SEEDS = range(10)
# Each seed is a bot process sending 30 messages/s plus its server in this process. Five at
# a time use about two thirds of a two-core machine and finish ten seeds in two rounds
# (about a minute, against about 4 minutes one at a time).
CONCURRENT_SEEDS = 5
# Bounds for waits that should take a second or two; generous because the machine is shared.
STARTUP_TIMEOUT = 30.0
FINISH_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0


def broadcast_texts(seed: int) -> dict[str, str]:
    """Return the broadcast's text per language; markup-like text must arrive exactly as typed."""
    return {
        "da": f"Hej <b>alle</b> #{seed}",
        "ar": f"مرحبا <b>بالجميع</b> #{seed}",
        "en": f"Hello <b>everyone</b> #{seed}",
    }


@dataclass
class SeedResult:
    """What one seed did and found."""

    seed: int
    kills: int = 0
    sent: int = 0
    uncertain: int = 0
    uncertain_received: int = 0
    problems: list[str] = field(default_factory=list)
    log_tail: list[str] = field(default_factory=list)


async def prepare(store: Store, seed: int) -> tuple[int, dict[int, str]]:
    """Store consented residents and a started broadcast; return its id and who speaks what."""
    now = Clock().now()
    languages = {FIRST_USER_ID + i: LANGUAGES[i % len(LANGUAGES)] for i in range(RECIPIENTS)}
    for language in LANGUAGES:
        ids = [user_id for user_id, spoken in languages.items() if spoken == language]
        await add_residents(store, ids, now, language)
    broadcasts = BroadcastRepository(store, "da")
    broadcast_id = await broadcasts.create(
        kind="message",
        audience=SUBSCRIBERS,
        send_at=now,
        now=now,
        staff_user_id=None,
        texts=dict(broadcast_texts(seed)),
    )
    assert broadcast_id is not None
    assert await broadcasts.start(broadcast_id, now) == RECIPIENTS
    return broadcast_id, languages


async def let_residents_write_first(server: BotApiServer, languages: dict[int, str]) -> None:
    """Give every resident a chat with the bot, as if an earlier run had read their /start."""
    for user_id, language in languages.items():
        server.user(user_id, first_name="Beboer", language_code=language)
        # Telegram only lets a bot write to someone who wrote first ("chat not found" else).
        server.send_command(user_id, "start")
    # Those updates were handled long ago; dropping them keeps the bot's replies out of the count.
    async with Bot(server.token, base_url=server.base_url) as bot:
        await bot.delete_webhook(drop_pending_updates=True)
    assert not server.pending_updates


def bot_environment(server: BotApiServer, database: Path) -> dict[str, str]:
    """Return the bot process's environment: only what it needs, never the developer's .env."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "DATABASE_PATH": str(database),
        "BROADCAST_RATE": "30",
        "LOG_LEVEL": "WARNING",
        "STAFF_USER_IDS": "",
        "DIGEST_SCHEDULE": "off",
    }


def log_tail(path: Path, lines: int = 15) -> list[str]:
    """Return the last lines the bot processes wrote."""
    return path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []


@contextlib.asynccontextmanager
async def bot_process(
    env: dict[str, str], log_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run ``python -m bot``; whatever happens, it is gone when the block ends."""
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def stop_cleanly(process: asyncio.subprocess.Process) -> None:
    """Stop the bot with SIGTERM (PTB shuts down cleanly on it); kill it if it lingers."""
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)


async def wait_until(
    condition: Callable[[], Awaitable[bool]],
    *,
    timeout: float,  # noqa: ASYNC109 - the failure names what was awaited, with the bot's log
    what: str,
    process: asyncio.subprocess.Process,
    log_path: Path,
) -> None:
    """Poll ``condition`` until it holds; fail with the bot's log if it exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if process.returncode is not None:
            raise AssertionError(
                f"the bot exited with {process.returncode} while waiting for {what}:\n"
                + "\n".join(log_tail(log_path))
            )
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no {what} within {timeout:.0f} s; bot log:\n" + "\n".join(log_tail(log_path))
            )
        await asyncio.sleep(0.05)


async def run_seed(seed: int, workdir: Path) -> SeedResult:
    """Broadcast to 500 residents through 1-3 SIGKILLs and restarts; check every delivery."""
    rng = random.Random(seed)
    result = SeedResult(seed)
    database, log_path = workdir / "nabo.sqlite3", workdir / "nabo.log"
    texts = broadcast_texts(seed)
    # Telegram's limits stay on: 30 messages/s overall, a short burst per chat.
    async with BotApiServer() as server:
        store = await Store.open(database)  # creates the folder, for the log too
        try:
            broadcast_id, languages = await prepare(store, seed)
            broadcasts = BroadcastRepository(store, "da")
            await let_residents_write_first(server, languages)
            env = bot_environment(server, database)

            async def left_to_send() -> int:
                counts = await broadcasts.counts(broadcast_id)
                return counts["pending"] + counts["sending"]

            for _ in range(rng.randint(1, 3)):
                pause = rng.uniform(0.3, 4.0)
                if not await left_to_send():
                    break
                sends_before = server.count("sendMessage")
                async with bot_process(env, log_path) as process:

                    async def sending() -> bool:
                        return server.count("sendMessage") > sends_before  # noqa: B023

                    await wait_until(
                        sending,
                        timeout=STARTUP_TIMEOUT,
                        what="broadcast message after (re)start",
                        process=process,
                        log_path=log_path,
                    )
                    await asyncio.sleep(pause)
                    process.send_signal(signal.SIGKILL)
                    await process.wait()
                    result.kills += 1

            async with bot_process(env, log_path) as process:

                async def finished() -> bool:
                    broadcast = await broadcasts.get(broadcast_id)
                    assert broadcast is not None
                    return broadcast.status == "done" and not await left_to_send()

                await wait_until(
                    finished,
                    timeout=FINISH_TIMEOUT,
                    what="finished broadcast",
                    process=process,
                    log_path=log_path,
                )
                await stop_cleanly(process)

            rows = await store.fetch_all(
                "SELECT chat_id, language, status, error FROM deliveries WHERE broadcast_id = ?",
                (broadcast_id,),
            )
        finally:
            await store.close()
        check(result, server, rows, texts, languages)
    result.log_tail = log_tail(log_path)
    return result


def check(
    result: SeedResult,
    server: BotApiServer,
    rows: list,
    texts: dict[str, str],
    languages: dict[int, str],
) -> None:
    """Compare each delivery row with what its chat received; note every mismatch."""
    problems = result.problems
    if server.errors:
        problems.append(f"the Bot API server failed: {server.errors[:3]}")
    if len(rows) != len(languages):
        problems.append(f"{len(rows)} delivery rows for {len(languages)} residents")
    timed_out = 0
    for chat_id, language, status, error in rows:
        received = [m.get("text") for m in server.messages(chat_id)]
        right = received.count(texts[language])
        wrong = sum(received.count(texts[other]) for other in LANGUAGES if other != language)
        if wrong:
            problems.append(f"chat {chat_id} ({language}) got the broadcast in another language")
        if right > 1:
            problems.append(f"chat {chat_id} got the broadcast {right} times (row {status})")
        if status == "sent":
            result.sent += 1
            if right != 1:
                problems.append(f"chat {chat_id}: row sent, but {right} messages arrived")
        elif status == "uncertain":
            result.uncertain += 1
            result.uncertain_received += right
            # The sender also marks a send that timed out as uncertain (not only a restart).
            timed_out += error == "timed out"
        elif status in ("blocked", "failed"):
            # Every resident here has a chat and has not blocked the bot.
            problems.append(f"chat {chat_id}: row {status} ({right} messages arrived)")
        else:
            problems.append(f"chat {chat_id}: left {status}")
    if result.uncertain > result.kills * IN_FLIGHT:
        problems.append(
            f"{result.uncertain} uncertain deliveries after {result.kills} kills "
            f"(at most {IN_FLIGHT} messages are in flight per kill); {timed_out} of them timed out"
        )


async def test_sigkill_mid_broadcast_sends_each_resident_at_most_once(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """Every resident gets the broadcast exactly once, except the few uncertain; none pending."""
    gate = asyncio.Semaphore(CONCURRENT_SEEDS)

    async def one(seed: int) -> SeedResult:
        async with gate:
            try:
                return await run_seed(seed, tmp_path / f"seed-{seed}")
            except AssertionError as error:
                return SeedResult(seed, problems=[str(error)])

    started = time.perf_counter()
    results = await asyncio.gather(*(one(seed) for seed in SEEDS))
    wall = time.perf_counter() - started
    record_property("wall_seconds", round(wall, 1))
    print(f"\n{len(results)} seeds, {CONCURRENT_SEEDS} at a time, {wall:.1f} s")
    for result in results:
        record_property(
            f"seed_{result.seed}",
            f"kills={result.kills} sent={result.sent} uncertain={result.uncertain}",
        )
        print(
            f"seed {result.seed}: kills {result.kills}, sent {result.sent}, uncertain "
            f"{result.uncertain} (received {result.uncertain_received}), "
            f"problems {len(result.problems)}"
        )
    failed = [result for result in results if result.problems]
    if failed:
        report = []
        for result in failed:
            report.append(f"seed {result.seed}:")
            report.extend(f"  {problem}" for problem in result.problems[:10])
            report.extend(f"  bot log: {line}" for line in result.log_tail)
        pytest.fail("\n".join(report))

"""Benchmark: the bot's memory with 10,000 residents, read from /proc while it works."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# As in signups.py: the local Bot API server and the builders live under tests/.
sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402

from bench._results import Row, add_json_option, row, write_rows  # noqa: E402
from bench.signups import (  # noqa: E402
    ECHO_BOT,
    TOKEN,
    WAIT_TIMEOUT,
    BenchError,
    bot_environment,
    bot_process,
    for_each,
    log_tail,
)
from bot.core.clock import Clock  # noqa: E402
from bot.core.config import LANGUAGES  # noqa: E402
from bot.db.broadcasts import SUBSCRIBERS, BroadcastRepository  # noqa: E402
from bot.db.signups import SignupRepository  # noqa: E402
from bot.db.store import Store  # noqa: E402
from bot.sandbox.botapi import BotApiServer  # noqa: E402
from tests.factories import add_activity, add_residents  # noqa: E402

FIRST_USER_ID = 500_000
MIB = 1024 * 1024
SAMPLE_EVERY = 0.25  # seconds between readings of the bot's memory
SETTLE = 2.0  # seconds the bot idles after start-up before the first reading
COMMANDS = ("menu", "activities", "mine", "mydata")


@dataclass
class Memory:
    """Readings of the bot's resident memory, in bytes."""

    after_start: int = 0
    samples: list[int] = field(default_factory=list)
    after_exercise: int = 0
    peak: int = 0  # VmHWM: the kernel's high-water mark over the process's whole life
    bare_after_start: int = 0  # a bare PTB bot's, on the same server, the same way


def memory_of(pid: int) -> tuple[int, int]:
    """Return a process's resident memory now and at its peak (VmRSS, VmHWM), in bytes."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return _psutil_memory(pid)
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024  # reported in kB
    return values["VmRSS"], values["VmHWM"]


def _psutil_memory(pid: int) -> tuple[int, int]:
    """Where there is no /proc (macOS): RSS through psutil; the peak is the highest sample."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError as error:
        raise BenchError("reading a process's memory needs /proc or psutil") from error
    rss = int(psutil.Process(pid).memory_info().rss)
    return rss, rss


async def prepare_database(
    path: Path, residents: int, activities: int, signups: int
) -> dict[int, str]:
    """Store consented residents, coming activities, sign-ups and a broadcast to everyone."""
    now = Clock().now()
    languages = {FIRST_USER_ID + i: LANGUAGES[i % len(LANGUAGES)] for i in range(residents)}
    store = await Store.open(path)
    try:
        for language in LANGUAGES:
            ids = [user_id for user_id, spoken in languages.items() if spoken == language]
            await add_residents(store, ids, now, language)
        activity_ids = [
            await add_activity(
                store,
                now,
                title_da=f"Aktivitet {n + 1}",
                starts_at=now + timedelta(days=2 + n % 28, hours=n % 5),
                ends_at=now + timedelta(days=2 + n % 28, hours=n % 5 + 2),
                capacity=None,
            )
            for n in range(activities)
        ]
        repository = SignupRepository(store)
        for n, user_id in enumerate(list(languages)[:signups]):
            activity_id = activity_ids[n % len(activity_ids)]
            await repository.sign_up(activity_id, user_id, 1 + n % 2, n % 3, now, waitlist=False)
        # A broadcast to all of them is under way while the bot is measured.
        broadcasts = BroadcastRepository(store, "da")
        broadcast_id = await broadcasts.create(
            kind="message",
            audience=SUBSCRIBERS,
            send_at=now,
            now=now,
            texts={"da": "Husk fællesspisning på fredag!"},
        )
        assert broadcast_id is not None
        await broadcasts.start(broadcast_id, now)
    finally:
        await store.close()
    return languages


async def prepare_server(server: BotApiServer, languages: dict[int, str]) -> None:
    """Give every resident a chat with the bot, as if each had written to it before."""
    for user_id, language in languages.items():
        server.user(user_id, first_name="Beboer", language_code=language)
        server.send_command(user_id, "start")
    async with telegram.Bot(server.token, base_url=server.base_url) as bot:
        await bot.delete_webhook(drop_pending_updates=True)


async def sample(pid: int, memory: Memory) -> None:
    """Read the bot's memory every SAMPLE_EVERY seconds until cancelled."""
    while True:
        rss, _ = memory_of(pid)
        memory.samples.append(rss)
        await asyncio.sleep(SAMPLE_EVERY)


async def run(args: argparse.Namespace, workdir: Path) -> tuple[Memory, float, list[str]]:
    """Start the bot on a database of ``args.residents``, exercise it, read its memory."""
    database = workdir / "nabo.sqlite3"
    prepared = time.perf_counter()
    languages = await prepare_database(database, args.residents, args.activities, args.signups)
    setup = time.perf_counter() - prepared
    active = random.Random(1).sample(list(languages), args.active)
    # Rate limits off: this measures memory, and the exercise should not queue.
    server = BotApiServer(
        token=TOKEN, global_rate=None, global_burst=None, chat_rate=None, chat_burst=None
    )
    await server.start()
    memory = Memory()
    log_path = workdir / "nabo.log"
    try:
        await prepare_server(server, languages)
        env = {**bot_environment(server, database), "DIGEST_SCHEDULE": "off"}
        async with bot_process([sys.executable, "-m", "bot"], server, env, log_path) as process:
            await asyncio.sleep(SETTLE)
            memory.after_start, _ = memory_of(process.pid)
            sampler = asyncio.create_task(sample(process.pid, memory))

            async def exercise(user_id: int) -> float:
                """Open the menu, the activities, one's sign-ups and one's data."""
                for command in COMMANDS:
                    server.send_command(user_id, command)
                    await server.wait_for_messages(user_id, timeout=WAIT_TIMEOUT)
                return 0.0

            try:
                await for_each(active, args.concurrency, exercise)  # type: ignore[arg-type]
                await server.wait_until_idle(timeout=WAIT_TIMEOUT)
            finally:
                sampler.cancel()
            memory.after_exercise, memory.peak = memory_of(process.pid)
            if process.returncode is not None:
                raise BenchError("the bot exited during the exercise")
        # The baseline: a bare PTB bot (the echo bot of bench/signups.py), read the same way.
        script = workdir / "echo_bot.py"
        script.write_text(ECHO_BOT)
        bare_env = bot_environment(server, workdir / "unused.sqlite3")
        bare_log = workdir / "echo.log"
        async with bot_process([sys.executable, str(script)], server, bare_env, bare_log) as bare:
            await asyncio.sleep(SETTLE)
            memory.bare_after_start, _ = memory_of(bare.pid)
    finally:
        await server.stop()
    return memory, setup, log_tail(log_path)


def result_rows(args: argparse.Namespace, memory: Memory) -> list[Row]:
    """Return the figures for `make bench`'s table (see bench/_results.py)."""
    name = "memory"
    return [
        row(name, "residents in the database", args.residents, "count"),
        row(name, "bot RSS after start-up", memory.after_start / MIB, "MiB"),
        row(name, "bare PTB bot RSS after start-up", memory.bare_after_start / MIB, "MiB"),
        row(
            name,
            "RSS after start-up ÷ bare PTB bot",
            memory.after_start / memory.bare_after_start,
            "ratio",
        ),
        row(name, "bot RSS after the exercise", memory.after_exercise / MIB, "MiB"),
        row(name, "bot peak RSS (VmHWM)", max(memory.peak, *memory.samples) / MIB, "MiB"),
    ]


def report(args: argparse.Namespace, memory: Memory, setup: float, logs: list[str]) -> None:
    """Print the figures as a small table that can be pasted into notes."""
    now = datetime.now().astimezone()
    print(f"Nabo memory benchmark, {now:%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}"
    )
    print(
        f"{args.residents} consented residents, {args.activities} activities, {args.signups} "
        f"sign-ups and a broadcast to everyone under way (database built in {setup:.0f} s); "
        f"{args.active} residents each send /{', /'.join(COMMANDS)} ({args.concurrency} at once)"
    )
    print()
    for item in result_rows(args, memory):
        value = item["value"]
        shown = f"{value:,.0f}" if item["unit"] == "count" else f"{value:,.2f}"
        print(f"{item['metric']:<34}{shown:>10} {item['unit']}")
    for line in logs:
        print(f"  bot log: {line}")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=10_000, help="residents (default 10000)")
    parser.add_argument("--activities", type=int, default=60, help="activities (default 60)")
    parser.add_argument("--signups", type=int, default=2_000, help="sign-ups (default 2000)")
    parser.add_argument(
        "--active", type=int, default=300, help="residents who use the bot (default 300)"
    )
    parser.add_argument("--concurrency", type=int, default=30, help="at once (default 30)")
    add_json_option(parser)
    args = parser.parse_args(argv)
    if not 0 < args.active <= args.residents or args.signups > args.residents:
        parser.error("--active and --signups must be between 1 and --residents")
    with tempfile.TemporaryDirectory(prefix="nabo-bench-") as folder:
        try:
            memory, setup, logs = asyncio.run(run(args, Path(folder)))
        except (BenchError, AssertionError, TimeoutError) as error:
            print(f"bench: {error or type(error).__name__}", file=sys.stderr)
            return 1
    report(args, memory, setup, logs)
    write_rows(args.json, result_rows(args, memory))
    return 0


if __name__ == "__main__":
    sys.exit(main())

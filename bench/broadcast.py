"""Benchmark: one broadcast to thousands of residents under Telegram's 30 messages/s limit."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# As in signups.py: the test data builders live under tests/.
sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402
from telegram.constants import FloodLimit  # noqa: E402

from bench._results import Row, add_json_option, row, write_rows  # noqa: E402
from bench.signups import (  # noqa: E402
    TOKEN,
    BenchError,
    bot_environment,
    bot_process,
    cpu_seconds,
    log_tail,
)
from bot.core.clock import Clock  # noqa: E402
from bot.core.config import LANGUAGES  # noqa: E402
from bot.db.broadcasts import SUBSCRIBERS, BroadcastRepository  # noqa: E402
from bot.db.store import Store  # noqa: E402
from bot.sandbox.botapi import BotApiServer  # noqa: E402
from tests.factories import add_residents  # noqa: E402

FIRST_USER_ID = 300_000
TEXTS = {
    "da": "Husk fællesspisning i Houlkær Beboerhus på fredag kl. 18!",
    "ar": "تذكير: عشاء مشترك في Houlkær Beboerhus يوم الجمعة الساعة 18!",
    "en": "Remember the shared dinner at Houlkær Beboerhus on Friday at 18!",
}
LIMIT = FloodLimit.MESSAGES_PER_SECOND  # Telegram's overall limit; the server enforces it
FLOOD = "Too Many Requests: retry after 1"
# Bounds: one /start reply may queue behind the broadcast, but a minute means it is stuck.
WAIT_TIMEOUT = 60.0
POLL_EVERY = 0.01  # seconds between looks at the server's request log
DB_EVERY = 0.5  # seconds between looks at the database
LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@dataclass
class Watch:
    """When the broadcast's sendMessage requests reached the server: first and last attempt."""

    texts: frozenset[str]
    first: float | None = None
    last: float | None = None
    _seen: int = 0

    async def run(self, server: BotApiServer) -> None:
        """Follow the server's request log until cancelled."""
        while True:
            requests, now = server.requests, time.perf_counter()
            for method, params in requests[self._seen :]:
                if method == "sendMessage" and params.get("text") in self.texts:
                    self.first = now if self.first is None else self.first
                    self.last = now
            self._seen = len(requests)
            await asyncio.sleep(POLL_EVERY)

    @property
    def span(self) -> float:
        """Return seconds from the first broadcast request to the last."""
        assert self.first is not None
        assert self.last is not None
        return self.last - self.first


@dataclass
class Outcome:
    """The broadcast as the database and the server's chats tell it."""

    statuses: dict[str, int]
    delivered: int = 0  # broadcast messages that reached a chat
    replies: int = 0  # every other message the bot sent (the /start answers)
    lost: int = 0
    duplicated: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether nobody lost the broadcast and nobody got it twice."""
        return not self.lost and not self.duplicated


@dataclass(frozen=True, slots=True)
class Run:
    """Everything measured in one run."""

    residents: int
    blocked: int
    rate: float
    span: float
    outcome: Outcome
    start_latencies: list[float]
    flood_injected: int
    floods_answered: int
    bot_cpu: float | None
    logs: list[str]


async def prepare_database(path: Path, count: int) -> tuple[int, dict[int, str]]:
    """Store consented residents and a broadcast to all of them, started: deliveries pending."""
    now = Clock().now()
    languages = {FIRST_USER_ID + i: LANGUAGES[i % len(LANGUAGES)] for i in range(count)}
    store = await Store.open(path)
    try:
        for language in LANGUAGES:
            ids = [user_id for user_id, spoken in languages.items() if spoken == language]
            await add_residents(store, ids, now, language)
        broadcasts = BroadcastRepository(store, "da")
        broadcast_id = await broadcasts.create(
            kind="message", audience=SUBSCRIBERS, send_at=now, now=now, texts=dict(TEXTS)
        )
        assert broadcast_id is not None
        if await broadcasts.start(broadcast_id, now) != count:
            raise BenchError("the broadcast did not reach every resident in the database")
    finally:
        await store.close()
    return broadcast_id, languages


async def prepare_server(
    server: BotApiServer, languages: dict[int, str], blocked: Collection[int]
) -> None:
    """Give every resident a chat with the bot, then let some of them block it."""
    for user_id, language in languages.items():
        server.user(user_id, first_name="Beboer", language_code=language)
        # The resident wrote first, or Telegram would not let the bot write to them.
        server.send_command(user_id, "start")
    for user_id in blocked:
        server.block(user_id)
    # An earlier run of the bot read all that, but never saw the blocks: it learns of them
    # from the 403s, as after a block while it was down.
    async with telegram.Bot(server.token, base_url=server.base_url) as bot:
        await bot.delete_webhook(drop_pending_updates=True)


async def start_and_time(server: BotApiServer, user_id: int, delay: float) -> float:
    """Send /start after ``delay`` seconds; return how long the bot took to answer."""
    await asyncio.sleep(delay)
    after = server.cursor(user_id)
    started = time.perf_counter()
    server.send_command(user_id, "start")
    seen = 0
    while True:
        # The broadcast itself may land in this chat meanwhile; it is not the answer.
        sent = await server.wait_for_messages(user_id, seen + 1, after=after, timeout=WAIT_TIMEOUT)
        if any(message.get("text") not in TEXTS.values() for message in sent):
            return time.perf_counter() - started
        seen = len(sent)


async def inject_floods(server: BotApiServer, moments: list[float]) -> None:
    """Answer the next sendMessage with a 429 at each moment (seconds from now)."""
    began = time.perf_counter()
    for moment in sorted(moments):
        await asyncio.sleep(max(0.0, moment - (time.perf_counter() - began)))
        server.fail_next("sendMessage", 429, FLOOD, retry_after=1)


async def wait_until_done(
    store: Store, broadcast_id: int, budget: float, process: asyncio.subprocess.Process
) -> None:
    """Wait until the bot marks the broadcast done (nothing pending or sending)."""
    broadcasts = BroadcastRepository(store, "da")
    deadline = time.monotonic() + budget
    while True:
        broadcast = await broadcasts.get(broadcast_id)
        if broadcast is not None and broadcast.status == "done":
            return
        if process.returncode is not None:
            raise BenchError(f"the bot exited with {process.returncode} during the broadcast")
        if time.monotonic() > deadline:
            counts = await broadcasts.counts(broadcast_id)
            raise BenchError(f"the broadcast was not done within {budget:.0f} s: {counts}")
        await asyncio.sleep(DB_EVERY)


async def check(
    store: Store,
    server: BotApiServer,
    broadcast_id: int,
    languages: dict[int, str],
    blocked: Collection[int],
) -> Outcome:
    """Compare every delivery row with what its chat received."""
    rows = await store.fetch_all(
        "SELECT chat_id, status FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
    )
    status_of = {int(row[0]): str(row[1]) for row in rows}
    outcome = Outcome(await BroadcastRepository(store, "da").counts(broadcast_id))
    texts = set(TEXTS.values())
    for user_id in languages:
        received = [message.get("text") for message in server.messages(user_id)]
        got = sum(text in texts for text in received)
        outcome.delivered += got
        outcome.replies += len(received) - got
        status = status_of.get(user_id, "missing")
        # Lost: stored as sent but never arrived, or reachable and nothing arrived although
        # the row does not admit a doubt (uncertain) or a permanent failure.
        if (status == "sent" and not got) or (
            user_id not in blocked and not got and status not in ("uncertain", "failed")
        ):
            outcome.lost += 1
            outcome.examples.append(f"lost: chat {user_id}, row {status}")
        if got > 1:
            outcome.duplicated += 1
            outcome.examples.append(f"duplicated: chat {user_id} got it {got} times")
    return outcome


async def run(args: argparse.Namespace, workdir: Path) -> Run:
    """Prepare the residents, run the bot until the broadcast is done, check and measure."""
    rng = random.Random(args.seed)
    database = workdir / "nabo.sqlite3"
    broadcast_id, languages = await prepare_database(database, args.residents)
    residents = list(languages)
    blocked = set(rng.sample(residents, round(args.residents * args.blocked / 100)))
    reachable = [user_id for user_id in residents if user_id not in blocked]
    starters = rng.sample(reachable, min(args.starts, len(reachable)))
    # Telegram's limits on: 30 messages/s overall (burst 30) and a short burst per chat.
    server = BotApiServer(token=TOKEN)
    await server.start()
    store = await Store.open(database)
    watch = Watch(frozenset(TEXTS.values()))
    watcher = asyncio.create_task(watch.run(server))
    try:
        await prepare_server(server, languages, blocked)
        env = {
            **bot_environment(server, database),
            "BROADCAST_RATE": f"{args.rate:g}",
            "STAFF_USER_IDS": "",
            "DIGEST_SCHEDULE": "off",
        }
        log_path = workdir / "nabo.log"
        # The sender starts with the bot: by the first poll it may be sending already.
        async with bot_process([sys.executable, "-m", "bot"], server, env, log_path) as process:
            deadline = time.monotonic() + WAIT_TIMEOUT
            while watch.first is None:
                if time.monotonic() > deadline or process.returncode is not None:
                    raise BenchError(
                        "the bot sent no broadcast message:\n" + "\n".join(log_tail(log_path))
                    )
                await asyncio.sleep(POLL_EVERY)
            cpu_before = cpu_seconds(process.pid)
            # Spread the residents' /start and the 429s over the broadcast's expected length.
            expected = args.residents / args.rate
            moments = [rng.uniform(0, expected) for _ in range(args.floods)]
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(inject_floods(server, moments))
                    starts = [
                        group.create_task(
                            start_and_time(server, user_id, rng.uniform(0, 0.9 * expected))
                        )
                        for user_id in starters
                    ]
                    await wait_until_done(store, broadcast_id, 2 * expected + 120, process)
            except ExceptionGroup as failures:
                # One failure explains the run; the rest usually repeat it.
                raise failures.exceptions[0] from failures
            latencies = [task.result() for task in starts]
            cpu_after = cpu_seconds(process.pid)
        outcome = await check(store, server, broadcast_id, languages, blocked)
        floods_seen = sum(1 for _, code, _ in server.rejected if code == 429)
    finally:
        watcher.cancel()
        await store.close()
        await server.stop()
    return Run(
        residents=args.residents,
        blocked=len(blocked),
        rate=args.rate,
        span=watch.span,
        outcome=outcome,
        start_latencies=latencies,
        flood_injected=args.floods,
        floods_answered=floods_seen,
        bot_cpu=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        logs=log_tail(log_path, 200),
    )


def percentile_ms(samples: list[float], percent: int) -> float:
    """Return a latency percentile in milliseconds."""
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1] * 1000


def report(result: Run) -> None:
    """Print the figures as a small table that can be pasted into notes."""
    now = datetime.now().astimezone()
    outcome, statuses = result.outcome, result.outcome.statuses
    reachable = result.residents - result.blocked
    print(f"Nabo broadcast benchmark, {now:%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}"
    )
    print(
        f"{result.residents} residents ({result.blocked} have blocked the bot), BROADCAST_RATE "
        f"{result.rate:g}; the local Bot API server allows {LIMIT} messages/s overall and injects "
        f"{result.flood_injected} 429s (retry after 1 s); {len(result.start_latencies)} "
        "residents send /start during the broadcast"
    )
    print()
    rows = [
        (
            "broadcast messages/s",
            f"{outcome.delivered / result.span:.1f}",
            f"limit {LIMIT}, BROADCAST_RATE {result.rate:g}",
        ),
        (
            "all messages/s (with replies)",
            f"{(outcome.delivered + outcome.replies) / result.span:.1f}",
            f"limit {LIMIT}",
        ),
        (
            "total time, s",
            f"{result.span:.1f}",
            f"minimum {reachable / LIMIT:.1f} ({reachable} messages at {LIMIT}/s)",
        ),
        (
            "",
            "",
            f"at BROADCAST_RATE {result.residents / result.rate:.1f} ({result.residents} attempts)",
        ),
        ("/start reply p50, ms", f"{percentile_ms(result.start_latencies, 50):.0f}", ""),
        ("/start reply p99, ms", f"{percentile_ms(result.start_latencies, 99):.0f}", ""),
        ("sent", str(statuses["sent"]), f"{reachable} reachable"),
        ("blocked", str(statuses["blocked"]), f"{result.blocked} blocked the bot"),
        ("uncertain / failed", f"{statuses['uncertain']} / {statuses['failed']}", ""),
        ("lost", str(outcome.lost), "must be 0"),
        ("duplicated", str(outcome.duplicated), "must be 0"),
        (
            "429s answered by the server",
            str(result.floods_answered),
            f"{result.flood_injected} injected, the rest from its limit",
        ),
    ]
    for label, value, reference in rows:
        print(f"{label:<34}{value:>10}   {reference}")
    print()
    if result.bot_cpu is not None:
        print(
            f"bot CPU during the broadcast: {result.bot_cpu * 100 / result.span:.0f} % of one core"
        )
    verdict = "ok" if outcome.ok else "FAILED"
    print(
        f"check {verdict}: {outcome.delivered} broadcast messages arrived, "
        f"{outcome.replies} other messages (replies to /start)"
    )
    for example in outcome.examples[:10]:
        print(f"  {example}")
    # The bot logs at WARNING: a flood wait it had to honour itself, or worse.
    for line in [line for line in result.logs if LOG_RECORD.match(line)][-5:]:
        print(f"  bot log: {line}")


def result_rows(result: Run) -> list[Row]:
    """Return the figures for `make bench`'s table (see bench/_results.py)."""
    outcome, name = result.outcome, "broadcast"
    return [
        row(name, "broadcast messages per second", outcome.delivered / result.span, "msg/s"),
        row(name, "Telegram's limit, overall", LIMIT, "msg/s"),
        row(name, "BROADCAST_RATE (the sender's own pace)", result.rate, "msg/s"),
        row(
            name,
            "all messages per second, replies too",
            (outcome.delivered + outcome.replies) / result.span,
            "msg/s",
        ),
        row(name, f"time for {result.residents} residents", result.span, "s"),
        row(name, "lost", outcome.lost, "count"),
        row(name, "duplicated", outcome.duplicated, "count"),
        row(
            name,
            "residents' /start reply p99 during it",
            percentile_ms(result.start_latencies, 99),
            "ms",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=5000, help="residents (default 5000)")
    parser.add_argument("--rate", type=float, default=25.0, help="BROADCAST_RATE (default 25)")
    parser.add_argument("--blocked", type=float, default=10.0, help="%% who blocked (default 10)")
    parser.add_argument("--starts", type=int, default=100, help="/start senders (default 100)")
    parser.add_argument("--floods", type=int, default=10, help="injected 429s (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    add_json_option(parser)
    args = parser.parse_args(argv)
    if args.residents < 10 or not 0 < args.rate <= LIMIT or args.starts < 2:
        parser.error(f"--residents at least 10, --rate in (0, {LIMIT}], --starts at least 2")
    with tempfile.TemporaryDirectory(prefix="nabo-bench-") as folder:
        try:
            result = asyncio.run(run(args, Path(folder)))
        # A failed wait (AssertionError from the server) describes the chat; a trace adds nothing.
        except (BenchError, AssertionError, TimeoutError) as error:
            print(f"bench: {error or type(error).__name__}", file=sys.stderr)
            return 1
    report(result)
    write_rows(args.json, result_rows(result))
    return 0 if result.outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())

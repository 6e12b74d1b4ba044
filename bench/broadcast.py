"""Benchmark: one broadcast under Telegram's limits, beside a bare PTB broadcaster.

Three runs, each on a fresh local Bot API server with its limits on (30 messages a second
overall, about one a second per chat) and the same residents, 10 % of whom have blocked the
bot: a bare python-telegram-bot sender that sends to everyone at once through
``AIORateLimiter`` (the baseline), Nabo's broadcast alone, and Nabo's broadcast while
residents use Nabo (``/start``, about ten taps a second between them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

BARE_SENDER = '''\
"""A bare python-telegram-bot broadcaster: the baseline for Nabo's delivery sender."""

import asyncio
import os
import sys

from telegram.error import Forbidden
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest


async def main() -> None:
    """Send the text to every chat at once; AIORateLimiter paces them (30/s, 2 retries)."""
    chats = [int(word) for word in open(sys.argv[1]).read().split()]
    bot = ExtBot(
        os.environ["BOT_TOKEN"],
        base_url=os.environ["TELEGRAM_BASE_URL"],
        rate_limiter=AIORateLimiter(max_retries=2),
        request=HTTPXRequest(connection_pool_size=256),
    )

    async def one(chat_id: int) -> None:
        try:
            await bot.send_message(chat_id, sys.argv[2])
        except Forbidden:
            pass

    async with bot:
        await asyncio.gather(*(one(chat_id) for chat_id in chats))


asyncio.run(main())
'''


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


async def prepare_database(path: Path, languages: dict[int, str]) -> tuple[int, dict[int, str]]:
    """Store consented residents and a broadcast to all of them, started: deliveries pending."""
    now = Clock().now()
    count = len(languages)
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


async def use_nabo(
    server: BotApiServer, user_id: int, every: float, done: asyncio.Event, rng: random.Random
) -> list[float]:
    """Send /start now and then until the broadcast is done; return how long each answer took."""
    latencies = []
    while True:
        # A resident taps at random moments, on average every ``every`` seconds.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), rng.expovariate(1 / every))
        if done.is_set():
            return latencies
        after = server.cursor(user_id)
        started = time.perf_counter()
        server.send_command(user_id, "start")
        seen = 0
        while True:
            # The broadcast itself may land in this chat meanwhile; it is not the answer.
            sent = await server.wait_for_messages(
                user_id, seen + 1, after=after, timeout=WAIT_TIMEOUT
            )
            if any(message.get("text") not in TEXTS.values() for message in sent):
                latencies.append(time.perf_counter() - started)
                break
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


@dataclass(frozen=True, slots=True)
class Run:
    """One of Nabo's broadcasts, as measured."""

    residents: int
    blocked: int
    span: float
    outcome: Outcome
    start_latencies: list[float]
    flood_injected: int
    floods_answered: int
    bot_cpu: float | None
    logs: list[str]

    @property
    def broadcast_rate(self) -> float:
        """Return broadcast messages that reached a chat, per second of the broadcast."""
        return self.outcome.delivered / self.span

    @property
    def all_rate(self) -> float:
        """Return every message that reached a chat (replies too), per second."""
        return (self.outcome.delivered + self.outcome.replies) / self.span


@dataclass(frozen=True, slots=True)
class Bare:
    """The bare PTB broadcaster's run."""

    delivered: int
    span: float
    floods_answered: int

    @property
    def rate(self) -> float:
        """Return messages that reached a chat per second, first request to last."""
        return self.delivered / self.span


@dataclass(frozen=True, slots=True)
class Residents:
    """Who is in the run: everyone, who blocked the bot, who uses Nabo meanwhile."""

    languages: dict[int, str]
    blocked: set[int]
    users: list[int]


def choose_residents(args: argparse.Namespace) -> Residents:
    """Pick the same residents, blocked ones and users of Nabo for every run."""
    rng = random.Random(args.seed)
    languages = {FIRST_USER_ID + i: LANGUAGES[i % len(LANGUAGES)] for i in range(args.residents)}
    residents = list(languages)
    blocked = set(rng.sample(residents, round(args.residents * args.blocked / 100)))
    reachable = [user_id for user_id in residents if user_id not in blocked]
    users = rng.sample(reachable, min(args.users, len(reachable)))
    return Residents(languages, blocked, users)


async def run_bare(args: argparse.Namespace, workdir: Path, people: Residents) -> Bare:
    """Send the same broadcast with a bare PTB sender; time it like Nabo's."""
    server = BotApiServer(token=TOKEN)
    await server.start()
    text = TEXTS["da"]
    watch = Watch(frozenset({text}))
    watcher = asyncio.create_task(watch.run(server))
    try:
        await prepare_server(server, people.languages, people.blocked)
        chats = workdir / "chats.txt"
        chats.write_text(" ".join(str(user_id) for user_id in people.languages))
        script = workdir / "bare_sender.py"
        script.write_text(BARE_SENDER)
        env = bot_environment(server, workdir / "unused.sqlite3")
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(script), str(chats), text, cwd=ROOT, env=env
        )
        code = await asyncio.wait_for(process.wait(), 2 * args.residents / LIMIT + 120)
        if code != 0:
            raise BenchError(f"the bare sender exited with {code}")
        await asyncio.sleep(2 * POLL_EVERY)
        delivered = sum(
            message.get("text") == text
            for user_id in people.languages
            for message in server.messages(user_id)
        )
        floods = sum(1 for _, code, _ in server.rejected if code == 429)
    finally:
        watcher.cancel()
        await server.stop()
    return Bare(delivered, watch.span, floods)


async def run_nabo(
    args: argparse.Namespace, workdir: Path, people: Residents, *, with_users: bool
) -> Run:
    """Run the bot until its broadcast is done (residents using it meanwhile, if asked)."""
    rng = random.Random(args.seed + with_users)
    database = workdir / "nabo.sqlite3"
    broadcast_id, languages = await prepare_database(database, people.languages)
    server = BotApiServer(token=TOKEN)
    await server.start()
    store = await Store.open(database)
    watch = Watch(frozenset(TEXTS.values()))
    watcher = asyncio.create_task(watch.run(server))
    floods = args.floods if with_users else 0
    try:
        await prepare_server(server, languages, people.blocked)
        env = {
            **bot_environment(server, database),
            "STAFF_USER_IDS": "",
            "DIGEST_SCHEDULE": "off",
        }
        if args.rate is not None:
            env["BROADCAST_RATE"] = f"{args.rate:g}"
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
            expected = args.residents / LIMIT
            moments = [rng.uniform(0, expected) for _ in range(floods)]
            users = people.users if with_users else []
            # Between them, the users tap about args.taps times a second.
            every = len(users) / args.taps if users else 1.0
            done = asyncio.Event()
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(inject_floods(server, moments))
                    taps = [
                        group.create_task(use_nabo(server, user_id, every, done, rng))
                        for user_id in users
                    ]
                    try:
                        await wait_until_done(store, broadcast_id, 2 * expected + 120, process)
                    finally:
                        done.set()
            except ExceptionGroup as failures:
                # One failure explains the run; the rest usually repeat it.
                raise failures.exceptions[0] from failures
            latencies = [latency for task in taps for latency in task.result()]
            cpu_after = cpu_seconds(process.pid)
        outcome = await check(store, server, broadcast_id, languages, people.blocked)
        floods_seen = sum(1 for _, code, _ in server.rejected if code == 429)
    finally:
        watcher.cancel()
        await store.close()
        await server.stop()
    return Run(
        residents=args.residents,
        blocked=len(people.blocked),
        span=watch.span,
        outcome=outcome,
        start_latencies=latencies,
        flood_injected=floods,
        floods_answered=floods_seen,
        bot_cpu=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        logs=log_tail(log_path, 200),
    )


def percentile_ms(samples: list[float], percent: int) -> float:
    """Return a latency percentile in milliseconds (0 without samples)."""
    if len(samples) < 2:
        return samples[0] * 1000 if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1] * 1000


def report(args: argparse.Namespace, bare: Bare, alone: Run, busy: Run) -> None:
    """Print the figures as a small table that can be pasted into notes."""
    now = datetime.now().astimezone()
    reachable = alone.residents - alone.blocked
    print(f"Nabo broadcast benchmark, {now:%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}"
    )
    print(
        f"{alone.residents} residents ({alone.blocked} have blocked the bot); the local Bot "
        f"API server allows {LIMIT} messages/s overall and about 1/s per chat; BROADCAST_RATE "
        f"{'default' if args.rate is None else f'{args.rate:g}'}; with residents: "
        f"{len(busy.start_latencies)} /start from {args.users} residents (about {args.taps:g}/s), "
        f"{busy.flood_injected} injected 429s"
    )
    print()
    rows = [
        ("bare PTB sender, messages/s", f"{bare.rate:.1f}", f"{bare.span:.1f} s, limit {LIMIT}"),
        (
            "Nabo alone, broadcast messages/s",
            f"{alone.broadcast_rate:.1f}",
            f"{alone.broadcast_rate / bare.rate:.2f}× bare, {alone.span:.1f} s",
        ),
        (
            "Nabo with residents, broadcast/s",
            f"{busy.broadcast_rate:.1f}",
            f"{busy.span:.1f} s",
        ),
        (
            "  broadcast + replies/s",
            f"{busy.all_rate:.1f}",
            f"{busy.all_rate / bare.rate:.2f}× bare",
        ),
        ("/start reply p50, ms", f"{percentile_ms(busy.start_latencies, 50):.0f}", ""),
        ("/start reply p99, ms", f"{percentile_ms(busy.start_latencies, 99):.0f}", ""),
        ("minimum time, s", f"{reachable / LIMIT:.1f}", f"{reachable} messages at {LIMIT}/s"),
        (
            "429s from the server's limit",
            f"{alone.floods_answered} / {busy.floods_answered - busy.flood_injected}",
            f"Nabo alone / with residents; bare sender {bare.floods_answered}",
        ),
    ]
    for run in (alone, busy):
        statuses = run.outcome.statuses
        rows.append(
            (
                "sent / blocked / uncertain / failed",
                f"{statuses['sent']}/{statuses['blocked']}",
                f"{statuses['uncertain']} uncertain, {statuses['failed']} failed; "
                f"lost {run.outcome.lost}, duplicated {run.outcome.duplicated} (must be 0)",
            )
        )
    for label, value, reference in rows:
        print(f"{label:<36}{value:>10}   {reference}")
    print()
    for name, run in (("alone", alone), ("with residents", busy)):
        if run.bot_cpu is not None:
            print(f"bot CPU, {name}: {run.bot_cpu * 100 / run.span:.0f} % of one core")
        print(
            f"check {'ok' if run.outcome.ok else 'FAILED'} ({name}): {run.outcome.delivered} "
            f"broadcast messages arrived, {run.outcome.replies} other messages"
        )
        for example in run.outcome.examples[:10]:
            print(f"  {example}")
        # The bot logs at WARNING: a flood wait it had to honour itself, or worse.
        for line in [line for line in run.logs if LOG_RECORD.match(line)][-5:]:
            print(f"  bot log: {line}")


def result_rows(args: argparse.Namespace, bare: Bare, alone: Run, busy: Run) -> list[Row]:
    """Return the figures for `make bench`'s table (see bench/_results.py)."""
    name = "broadcast"
    n = args.residents
    return [
        row(name, f"bare PTB sender (AIORateLimiter), {n} residents", bare.rate, "msg/s"),
        row(name, "Nabo alone: broadcast messages per second", alone.broadcast_rate, "msg/s"),
        row(name, "Nabo alone ÷ bare sender", alone.broadcast_rate / bare.rate, "ratio"),
        row(name, "with residents: broadcast messages per second", busy.broadcast_rate, "msg/s"),
        row(name, "with residents: broadcast + replies per second", busy.all_rate, "msg/s"),
        row(
            name,
            "with residents: broadcast + replies ÷ bare sender",
            busy.all_rate / bare.rate,
            "ratio",
        ),
        row(
            name,
            f"residents' /start reply p99 ({args.users} residents)",
            percentile_ms(busy.start_latencies, 99),
            "ms",
        ),
        row(
            name,
            "429s from the server's limit (Nabo, both runs)",
            alone.floods_answered + busy.floods_answered - busy.flood_injected,
            "count",
        ),
        row(name, "lost", alone.outcome.lost + busy.outcome.lost, "count"),
        row(name, "duplicated", alone.outcome.duplicated + busy.outcome.duplicated, "count"),
    ]


async def run_all(args: argparse.Namespace, workdir: Path) -> tuple[Bare, Run, Run]:
    """Run the three, one after the other."""
    people = choose_residents(args)
    for name in ("alone", "busy"):
        (workdir / name).mkdir()
    bare = await run_bare(args, workdir, people)
    alone = await run_nabo(args, workdir / "alone", people, with_users=False)
    busy = await run_nabo(args, workdir / "busy", people, with_users=True)
    return bare, alone, busy


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=2000, help="residents (default 2000)")
    parser.add_argument(
        "--rate", type=float, default=None, help="BROADCAST_RATE, 1-30 (default: Nabo's own)"
    )
    parser.add_argument("--blocked", type=float, default=10.0, help="%% who blocked (default 10)")
    parser.add_argument(
        "--users", type=int, default=50, help="residents using Nabo meanwhile (default 50)"
    )
    parser.add_argument(
        "--taps", type=float, default=10.0, help="their /start per second, together (default 10)"
    )
    parser.add_argument(
        "--floods", type=int, default=0, help="429s injected in the run with residents (default 0)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    add_json_option(parser)
    args = parser.parse_args(argv)
    if args.residents < 10 or not (args.rate is None or 0 < args.rate <= LIMIT) or args.users < 2:
        parser.error(f"--residents at least 10, --rate in (0, {LIMIT}], --users at least 2")
    with tempfile.TemporaryDirectory(prefix="nabo-bench-") as folder:
        try:
            bare, alone, busy = asyncio.run(run_all(args, Path(folder)))
        # A failed wait (AssertionError from the server) describes the chat; a trace adds nothing.
        except (BenchError, AssertionError, TimeoutError) as error:
            print(f"bench: {error or type(error).__name__}", file=sys.stderr)
            return 1
    report(args, bare, alone, busy)
    write_rows(args.json, result_rows(args, bare, alone, busy))
    return 0 if alone.outcome.ok and busy.outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())

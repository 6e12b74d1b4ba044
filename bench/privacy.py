"""Benchmark: what /mydata, /deleteme and the daily retention run cost on a full database."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `make bench` runs this file directly: put the checkout on the path for bot/ and tests/.
sys.path.insert(0, str(ROOT))

from bench._results import Row, add_json_option, row, write_rows  # noqa: E402
from bot.db.mydata import PersonalDataRepository  # noqa: E402
from bot.db.residents import PRIVACY_NOTICE_VERSION, ResidentRepository  # noqa: E402
from bot.db.signups import SignupRepository  # noqa: E402
from bot.db.store import Store  # noqa: E402
from bot.db.volunteers import VolunteerRepository  # noqa: E402
from bot.work.retention import ERASE_AT_ONCE, WARNED_AT_ONCE  # noqa: E402
from tests.factories import draft  # noqa: E402

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
LANGUAGES = ("da", "ar", "en")


async def fill(
    store: Store, residents: int, activities: int, per_resident: int, broadcasts: int
) -> None:
    """Residents seen over the last two years, with sign-ups and messages received."""
    now = NOW.isoformat(timespec="seconds")
    rows = []
    for n in range(residents):
        seen = (NOW - timedelta(days=n % 730)).isoformat(timespec="seconds")
        rows.append((n + 1, n + 1, LANGUAGES[n % 3], seen, seen, seen, PRIVACY_NOTICE_VERSION))
    base = draft(NOW - timedelta(days=720))
    async with store.transaction() as db:
        await db.executemany(
            "INSERT INTO residents (user_id, chat_id, language, first_seen_at, last_seen_at,"
            " consented_at, consent_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        await db.executemany(
            "INSERT INTO activities (title_da, description_da, starts_at, ends_at, place,"
            " delaftale, area, created_at) VALUES (?, '', ?, ?, ?, ?, ?, ?)",
            [
                (
                    f"{base.title_da} {a}",
                    (NOW - timedelta(days=720 - a)).isoformat(timespec="seconds"),
                    (NOW - timedelta(days=720 - a, hours=-2)).isoformat(timespec="seconds"),
                    base.place,
                    base.delaftale,
                    base.area,
                    now,
                )
                for a in range(activities)
            ],
        )
        await db.executemany(
            "INSERT INTO signups (activity_id, user_id, adults, children, status, created_at,"
            " first_name) VALUES (?, ?, 1, 1, 'confirmed', ?, 'Name')",
            [
                (1 + (n * 7 + k * 13) % activities, n + 1, now)
                for n in range(residents)
                for k in range(per_resident)
            ],
        )
        await db.executemany(
            "INSERT INTO broadcasts (kind, text_da, audience, status, created_at, send_at)"
            " VALUES ('message', 'Hej', 'subscribers', 'done', ?, ?)",
            [(now, now)] * broadcasts,
        )
        await db.executemany(
            "INSERT INTO deliveries (broadcast_id, user_id, chat_id, language, status,"
            " updated_at) VALUES (?, ?, ?, 'da', 'sent', ?)",
            [(b + 1, n + 1, n + 1, now) for b in range(broadcasts) for n in range(residents)],
        )


async def timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    """Run each call once, in order; return the milliseconds each took."""
    took = []
    for call in calls:
        start = time.perf_counter()
        await call()
        took.append((time.perf_counter() - start) * 1000)
    return took


def percentiles(took: list[float]) -> tuple[float, float]:
    """Return p50 and p99 of the timings, in milliseconds."""
    p99 = statistics.quantiles(took, n=100)[98] if len(took) > 1 else took[0]
    return statistics.median(took), p99


def table_line(name: str, took: list[float]) -> str:
    """One line of the table: p50 and p99 in milliseconds."""
    p50, p99 = percentiles(took)
    return f"| {name} | {len(took)} | {p50:.2f} | {p99:.2f} |"


async def run(args: argparse.Namespace, workdir: Path) -> list[Row]:
    """Fill a database, then time exports, erasures and one retention pass."""
    store = await Store.open(workdir / "bench.sqlite3")
    try:
        await fill(store, args.residents, args.activities, args.signups, args.broadcasts)
        export = PersonalDataRepository(store)
        residents = ResidentRepository(store)
        users = range(1, args.residents + 1, max(1, args.residents // args.samples))
        exports = await timed([lambda u=u: export.export(u, NOW) for u in users])
        erasures = await timed([lambda u=u: residents.forget(u, NOW) for u in users])
        inactive = NOW - timedelta(days=365)
        start = time.perf_counter()
        # As the daily job does it (bot/work/retention.py), without sending the warnings:
        # the warned recorded a few at a time, the expired erased set-based in batches.
        warn_since = inactive + timedelta(days=14)
        due = await residents.due_for_warning(warn_since)
        ids = [resident.user_id for resident in due]
        for first in range(0, len(ids), WARNED_AT_ONCE):
            await residents.mark_all_warned(
                ids[first : first + WARNED_AT_ONCE],
                NOW - timedelta(days=14),
                inactive_since=warn_since,
            )
        erase = []
        while True:
            batch = await residents.forget_inactive(
                inactive, NOW - timedelta(days=14), NOW, ERASE_AT_ONCE
            )
            erase += batch.residents
            if len(batch.residents) < ERASE_AT_ONCE:
                break
        unlinked = await SignupRepository(store).unlink_ended_before(NOW - timedelta(days=180))
        await VolunteerRepository(store).delete_inactive(NOW - timedelta(days=365))
        retention = time.perf_counter() - start
    finally:
        await store.close()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"database: {args.residents} residents, {args.activities} activities, "
        f"{args.residents * args.signups} sign-ups, "
        f"{args.residents * args.broadcasts} deliveries"
    )
    print()
    print("| operation | runs | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    print(table_line("/mydata export (all tables, one resident)", exports))
    print(table_line("/deleteme erasure (forget, one resident)", erasures))
    print()
    print(
        f"retention pass: {len(due)} warned, {len(erase)} erased, {unlinked} sign-ups "
        f"unlinked in {retention:.2f} s"
    )
    export_p50, export_p99 = percentiles(exports)
    erasure_p50, erasure_p99 = percentiles(erasures)
    return [
        row("privacy", "/mydata export p50", export_p50, "ms"),
        row("privacy", "/mydata export p99", export_p99, "ms"),
        row("privacy", "/deleteme erasure p50", erasure_p50, "ms"),
        row("privacy", "/deleteme erasure p99", erasure_p99, "ms"),
        row(
            "privacy", f"retention pass, {args.residents} residents (database work)", retention, "s"
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=700)
    parser.add_argument("--signups", type=int, default=10, help="sign-ups per resident")
    parser.add_argument("--broadcasts", type=int, default=10, help="messages sent to all")
    parser.add_argument("--samples", type=int, default=200, help="exports and erasures timed")
    add_json_option(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        rows = asyncio.run(run(args, Path(workdir)))
    write_rows(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

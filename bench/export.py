"""Benchmark the staff export and report on a large database.

Builds a database with 10,000 residents, 1,000 activities (all in 2026) and 100,000
sign-ups, plus feedback, offers of help and monthly broadcasts with a delivery per
resident. Then, each in a fresh process so that memory figures do not mix, it writes
the full export as xlsx (as /export does in the bot: in another process, while the event
loop keeps ticking), the same as a zip of CSVs, and the report for 2026; and, as the
baselines, the same cells with a bare openpyxl write-only workbook (the issue's baseline),
a bare XlsxWriter workbook (the library Nabo writes with) and a bare csv writer into a zip.

Time is wall-clock time of the phase. Memory is the process's peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``), and the growth above the peak right before
the phase (the interpreter and Nabo already imported).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CPH = ZoneInfo("Europe/Copenhagen")
YEAR_START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
DELAFTALER = ("education", "employment", "community")
AREAS = ("Houlkær", "Ellekonebakken", "Karup Kølvrå", "other")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def build_database(path: Path, residents: int, activities: int, signups: int) -> None:
    """Create and fill the benchmark database (fast bulk inserts, one transaction)."""
    from bot.db.store import Store

    async def migrate() -> None:
        store = await Store.open(path)
        await store.close()

    asyncio.run(migrate())
    rng = random.Random(6)
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT INTO residents (user_id, chat_id, language, first_seen_at, consented_at,"
            " consent_version, blocked) VALUES (?, ?, ?, ?, ?, 2, ?)",
            (
                (
                    user_id,
                    user_id,
                    ("da", "ar", "en")[user_id % 3],
                    _iso(YEAR_START - timedelta(minutes=user_id)),
                    _iso(YEAR_START - timedelta(minutes=user_id)),
                    int(user_id % 20 == 0),
                )
                for user_id in range(1_000_001, 1_000_001 + residents)
            ),
        )
        spacing = timedelta(days=365) / activities
        db.executemany(
            "INSERT INTO activities (id, title_da, description_da, starts_at, ends_at, place,"
            " capacity, delaftale, area, walk_ins, created_at)"
            " VALUES (?, ?, 'Kom og vær med', ?, ?, 'Beboerhuset', 120, ?, ?, ?, ?)",
            (
                (
                    number,
                    f"Aktivitet {number}",
                    _iso(YEAR_START + number * spacing),
                    _iso(YEAR_START + number * spacing + timedelta(hours=2)),
                    DELAFTALER[number % 3],
                    AREAS[number % 4],
                    number % 5,
                    _iso(YEAR_START - timedelta(days=30)),
                )
                for number in range(1, activities + 1)
            ),
        )
        per_activity = signups // activities
        user_ids = list(range(1_000_001, 1_000_001 + residents))
        rows = []
        for activity in range(1, activities + 1):
            for user_id in rng.sample(user_ids, per_activity):
                roll = rng.random()
                status = "confirmed" if roll < 0.8 else "waitlisted" if roll < 0.9 else "cancelled"
                attended = (
                    None if status != "confirmed" else rng.choice((1, 1, 1, 1, 1, 1, 1, 0, 0, None))
                )
                created = _iso(YEAR_START + (activity - 3) * spacing)
                rows.append(
                    (
                        activity,
                        user_id,
                        rng.randint(1, 2),
                        rng.randint(0, 3),
                        status,
                        created,
                        created if status == "confirmed" else None,
                        created if status == "cancelled" else None,
                        attended,
                    )
                )
        db.executemany(
            "INSERT INTO signups (activity_id, user_id, adults, children, status, created_at,"
            " confirmed_at, cancelled_at, attended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO feedback (user_id, subject, activity_id, rating, text, created_at)"
            " VALUES (NULL, 'activity', ?, ?, ?, ?)",
            (
                (
                    activity,
                    rng.randint(1, 5),
                    "=Godt arrangement" if activity % 7 == 0 else "Tak for i dag",
                    (YEAR_START + activity * spacing).date().isoformat(),
                )
                for activity in range(1, activities + 1)
                for _ in range(5)
            ),
        )
        db.executemany(
            "INSERT INTO volunteer_offers (user_id, kinds, times, contact, status, created_at,"
            " updated_at) VALUES (?, 'homework', 'evenings', 'nabo', 'active', ?, ?)",
            ((user_id, _iso(YEAR_START), _iso(YEAR_START)) for user_id in user_ids[:500]),
        )
        for month in range(1, 13):
            sent = _iso(datetime(2026, month, 2, 9, 0, tzinfo=UTC))
            cursor = db.execute(
                "INSERT INTO broadcasts (kind, text_da, audience, status, created_at, send_at)"
                " VALUES ('message', 'Nyt fra Nabo', 'subscribers', 'done', ?, ?)",
                (sent, sent),
            )
            db.executemany(
                "INSERT INTO deliveries (broadcast_id, user_id, chat_id, language, status,"
                " updated_at) VALUES (?, ?, ?, 'da', ?, ?)",
                (
                    (
                        cursor.lastrowid,
                        user_id,
                        user_id,
                        "sent" if user_id % 20 else "blocked",
                        sent,
                    )
                    for user_id in user_ids
                ),
            )
    db.close()


def _peak_mib() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _materialize(database: str, danish: Any) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    """Read the export's sheets into memory: the same cells, for the bare writers."""
    from bot.offline.sheets import export_sheets
    from bot.offline.snapshot import snapshot

    with snapshot(Path(database)) as connection:
        return [
            (sheet.name, [column.header for column in sheet.columns], list(sheet.rows))
            for sheet in export_sheets(connection, CPH, danish)
        ]


def _bare_xlsx(sheets: list[tuple[str, list[str], list[tuple[Any, ...]]]], out: str) -> None:
    """Write the cells with a bare openpyxl write-only workbook: no styles, no checks."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, headers, rows in sheets:
        sheet = workbook.create_sheet(name)
        sheet.append(headers)
        for values in rows:
            sheet.append(values)
    workbook.save(out)


def _bare_xlsxwriter(sheets: list[tuple[str, list[str], list[tuple[Any, ...]]]], out: str) -> None:
    """Write the cells with a bare XlsxWriter workbook, Nabo's own library: no styles."""
    import xlsxwriter

    with xlsxwriter.Workbook(out, {"constant_memory": True}) as workbook:
        for name, headers, rows in sheets:
            sheet = workbook.add_worksheet(name)
            sheet.write_row(0, 0, headers)
            for index, values in enumerate(rows, 1):
                sheet.write_row(index, 0, values)


def _bare_csv_zip(
    sheets: list[tuple[str, list[str], list[tuple[Any, ...]]]], out: str, level: int | None
) -> None:
    """Write the cells with a bare csv writer into a zip: no checks, no formats.

    ``level`` None is zipfile's default, the issue's bare writer; 1 is the fastest level,
    the one Nabo's export uses (bot/offline/export.py), to show what the level is worth.
    """
    import csv
    import io
    import zipfile

    with zipfile.ZipFile(
        out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level
    ) as archive:
        for name, headers, rows in sheets:
            with (
                archive.open(f"{name}.csv", "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
            ):
                writer = csv.writer(text)
                writer.writerow(headers)
                writer.writerows(rows)


async def _bot_export(database: str, out: str, danish: Any, fmt: str) -> tuple[int, float | None]:
    """Export as the bot does: in another process (or, before it could, in a thread)."""
    try:
        from bot.offline.worker import export_in_process
    except ImportError:  # the code before exports left the bot's process: a worker thread
        from bot.offline.export import export_file

        size = await asyncio.to_thread(export_file, Path(database), Path(out), CPH, danish, fmt=fmt)
        return size, None
    built = await export_in_process(Path(database), Path(out), CPH, fmt=fmt)
    return built.size, built.seconds


def _phase(name: str, database: str, out: str, results: Any) -> None:
    """Run one phase in this (fresh) process and put its figures on the queue."""
    from bot.core.i18n import Catalogs
    from bot.offline.export import CSV, XLSX, report_file
    from bot.offline.periods import parse_period

    danish = Catalogs(CPH).translator("da")
    before = _peak_mib()
    lag = 0.0
    own = None  # the build's own time in its worker process
    read = 0.0  # a bare writer's reading of the cells, before its timed part
    if name in ("xlsx-bare", "xlsxwriter-bare", "csv-bare", "csv-bare-fast"):
        reading = time.perf_counter()
        sheets = _materialize(database, danish)
        read = time.perf_counter() - reading
        before = _peak_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    if name == "report":
        written = report_file(Path(database), Path(out), parse_period("2026"), NOW, CPH)
        size = written.size
    elif name == "xlsx-bare":
        _bare_xlsx(sheets, out)
        size = Path(out).stat().st_size
    elif name == "xlsxwriter-bare":
        _bare_xlsxwriter(sheets, out)
        size = Path(out).stat().st_size
    elif name in ("csv-bare", "csv-bare-fast"):
        _bare_csv_zip(sheets, out, 1 if name == "csv-bare-fast" else None)
        size = Path(out).stat().st_size
    else:
        fmt = XLSX if name == "xlsx" else CSV

        async def in_the_bot() -> int:
            # As /export does it: the work away from the event loop, which keeps ticking.
            nonlocal lag, own
            work = asyncio.create_task(_bot_export(database, out, danish, fmt))
            while not work.done():
                tick = time.perf_counter()
                await asyncio.sleep(0.01)
                lag = max(lag, time.perf_counter() - tick - 0.01)
            size, own = await work
            return size

        size = asyncio.run(in_the_bot())
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = _peak_mib()
    results.put(
        {
            "seconds": seconds,
            "own": seconds if own is None else own,
            "cpu": cpu,
            "peak": peak,
            "growth": peak - before,
            "size": size,
            "lag": lag,
            "read": read,
        }
    )


def run_phase(name: str, database: Path, out: Path) -> dict[str, float]:
    """Run a phase in a fresh process, so each peak is its own."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_phase, args=(name, str(database), str(out), results))
    process.start()
    figures = results.get(timeout=1800)
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"phase {name} failed with exit code {process.exitcode}")
    return figures


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (the ratio is then of medians)."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main(argv: list[str] | None = None) -> int:
    """Build the database, run the phases, print a table (and write JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000, help="(default 10,000)")
    parser.add_argument("--activities", type=int, default=1_000, help="(default 1,000)")
    parser.add_argument("--signups", type=int, default=100_000, help="(default 100,000)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds in which the exports and their bare writers take turns (default 3)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON rows here")
    args = parser.parse_args(argv)
    if args.signups // args.activities > args.residents:
        parser.error("more sign-ups per activity than residents")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    with tempfile.TemporaryDirectory(prefix="nabo-bench-") as folder:
        database = Path(folder) / "nabo.sqlite3"
        started = time.perf_counter()
        build_database(database, args.residents, args.activities, args.signups)
        build_seconds = time.perf_counter() - started
        # Each export and its bare writer take turns, round after round, so a busy spell
        # of the machine falls on both; each figure is the median of its rounds.
        runs: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.rounds):
            for name, suffix in (
                ("xlsx", "xlsx"),
                ("xlsx-bare", "xlsx"),
                ("xlsxwriter-bare", "xlsx"),
                ("csv", "zip"),
                ("csv-bare", "zip"),
                ("csv-bare-fast", "zip"),
            ):
                out = Path(folder) / f"eksport-{name}.{suffix}"
                runs.setdefault(name, []).append(run_phase(name, database, out))
        phases = {name: _median(figures) for name, figures in runs.items()}
        phases["report"] = run_phase("report", database, Path(folder) / "rapport.xlsx")
        database_mib = database.stat().st_size / 2**20

    rows: list[tuple[str, float, str]] = [("database size", database_mib, "MiB")]
    for key, label, bare in (
        ("xlsx", "full export, xlsx", "xlsx-bare"),
        ("csv", "full export, csv zip", "csv-bare"),
    ):
        figures, baseline = phases[key], phases[bare]
        rows += [
            (f"{label}: time seen by the bot (process start included)", figures["seconds"], "s"),
            (f"{label}: time in its process", figures["own"], "s"),
            (f"{label}: bare writer's time, same cells", baseline["seconds"], "s"),
            (
                f"{label}: time in its process ÷ bare writer",
                figures["own"] / baseline["seconds"],
                "ratio",
            ),
            (f"{label}: bot's peak RSS", figures["peak"], "MiB"),
            (f"{label}: file size", figures["size"] / 2**20, "MiB"),
            (f"{label}: event loop max lag", figures["lag"] * 1000, "ms"),
        ]
    xlsxwriter = phases["xlsxwriter-bare"]
    rows += [
        ("full export, xlsx: bare XlsxWriter writer, same cells", xlsxwriter["seconds"], "s"),
        (
            "full export, xlsx: time in its process ÷ that",
            phases["xlsx"]["own"] / xlsxwriter["seconds"],
            "ratio",
        ),
    ]
    fast = phases["csv-bare-fast"]
    rows += [
        ("full export, csv zip: bare writer at the export's deflate level 1", fast["seconds"], "s"),
        (
            "full export, csv zip: time in its process ÷ that",
            phases["csv"]["own"] / fast["seconds"],
            "ratio",
        ),
        ("reading and shaping the cells (the bare writers' untimed part)", fast["read"], "s"),
    ]
    report = phases["report"]
    rows += [
        ("report, one year: time", report["seconds"], "s"),
        ("report, one year: CPU time", report["cpu"], "s"),
        ("report, one year: peak RSS", report["peak"], "MiB"),
        ("report, one year: file size", report["size"] / 2**20, "MiB"),
    ]

    print(f"Nabo export benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"data: {args.residents:,} residents, {args.activities:,} activities, "
        f"{args.signups:,} sign-ups (built in {build_seconds:.1f} s); exports: median of "
        f"{args.rounds} rounds, each export and its bare writer in turn"
    )
    print("memory: peak resident set size of a fresh process per phase (ru_maxrss);")
    print("        growth = peak after the phase minus the peak before it")
    print()
    for metric, value, unit in rows:
        print(f"{metric:<62}{value:>10.2f} {unit}")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "benchmark": "export",
                        "metric": metric,
                        "value": round(value, 3),
                        "unit": unit,
                    }
                    for metric, value, unit in rows
                ],
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Staff files built in another process, so the bot's event loop never waits for them.

Building the export of everything is seconds of CPU work. In a thread of the bot's own
process it would hold the GIL for long stretches and stall every resident's tap (over a
second at a time, bench/export.py). Here it runs in a fresh process ("spawn": none of
the bot's threads, connections or memory), and the bot awaits it. openpyxl is imported
there only: the bot itself never holds it in memory.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.offline.periods import Period
from bot.offline.printing.request import Printed, SheetRequest, SlipRequest
from bot.offline.reporting import Report
from bot.offline.sheets import ExportFilter

XLSX = "xlsx"  # bot.offline.export's formats, without importing it (and openpyxl) here
CSV = "csv"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Built:
    """A file built in another process: its size, and how long building it took there."""

    size: int
    seconds: float


@dataclass(frozen=True, slots=True)
class BuiltReport:
    """A report built in another process: its figures and the file's size."""

    report: Report
    size: int


async def export_in_process(
    database: Path,
    out: Path,
    timezone: ZoneInfo,
    *,
    fmt: str = XLSX,
    where: ExportFilter | None = None,
) -> Built:
    """Write the export of everything (bot.offline.export.export_file) in another process."""
    return await _in_process(_export_there, database, out, timezone, fmt, where)


async def report_in_process(
    database: Path,
    out: Path,
    period: Period,
    now: datetime,
    timezone: ZoneInfo,
    areas: Iterable[str] = (),
) -> BuiltReport:
    """Write the period report (bot.offline.export.report_file) in another process."""
    return await _in_process(_report_there, database, out, period, now, timezone, tuple(areas))


def _export_there(
    database: Path, out: Path, timezone: ZoneInfo, fmt: str, where: ExportFilter | None
) -> Built:
    from bot.core.i18n import Translator, load_translations
    from bot.offline.export import export_file

    started = time.perf_counter()
    # The sheets' few labels (kinds of help, statuses) are in Danish, whoever asked.
    danish = Translator("da", load_translations("da"), timezone)
    size = export_file(database, out, timezone, danish, fmt=fmt, where=where)
    return Built(size, time.perf_counter() - started)


def _report_there(
    database: Path,
    out: Path,
    period: Period,
    now: datetime,
    timezone: ZoneInfo,
    areas: tuple[str, ...],
) -> BuiltReport:
    from bot.offline.export import report_file

    written = report_file(database, out, period, now, timezone, areas)
    return BuiltReport(written.report, written.size)


async def sheet_in_process(
    database: Path, request: SheetRequest, timezone: ZoneInfo, bot_username: str, now: datetime
) -> Printed:
    """Make a poster, flyer or share image (bot.offline.printing) in another process.

    A sheet is a few hundred milliseconds of CPU: in a thread it would stall every
    resident's tap that long. A ``SheetError`` comes back as itself.
    """
    return await _in_process(_sheet_there, database, request, timezone, bot_username, now)


def _sheet_there(
    database: Path, request: SheetRequest, timezone: ZoneInfo, bot_username: str, now: datetime
) -> Printed:
    from bot.core.i18n import Catalogs
    from bot.offline.printing.make import make_sheet

    made = make_sheet(database, request, Catalogs(timezone), bot_username, now)
    return Printed(made.data, made.filename, made.link)


async def slip_in_process(
    database: Path, request: SlipRequest, timezone: ZoneInfo, bot_username: str, now: datetime
) -> Printed:
    """Make a joining slip (bot.offline.printing.make.make_slip) in another process."""
    return await _in_process(_slip_there, database, request, timezone, bot_username, now)


def _slip_there(
    database: Path, request: SlipRequest, timezone: ZoneInfo, bot_username: str, now: datetime
) -> Printed:
    from bot.core.i18n import Catalogs
    from bot.offline.printing.make import make_slip

    made = make_slip(database, request, Catalogs(timezone), bot_username, now)
    return Printed(made.data, made.filename, made.link)


async def notice_in_process(
    languages: tuple[str, ...], timezone: ZoneInfo, record_days: int, now: datetime
) -> Printed:
    """Make the privacy notice to print (bot.offline.printing.make.make_notice) elsewhere."""
    return await _in_process(_notice_there, languages, timezone, record_days, now)


def _notice_there(
    languages: tuple[str, ...], timezone: ZoneInfo, record_days: int, now: datetime
) -> Printed:
    from bot.core.i18n import Catalogs
    from bot.db.notice_version import PRIVACY_NOTICE_VERSION
    from bot.db.people import PHONE_DAYS
    from bot.offline.printing.make import make_notice

    made = make_notice(
        languages,
        Catalogs(timezone),
        phone_days=PHONE_DAYS,
        record_days=record_days,
        version=PRIVACY_NOTICE_VERSION,
        now=now,
    )
    return Printed(made.data, made.filename, made.link)


async def _in_process(function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` in a fresh process; its result or its error comes back."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
    finally:
        # Not waiting here: the worker exits on its own once its one job is done.
        pool.shutdown(wait=False, cancel_futures=True)

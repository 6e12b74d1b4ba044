"""The command-line staff tools: export, report, backup and poster (``python -m bot <tool>``).

``poster privacy`` prints the privacy notice (bot/core/notice.py) rather than a poster.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path

from bot.core.clock import Clock
from bot.core.config import LANGUAGES, Config
from bot.core.i18n import Catalogs
from bot.db.notice_version import PRIVACY_NOTICE_VERSION
from bot.db.people import PHONE_DAYS
from bot.db.store import Store, StoreError
from bot.offline.backup import BackupError, backup_database
from bot.offline.export import export_file, report_file
from bot.offline.periods import Period, PeriodError, parse_day, parse_period
from bot.offline.printing.make import make_notice, make_sheet
from bot.offline.printing.request import Kind, Problem, SheetError, SheetRequest
from bot.offline.printing.username import UsernameError, bot_username
from bot.offline.sheets import ExportFilter


def run_staff_tool(
    arguments: argparse.Namespace, config: Config, clock: Clock | None = None
) -> int:
    """Run the export, report, backup or poster tool; return the exit status."""
    clock = clock or Clock()
    try:
        if arguments.command == "backup":
            result = backup_database(config.database_path, arguments.out)
            print(
                f"backed up {config.database_path} to {result.path} ({result.size:,} bytes, "
                f"schema {result.schema_version}); integrity check: ok"
            )
            return 0
        if arguments.command == "poster" and arguments.subject.strip().lower() == "privacy":
            # From the catalogs and the settings alone: no database needed.
            return _privacy_notice(arguments, config, clock)
        if not config.database_path.is_file():
            raise FileNotFoundError(2, "no such database", str(config.database_path))
        # Bring the schema up to date first, as the bot itself would at start.
        asyncio.run(_migrate(config.database_path))
        if arguments.command == "export":
            return _export(arguments, config)
        if arguments.command == "poster":
            return _poster(arguments, config, clock)
        return _report(arguments, config)
    except (PeriodError, BackupError, SheetError, UsernameError) as error:
        print(f"nabo: {error}", file=sys.stderr)
        return 2
    except (StoreError, sqlite3.Error) as error:
        print(f"nabo: database error ({config.database_path}): {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"nabo: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2


async def _migrate(path: Path) -> None:
    store = await Store.open(path)
    await store.close()


def _export(arguments: argparse.Namespace, config: Config) -> int:
    where = ExportFilter(
        parse_day(arguments.since) if arguments.since else None,
        parse_day(arguments.until) if arguments.until else None,
    )
    if where.since and where.until and where.since > where.until:
        raise PeriodError("--since must not be after --until")
    danish = Catalogs(config.timezone).translator("da")
    size = export_file(
        config.database_path,
        arguments.out,
        config.timezone,
        danish,
        fmt=arguments.format,
        where=where,
    )
    print(f"wrote {arguments.out} ({size:,} bytes)")
    return 0


def _report(arguments: argparse.Namespace, config: Config) -> int:
    period = _period(arguments)
    written = report_file(
        config.database_path,
        arguments.out,
        period,
        Clock().now(),
        config.timezone,
        config.areas,
    )
    total = written.report.total
    print(
        f"wrote {arguments.out} ({written.size:,} bytes): {period.label_da()}, "
        f"{total.held} activities held, {total.signups} sign-ups, {total.visits} visits"
    )
    return 0


def _period(arguments: argparse.Namespace) -> Period:
    if arguments.period and (arguments.first or arguments.last):
        raise PeriodError("give either --period or --from/--to, not both")
    if arguments.period:
        return parse_period(arguments.period)
    if not (arguments.first and arguments.last):
        raise PeriodError("give --period 2026Q1 (or 2026), or both --from and --to")
    period = Period(parse_day(arguments.first), parse_day(arguments.last))
    if period.first > period.last:
        raise PeriodError("--from must not be after --to")
    return period


def _poster(arguments: argparse.Namespace, config: Config, clock: Clock) -> int:
    subject = arguments.subject.strip().lower()
    if subject != "nabo" and not subject.isdigit():
        raise _bad_request(f"{arguments.subject!r} is neither an activity id nor nabo")
    suffix = arguments.out.suffix.lower()
    if suffix not in (".pdf", ".png"):
        raise _bad_request("--out must end in .pdf (to print) or .png (to share)")
    kind = Kind.FLYER if arguments.flyer else Kind.DOOR if arguments.door else Kind.POSTER
    languages = LANGUAGES if arguments.language == "all" else (arguments.language,)
    source = arguments.source.strip().lower() if arguments.source else None
    request = SheetRequest(
        None if subject == "nabo" else int(subject), kind, languages, suffix == ".png", source
    )
    catalogs = Catalogs(config.timezone)
    made = make_sheet(config.database_path, request, catalogs, bot_username(config), clock.now())
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(made.data)
    print(f"wrote {arguments.out} ({len(made.data):,} bytes): {made.link}")
    return 0


def _privacy_notice(arguments: argparse.Namespace, config: Config, clock: Clock) -> int:
    """Write the privacy notice to print: one A4 page per language asked for."""
    if arguments.flyer or arguments.door or arguments.source:
        raise _bad_request("the privacy notice has no flyer, door poster or source")
    if arguments.out.suffix.lower() != ".pdf":
        raise _bad_request("--out must end in .pdf for the privacy notice")
    languages = LANGUAGES if arguments.language == "all" else (arguments.language,)
    made = make_notice(
        languages,
        Catalogs(config.timezone),
        phone_days=PHONE_DAYS,
        record_days=config.offline_retention_days,
        version=PRIVACY_NOTICE_VERSION,
        now=clock.now(),
    )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(made.data)
    print(
        f"wrote {arguments.out} ({len(made.data):,} bytes): the privacy notice, version "
        f"{PRIVACY_NOTICE_VERSION}, in {', '.join(languages)}"
    )
    return 0


def _bad_request(detail: str) -> SheetError:
    """Build the error for a command line that asks for no sheet Nabo can make."""
    return SheetError(Problem.NOT_FOUND, detail)

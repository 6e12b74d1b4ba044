"""Command line: ``python -m bot`` runs Nabo (polling or webhook), or the sandbox if no token."""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import sqlite3
import sys
from pathlib import Path

from bot.core.config import Config, ConfigError
from bot.core.logs import configure_logging

IMPORT_ACTIVITIES = "import-activities"
SANDBOX = "sandbox"
DEFAULT_SANDBOX_PORT = 8080
EXPORT = "export"
REPORT = "report"
BACKUP = "backup"
PERSON = "person"
POSTER = "poster"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, validate the environment and run."""
    arguments = build_parser().parse_args(argv)
    try:
        config = Config.from_env(os.environ)
        port = _sandbox_port(os.environ.get("SANDBOX_PORT", ""))
    except ConfigError as error:
        print(f"nabo: configuration error: {error}", file=sys.stderr)
        return 2
    if arguments.command == IMPORT_ACTIVITIES:
        return _import_activities(arguments.file, config)
    if arguments.command in (EXPORT, REPORT, BACKUP, POSTER):
        # The token is not needed here, but if it is set it must never reach a log line.
        configure_logging(config.log_level, secrets=[config.bot_token or ""])
        from bot.offline.cli import run_staff_tool

        return run_staff_tool(arguments, config)
    if arguments.command == PERSON:
        configure_logging(config.log_level, secrets=[config.bot_token or ""])
        from bot.offline.person_cli import run_person_tool

        return run_person_tool(arguments, config)
    if arguments.command == SANDBOX:
        return _run_sandbox(config, port, reset=arguments.reset)
    if not config.bot_token:
        return _run_sandbox(config, port, reset=False, without_token=True)
    return _run_bot(config)


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line: running the bot, and the staff tools."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=(
            "Without a command, run Nabo (long polling, or a webhook server if WEBHOOK_URL "
            "is set); without BOT_TOKEN, run the sandbox. With a command, run a staff tool."
        ),
    )
    commands = parser.add_subparsers(dest="command")
    importer = commands.add_parser(
        IMPORT_ACTIVITIES,
        help="check a CSV file of activities and store them all, or nothing",
        description="Check a CSV file of activities and store them all, or nothing.",
    )
    importer.add_argument("file", type=Path, help="CSV file, UTF-8, comma or semicolon separated")
    sandbox = commands.add_parser(
        SANDBOX,
        help="try Nabo in a browser, without Telegram (what runs when BOT_TOKEN is unset)",
        description=(
            "Run Nabo against a local Bot API server with demo data and a chat page on "
            "127.0.0.1. Nothing reaches Telegram."
        ),
    )
    sandbox.add_argument(
        "--reset", action="store_true", help="start from an empty sandbox database"
    )
    _add_staff_tools(commands)
    from bot.offline.person_cli import add_person_tool

    add_person_tool(commands)
    return parser


def _add_staff_tools(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        EXPORT,
        help="write a workbook of everything Nabo holds (Danish sheets, no names)",
        description="Write the staff workbook: activities, sign-ups, volunteers, feedback, "
        "broadcasts and residents (pseudonymous numbers only).",
    )
    export.add_argument("--out", type=Path, required=True, help="file to write (.xlsx or .zip)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="first day to include")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="last day to include")
    export.add_argument(
        "--format",
        choices=("xlsx", "csv"),
        default="xlsx",
        help="xlsx (default) or csv: a zip with one UTF-8 CSV file per sheet",
    )
    report = commands.add_parser(
        REPORT,
        help="write the report per delaftale and area for a quarter, a year or dates",
        description="Write the report for a period: --period 2026Q1 or 2026, "
        "or --from and --to (YYYY-MM-DD, both included).",
    )
    report.add_argument("--period", help="a quarter (2026Q1) or a year (2026)")
    report.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day")
    report.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day")
    report.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    backup = commands.add_parser(
        BACKUP,
        help="copy the live database safely and check the copy",
        description="Copy the database while Nabo runs (SQLite backup API) and check the "
        "copy with PRAGMA integrity_check.",
    )
    backup.add_argument("--out", type=Path, required=True, help="the file to write")
    poster = commands.add_parser(
        POSTER,
        help="print a poster, flyers or a door poster with a QR code (PDF), or a share image;"
        " or the privacy notice",
        description="Make a poster for an activity (its id) or for Nabo itself (nabo): an A4 "
        "PDF, or with --out ending in .png an image for Facebook and WhatsApp posts. The "
        "link needs the bot's username: BOT_USERNAME, else asked of Telegram (getMe). "
        "With privacy: the privacy notice to hand out, one A4 page per language (PDF), for "
        "people the team signs up without Telegram.",
    )
    poster.add_argument(
        "subject",
        metavar="ACTIVITY_ID|nabo|privacy",
        help="an activity's id, nabo, or privacy (the privacy notice)",
    )
    poster.add_argument("--out", type=Path, required=True, help="the .pdf or .png file to write")
    kind = poster.add_mutually_exclusive_group()
    kind.add_argument("--flyer", action="store_true", help="four A6 flyers on an A4 page")
    kind.add_argument("--door", action="store_true", help="the door poster: check in by scanning")
    poster.add_argument(
        "--language",
        choices=("da", "ar", "en", "all"),
        default="all",
        help="one language per sheet, or all three on one (the default)",
    )
    poster.add_argument("--source", metavar="CODE", help="count what the link brings for a source")


def _sandbox_port(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        return DEFAULT_SANDBOX_PORT
    if not raw.isdigit() or int(raw) > 65535:
        raise ConfigError(f"SANDBOX_PORT: {raw!r} is not a port number (0 picks a free one)")
    return int(raw)


def _run_bot(config: Config) -> int:
    assert config.bot_token is not None  # main() runs the sandbox without one
    configure_logging(config.log_level, secrets=[config.bot_token, config.webhook_secret or ""])
    # Imported here so that a configuration error answers fast, before PTB loads.
    from bot.app import run
    from bot.db.store import StoreError

    try:
        run(config)
    except (StoreError, OSError, sqlite3.Error) as error:
        # A database that is newer, unreadable or in a folder Nabo may not write to.
        print(f"nabo: database error ({config.database_path}): {error}", file=sys.stderr)
        return 2
    return 0


def _run_sandbox(config: Config, port: int, *, reset: bool, without_token: bool = False) -> int:
    """Run the sandbox until Ctrl+C; it has its own database beside the real one."""
    try:
        from bot.sandbox.runner import serve
    except ModuleNotFoundError as error:  # aiohttp comes with the optional 'sandbox' extra
        if error.name != "aiohttp":
            raise
        # Typically the Docker image, which is for production: say the token first.
        print(
            f"nabo: {'BOT_TOKEN is not set. ' if without_token else ''}To run against "
            "Telegram, create a bot with @BotFather and put its token in BOT_TOKEN (see "
            ".env.example). The sandbox, which needs no token, runs from a checkout with "
            "`make run` (it needs the 'sandbox' extra: pip install -e '.[sandbox]').",
            file=sys.stderr,
        )
        return 2
    if without_token:
        print(
            "nabo: BOT_TOKEN is not set, so this is the sandbox. To run against Telegram, create "
            "a bot with @BotFather and put its token in BOT_TOKEN (see .env.example).",
            file=sys.stderr,
        )
    # The sandbox never uses a real token or webhook secret, but ones set in .env must not
    # reach a log line.
    configure_logging(
        config.log_level, secrets=[config.bot_token or "", config.webhook_secret or ""]
    )
    from bot.db.store import StoreError

    database = config.database_path.with_name("sandbox.sqlite3")
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    try:
        asyncio.run(serve(config, port=port, database=database))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"nabo: sandbox: port {port} on 127.0.0.1 is in use; "
                "choose another with SANDBOX_PORT.",
                file=sys.stderr,
            )
        else:
            print(f"nabo: sandbox: {error}", file=sys.stderr)
        return 2
    except (StoreError, sqlite3.Error) as error:
        print(f"nabo: database error ({database}): {error}", file=sys.stderr)
        return 2
    return 0


def _import_activities(path: Path, config: Config) -> int:
    """Import a staff CSV file; exit 1 and store nothing if any row is wrong."""
    # The token is not needed here, but if it is set it must never reach a log line.
    configure_logging(config.log_level, secrets=[config.bot_token or ""])
    from bot.core.clock import Clock
    from bot.db.store import StoreError
    from bot.offline.importer import import_activities

    if not path.is_file():
        print(f"nabo: {path}: no such file", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(import_activities(path, config, Clock().now()))
    except OSError as error:
        print(f"nabo: {error.filename or path}: {error.strerror or error}", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"nabo: database error: {error}", file=sys.stderr)
        return 2
    if not report.ok:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        count = len(report.problems)
        print(
            f"nabo: nothing imported; {count} problem{'s' if count != 1 else ''} in {path}",
            file=sys.stderr,
        )
        return 1
    for activity in report.activities:
        start = activity.starts_at.astimezone(config.timezone)
        print(f"{activity.id:>6}  {start:%Y-%m-%d %H:%M}  {activity.title_da}")
    count = len(report.activities)
    print(f"imported {count} activit{'ies' if count != 1 else 'y'} into {config.database_path}")
    if report.skipped:
        print(
            f"skipped {report.skipped} already there (same Danish title and start): "
            "a file imported again adds only what is new"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

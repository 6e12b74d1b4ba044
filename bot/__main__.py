"""Command line: ``python -m bot`` runs Nabo (polling or webhook); subcommands are staff tools."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from bot.config import Config, ConfigError
from bot.logs import configure_logging

IMPORT_ACTIVITIES = "import-activities"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, validate the environment and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=(
            "Without a command, run Nabo (long polling, or a webhook server if WEBHOOK_URL "
            "is set). With one, run a staff tool."
        ),
    )
    commands = parser.add_subparsers(dest="command")
    importer = commands.add_parser(
        IMPORT_ACTIVITIES,
        help="check a CSV file of activities and store them all, or nothing",
        description="Check a CSV file of activities and store them all, or nothing.",
    )
    importer.add_argument("file", type=Path, help="CSV file, UTF-8, comma or semicolon separated")
    arguments = parser.parse_args(argv)
    try:
        config = Config.from_env(os.environ)
    except ConfigError as error:
        print(f"nabo: configuration error: {error}", file=sys.stderr)
        return 2
    if arguments.command == IMPORT_ACTIVITIES:
        return _import_activities(arguments.file, config)
    return _run_bot(config)


def _run_bot(config: Config) -> int:
    if not config.bot_token:
        print(
            "nabo: BOT_TOKEN is not set. Create a bot with @BotFather in Telegram and "
            "put its token in BOT_TOKEN (see .env.example).",
            file=sys.stderr,
        )
        return 2
    configure_logging(config.log_level, secrets=[config.bot_token, config.webhook_secret or ""])
    # Imported here so that a configuration error answers fast, before PTB loads.
    from bot.app import run
    from bot.store import StoreError

    try:
        run(config)
    except (StoreError, OSError, sqlite3.Error) as error:
        # A database that is newer, unreadable or in a folder Nabo may not write to.
        print(f"nabo: database error ({config.database_path}): {error}", file=sys.stderr)
        return 2
    return 0


def _import_activities(path: Path, config: Config) -> int:
    """Import a staff CSV file; exit 1 and store nothing if any row is wrong."""
    # The token is not needed here, but if it is set it must never reach a log line.
    configure_logging(config.log_level, secrets=[config.bot_token or ""])
    from bot.clock import Clock
    from bot.importer import import_activities
    from bot.store import StoreError

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
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m bot`` runs Nabo (long polling)."""

from __future__ import annotations

import argparse
import os
import sys

from bot.config import Config, ConfigError
from bot.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, validate the environment and run."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.parse_args(argv)
    try:
        config = Config.from_env(os.environ)
    except ConfigError as error:
        print(f"nabo: configuration error: {error}", file=sys.stderr)
        return 2
    if not config.bot_token:
        print(
            "nabo: BOT_TOKEN is not set. Create a bot with @BotFather in Telegram and "
            "put its token in BOT_TOKEN (see .env.example).",
            file=sys.stderr,
        )
        return 2
    configure_logging(config.log_level, secrets=[config.bot_token])
    # Imported here so that a configuration error answers fast, before PTB loads.
    from bot.app import run_polling
    from bot.store import StoreError

    try:
        run_polling(config)
    except StoreError as error:
        print(f"nabo: database error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A consistent, read-only snapshot of the database for exports and reports.

Exports read every table, up to hundreds of thousands of rows. They do not go through
the Store's one shared connection: that would hold its lock (and so every resident's
tap) for seconds. Instead they open their own read-only connection (in another process,
bot/offline/worker.py) and read inside one transaction, which in WAL mode is a consistent
snapshot that never blocks the bot's writes. Rows are streamed from the cursor, never all
held at once.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# An offline tool's read-only connection, inside its one read transaction.
Snapshot = sqlite3.Connection


@contextmanager
def snapshot(path: Path) -> Iterator[Snapshot]:
    """Open the database read-only and hold one read transaction: a consistent snapshot."""
    if not path.is_file():
        raise FileNotFoundError(path)
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("BEGIN")
        yield connection
    finally:
        connection.close()


class ResidentNumbers:
    """Pseudonymous resident numbers: an HMAC of the Telegram id under the database's key.

    The same resident has the same number in every export; the number cannot be turned
    back into a Telegram id without the key, which never leaves the database. Erased
    residents' sign-ups have no user id and so no number.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Read the key from the snapshot."""
        row = connection.execute(
            "SELECT value FROM secrets WHERE name = 'resident_number'"
        ).fetchone()
        if row is None:
            raise RuntimeError("the database has no resident-number key (migration 5)")
        self._key: bytes = row[0]
        self._cache: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str | None:
        """Return the resident's number, e.g. B-3F9A2C71D0; None for no resident."""
        if user_id is None:
            return None
        number = self._cache.get(user_id)
        if number is None:
            digest = hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()
            # 40 bits: no two of even 100,000 residents are likely to share a number.
            number = self._cache[user_id] = "B-" + digest[:10].upper()
        return number

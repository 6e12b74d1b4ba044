"""A consistent copy of the live database, checked before it is kept."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path


class BackupError(RuntimeError):
    """The copy could not be made, or it did not pass the integrity check."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A finished backup: where, how big, and its schema version."""

    path: Path
    size: int
    schema_version: int


def backup_database(source: Path, out: Path) -> BackupResult:
    """Copy ``source`` to ``out`` with SQLite's backup API, then check the copy.

    Safe while the bot runs: the copy is taken in one step inside a read transaction,
    so it is a snapshot of committed data and never half a transaction; in WAL mode the
    bot keeps writing meanwhile. The copy is written beside ``out`` and renamed only
    after ``PRAGMA integrity_check`` says "ok", so ``out`` is never a broken file.
    """
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    if out.resolve() == source.resolve():
        raise BackupError("the backup must not overwrite the database itself")
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".nabo-backup-", suffix=".sqlite3", dir=out.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        live = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        copy = sqlite3.connect(temporary)
        try:
            live.execute("PRAGMA busy_timeout = 5000")
            # pages=-1: everything in one step, so no write can slip in between steps.
            live.backup(copy, pages=-1)
            # One self-contained file: no -wal beside it to forget when restoring.
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            version = int(copy.execute("PRAGMA user_version").fetchone()[0])
        finally:
            copy.close()
            live.close()
        if problems != ["ok"]:
            raise BackupError("integrity check failed: " + "; ".join(problems[:5]))
        os.replace(temporary, out)
    except sqlite3.Error as error:
        raise BackupError(str(error)) from error
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, version)

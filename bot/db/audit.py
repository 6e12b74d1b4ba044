"""Repository for the audit log: which staff member did what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.clock import from_db, to_db
from bot.db.store import Store


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One staff action."""

    id: int
    staff_user_id: int
    action: str
    subject: str | None
    details: str | None
    at: datetime

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        """Build an AuditEntry from an ``audit_log`` row."""
        at = from_db(row["at"])
        assert at is not None
        return cls(
            row["id"], row["staff_user_id"], row["action"], row["subject"], row["details"], at
        )


class AuditLog:
    """SQL for the ``audit_log`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def record(
        self,
        staff_user_id: int,
        action: str,
        now: datetime,
        *,
        subject: str | None = None,
        details: str | None = None,
    ) -> None:
        """Write one staff action (e.g. "activity.create", subject "activity:42")."""
        async with self._store.transaction() as db:
            await db.execute(
                "INSERT INTO audit_log (staff_user_id, action, subject, details, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (staff_user_id, action, subject, details, to_db(now)),
            )

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        """Return the newest entries first."""
        rows = await self._store.fetch_all(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [AuditEntry.from_row(row) for row in rows]

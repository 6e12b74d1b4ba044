"""Repository for residents' interests: which delaftaler and areas they want to hear about."""

from __future__ import annotations

from bot.db.store import Store

KINDS = ("delaftale", "area")


class InterestRepository:
    """SQL for the ``resident_interests`` table; no rows of a kind means "all of them"."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def of(self, user_id: int) -> dict[str, set[str]]:
        """Return a resident's chosen values per kind."""
        rows = await self._store.fetch_all(
            "SELECT kind, value FROM resident_interests WHERE user_id = ?", (user_id,)
        )
        chosen: dict[str, set[str]] = {kind: set() for kind in KINDS}
        for row in rows:
            chosen[row["kind"]].add(row["value"])
        return chosen

    async def toggle(self, user_id: int, kind: str, value: str) -> bool:
        """Add the value to the resident's interests, or remove it; return whether it is on."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM resident_interests WHERE user_id = ? AND kind = ? AND value = ?",
                (user_id, kind, value),
            )
            if cursor.rowcount:
                return False
            await db.execute(
                "INSERT INTO resident_interests (user_id, kind, value) VALUES (?, ?, ?)",
                (user_id, kind, value),
            )
            return True

    async def clear(self, user_id: int, kind: str) -> None:
        """Forget a resident's choice of a kind, so they hear about all of it again."""
        async with self._store.transaction() as db:
            await db.execute(
                "DELETE FROM resident_interests WHERE user_id = ? AND kind = ?", (user_id, kind)
            )

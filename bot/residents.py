"""Repository for residents: who Nabo talks to, in which language, and with what consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, to_db
from bot.signups import Recipient, cancel_all_for
from bot.store import Store

# Bump when the privacy notice's substance changes; residents who consented to an
# older version are asked again (see handlers/start.py). 2: volunteers' phone numbers
# and feedback.
PRIVACY_NOTICE_VERSION = 2


@dataclass(frozen=True, slots=True)
class Resident:
    """A resident as stored: never a name, username, phone number or message text."""

    user_id: int
    chat_id: int
    language: str | None
    first_seen_at: datetime
    consented_at: datetime | None
    consent_version: int | None
    subscribed: bool
    blocked: bool
    reminders: bool

    @property
    def has_consented(self) -> bool:
        """Tell whether the resident accepted the current privacy notice."""
        return self.consent_version == PRIVACY_NOTICE_VERSION

    @classmethod
    def from_row(cls, row: Any) -> Resident:
        """Build a Resident from a ``residents`` row."""
        first_seen = from_db(row["first_seen_at"])
        assert first_seen is not None
        return cls(
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            language=row["language"],
            first_seen_at=first_seen,
            consented_at=from_db(row["consented_at"]),
            consent_version=row["consent_version"],
            subscribed=bool(row["subscribed"]),
            blocked=bool(row["blocked"]),
            reminders=bool(row["reminders"]),
        )


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What erasing a resident did: whether they existed, and who moved up in their place."""

    found: bool
    promotions: list[tuple[int, list[Recipient]]]


class ResidentRepository:
    """SQL for the ``residents`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def get(self, user_id: int) -> Resident | None:
        """Return the resident with this Telegram user id, if Nabo knows them."""
        row = await self._store.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        return Resident.from_row(row) if row else None

    async def set_language(
        self, user_id: int, chat_id: int, language: str, now: datetime
    ) -> Resident:
        """Remember a language choice, creating the minimal row if needed."""
        async with self._store.transaction() as db:
            await db.execute(
                """
                INSERT INTO residents (user_id, chat_id, language, first_seen_at)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,
                                                    chat_id = excluded.chat_id
                """,
                (user_id, chat_id, language, to_db(now)),
            )
        return await self._require(user_id)

    async def consent(self, user_id: int, chat_id: int, language: str, now: datetime) -> Resident:
        """Record consent to the current privacy notice (and the language it was read in)."""
        async with self._store.transaction() as db:
            await db.execute(
                """
                INSERT INTO residents (user_id, chat_id, language, first_seen_at,
                                       consented_at, consent_version)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    chat_id = excluded.chat_id,
                    language = COALESCE(residents.language, excluded.language),
                    consented_at = excluded.consented_at,
                    consent_version = excluded.consent_version,
                    blocked = 0
                """,
                (user_id, chat_id, language, to_db(now), to_db(now), PRIVACY_NOTICE_VERSION),
            )
        return await self._require(user_id)

    async def forget(self, user_id: int, now: datetime) -> ForgetResult:
        """Erase the resident; their coming places are freed and go to the waitlist.

        Past sign-ups stay as unlinked counts (the foreign key sets user_id to NULL), so
        the reports still add up.
        """
        async with self._store.transaction() as db:
            promotions = await cancel_all_for(db, user_id, now)
            # The name given to Telegram goes with them; the counts stay, unlinked.
            await db.execute("UPDATE signups SET first_name = NULL WHERE user_id = ?", (user_id,))
            cursor = await db.execute("DELETE FROM residents WHERE user_id = ?", (user_id,))
            return ForgetResult(cursor.rowcount > 0, promotions)

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        """Mark whether the resident has blocked the bot; return whether a row changed."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE residents SET blocked = ? WHERE user_id = ? AND blocked != ?",
                (int(blocked), user_id, int(blocked)),
            )
            return cursor.rowcount > 0

    async def set_subscribed(self, user_id: int, on: bool) -> None:
        """Turn announcements (broadcasts and the weekly overview) on or off."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE residents SET subscribed = ? WHERE user_id = ?", (int(on), user_id)
            )

    async def set_reminders(self, user_id: int, on: bool) -> None:
        """Turn reminders before activities on or off for a resident."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE residents SET reminders = ? WHERE user_id = ?", (int(on), user_id)
            )

    async def _require(self, user_id: int) -> Resident:
        resident = await self.get(user_id)
        if resident is None:  # pragma: no cover - only if the row vanished mid-call
            raise LookupError(f"resident {user_id} disappeared")
        return resident

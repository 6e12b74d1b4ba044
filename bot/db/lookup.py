"""Finding a person who asks for their data by phone or at the desk (staff, /person).

A request can name someone by phone number, by the first name on their sign-ups or on
the record staff made for them, or by their Telegram user number. Each match says enough
to tell namesakes apart (whether they use the chat, their area, their coming activities),
and nothing more: what is stored about them is shown only after staff confirmed who is
asking (handlers/person.py, bot/offline/person_cli.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.core.clock import from_db, to_db
from bot.core.phones import normalise_phone, same_phone
from bot.db.store import Store

MAX_FOUND = 10
Kind = Literal["resident", "offline"]


@dataclass(frozen=True, slots=True)
class Coming:
    """An activity someone is signed up for (or waiting on), to tell namesakes apart."""

    activity_id: int
    title_da: str
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class Found:
    """Someone who matches a request: which kind, their key, and what tells them apart."""

    kind: Kind
    id: int  # the Telegram user id of a resident, or the record's id
    name: str | None  # the first name on their sign-ups or record
    area: str | None  # for someone without Telegram
    coming: tuple[Coming, ...]
    reachable: bool  # a resident Nabo can send a code to (consented, not blocked)

    @property
    def key(self) -> str:
        """Return how the command line names them: ``r:<user id>`` or ``p:<record id>``."""
        return f"{'r' if self.kind == 'resident' else 'p'}:{self.id}"


class PersonLookup:
    """Read-only SQL to find people for a data request."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def find(self, query: str, now: datetime) -> list[Found]:
        """Find people by phone number, first name or Telegram user number (any of them)."""
        text = query.strip()
        found: list[Found] = []
        digits = text.replace(" ", "").replace("-", "")
        if digits.lstrip("+").isdigit():
            if digits.isdigit():
                found += await self.by_telegram_id(int(digits), now)
            phone = normalise_phone(text)
            if phone is not None:
                found += await self.by_phone(phone, now)
        elif text:
            found += await self.by_name(text, now)
        unique = {(item.kind, item.id): item for item in found}
        return list(unique.values())[:MAX_FOUND]

    async def by_telegram_id(self, user_id: int, now: datetime) -> list[Found]:
        """Return the resident with this Telegram user number, if Nabo knows them."""
        row = await self._store.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        if row is None:
            return []
        return [await self._resident(row, now)]

    async def by_phone(self, phone: str, now: datetime) -> list[Found]:
        """Return people with this phone number: records staff made, and volunteers' offers."""
        found = [
            await self._offline(row, now)
            for row in await self._store.fetch_all(
                "SELECT * FROM offline_people WHERE phone = ? ORDER BY id", (phone,)
            )
        ]
        # Volunteers' numbers come as Telegram shares them (with or without +).
        offers = await self._store.fetch_all(
            "SELECT r.* , v.phone AS v_phone FROM volunteer_offers v"
            " JOIN residents r ON r.user_id = v.user_id WHERE v.phone IS NOT NULL"
        )
        for row in offers:
            if same_phone(phone, row["v_phone"]):
                found.append(await self._resident(row, now))
        return found

    async def by_name(self, name: str, now: datetime) -> list[Found]:
        """Return people whose sign-ups or record carry this first name (any case)."""
        residents = await self._store.fetch_all(
            "SELECT DISTINCT r.* FROM residents r JOIN signups s ON s.user_id = r.user_id"
            " WHERE lower(s.first_name) = lower(?) ORDER BY r.user_id",
            (name,),
        )
        offline = await self._store.fetch_all(
            "SELECT * FROM offline_people WHERE lower(first_name) = lower(?) ORDER BY id", (name,)
        )
        return [await self._resident(row, now) for row in residents] + [
            await self._offline(row, now) for row in offline
        ]

    async def resident(self, user_id: int, now: datetime) -> Found | None:
        """Return one resident as a match (after picking them from a list)."""
        found = await self.by_telegram_id(user_id, now)
        return found[0] if found else None

    async def offline(self, person_id: int, now: datetime) -> Found | None:
        """Return one person signed up on their behalf as a match."""
        row = await self._store.fetch_one("SELECT * FROM offline_people WHERE id = ?", (person_id,))
        return await self._offline(row, now) if row else None

    async def _resident(self, row: Any, now: datetime) -> Found:
        user_id = int(row["user_id"])
        name = await self._store.fetch_one(
            "SELECT first_name FROM signups WHERE user_id = ? AND first_name IS NOT NULL"
            " ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return Found(
            kind="resident",
            id=user_id,
            name=name["first_name"] if name else None,
            area=None,
            coming=await self._coming("user_id", user_id, now),
            reachable=row["consented_at"] is not None and not row["blocked"],
        )

    async def _offline(self, row: Any, now: datetime) -> Found:
        return Found(
            kind="offline",
            id=int(row["id"]),
            name=row["first_name"],
            area=row["area"],
            coming=await self._coming("person_id", int(row["id"]), now),
            reachable=False,
        )

    async def _coming(self, column: str, key: int, now: datetime) -> tuple[Coming, ...]:
        # The column is one of two fixed names, never text from outside.
        assert column in ("user_id", "person_id")
        rows = await self._store.fetch_all(
            f"SELECT a.id, a.title_da, a.starts_at FROM signups s"
            f" JOIN activities a ON a.id = s.activity_id WHERE s.{column} = ?"
            " AND s.status IN ('confirmed', 'waitlisted') AND a.ends_at > ?"
            " AND a.status = 'published' ORDER BY a.starts_at LIMIT 3",
            (key, to_db(now)),
        )
        result = []
        for row in rows:
            starts = from_db(row["starts_at"])
            assert starts is not None
            result.append(Coming(int(row["id"]), row["title_da"], starts))
        return tuple(result)

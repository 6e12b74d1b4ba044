"""Repository for volunteer offers: what residents offer to help with, and how to reach them.

An offer belongs to its resident (erased with them). A phone number is only ever one
the resident shared with Telegram's "share my contact" button, and a withdrawn offer
keeps no contact details and no free text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.clock import from_db, to_db
from bot.core.i18n import N_
from bot.db.notice_version import PRIVACY_NOTICE_VERSION
from bot.db.remains import delete_offers
from bot.db.store import Store

# Kinds of help, in the order residents see them: code → label (translated where shown).
KINDS: dict[str, str] = {
    "homework": N_("Homework help"),
    "language_cafe": N_("Language café"),
    "children": N_("Children and young people"),
    "sport": N_("Sport and outdoor activities"),
    "events": N_("Parties and events"),
    "practical": N_("Practical help for neighbours"),
    "interpreting": N_("Interpreting (Arabic, Danish or other languages)"),
    "translation": N_("Translating written texts"),
    "digital": N_("Digital help (MitID, e-Boks, forms)"),
    "other": N_("Something else"),
}
TIMES: dict[str, str] = {
    "weekdays": N_("Weekdays (daytime)"),
    "evenings": N_("Evenings"),
    "weekends": N_("Weekends"),
}
# The languages a volunteer translates or interprets between: Nabo's three, each named in
# itself (the code's label), and any other (said in the note).
LANGUAGES: dict[str, str] = {
    "da": "Dansk",
    "ar": "العربية",
    "en": "English",
    "other": N_("Another language"),
}
# Kinds of help that go between languages, and so ask which ones.
BETWEEN_LANGUAGES: tuple[str, ...] = ("interpreting", "translation")
STATUSES: dict[str, str] = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "active": N_("Active"),
    "not_now": N_("Not now"),
    "withdrawn": N_("Withdrawn"),
}
# What staff can set with the buttons on an offer.
STAFF_STATUSES: tuple[str, ...] = ("contacted", "active", "not_now")
CONTACTS: tuple[str, ...] = ("nabo", "phone")
MAX_NOTE = 500
MAX_OTHER = 100
MAX_PHONE = 32

# A typed phone number: eight or more digits, perhaps with a leading + and single
# spaces between groups (12 34 56 78). Dashes and dots are left alone, so dates and
# years (12-05-2024, 2024-2025) pass. Nabo stores no typed numbers.
_TYPED_PHONE = re.compile(r"(?<![\d])(?:\+|00)?\d(?: ?\d){7,}(?![\d])")


def has_phone_number(text: str) -> bool:
    """Tell whether a text seems to contain a phone number typed in by hand."""
    return _TYPED_PHONE.search(text) is not None


@dataclass(frozen=True, slots=True)
class OfferDraft:
    """An offer as the resident describes it, before it is saved."""

    kinds: tuple[str, ...]
    times: tuple[str, ...]
    contact: str = "nabo"
    phone: str | None = None
    other_help: str | None = None
    note: str | None = None
    languages: tuple[str, ...] = ()

    @property
    def between_languages(self) -> bool:
        """Tell whether the offer is to translate or interpret (so it names languages)."""
        return any(kind in BETWEEN_LANGUAGES for kind in self.kinds)

    def problems(self) -> list[str]:
        """Return what is wrong with the draft (empty when it can be saved)."""
        problems = []
        if not self.kinds or any(kind not in KINDS for kind in self.kinds):
            problems.append("kinds")
        if not self.times or any(time not in TIMES for time in self.times):
            problems.append("times")
        if self.contact not in CONTACTS or (self.contact == "phone") != (self.phone is not None):
            problems.append("contact")
        if self.phone is not None and not 0 < len(self.phone) <= MAX_PHONE:
            problems.append("phone")
        if self.other_help is not None and (
            "other" not in self.kinds or not 0 < len(self.other_help) <= MAX_OTHER
        ):
            problems.append("other_help")
        if self.note is not None and not 0 < len(self.note) <= MAX_NOTE:
            problems.append("note")
        # Going between languages takes two of them; other help names none.
        if self.between_languages != (len(set(self.languages)) >= 2) or any(
            code not in LANGUAGES for code in self.languages
        ):
            problems.append("languages")
        return problems


@dataclass(frozen=True, slots=True)
class Offer:
    """An offer of help as stored."""

    id: int
    user_id: int
    kinds: tuple[str, ...]
    other_help: str | None
    times: tuple[str, ...]
    contact: str
    phone: str | None
    note: str | None
    status: str
    staff_message_id: int | None  # the post in the staff chat
    created_at: datetime
    updated_at: datetime
    languages: tuple[str, ...] = ()
    # Without a staff chat: each staff member's own copy (staff user id → message id).
    staff_copies: dict[int, int] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        """Tell whether the offer still stands (it has not been withdrawn)."""
        return self.status != "withdrawn"

    def draft(self) -> OfferDraft:
        """Return the offer as a draft, to change it."""
        return OfferDraft(
            self.kinds,
            self.times,
            self.contact,
            self.phone,
            self.other_help,
            self.note,
            self.languages,
        )

    @classmethod
    def from_row(cls, row: Any) -> Offer:
        """Build an Offer from a row of ``OFFERS_SQL`` (an offer and its staff copies)."""
        created, updated = from_db(row["created_at"]), from_db(row["updated_at"])
        assert created is not None
        assert updated is not None
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            kinds=_split(row["kinds"]),
            other_help=row["other_help"],
            times=_split(row["times"]),
            contact=row["contact"],
            phone=row["phone"],
            note=row["note"],
            status=row["status"],
            staff_message_id=row["staff_message_id"],
            created_at=created,
            updated_at=updated,
            languages=_split(row["languages"]),
            staff_copies={
                int(user): int(message) for user, message in json.loads(row["staff_copies"]).items()
            },
        )


@dataclass(frozen=True, slots=True)
class Translator:
    """A volunteer Nabo may ask for a translation, and where and how to write to them."""

    user_id: int
    chat_id: int
    language: str | None  # the language they read Nabo in


# Volunteers who translate from Danish into :language: an active offer (staff have spoken
# with them), to be reached through Nabo, translation among its kinds of help, Danish and
# the language among its languages; and a resident who accepted the current notice and
# has not blocked Nabo.
_TRANSLATORS = f"""
    SELECT r.user_id, r.chat_id, r.language
      FROM volunteer_offers v JOIN residents r ON r.user_id = v.user_id
     WHERE v.status = 'active' AND v.contact = 'nabo'
       AND instr(',' || v.kinds || ',', ',translation,') > 0
       AND instr(',' || v.languages || ',', ',da,') > 0
       AND instr(',' || v.languages || ',', ',' || :language || ',') > 0
       AND r.consent_version = {PRIVACY_NOTICE_VERSION} AND r.blocked = 0
"""


@dataclass(frozen=True, slots=True)
class SaveResult:
    """A saved offer; whether it is new (or renewed after a withdrawal); its old staff post."""

    offer: Offer
    is_new: bool
    previous_staff_message_id: int | None
    previous_staff_copies: dict[int, int] = field(default_factory=dict)


def _join(codes: tuple[str, ...], known: dict[str, str]) -> str:
    # Stored in the display order, so the same choice is always the same text.
    return ",".join(code for code in known if code in codes)


def _split(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.split(",") if code)


# Every offer is read with the message ids of its copies in staff members' own chats,
# so whoever edits the staff's posts (withdrawal, erasure, retention) has them all.
OFFERS_SQL = """
    SELECT o.*,
           (SELECT json_group_object(c.staff_user_id, c.message_id)
              FROM offer_staff_messages c WHERE c.offer_id = o.id) AS staff_copies
      FROM volunteer_offers o
"""


class VolunteerRepository:
    """SQL for the ``volunteer_offers`` table."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def get(self, offer_id: int) -> Offer | None:
        """Return an offer by id."""
        row = await self._store.fetch_one(f"{OFFERS_SQL} WHERE o.id = ?", (offer_id,))
        return Offer.from_row(row) if row else None

    async def get_for(self, user_id: int) -> Offer | None:
        """Return the resident's offer (also a withdrawn one), if any."""
        row = await self._store.fetch_one(f"{OFFERS_SQL} WHERE o.user_id = ?", (user_id,))
        return Offer.from_row(row) if row else None

    async def save(self, user_id: int, draft: OfferDraft, now: datetime) -> SaveResult:
        """Store a new offer or change the resident's current one; refuse an invalid draft.

        A changed offer keeps the status staff gave it; one made after a withdrawal
        starts again as new.
        """
        problems = draft.problems()
        if problems:
            raise ValueError(f"invalid offer: {', '.join(problems)}")
        values = {
            "user": user_id,
            "kinds": _join(draft.kinds, KINDS),
            "other": draft.other_help,
            "times": _join(draft.times, TIMES),
            "contact": draft.contact,
            "phone": draft.phone,
            "note": draft.note,
            "languages": _join(draft.languages, LANGUAGES),
            "now": to_db(now),
        }
        async with self._store.transaction() as db:
            async with db.execute(f"{OFFERS_SQL} WHERE o.user_id = ?", (user_id,)) as cursor:
                found = await cursor.fetchone()
            before = Offer.from_row(found) if found else None
            is_new = before is None or not before.is_open
            await db.execute(
                """
                INSERT INTO volunteer_offers (user_id, kinds, other_help, times, contact, phone,
                                              note, languages, status, created_at, updated_at)
                VALUES (:user, :kinds, :other, :times, :contact, :phone, :note, :languages,
                        'new', :now, :now)
                ON CONFLICT (user_id) DO UPDATE SET
                    kinds = excluded.kinds,
                    other_help = excluded.other_help,
                    times = excluded.times,
                    contact = excluded.contact,
                    phone = excluded.phone,
                    note = excluded.note,
                    languages = excluded.languages,
                    status = CASE WHEN volunteer_offers.status = 'withdrawn' THEN 'new'
                                  ELSE volunteer_offers.status END,
                    created_at = CASE WHEN volunteer_offers.status = 'withdrawn'
                                      THEN excluded.created_at
                                      ELSE volunteer_offers.created_at END,
                    updated_at = excluded.updated_at
                """,
                values,
            )
            async with db.execute(f"{OFFERS_SQL} WHERE o.user_id = ?", (user_id,)) as cursor:
                row = await cursor.fetchone()
        if before is None:
            return SaveResult(Offer.from_row(row), is_new, None)
        return SaveResult(Offer.from_row(row), is_new, before.staff_message_id, before.staff_copies)

    async def withdraw(self, user_id: int, now: datetime) -> Offer | None:
        """Withdraw the resident's offer, dropping its phone number and free text.

        Returns the withdrawn offer, or None if there was no offer standing.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                """
                UPDATE volunteer_offers
                   SET status = 'withdrawn', phone = NULL, note = NULL, other_help = NULL,
                       updated_at = ?
                 WHERE user_id = ? AND status != 'withdrawn'
                """,
                (to_db(now), user_id),
            )
            if cursor.rowcount != 1:
                return None
            async with db.execute(f"{OFFERS_SQL} WHERE o.user_id = ?", (user_id,)) as cursor:
                row = await cursor.fetchone()
        return Offer.from_row(row)

    async def set_status(self, offer_id: int, status: str, now: datetime) -> Offer | None:
        """Set the status staff chose; None if the offer is gone or withdrawn."""
        if status not in STAFF_STATUSES:
            raise ValueError(f"staff cannot set status {status!r}")
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE volunteer_offers SET status = ?, updated_at = ?"
                " WHERE id = ? AND status != 'withdrawn'",
                (status, to_db(now), offer_id),
            )
            if cursor.rowcount != 1:
                return None
        return await self.get(offer_id)

    async def set_staff_message(
        self, offer_id: int, message_id: int | None, copies: dict[int, int] | None = None
    ) -> None:
        """Remember which messages show the offer to staff (to update them later).

        ``message_id`` is the staff chat's post; ``copies`` the message id in each staff
        member's own chat (staff user id → message id), replacing those stored before.
        """
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE volunteer_offers SET staff_message_id = ? WHERE id = ?",
                (message_id, offer_id),
            )
            await db.execute("DELETE FROM offer_staff_messages WHERE offer_id = ?", (offer_id,))
            await db.executemany(
                "INSERT INTO offer_staff_messages (offer_id, staff_user_id, message_id)"
                " VALUES (?, ?, ?)",
                [(offer_id, user, message) for user, message in sorted((copies or {}).items())],
            )

    async def translators(self, language: str) -> list[Translator]:
        """Return the volunteers who may be asked to translate from Danish into ``language``."""
        rows = await self._store.fetch_all(
            f"{_TRANSLATORS} ORDER BY r.user_id", {"language": language}
        )
        return [Translator(row["user_id"], row["chat_id"], row["language"]) for row in rows]

    async def translator(self, user_id: int, language: str) -> Translator | None:
        """Return this volunteer if they may be asked to translate into ``language``."""
        row = await self._store.fetch_one(
            f"{_TRANSLATORS} AND r.user_id = :user", {"language": language, "user": user_id}
        )
        return Translator(row["user_id"], row["chat_id"], row["language"]) if row else None

    async def all(self) -> list[Offer]:
        """Return every offer, newest first (for the staff's overview)."""
        rows = await self._store.fetch_all(f"{OFFERS_SQL} ORDER BY o.id DESC")
        return [Offer.from_row(row) for row in rows]

    async def delete_inactive(self, updated_before: datetime) -> list[Offer]:
        """Delete offers withdrawn or marked "not now" and unchanged since then; return them."""
        async with self._store.transaction() as db:
            where = "status IN ('not_now', 'withdrawn') AND updated_at <= ?"
            params = (to_db(updated_before),)
            async with db.execute(f"{OFFERS_SQL} WHERE {where} ORDER BY o.id", params) as cursor:
                offers = [Offer.from_row(row) for row in await cursor.fetchall()]
            # When each came stays, so past reports still count it (bot/db/remains.py).
            await delete_offers(db, where, params)
        return offers

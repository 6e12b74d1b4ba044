"""Repository for texts volunteers translate: requests, who took them, and drafts that wait.

A request asks for one text (a message to residents, or an activity's title and
description) in Arabic or English. It goes open → claimed (a volunteer took it) →
delivered (they sent it) → accepted by staff, or rejected. Staff may instead use the
Danish (``danish``), write it themselves (``written``) or, after a rejection, ask again
(``retried``: a new request takes over); a request whose message or activity is gone is
``cancelled``. Only one volunteer can hold a request, since taking it is one conditional
UPDATE, and only staff's decision puts a text where residents read it. What a volunteer
wrote stays on the request only until staff decide.

A message that waits for translations is a broadcast draft: staff's texts, audience and
time. It becomes a broadcast when staff send it, after they have seen every text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.db.broadcasts import insert_announcement, insert_broadcast
from bot.db.store import Store, read_all, read_one

# Languages a volunteer can be asked to translate into (from Danish).
TARGETS: tuple[str, ...] = ("ar", "en")
PARTS: tuple[str, ...] = ("title", "text")
OPEN, CLAIMED, DELIVERED, REJECTED = "open", "claimed", "delivered", "rejected"
ACCEPTED, WRITTEN, DANISH, RETRIED, CANCELLED = (
    "accepted",
    "written",
    "danish",
    "retried",
    "cancelled",
)
# Not decided yet: a volunteer may still take it, is writing it, staff have not looked,
# or staff rejected it and have not said what then.
WAITING: tuple[str, ...] = (OPEN, CLAIMED, DELIVERED, REJECTED)
_WAITING_SQL = "('open', 'claimed', 'delivered', 'rejected')"
# Staff's decisions instead of a volunteer's text, and where each may be taken.
_DECIDE_FROM: dict[str, tuple[str, ...]] = {
    DANISH: WAITING,
    WRITTEN: WAITING,
    RETRIED: (REJECTED,),
    CANCELLED: WAITING,
}


@dataclass(frozen=True, slots=True)
class BroadcastDraft:
    """A message to residents waiting for translations: staff's texts, audience and time."""

    id: int
    staff_user_id: int | None
    texts: dict[str, str | None]
    audience: str
    send_at: datetime | None  # None: as soon as staff send it
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> BroadcastDraft:
        """Build a draft from a ``broadcast_drafts`` row."""
        created = from_db(row["created_at"])
        assert created is not None
        return cls(
            id=row["id"],
            staff_user_id=row["staff_user_id"],
            texts={"da": row["text_da"], "ar": row["text_ar"], "en": row["text_en"]},
            audience=row["audience"],
            send_at=from_db(row["send_at"]),
            created_at=created,
        )


@dataclass(frozen=True, slots=True)
class TranslationRequest:
    """One text asked for in one language, and how far it has come."""

    id: int
    language: str
    staff_user_id: int | None  # who asked (their private chat), until they are erased
    draft_id: int | None  # for a message to residents
    activity_id: int | None  # for an activity's title and description
    title_source: str | None  # the Danish
    text_source: str | None
    title: str | None  # the translation, until staff decide
    text: str | None
    status: str
    translator_id: int | None
    announce: bool  # announce the activity once its translations are decided
    needed_by: datetime
    created_at: datetime
    claimed_at: datetime | None
    delivered_at: datetime | None
    resolved_at: datetime | None
    overdue_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> TranslationRequest:
        """Build a request from a ``translation_requests`` row."""
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row
        for key in ("needed_by", "created_at", "claimed_at", "delivered_at", "resolved_at"):
            values[key] = from_db(values[key])
        values["overdue_at"] = from_db(values["overdue_at"])
        values["announce"] = bool(values["announce"])
        return cls(**values)

    @property
    def parts(self) -> tuple[str, ...]:
        """Return the parts to translate, in order: the title, the text, or both."""
        return tuple(part for part in PARTS if self.source(part) is not None)

    def source(self, part: str) -> str | None:
        """Return the Danish of a part."""
        return self.title_source if part == "title" else self.text_source

    def translation(self, part: str) -> str | None:
        """Return what the volunteer wrote for a part so far."""
        return self.title if part == "title" else self.text

    @property
    def next_part(self) -> str | None:
        """Return the first part not translated yet, or None when all are."""
        return next((part for part in self.parts if self.translation(part) is None), None)


@dataclass(frozen=True, slots=True)
class Ask:
    """A volunteer asked to take a request, and the message that asked them."""

    user_id: int
    chat_id: int | None  # None: left out (not asked, and not to be)
    # None while the ask is on its way, and for good if Nabo stopped before it heard
    # back (the ask may have arrived: it is never sent twice).
    message_id: int | None

    @property
    def asked(self) -> bool:
        """Tell whether the volunteer was asked (or is being asked), not left out."""
        return self.chat_id is not None


@dataclass(frozen=True, slots=True)
class Decided:
    """A request as it was before staff decided, and the text that was used (if any)."""

    request: TranslationRequest
    title: str | None
    text: str | None
    applied: bool  # the text went where residents read it (the target was still there)


_SELECT = "SELECT * FROM translation_requests"


async def _fetch(db: aiosqlite.Connection, request_id: int) -> TranslationRequest | None:
    async with db.execute(f"{_SELECT} WHERE id = ?", (request_id,)) as cursor:
        row = await cursor.fetchone()
    return TranslationRequest.from_row(row) if row else None


async def _apply(
    db: aiosqlite.Connection,
    request: TranslationRequest,
    title: str | None,
    text: str | None,
    now: datetime,
) -> bool:
    """Put a decided text where residents read it: the draft, or the activity's fields.

    Returns False when the target is gone: a draft sent or thrown away, an activity
    cancelled.
    """
    language = request.language  # one of TARGETS, so the column names are fixed ones
    if request.draft_id is not None:
        if text is None:
            return False
        cursor = await db.execute(
            f"UPDATE broadcast_drafts SET text_{language} = ? WHERE id = ?",
            (text, request.draft_id),
        )
        return cursor.rowcount == 1
    if request.activity_id is None:
        return False
    changes = {}
    if request.title_source is not None and title is not None:
        changes[f"title_{language}"] = title
    if request.text_source is not None and text is not None:
        changes[f"description_{language}"] = text
    if not changes:
        return False
    assignments = ", ".join(f"{column} = :{column}" for column in sorted(changes))
    # A weekly series has one title: its other coming activities get the text too.
    cursor = await db.execute(
        f"UPDATE activities SET {assignments}, updated_at = :now"
        " WHERE status = 'published' AND ends_at > :now AND (id = :id OR series_id ="
        " (SELECT series_id FROM activities WHERE id = :id AND series_id IS NOT NULL))",
        {**changes, "now": to_db(now), "id": request.activity_id},
    )
    return cursor.rowcount > 0


async def insert_request(
    db: aiosqlite.Connection,
    language: str,
    *,
    staff_user_id: int | None,
    needed_by: datetime,
    now: datetime,
    draft_id: int | None = None,
    activity_id: int | None = None,
    title_source: str | None = None,
    text_source: str | None = None,
    announce: bool = False,
) -> int:
    """Store an open request inside a transaction (a draft's, an activity's); return its id."""
    if language not in TARGETS:
        raise ValueError(f"Nabo asks for translations into {TARGETS}, not {language!r}")
    cursor = await db.execute(
        """
        INSERT INTO translation_requests (language, staff_user_id, draft_id, activity_id,
            title_source, text_source, status, announce, needed_by, created_at)
        VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
        """,
        (
            language,
            staff_user_id,
            draft_id,
            activity_id,
            title_source,
            text_source,
            int(announce),
            to_db(needed_by),
            to_db(now),
        ),
    )
    request_id = cursor.lastrowid
    assert request_id is not None
    return request_id


class TranslationRepository:
    """SQL for ``translation_requests``, ``translation_asks`` and ``broadcast_drafts``."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    # ---------------------------------------------------------------- asking

    async def save_draft(
        self,
        *,
        staff_user_id: int,
        texts: Mapping[str, str | None],
        audience: str,
        send_at: datetime | None,
        needed_by: Mapping[str, datetime],
        now: datetime,
    ) -> tuple[int, list[int]]:
        """Store a message that waits for translations, and a request per language.

        Returns the draft's id and the requests' ids, in the order of ``needed_by``.
        """
        text_da = texts.get("da")
        if not text_da:
            raise ValueError("a draft needs its Danish text")
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO broadcast_drafts (staff_user_id, text_da, text_ar, text_en,"
                " audience, send_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    staff_user_id,
                    text_da,
                    texts.get("ar"),
                    texts.get("en"),
                    audience,
                    to_db(send_at) if send_at else None,
                    to_db(now),
                ),
            )
            draft_id = cursor.lastrowid
            assert draft_id is not None
            ids = [
                await insert_request(
                    db,
                    language,
                    staff_user_id=staff_user_id,
                    needed_by=by,
                    now=now,
                    draft_id=draft_id,
                    text_source=text_da,
                )
                for language, by in needed_by.items()
            ]
        return draft_id, ids

    async def ask_for_activity(
        self,
        activity_id: int,
        language: str,
        *,
        staff_user_id: int,
        needed_by: datetime,
        now: datetime,
        title_source: str | None,
        text_source: str | None,
        announce: bool = False,
    ) -> int:
        """Store a request for an activity's title and/or description in ``language``."""
        async with self._store.transaction() as db:
            return await insert_request(
                db,
                language,
                staff_user_id=staff_user_id,
                needed_by=needed_by,
                now=now,
                activity_id=activity_id,
                title_source=title_source,
                text_source=text_source,
                announce=announce,
            )

    async def claim_ask(self, request_id: int, user_id: int, chat_id: int) -> bool:
        """Write down that a volunteer is being asked, before the ask goes out.

        False if they were asked already, are being asked, or are left out: two rounds
        of asking at once, or one after Nabo stopped mid-way, never ask anyone twice.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO translation_asks (request_id, user_id, chat_id) VALUES (?, ?, ?)"
                " ON CONFLICT (request_id, user_id) DO NOTHING",
                (request_id, user_id, chat_id),
            )
            return cursor.rowcount == 1

    async def record_ask(self, request_id: int, user_id: int, message_id: int | None) -> None:
        """Note the message that asked a volunteer; None: Telegram refused it, left out."""
        async with self._store.transaction() as db:
            await db.execute(
                "UPDATE translation_asks SET message_id = :message,"
                " chat_id = CASE WHEN :message IS NULL THEN NULL ELSE chat_id END"
                " WHERE request_id = :request AND user_id = :user",
                {"message": message_id, "request": request_id, "user": user_id},
            )

    async def drop_ask(self, request_id: int, user_id: int) -> None:
        """Forget an ask that did not go out (a passing problem): the next round asks again."""
        async with self._store.transaction() as db:
            await db.execute(
                "DELETE FROM translation_asks WHERE request_id = ? AND user_id = ?"
                " AND chat_id IS NOT NULL AND message_id IS NULL",
                (request_id, user_id),
            )

    async def asks(self, request_id: int) -> list[Ask]:
        """Return everyone asked to take a request (or left out of it)."""
        rows = await self._store.fetch_all(
            "SELECT user_id, chat_id, message_id FROM translation_asks"
            " WHERE request_id = ? ORDER BY user_id",
            (request_id,),
        )
        return [Ask(row["user_id"], row["chat_id"], row["message_id"]) for row in rows]

    # ---------------------------------------------------------------- reading

    async def get(self, request_id: int) -> TranslationRequest | None:
        """Return a request by id."""
        row = await self._store.fetch_one(f"{_SELECT} WHERE id = ?", (request_id,))
        return TranslationRequest.from_row(row) if row else None

    async def waiting(self) -> list[TranslationRequest]:
        """Return every request staff have still to decide about, oldest first."""
        rows = await self._store.fetch_all(f"{_SELECT} WHERE status IN {_WAITING_SQL} ORDER BY id")
        return [TranslationRequest.from_row(row) for row in rows]

    async def claimed_by(self, user_id: int) -> list[TranslationRequest]:
        """Return the requests a volunteer has taken and not yet sent."""
        rows = await self._store.fetch_all(
            f"{_SELECT} WHERE translator_id = ? AND status = 'claimed' ORDER BY id", (user_id,)
        )
        return [TranslationRequest.from_row(row) for row in rows]

    async def get_draft(self, draft_id: int) -> BroadcastDraft | None:
        """Return a message waiting for its translations."""
        row = await self._store.fetch_one(
            "SELECT * FROM broadcast_drafts WHERE id = ?", (draft_id,)
        )
        return BroadcastDraft.from_row(row) if row else None

    # ---------------------------------------------------------------- the volunteer's side

    async def claim(self, request_id: int, user_id: int, now: datetime) -> bool:
        """Give an open request to one volunteer; False if someone else was first."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE translation_requests SET status = 'claimed', translator_id = ?,"
                " claimed_at = ? WHERE id = ? AND status = 'open'",
                (user_id, to_db(now), request_id),
            )
            return cursor.rowcount == 1

    async def save_part(self, request_id: int, user_id: int, part: str, text: str) -> bool:
        """Keep one part of the translation; False unless the volunteer still holds it."""
        if part not in PARTS:
            raise ValueError(f"no part {part!r}")
        async with self._store.transaction() as db:
            cursor = await db.execute(
                f"UPDATE translation_requests SET {part} = ?"
                " WHERE id = ? AND status = 'claimed' AND translator_id = ?",
                (text, request_id, user_id),
            )
            return cursor.rowcount == 1

    async def clear_parts(self, request_id: int, user_id: int) -> bool:
        """Forget what the volunteer wrote so far, to write it again."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE translation_requests SET title = NULL, text = NULL"
                " WHERE id = ? AND status = 'claimed' AND translator_id = ?",
                (request_id, user_id),
            )
            return cursor.rowcount == 1

    async def deliver(
        self, request_id: int, user_id: int, now: datetime
    ) -> TranslationRequest | None:
        """Hand the finished translation to staff; None unless the volunteer holds all of it."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE translation_requests SET status = 'delivered', delivered_at = ?"
                " WHERE id = ? AND status = 'claimed' AND translator_id = ?"
                " AND (title_source IS NULL OR title IS NOT NULL)"
                " AND (text_source IS NULL OR text IS NOT NULL)",
                (to_db(now), request_id, user_id),
            )
            if cursor.rowcount != 1:
                return None
            return await _fetch(db, request_id)

    async def release(
        self,
        request_id: int,
        *,
        user_id: int | None = None,
        claimed_before: datetime | None = None,
    ) -> TranslationRequest | None:
        """Give a taken request back, so others may take it; return it as it was.

        By the volunteer (``user_id``), or because they kept it since ``claimed_before``
        without sending anything. What they wrote so far goes.
        """
        conditions = ["id = :id", "status = 'claimed'"]
        if user_id is not None:
            conditions.append("translator_id = :user")
        if claimed_before is not None:
            conditions.append("claimed_at <= :before")
        params = {
            "id": request_id,
            "user": user_id,
            "before": to_db(claimed_before) if claimed_before else None,
        }
        async with self._store.transaction() as db:
            before = await _fetch(db, request_id)
            cursor = await db.execute(
                "UPDATE translation_requests SET status = 'open', translator_id = NULL,"
                " claimed_at = NULL, title = NULL, text = NULL"
                f" WHERE {' AND '.join(conditions)}",
                params,
            )
            return before if cursor.rowcount == 1 else None

    # ---------------------------------------------------------------- staff's side

    async def accept(
        self,
        request_id: int,
        now: datetime,
        *,
        title: str | None = None,
        text: str | None = None,
    ) -> Decided | None:
        """Use a delivered translation (as it is, or as staff changed it).

        The text goes to the draft or the activity in the same transaction, and leaves the
        request. None unless the request was delivered.
        """
        async with self._store.transaction() as db:
            request = await _fetch(db, request_id)
            if request is None or request.status != DELIVERED:
                return None
            title = title if title is not None else request.title
            text = text if text is not None else request.text
            applied = await _apply(db, request, title, text, now)
            await db.execute(
                "UPDATE translation_requests SET status = ?, resolved_at = ?,"
                " title = NULL, text = NULL WHERE id = ?",
                (ACCEPTED if applied else CANCELLED, to_db(now), request_id),
            )
        return Decided(request, title, text, applied)

    async def reject(self, request_id: int, now: datetime) -> TranslationRequest | None:
        """Turn a delivered translation down; its text goes. None unless it was delivered."""
        async with self._store.transaction() as db:
            request = await _fetch(db, request_id)
            if request is None or request.status != DELIVERED:
                return None
            await db.execute(
                "UPDATE translation_requests SET status = 'rejected', resolved_at = ?,"
                " title = NULL, text = NULL WHERE id = ?",
                (to_db(now), request_id),
            )
        return request

    async def decide(
        self,
        request_id: int,
        decision: str,
        now: datetime,
        *,
        title: str | None = None,
        text: str | None = None,
    ) -> Decided | None:
        """Decide without a volunteer's text: the Danish, staff's own, asked again, or gone.

        A text staff wrote (``written``) goes where residents read it. None if the request
        was decided already.
        """
        allowed = _DECIDE_FROM[decision]
        async with self._store.transaction() as db:
            request = await _fetch(db, request_id)
            if request is None or request.status not in allowed:
                return None
            applied = decision == WRITTEN and await _apply(db, request, title, text, now)
            status = CANCELLED if decision == WRITTEN and not applied else decision
            await db.execute(
                "UPDATE translation_requests SET status = ?, resolved_at = ?,"
                " title = NULL, text = NULL WHERE id = ?",
                (status, to_db(now), request_id),
            )
        return Decided(request, title, text, applied)

    async def ask_again(self, request_id: int, now: datetime, needed_by: datetime) -> int | None:
        """After a rejection, ask the others: a new request, without who wrote the rejected one.

        Returns the new request's id, or None if the request was not rejected (any more).
        """
        async with self._store.transaction() as db:
            request = await _fetch(db, request_id)
            if request is None or request.status != REJECTED:
                return None
            await db.execute(
                "UPDATE translation_requests SET status = 'retried' WHERE id = ?", (request_id,)
            )
            new_id = await insert_request(
                db,
                request.language,
                staff_user_id=request.staff_user_id,
                needed_by=needed_by,
                now=now,
                draft_id=request.draft_id,
                activity_id=request.activity_id,
                title_source=request.title_source,
                text_source=request.text_source,
                announce=request.announce,
            )
            # Whoever wrote the rejected text is not asked again for this one.
            await db.execute(
                "INSERT INTO translation_asks (request_id, user_id)"
                " SELECT ?, translator_id FROM translation_requests"
                " WHERE id = ? AND translator_id IS NOT NULL",
                (new_id, request_id),
            )
            return new_id

    async def wait_longer(self, request_id: int, needed_by: datetime) -> bool:
        """Give volunteers until ``needed_by``; False if the request was decided meanwhile."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE translation_requests SET needed_by = ?, overdue_at = NULL"
                " WHERE id = ? AND status IN ('open', 'claimed')",
                (to_db(needed_by), request_id),
            )
            return cursor.rowcount == 1

    async def mark_overdue(self, request_id: int, now: datetime) -> TranslationRequest | None:
        """Note that nobody translated in time (once); return the request, or None."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE translation_requests SET overdue_at = ?"
                " WHERE id = ? AND status IN ('open', 'claimed') AND overdue_at IS NULL"
                " AND needed_by <= ?",
                (to_db(now), request_id, to_db(now)),
            )
            if cursor.rowcount != 1:
                return None
            return await _fetch(db, request_id)

    async def cancel_for_activity(
        self, activity_id: int, now: datetime
    ) -> list[TranslationRequest]:
        """Cancel what still waits for an activity (it was cancelled); return it as it was."""
        async with self._store.transaction() as db:
            async with db.execute(
                f"{_SELECT} WHERE activity_id = ? AND status IN {_WAITING_SQL} ORDER BY id",
                (activity_id,),
            ) as cursor:
                waiting = [TranslationRequest.from_row(row) for row in await cursor.fetchall()]
            await db.execute(
                "UPDATE translation_requests SET status = 'cancelled', resolved_at = ?,"
                f" title = NULL, text = NULL WHERE activity_id = ? AND status IN {_WAITING_SQL}",
                (to_db(now), activity_id),
            )
        return waiting

    async def finish_announcement(self, activity_id: int, now: datetime) -> int | None:
        """Store an activity's announcement once nothing waits for it; return its broadcast.

        Once: for the first caller after the last of its translations was decided, and
        only while the activity is published and has not started (and the staff member
        who asked is still there). The announcement is stored in the transaction that
        ends the wait, so a stop right after cannot lose it.
        """
        waited = (
            "activity_id = :id AND announce = 1 AND NOT EXISTS (SELECT 1 FROM"
            f" translation_requests w WHERE w.activity_id = :id AND w.status IN {_WAITING_SQL})"
        )
        params = {"id": activity_id, "now": to_db(now)}
        async with self._store.transaction() as db:
            row = await read_one(
                db,
                f"SELECT MAX(staff_user_id) FROM translation_requests WHERE {waited}"
                " AND EXISTS (SELECT 1 FROM activities WHERE id = :id"
                " AND status = 'published' AND starts_at > :now)",
                params,
            )
            cursor = await db.execute(
                f"UPDATE translation_requests SET announce = 0 WHERE {waited}", params
            )
            if cursor.rowcount == 0 or row is None or row[0] is None:
                return None
            return await insert_announcement(db, activity_id, int(row[0]), now)

    # ---------------------------------------------------------------- drafts

    async def send_draft(
        self, draft_id: int, now: datetime, staff_user_id: int
    ) -> tuple[int, datetime] | None:
        """Turn a draft whose translations are all decided into a broadcast, in one go.

        Returns the broadcast's id and when it goes out (the draft's time, or now if
        that has passed); None if the draft is gone or a translation still waits.
        """
        async with self._store.transaction() as db:
            async with db.execute(
                "SELECT * FROM broadcast_drafts WHERE id = ?", (draft_id,)
            ) as cursor:
                row = await cursor.fetchone()
            async with db.execute(
                f"SELECT 1 FROM translation_requests WHERE draft_id = ? AND status IN"
                f" {_WAITING_SQL}",
                (draft_id,),
            ) as cursor:
                waiting = await cursor.fetchone()
            if row is None or waiting is not None:
                return None
            draft = BroadcastDraft.from_row(row)
            send_at = max(draft.send_at or now, now)
            broadcast_id = await insert_broadcast(
                db,
                kind="message",
                audience=draft.audience,
                send_at=send_at,
                now=now,
                staff_user_id=staff_user_id,
                texts=draft.texts,
            )
            await db.execute("DELETE FROM broadcast_drafts WHERE id = ?", (draft_id,))
        assert broadcast_id is not None
        return broadcast_id, send_at

    async def discard_draft(self, draft_id: int, now: datetime) -> list[TranslationRequest]:
        """Throw a draft away with what still waits for it; return those requests as they were."""
        async with self._store.transaction() as db:
            async with db.execute(
                f"{_SELECT} WHERE draft_id = ? AND status IN {_WAITING_SQL} ORDER BY id",
                (draft_id,),
            ) as cursor:
                waiting = [TranslationRequest.from_row(row) for row in await cursor.fetchall()]
            await db.execute(
                "UPDATE translation_requests SET status = 'cancelled', resolved_at = ?,"
                f" title = NULL, text = NULL WHERE draft_id = ? AND status IN {_WAITING_SQL}",
                (to_db(now), draft_id),
            )
            await db.execute("DELETE FROM broadcast_drafts WHERE id = ?", (draft_id,))
        return waiting

    async def expire(
        self, now: datetime, keep_asks: timedelta, keep_waiting: timedelta
    ) -> tuple[int, int]:
        """Forget what translations no longer need (retention); return (asks, requests).

        Who was asked, and the messages that asked them, go ``keep_asks`` after the request
        was decided. A request still waiting ``keep_waiting`` after it was needed (staff
        never decided) is cancelled, and what a volunteer wrote for it goes with it.
        """
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE translation_requests SET status = 'cancelled', resolved_at = ?,"
                f" title = NULL, text = NULL WHERE status IN {_WAITING_SQL} AND needed_by <= ?",
                (to_db(now), to_db(now - keep_waiting)),
            )
            cancelled = cursor.rowcount
            cursor = await db.execute(
                "DELETE FROM translation_asks WHERE request_id IN (SELECT id FROM"
                f" translation_requests WHERE status NOT IN {_WAITING_SQL} AND resolved_at <= ?)",
                (to_db(now - keep_asks),),
            )
            return cursor.rowcount, cancelled

    async def draft_is_ready(self, draft_id: int) -> bool:
        """Tell whether a draft exists and none of its translations waits any more."""
        row = await self._store.fetch_one(
            "SELECT EXISTS (SELECT 1 FROM broadcast_drafts WHERE id = :id)"
            f" AND NOT EXISTS (SELECT 1 FROM translation_requests WHERE draft_id = :id"
            f" AND status IN {_WAITING_SQL})",
            {"id": draft_id},
        )
        return bool(row and row[0])


async def forget_translators_and_staff(
    db: aiosqlite.Connection, users: str, params: tuple[Any, ...], now: datetime
) -> list[tuple[int, int]]:
    """Erase people from translations, in the erasure's transaction; return what reopened.

    ``users`` is SQL selecting their user ids (or ``?``, with ``params``), as in
    ``ResidentRepository``'s erasure. As volunteers: what they hold or sent and staff
    have not decided goes back to the others (open again, their text gone), and is
    returned as (request id, the erased translator) so the others can be told; decided
    requests keep only that a volunteer did it, for the report. As staff: their waiting
    messages go, and requests they made are no longer theirs (those still waiting are
    cancelled: nobody would get the text).
    """
    reopened = [
        (int(row[0]), int(row[1]))
        for row in await read_all(
            db,
            "SELECT id, translator_id FROM translation_requests"
            f" WHERE translator_id IN ({users}) AND status IN ('claimed', 'delivered')"
            " ORDER BY id",
            params,
        )
    ]
    await db.execute(
        "UPDATE translation_requests SET status = 'open', translator_id = NULL,"
        " claimed_at = NULL, delivered_at = NULL, title = NULL, text = NULL"
        f" WHERE translator_id IN ({users}) AND status IN ('claimed', 'delivered')",
        params,
    )
    await db.execute(
        f"UPDATE translation_requests SET translator_id = NULL WHERE translator_id IN ({users})",
        params,
    )
    await db.execute(f"DELETE FROM translation_asks WHERE user_id IN ({users})", params)
    await db.execute(
        "UPDATE translation_requests SET status = 'cancelled', resolved_at = ?, title = NULL,"
        f" text = NULL WHERE staff_user_id IN ({users}) AND status IN {_WAITING_SQL}",
        (to_db(now), *params),
    )
    await db.execute(
        f"UPDATE translation_requests SET staff_user_id = NULL WHERE staff_user_id IN ({users})",
        params,
    )
    await db.execute(f"DELETE FROM broadcast_drafts WHERE staff_user_id IN ({users})", params)
    return reopened

"""Repository for feedback: ratings and comments, linked to a resident only if they chose it.

Unlinked feedback is stored with no user id, chat id or message id, and with the date
only. The post-activity question is claimed in ``feedback_requests`` before it is sent
(so it goes out once, even across restarts) and can be answered once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.core.clock import to_db
from bot.core.i18n import N_
from bot.db.activities import Activity
from bot.db.signups import Recipient, Signup
from bot.db.store import Store

SUBJECTS: dict[str, str] = {
    "activity": N_("An activity I took part in"),
    "area": N_("My area"),
    "nabo": N_("Nabo itself"),
    "other": N_("Something else"),
}
FACES: dict[int, str] = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}
MAX_TEXT = 1000
# Ratings at or below this are posted to the staff chat even without a comment.
LOW_RATING = 2
# /feedback offers activities the resident took part in within this time.
RECENT = timedelta(days=60)


def unlinked_date(now: datetime) -> str:
    """Return the only time kept with unlinked feedback: the UTC date, YYYY-MM-DD."""
    return now.astimezone(UTC).date().isoformat()


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback as stored; ``user_id`` is None unless the resident chose to link it."""

    id: int
    user_id: int | None
    subject: str
    activity_id: int | None
    rating: int | None
    text: str | None
    created_at: str  # a UTC timestamp when linked, only the date when not

    @property
    def is_linked(self) -> bool:
        """Tell whether the feedback is linked to a resident."""
        return self.user_id is not None

    @classmethod
    def from_row(cls, row: Any) -> Feedback:
        """Build a Feedback from a ``feedback`` row."""
        return cls(
            row["id"],
            row["user_id"],
            row["subject"],
            row["activity_id"],
            row["rating"],
            row["text"],
            row["created_at"],
        )


class RateOutcome(StrEnum):
    """What became of a tap on a face under the post-activity question."""

    SAVED = "saved"
    ALREADY = "already"  # this sign-up's question was answered before
    NOT_FOUND = "not_found"  # never asked, not the presser's, or the activity was cancelled


@dataclass(frozen=True, slots=True)
class RateResult:
    """The outcome of a rating, with the new feedback's id and the activity."""

    outcome: RateOutcome
    feedback_id: int | None = None
    activity_id: int | None = None


class FeedbackRepository:
    """SQL for the ``feedback`` and ``feedback_requests`` tables."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def add(
        self,
        *,
        subject: str,
        now: datetime,
        user_id: int | None,
        rating: int | None = None,
        text: str | None = None,
        activity_id: int | None = None,
    ) -> int:
        """Store feedback; without ``user_id`` it keeps only the date. Return its id."""
        if subject not in SUBJECTS:
            raise ValueError(f"unknown subject {subject!r}")
        created = to_db(now) if user_id is not None else unlinked_date(now)
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO feedback (user_id, subject, activity_id, rating, text, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, subject, activity_id, rating, text, created),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    async def get(self, feedback_id: int) -> Feedback | None:
        """Return feedback by id."""
        row = await self._store.fetch_one("SELECT * FROM feedback WHERE id = ?", (feedback_id,))
        return Feedback.from_row(row) if row else None

    async def rate_after_activity(self, token: str, rating: int, now: datetime) -> RateResult:
        """Record the answer to a post-activity question, once; the rating is unlinked.

        The token is used up by the answer; nothing ties it to the sign-up or resident.
        """
        if rating not in FACES:
            return RateResult(RateOutcome.NOT_FOUND)
        async with self._store.transaction() as db:
            async with db.execute(
                "SELECT t.activity_id, a.status FROM feedback_tokens t"
                " JOIN activities a ON a.id = t.activity_id WHERE t.token = ?",
                (token,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                # Used already (a second tap), or never issued: either way, nothing to add.
                return RateResult(RateOutcome.ALREADY)
            await db.execute("DELETE FROM feedback_tokens WHERE token = ?", (token,))
            if row["status"] != "published":
                return RateResult(RateOutcome.NOT_FOUND)
            cursor = await db.execute(
                "INSERT INTO feedback (user_id, subject, activity_id, rating, created_at)"
                " VALUES (NULL, 'activity', ?, ?, ?)",
                (row["activity_id"], rating, unlinked_date(now)),
            )
            assert cursor.lastrowid is not None
            return RateResult(RateOutcome.SAVED, cursor.lastrowid, row["activity_id"])

    async def add_comment(
        self, feedback_id: int, text: str, now: datetime, *, link_to: int | None
    ) -> Feedback | None:
        """Add a comment to a rating; link both to ``link_to`` only if the resident chose it."""
        async with self._store.transaction() as db:
            if link_to is None:
                cursor = await db.execute(
                    "UPDATE feedback SET text = ? WHERE id = ? AND text IS NULL",
                    (text, feedback_id),
                )
            else:
                cursor = await db.execute(
                    "UPDATE feedback SET text = ?, user_id = ?, created_at = ?"
                    " WHERE id = ? AND text IS NULL AND user_id IS NULL",
                    (text, link_to, to_db(now), feedback_id),
                )
            if cursor.rowcount != 1:
                return None
        return await self.get(feedback_id)

    async def linked_count(self, user_id: int) -> int:
        """Count the feedback linked to a resident (for /mydata)."""
        row = await self._store.fetch_one(
            "SELECT COUNT(*) FROM feedback WHERE user_id = ?", (user_id,)
        )
        return int(row[0]) if row else 0

    async def taken_part(self, user_id: int, now: datetime, limit: int = 8) -> list[Activity]:
        """Return recent activities the resident took part in, latest first."""
        rows = await self._store.fetch_all(
            f"SELECT a.* FROM activities a WHERE {_TOOK_PART}"
            " ORDER BY a.starts_at DESC, a.id DESC LIMIT :limit",
            {**_took_part_params(user_id, now), "limit": limit},
        )
        return [Activity.from_row(row) for row in rows]

    async def took_part(self, user_id: int, activity_id: int, now: datetime) -> bool:
        """Tell whether the resident took part in this (recent) activity."""
        row = await self._store.fetch_one(
            f"SELECT 1 FROM activities a WHERE {_TOOK_PART} AND a.id = :activity",
            {**_took_part_params(user_id, now), "activity": activity_id},
        )
        return row is not None

    async def owing_questions(self, since: datetime) -> list[Activity]:
        """Return published activities ending after ``since`` with someone still to ask."""
        rows = await self._store.fetch_all(
            f"""
            SELECT a.* FROM activities a
             WHERE a.status = 'published' AND a.ends_at > ? AND EXISTS ({_OWED})
             ORDER BY a.id
            """,
            (to_db(since),),
        )
        return [Activity.from_row(row) for row in rows]

    async def question_targets(self, activity_id: int) -> list[Recipient]:
        """Return sign-ups still owed the post-activity question.

        Confirmed sign-ups of residents who have not blocked Nabo; where staff took
        attendance, only those who came. Never for a cancelled activity.
        """
        rows = await self._store.fetch_all(
            f"""
            SELECT s.*, r.chat_id AS r_chat_id, r.language AS r_language
              FROM activities a
              JOIN signups s ON s.activity_id = a.id
              JOIN residents r ON r.user_id = s.user_id
             WHERE a.id = ? AND a.status = 'published' AND {_OWED_WHERE}
             ORDER BY s.id
            """,
            (activity_id,),
        )
        return [
            Recipient(Signup.from_row(row), row["r_chat_id"], row["r_language"]) for row in rows
        ]

    async def claim_question(self, signup_id: int, activity_id: int, now: datetime) -> str | None:
        """Record that the question is being sent and issue its answer token; None if sent."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO feedback_requests (signup_id, sent_at) VALUES (?, ?)",
                (signup_id, to_db(now)),
            )
            if cursor.rowcount != 1:
                return None
            token = secrets.token_hex(8)
            await db.execute(
                "INSERT INTO feedback_tokens (token, activity_id) VALUES (?, ?)",
                (token, activity_id),
            )
            return token

    async def unclaim_question(self, signup_id: int, token: str) -> None:
        """Forget a question that could not be delivered, so it is tried again."""
        async with self._store.transaction() as db:
            cursor = await db.execute("DELETE FROM feedback_tokens WHERE token = ?", (token,))
            if cursor.rowcount == 1:  # not answered in the meantime
                await db.execute("DELETE FROM feedback_requests WHERE signup_id = ?", (signup_id,))


# A sign-up (s, of activity a, resident r) still owed the post-activity question.
_OWED_WHERE = """
    s.status = 'confirmed' AND r.blocked = 0
    AND (a.attendance_taken_at IS NULL OR s.attended = 1)
    AND NOT EXISTS (SELECT 1 FROM feedback_requests q WHERE q.signup_id = s.id)
"""
_OWED = f"""
    SELECT 1 FROM signups s JOIN residents r ON r.user_id = s.user_id
     WHERE s.activity_id = a.id AND {_OWED_WHERE}
"""

# A confirmed sign-up of a recent activity that has ended and was not cancelled; where
# staff took attendance, the resident came.
_TOOK_PART = """
    a.status = 'published' AND a.ends_at <= :now AND a.ends_at > :earliest AND EXISTS (
        SELECT 1 FROM signups s WHERE s.activity_id = a.id AND s.user_id = :user
           AND s.status = 'confirmed'
           AND (a.attendance_taken_at IS NULL OR s.attended = 1))
"""


def _took_part_params(user_id: int, now: datetime) -> dict[str, Any]:
    return {"user": user_id, "now": to_db(now), "earliest": to_db(now - RECENT)}

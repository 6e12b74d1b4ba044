"""Anonymous remains of erased data: what the staff's report counts, nothing personal.

Erasure (/deleteme, retention) deletes rows the period report counts, yet a quarter's
report made again after a purge must add up to the same (issue #7). So, in the same
transaction and just before the rows go, these functions keep what the report reads
and nothing that points back to a person (no user id, chat id, text or phone):

- an offer of help: only when it came, cut to the hour (``erased_offers``). Local days
  start on whole UTC hours in Copenhagen, so every period counts it as it did before;
- a resident's messages from the team: per broadcast, how many were sent, blocked,
  failed or uncertain (``erased_deliveries``). Pending ones were never sent: they go;
- linked feedback: a rating becomes unlinked feedback as that is always stored (rating,
  subject, activity, UTC date), without the comment; a comment without a rating
  leaves only the fact, its date, subject and activity (``erased_comments``).

Distinct people (unique, new, returning participants) cannot be counted without a
link to the person, so nothing is kept for them (see the README's report section).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

# A delivery in one of these states was attempted: it counts in the broadcast's figures.
ATTEMPTED = ("sent", "blocked", "failed", "uncertain")


async def delete_offers(db: aiosqlite.Connection, where: str, params: Sequence[Any]) -> None:
    """Delete the offers of help matching ``where``, keeping when each came (to the hour)."""
    # Stored times are UTC ISO-8601 ("2030-01-05T12:34:56+00:00"): keep "…T12:00:00+00:00".
    await db.execute(
        "INSERT INTO erased_offers (received_at)"
        " SELECT substr(created_at, 1, 13) || ':00:00+00:00' FROM volunteer_offers"
        f" WHERE {where} ORDER BY created_at",
        params,
    )
    # The message ids of its copies in staff members' chats go too (not only by the
    # foreign key, so nothing depends on PRAGMA foreign_keys alone).
    await db.execute(
        "DELETE FROM offer_staff_messages"
        f" WHERE offer_id IN (SELECT id FROM volunteer_offers WHERE {where})",
        params,
    )
    await db.execute(f"DELETE FROM volunteer_offers WHERE {where}", params)


async def delete_deliveries_where(
    db: aiosqlite.Connection, where: str, params: Sequence[Any]
) -> None:
    """Delete the deliveries matching ``where`` (their residents'), keeping the tallies."""
    await db.execute(
        f"""
        INSERT INTO erased_deliveries (broadcast_id, status, count)
        SELECT broadcast_id, tally, COUNT(*) FROM (
            -- One being sent right now may or may not arrive: exactly what "uncertain"
            -- means, and the sender's own record of it will find no row to update.
            SELECT broadcast_id,
                   CASE status WHEN 'sending' THEN 'uncertain' ELSE status END AS tally
              FROM deliveries
             WHERE ({where}) AND status IN ('sending', {", ".join("?" * len(ATTEMPTED))})
        )
         GROUP BY broadcast_id, tally
        ON CONFLICT (broadcast_id, status) DO UPDATE SET count = count + excluded.count
        """,
        (*params, *ATTEMPTED),
    )
    await db.execute(f"DELETE FROM deliveries WHERE {where}", params)


async def unlink_feedback_where(
    db: aiosqlite.Connection, where: str, params: Sequence[Any]
) -> None:
    """Unlink the feedback matching ``where`` (their residents'), without the comments."""
    await db.execute(
        "INSERT INTO erased_comments (day, subject, activity_id)"
        " SELECT substr(created_at, 1, 10), subject, activity_id FROM feedback"
        f" WHERE ({where}) AND rating IS NULL ORDER BY created_at",
        params,
    )
    await db.execute(f"DELETE FROM feedback WHERE ({where}) AND rating IS NULL", params)
    # The UTC date is all unlinked feedback keeps, and all the report reads.
    await db.execute(
        "UPDATE feedback SET user_id = NULL, text = NULL, created_at = substr(created_at, 1, 10)"
        f" WHERE {where}",
        params,
    )

"""Everything Nabo holds about one person, gathered for /mydata (the right of access).

Every table that can hold something about a resident is read here; rows are taken
whole (``SELECT *``), so a column added later shows up in the export by itself.
tests/test_privacy.py checks this against a search of every table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.clock import to_db
from bot.db.signups import CAN_MOVE_UP
from bot.db.store import Store


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{key: row[key] for key in row.keys()} for row in rows]  # noqa: SIM118 - sqlite3.Row


class PersonalDataRepository:
    """Read-only SQL across all tables for one person's data."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def export(self, user_id: int, now: datetime) -> dict[str, Any] | None:
        """Return all data about ``user_id`` as JSON-ready values; None if Nabo has none.

        Someone can be known without a resident's row: a host, or a staff member, who
        never used Nabo as a resident (they accept no notice), yet what they did and do is
        theirs to see: anything found about the person makes an export.
        """
        fetch = self._store.fetch_all
        resident = _rows(await fetch("SELECT * FROM residents WHERE user_id = ?", (user_id,)))
        offers = _rows(await fetch("SELECT * FROM volunteer_offers WHERE user_id = ?", (user_id,)))
        subjects = [f"volunteer:{offer['id']}" for offer in offers]
        about_you = await fetch(
            "SELECT action, subject, details, at FROM audit_log"
            f" WHERE subject IN ({', '.join('?' * len(subjects)) or 'NULL'}) ORDER BY id",
            subjects,
        )
        export: dict[str, Any] = {
            "resident": resident[0] if resident else None,
            "interests": _rows(
                await fetch(
                    "SELECT kind, value FROM resident_interests WHERE user_id = ?"
                    " ORDER BY kind, value",
                    (user_id,),
                )
            ),
            "signups": _rows(await fetch(_SIGNUPS, (user_id,))),
            # Where they first came from: the source of the link they started with.
            "source": next(
                iter(
                    _rows(
                        await fetch(
                            "SELECT s.name, s.code FROM sources s JOIN residents r"
                            " ON r.source_id = s.id WHERE r.user_id = ?",
                            (user_id,),
                        )
                    )
                ),
                None,
            ),
            "door_checkins": _rows(
                await fetch(
                    "SELECT c.activity_id, a.title_da, c.adults, c.children, c.how, c.at"
                    " FROM door_checkins c JOIN activities a ON a.id = c.activity_id"
                    " WHERE c.user_id = ? ORDER BY c.at, c.id",
                    (user_id,),
                )
            ),
            "reminders_sent": _rows(
                await fetch(
                    "SELECT rs.signup_id, s.activity_id, rs.offset_minutes, rs.sent_at"
                    " FROM reminder_sends rs JOIN signups s ON s.id = rs.signup_id"
                    " WHERE s.user_id = ? ORDER BY rs.sent_at, rs.signup_id",
                    (user_id,),
                )
            ),
            "feedback_questions_sent": _rows(
                await fetch(
                    "SELECT q.signup_id, s.activity_id, q.sent_at"
                    " FROM feedback_requests q JOIN signups s ON s.id = q.signup_id"
                    " WHERE s.user_id = ? ORDER BY q.sent_at, q.signup_id",
                    (user_id,),
                )
            ),
            "volunteer_offer": offers[0] if offers else None,
            "feedback": _rows(
                await fetch("SELECT * FROM feedback WHERE user_id = ? ORDER BY id", (user_id,))
            ),
            "messages_received": _rows(await fetch(_MESSAGES, (user_id,))),
            "staff_actions_about_your_offer": _rows(about_you),
            # Only for staff members and hosts: what they did, and the messages they wrote.
            "staff_actions_by_you": _rows(
                await fetch(
                    "SELECT action, subject, details, at FROM audit_log"
                    " WHERE staff_user_id = ? ORDER BY id",
                    (user_id,),
                )
            ),
            # A volunteer's translations: every task they took, and what they wrote while
            # the team has not decided (a used text lives where it is used).
            "translations_by_you": _rows(
                await fetch(
                    "SELECT id, language, activity_id, status, title, text, needed_by,"
                    " claimed_at, delivered_at, resolved_at FROM translation_requests"
                    " WHERE translator_id = ? ORDER BY id",
                    (user_id,),
                )
            ),
            "translation_tasks_offered_to_you": _rows(
                await fetch(
                    "SELECT request_id FROM translation_asks WHERE user_id = ? ORDER BY request_id",
                    (user_id,),
                )
            ),
            # Only for staff members: translations they asked for, and messages of theirs
            # that wait for them.
            "translations_asked_by_you": _rows(
                await fetch(
                    "SELECT id, language, activity_id, draft_id, status, title_source,"
                    " text_source, needed_by, created_at, resolved_at FROM translation_requests"
                    " WHERE staff_user_id = ? ORDER BY id",
                    (user_id,),
                )
            ),
            "waiting_messages_by_you": _rows(
                await fetch(
                    "SELECT * FROM broadcast_drafts WHERE staff_user_id = ? ORDER BY id",
                    (user_id,),
                )
            ),
            "broadcasts_by_you": _rows(
                await fetch(
                    "SELECT id, kind, audience, status, created_at, send_at,"
                    " text_da, text_ar, text_en FROM broadcasts WHERE staff_user_id = ?"
                    " ORDER BY id",
                    (user_id,),
                )
            ),
            # Only for staff without a staff chat: their copies of posts about offers of help.
            "offer_posts_in_your_chat": _rows(
                await fetch(
                    "SELECT offer_id, message_id FROM offer_staff_messages"
                    " WHERE staff_user_id = ? ORDER BY offer_id",
                    (user_id,),
                )
            ),
            **await self._beyond_the_chat(user_id),
        }
        if not any(export.values()):
            return None
        return {"exported_at": to_db(now), "user_id": user_id, **export}

    async def _beyond_the_chat(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Return what a host or staff member leaves beyond the chat (issue #16)."""
        fetch = self._store.fetch_all
        return {
            # Hosting: the activities, organisation and role, while it lasts.
            "hosting": _rows(
                await fetch(
                    "SELECT h.*, a.title_da, a.starts_at AS activity_starts_at FROM hosts h"
                    " JOIN activities a ON a.id = h.activity_id WHERE h.user_id = ? ORDER BY h.id",
                    (user_id,),
                )
            ),
            "proposals_by_you": _rows(
                await fetch(
                    "SELECT * FROM activity_proposals WHERE proposed_by = ? ORDER BY id", (user_id,)
                )
            ),
            # The people they signed up: who registered them is the registrar's data, the
            # people themselves are not (their names and numbers are theirs).
            "people_registered_by_you": _rows(
                await fetch(
                    "SELECT id, registered_role, registered_at FROM offline_people"
                    " WHERE registered_by = ? ORDER BY id",
                    (user_id,),
                )
            ),
            "host_invitations_by_you": _rows(
                await fetch(
                    "SELECT id, activity_id, whole_series, organisation, role, created_at,"
                    " expires_at, used_at FROM host_invitations WHERE created_by = ? ORDER BY id",
                    (user_id,),
                )
            ),
            "team_messages_to_you": _rows(
                await fetch(
                    "SELECT kind, activity_id, status, language, created_at, updated_at"
                    " FROM team_messages WHERE chat_id = ? ORDER BY id",
                    (user_id,),
                )
            ),
        }

    async def export_offline(self, person_id: int, now: datetime) -> dict[str, Any] | None:
        """Return all data about someone signed up on their behalf; None if there is none.

        The same right of access as /mydata, for a person without Telegram: staff send
        it to them (handlers/person.py) or the data controller writes it to a file.
        """
        fetch = self._store.fetch_all
        person = _rows(await fetch("SELECT * FROM offline_people WHERE id = ?", (person_id,)))
        if not person:
            return None
        record = dict(person[0])
        # What the joining link's check needs is not theirs to read back: only whether
        # there is one, and until when.
        record.pop("join_token", None)
        record.pop("join_tries", None)
        return {
            "exported_at": to_db(now),
            "person": record,
            "signups": _rows(
                await fetch(
                    "SELECT s.*, a.title_da, a.title_ar, a.title_en,"
                    " a.starts_at AS activity_starts_at, a.status AS activity_status"
                    " FROM signups s JOIN activities a ON a.id = s.activity_id"
                    " WHERE s.person_id = ? ORDER BY a.starts_at, s.id",
                    (person_id,),
                )
            ),
            "messages_to_the_team_about_you": _rows(
                await fetch(
                    "SELECT t.kind, t.activity_id, t.status, t.created_at FROM team_messages t"
                    " JOIN signups s ON s.id = t.signup_id WHERE s.person_id = ?"
                    " AND t.audience = 'team' ORDER BY t.id",
                    (person_id,),
                )
            ),
        }


# Every sign-up, past and cancelled ones too, with its activity's title and time and,
# while waiting, the place on the waitlist (counting only those ahead who can still move
# up, as bot/db/signups.py does).
_SIGNUPS = f"""
    SELECT s.*, a.title_da, a.title_ar, a.title_en, a.starts_at AS activity_starts_at,
           a.status AS activity_status,
           CASE WHEN s.status = 'waitlisted' THEN 1 + (
               SELECT COUNT(*) FROM signups w LEFT JOIN residents r ON r.user_id = w.user_id
                WHERE w.activity_id = s.activity_id AND w.status = 'waitlisted'
                  AND w.id < s.id AND {CAN_MOVE_UP})
           END AS waitlist_position
      FROM signups s JOIN activities a ON a.id = s.activity_id
     WHERE s.user_id = ?
     ORDER BY a.starts_at, s.id
"""

# The messages Nabo sent (or is about to send) to the resident from broadcasts, with the
# text staff wrote in the language it went out in.
_MESSAGES = """
    SELECT d.broadcast_id, b.kind, b.activity_id, d.status, d.language, d.updated_at,
           CASE d.language WHEN 'ar' THEN COALESCE(b.text_ar, b.text_da)
                           WHEN 'en' THEN COALESCE(b.text_en, b.text_da)
                           ELSE b.text_da END AS text
      FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
     WHERE d.user_id = ?
     ORDER BY d.id
"""

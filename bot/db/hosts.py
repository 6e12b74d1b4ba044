"""Repository for activity hosts: invitations, who hosts what, and hosts' proposals.

A host (an afdelingsbestyrelse's member, a partner's volunteer leader) runs one activity,
or a whole weekly series, on the team's behalf and sees nothing else. Staff invite them
with a one-time link (bot/core/tokens.py: only the token's SHA-256 is stored) that
expires after ``INVITATION_DAYS``; staff may bind it to the host's phone number, which is
then checked against the number the opener shares from Telegram and is not kept once the
invitation is used. One row of ``hosts`` is one hosting (a person, an activity or series,
an organisation and a role); removing it, retention or erasure ends it at once and keeps
only the organisation and role, never the person.

Every check of who may do what reads these rows (``is_host``); the handlers never decide
it from memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import aiosqlite

from bot.core.clock import from_db, to_db
from bot.core.phones import same_phone
from bot.core.tokens import new_token, token_digest
from bot.db.activities import (
    _LISTING_SQL,
    ActivityDraft,
    ActivityListing,
    _listing,
    insert_activity,
)
from bot.db.store import Store, read_all
from bot.db.team_messages import record_team_message

INVITATION_DAYS = 7
PHONE_TRIES = 3
MAX_TEXT = 100  # organisation and role
ORGANISER_KINDS = ("team", "board", "partner")
# A hosting covers its activity, or with whole_series every activity of the same series.
# ``{activity}`` is the SQL expression of the activity's id, ``h`` the hosts row.
COVERS = """(h.activity_id = {activity} OR (h.whole_series = 1 AND EXISTS (
    SELECT 1 FROM activities ha, activities hx WHERE ha.id = h.activity_id
       AND hx.id = {activity} AND ha.series_id IS NOT NULL AND ha.series_id = hx.series_id)))"""


class Accepted(Enum):
    """What opening an invitation came to."""

    HOST = "host"  # they are the host now (or were already)
    NOT_VALID = "not_valid"  # forged, used or expired: nothing changed
    NEEDS_PHONE = "needs_phone"  # bound to a number: share it first
    SOMEONE_ELSE = "someone_else"  # the number shared is not the one it was made for


@dataclass(frozen=True, slots=True)
class Invitation:
    """What staff decide when they invite a host."""

    activity_id: int
    whole_series: bool
    organiser_kind: str
    organisation: str
    role: str
    phone: str | None = None  # normalised; binds the invitation to this number

    def __post_init__(self) -> None:
        """Refuse what the database would, with a clear error."""
        if self.organiser_kind not in ORGANISER_KINDS:
            raise ValueError(f"organiser_kind must be one of {ORGANISER_KINDS}")
        for text in (self.organisation, self.role):
            if not 0 < len(text.strip()) <= MAX_TEXT:
                raise ValueError("organisation and role need 1 to 100 characters")


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    """An invitation that still works, as the opener is shown it."""

    id: int
    activity_id: int
    whole_series: bool
    organiser_kind: str
    organisation: str
    role: str
    needs_phone: bool
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Host:
    """One hosting: a person (while it lasts), an activity or series, organisation, role."""

    id: int
    user_id: int | None
    first_name: str | None
    language: str | None
    activity_id: int
    whole_series: bool
    organiser_kind: str
    organisation: str
    role: str
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Host:
        """Build a Host from a ``hosts`` row."""
        started = from_db(row["started_at"])
        assert started is not None
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            first_name=row["first_name"],
            language=row["language"],
            activity_id=row["activity_id"],
            whole_series=bool(row["whole_series"]),
            organiser_kind=row["organiser_kind"],
            organisation=row["organisation"],
            role=row["role"],
            started_at=started,
            ended_at=from_db(row["ended_at"]),
        )


@dataclass(frozen=True, slots=True)
class ProposalDraft:
    """A new activity as a host proposes it, in the host's own language."""

    language: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int | None
    delaftale: str
    area: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """A host's proposal as stored."""

    id: int
    proposed_by: int | None
    host_id: int | None
    draft: ProposalDraft
    status: str  # pending, published or declined
    activity_id: int | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> Proposal:
        """Build a Proposal from an ``activity_proposals`` row."""
        starts, ends, created = (
            from_db(row[key]) for key in ("starts_at", "ends_at", "created_at")
        )
        assert starts is not None
        assert ends is not None
        assert created is not None
        return cls(
            id=row["id"],
            proposed_by=row["proposed_by"],
            host_id=row["host_id"],
            draft=ProposalDraft(
                language=row["language"],
                title=row["title"],
                description=row["description"],
                starts_at=starts,
                ends_at=ends,
                place=row["place"],
                capacity=row["capacity"],
                delaftale=row["delaftale"],
                area=row["area"],
            ),
            status=row["status"],
            activity_id=row["activity_id"],
            created_at=created,
        )


class HostRepository:
    """SQL for ``host_invitations``, ``hosts`` and ``activity_proposals``."""

    def __init__(self, store: Store) -> None:
        """Use the process's store."""
        self._store = store

    async def invite(self, invitation: Invitation, staff_user_id: int, now: datetime) -> str:
        """Store a new invitation and return the token for its link (not stored itself)."""
        token = new_token()
        async with self._store.transaction() as db:
            await db.execute(
                "INSERT INTO host_invitations (token, activity_id, whole_series, organiser_kind,"
                " organisation, role, phone, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    token_digest(token),
                    invitation.activity_id,
                    int(invitation.whole_series),
                    invitation.organiser_kind,
                    invitation.organisation.strip(),
                    invitation.role.strip(),
                    invitation.phone,
                    staff_user_id,
                    to_db(now),
                    to_db(now + timedelta(days=INVITATION_DAYS)),
                ),
            )
        return token

    async def invitation_for(self, token: str, now: datetime) -> PendingInvitation | None:
        """Return the invitation a link opens, if it still works (unused, not expired)."""
        row = await self._store.fetch_one(_VALID, (token_digest(token), to_db(now)))
        return _pending(row) if row else None

    async def accept(
        self,
        token: str,
        user_id: int,
        first_name: str | None,
        language: str,
        now: datetime,
        *,
        shared_phone: str | None = None,
    ) -> Accepted:
        """Make the opener the host, once; check the phone number when it was bound to one.

        A wrong number counts a try (``PHONE_TRIES`` spend the invitation) and changes
        nothing else; the number shared is never stored.
        """
        async with self._store.transaction() as db:
            row = await _one(db, _VALID, (token_digest(token), to_db(now)))
            if row is None:
                return Accepted.NOT_VALID
            if row["phone"] is not None:
                if shared_phone is None:
                    return Accepted.NEEDS_PHONE
                if not same_phone(row["phone"], shared_phone):
                    await db.execute(
                        "UPDATE host_invitations SET tries = tries + 1,"
                        " expires_at = CASE WHEN tries + 1 >= ? THEN ? ELSE expires_at END"
                        " WHERE id = ?",
                        (PHONE_TRIES, to_db(now), row["id"]),
                    )
                    return Accepted.SOMEONE_ELSE
            await db.execute(
                "UPDATE host_invitations SET used_at = ?, phone = NULL WHERE id = ?",
                (to_db(now), row["id"]),
            )
            existing = await _one(
                db,
                "SELECT 1 FROM hosts WHERE user_id = ? AND activity_id = ? AND whole_series = ?"
                " AND ended_at IS NULL",
                (user_id, row["activity_id"], row["whole_series"]),
            )
            if existing is None:
                await db.execute(
                    "INSERT INTO hosts (user_id, first_name, language, activity_id, whole_series,"
                    " organiser_kind, organisation, role, invitation_id, started_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user_id,
                        first_name[:64] if first_name else None,
                        language,
                        row["activity_id"],
                        row["whole_series"],
                        row["organiser_kind"],
                        row["organisation"],
                        row["role"],
                        row["id"],
                        to_db(now),
                    ),
                )
            return Accepted.HOST

    async def is_host(self, user_id: int, activity_id: int) -> bool:
        """Tell whether this person hosts this activity right now (directly or its series)."""
        row = await self._store.fetch_one(
            "SELECT 1 FROM hosts h WHERE h.user_id = :user AND h.ended_at IS NULL AND "
            + COVERS.format(activity=":activity"),
            {"user": user_id, "activity": activity_id},
        )
        return row is not None

    async def is_any_host(self, user_id: int) -> bool:
        """Tell whether this person hosts anything right now."""
        row = await self._store.fetch_one(
            "SELECT 1 FROM hosts WHERE user_id = ? AND ended_at IS NULL", (user_id,)
        )
        return row is not None

    async def assignments(self, user_id: int) -> list[Host]:
        """Return this person's current hostings, oldest first."""
        rows = await self._store.fetch_all(
            "SELECT * FROM hosts WHERE user_id = ? AND ended_at IS NULL ORDER BY id", (user_id,)
        )
        return [Host.from_row(row) for row in rows]

    async def hosts_of(self, activity_id: int) -> list[Host]:
        """Return who hosts an activity right now (one row per person)."""
        rows = await self._store.fetch_all(
            "SELECT h.* FROM hosts h WHERE h.ended_at IS NULL AND "
            + COVERS.format(activity=":activity")
            + " GROUP BY h.user_id ORDER BY h.id",
            {"activity": activity_id},
        )
        return [Host.from_row(row) for row in rows]

    async def current(self) -> list[Host]:
        """Return every current hosting, for staff's list."""
        rows = await self._store.fetch_all(
            "SELECT * FROM hosts WHERE ended_at IS NULL ORDER BY organisation, first_name, id"
        )
        return [Host.from_row(row) for row in rows]

    async def get(self, host_id: int) -> Host | None:
        """Return one hosting by id."""
        row = await self._store.fetch_one("SELECT * FROM hosts WHERE id = ?", (host_id,))
        return Host.from_row(row) if row else None

    async def activities_of(
        self, user_id: int, now: datetime, ended_since: datetime
    ) -> list[ActivityListing]:
        """Return the activities a host hosts that have not ended, or ended since then."""
        rows = await self._store.fetch_all(
            _LISTING_SQL
            + " WHERE a.ends_at > :since AND EXISTS (SELECT 1 FROM hosts h WHERE h.user_id ="
            " :host AND h.ended_at IS NULL AND "
            + COVERS.format(activity="a.id")
            + ") ORDER BY a.ends_at <= :now, a.starts_at, a.id",
            {"host": user_id, "since": to_db(ended_since), "now": to_db(now), "user_id": 0},
        )
        return [_listing(row) for row in rows]

    async def remove(self, host_id: int, now: datetime) -> Host | None:
        """End a hosting at once (staff); return it as it was, or None if it had ended."""
        async with self._store.transaction() as db:
            row = await _one(
                db, "SELECT * FROM hosts WHERE id = ? AND ended_at IS NULL", (host_id,)
            )
            if row is None:
                return None
            await _end(db, "id = ?", (host_id,), "removed", now)
            return Host.from_row(row)

    async def end_finished(self, ended_before: datetime, now: datetime) -> list[int]:
        """End hostings whose activity (or whole series) ended before then (retention).

        Returns the user ids of those whose hosting ended (for their command list).
        """
        where = """ended_at IS NULL AND (SELECT MAX(a.ends_at) FROM activities a WHERE a.id =
                    hosts.activity_id OR (hosts.whole_series = 1 AND a.series_id IS NOT NULL
                    AND a.series_id = (SELECT series_id FROM activities
                                        WHERE id = hosts.activity_id))) <= ?"""
        async with self._store.transaction() as db:
            async with db.execute(
                f"SELECT DISTINCT user_id FROM hosts WHERE {where}", (to_db(ended_before),)
            ) as cursor:
                users = [int(row[0]) for row in await cursor.fetchall()]
            await _end(db, where, (to_db(ended_before),), "expired", now)
        return users

    async def delete_old_invitations(self, before: datetime) -> int:
        """Delete invitations used or expired before then (retention)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM host_invitations WHERE used_at < :before OR expires_at < :before",
                {"before": to_db(before)},
            )
            return cursor.rowcount

    async def propose(self, user_id: int, draft: ProposalDraft, now: datetime) -> int | None:
        """Store a host's proposal; None if they host nothing (any more)."""
        async with self._store.transaction() as db:
            host = await _one(
                db,
                "SELECT id FROM hosts WHERE user_id = ? AND ended_at IS NULL"
                " ORDER BY id DESC LIMIT 1",
                (user_id,),
            )
            if host is None:
                return None
            cursor = await db.execute(
                "INSERT INTO activity_proposals (proposed_by, host_id, language, title,"
                " description, starts_at, ends_at, place, capacity, delaftale, area, status,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (
                    user_id,
                    host["id"],
                    draft.language,
                    draft.title,
                    draft.description,
                    to_db(draft.starts_at),
                    to_db(draft.ends_at),
                    draft.place,
                    draft.capacity,
                    draft.delaftale,
                    draft.area,
                    to_db(now),
                ),
            )
            proposal_id = cursor.lastrowid
            assert proposal_id is not None
            await record_team_message(db, "proposal", now, number=proposal_id)
            return proposal_id

    async def proposal(self, proposal_id: int) -> Proposal | None:
        """Return a proposal by id."""
        row = await self._store.fetch_one(
            "SELECT * FROM activity_proposals WHERE id = ?", (proposal_id,)
        )
        return Proposal.from_row(row) if row else None

    async def decide(
        self,
        proposal_id: int,
        staff_user_id: int,
        now: datetime,
        *,
        activity_id: int | None = None,
    ) -> Proposal | None:
        """Publish (with the new activity's id) or decline a pending proposal, once.

        Publishing makes the proposer the host of the new activity, with the organisation
        and role they host under. Returns None if the proposal was decided already.
        """
        status = "published" if activity_id is not None else "declined"
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE activity_proposals SET status = ?, activity_id = ?, decided_at = ?,"
                " decided_by = ? WHERE id = ? AND status = 'pending'",
                (status, activity_id, to_db(now), staff_user_id, proposal_id),
            )
            if cursor.rowcount != 1:
                return None
            row = await _one(db, "SELECT * FROM activity_proposals WHERE id = ?", (proposal_id,))
            proposal = Proposal.from_row(row)
            if activity_id is not None and proposal.proposed_by is not None:
                await db.execute(
                    "INSERT INTO hosts (user_id, first_name, language, activity_id, whole_series,"
                    " organiser_kind, organisation, role, started_at)"
                    " SELECT h.user_id, h.first_name, h.language, ?, 0, h.organiser_kind,"
                    " h.organisation, h.role, ? FROM hosts h WHERE h.id = ?"
                    " AND h.user_id = ?",
                    (activity_id, to_db(now), proposal.host_id, proposal.proposed_by),
                )
            return proposal

    async def publish(
        self, proposal_id: int, staff_user_id: int, now: datetime
    ) -> tuple[Proposal, int] | None:
        """Publish a pending proposal as an activity, all at once; None if decided already.

        The activity has the proposal's texts in its language (and as the Danish title and
        description, which every activity has, until staff edit them), is run by the
        proposer's organisation, and the proposer becomes its host.
        """
        async with self._store.transaction() as db:
            row = await _one(
                db,
                "SELECT * FROM activity_proposals WHERE id = ? AND status = 'pending'",
                (proposal_id,),
            )
            if row is None:
                return None
            proposal = Proposal.from_row(row)
            draft = proposal.draft
            host = await _one(db, "SELECT * FROM hosts WHERE id = ?", (proposal.host_id,))
            own = {language: draft.language == language for language in ("ar", "en")}
            activity_id = await insert_activity(
                db,
                ActivityDraft(
                    title_da=draft.title,
                    description_da=draft.description,
                    title_ar=draft.title if own["ar"] else None,
                    description_ar=(draft.description or None) if own["ar"] else None,
                    title_en=draft.title if own["en"] else None,
                    description_en=(draft.description or None) if own["en"] else None,
                    starts_at=draft.starts_at,
                    ends_at=draft.ends_at,
                    place=draft.place,
                    delaftale=draft.delaftale,
                    area=draft.area,
                    capacity=draft.capacity,
                    organiser_kind=host["organiser_kind"] if host else "team",
                    organiser_name=(
                        host["organisation"] if host and host["organiser_kind"] != "team" else None
                    ),
                ),
                now,
            )
            await db.execute(
                "UPDATE activity_proposals SET status = 'published', activity_id = ?,"
                " decided_at = ?, decided_by = ? WHERE id = ?",
                (activity_id, to_db(now), staff_user_id, proposal_id),
            )
            if (
                host is not None
                and proposal.proposed_by is not None
                and host["user_id"] == proposal.proposed_by
            ):
                await db.execute(
                    "INSERT INTO hosts (user_id, first_name, language, activity_id, whole_series,"
                    " organiser_kind, organisation, role, started_at)"
                    " VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                    (
                        host["user_id"],
                        host["first_name"],
                        host["language"],
                        activity_id,
                        host["organiser_kind"],
                        host["organisation"],
                        host["role"],
                        to_db(now),
                    ),
                )
            return proposal, activity_id

    async def delete_old_proposals(self, before: datetime) -> int:
        """Delete proposals decided (or left undecided) since before then (retention)."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM activity_proposals WHERE COALESCE(decided_at, created_at) < ?",
                (to_db(before),),
            )
            return cursor.rowcount


async def forget_hosts(db: aiosqlite.Connection, users: str, params: tuple[Any, ...]) -> list[int]:
    """Erase what hosts or staff members leave in these tables, in a transaction.

    ``users`` is SQL selecting their user ids (or ``?``, with ``params``), as in the
    residents' erasure (``ResidentRepository.forget``, which calls this). Their hostings
    end (keeping organisation and role); invitations they made and proposals they
    decided lose their id; their own pending proposals go, decided ones stay with the
    activity they became, without them. Returns the user ids whose hosting ended.
    """
    ended = [
        int(row[0])
        for row in await read_all(
            db,
            f"SELECT DISTINCT user_id FROM hosts WHERE user_id IN ({users})"
            " AND ended_at IS NULL ORDER BY user_id",
            params,
        )
    ]
    await _end(db, f"user_id IN ({users}) AND ended_at IS NULL", params, "erased", None)
    await db.execute(
        f"UPDATE host_invitations SET created_by = NULL WHERE created_by IN ({users})", params
    )
    await db.execute(
        "DELETE FROM team_messages WHERE kind = 'proposal' AND number IN (SELECT id"
        f" FROM activity_proposals WHERE proposed_by IN ({users}) AND status = 'pending')",
        params,
    )
    await db.execute(
        f"DELETE FROM activity_proposals WHERE proposed_by IN ({users}) AND status = 'pending'",
        params,
    )
    await db.execute(
        f"UPDATE activity_proposals SET proposed_by = NULL WHERE proposed_by IN ({users})",
        params,
    )
    await db.execute(
        f"UPDATE activity_proposals SET decided_by = NULL WHERE decided_by IN ({users})",
        params,
    )
    return ended


_VALID = "SELECT * FROM host_invitations WHERE token = ? AND used_at IS NULL AND expires_at > ?"


def _pending(row: Any) -> PendingInvitation:
    expires = from_db(row["expires_at"])
    assert expires is not None
    return PendingInvitation(
        id=row["id"],
        activity_id=row["activity_id"],
        whole_series=bool(row["whole_series"]),
        organiser_kind=row["organiser_kind"],
        organisation=row["organisation"],
        role=row["role"],
        needs_phone=row["phone"] is not None,
        expires_at=expires,
    )


async def _end(
    db: aiosqlite.Connection, where: str, params: tuple[Any, ...], how: str, now: datetime | None
) -> int:
    """End hostings: the person goes, organisation and role stay."""
    cursor = await db.execute(
        "UPDATE hosts SET user_id = NULL, first_name = NULL, language = NULL,"
        f" ended_at = COALESCE(?, started_at), ended_how = ? WHERE {where}",
        (to_db(now) if now else None, how, *params),
    )
    return cursor.rowcount


async def _one(db: aiosqlite.Connection, sql: str, params: Any = ()) -> Any:
    async with db.execute(sql, params) as cursor:
        return await cursor.fetchone()

"""Activity hosts on a real SQLite file: invitations, what a host may see, removal, retention."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.activities import ActivityRepository
from bot.db.hosts import Accepted, HostRepository, Invitation, ProposalDraft
from bot.db.residents import ResidentRepository
from bot.db.store import Store
from tests.factories import add_activity, add_residents, draft
from tests.test_privacy import places_holding

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
STAFF = 900
HOST = 31415926
OTHER = 27182818


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, [HOST, OTHER], NOW)
    yield store
    await store.close()


def invitation(activity_id: int, **changes: object) -> Invitation:
    values: dict[str, object] = {
        "activity_id": activity_id,
        "whole_series": False,
        "organiser_kind": "partner",
        "organisation": "Røde Kors Viborg",
        "role": "Frivillig leder",
        "phone": None,
    }
    values.update(changes)
    return Invitation(**values)  # type: ignore[arg-type]


async def test_an_invitation_makes_a_host_of_that_activity_only(store: Store) -> None:
    hosts = HostRepository(store)
    mine = await add_activity(store, NOW, title_da="Lektiecafé")
    theirs = await add_activity(store, NOW, title_da="Sprogcafé")
    token = await hosts.invite(invitation(mine), STAFF, NOW)
    assert await hosts.invitation_for(token, NOW) is not None

    accepted = await hosts.accept(token, HOST, "Mette", "ar", NOW + timedelta(days=1))

    assert accepted is Accepted.HOST
    assert await hosts.is_host(HOST, mine)
    assert not await hosts.is_host(HOST, theirs)
    assert not await hosts.is_host(OTHER, mine)
    [host] = await hosts.assignments(HOST)
    assert (host.activity_id, host.organisation, host.role, host.language) == (
        mine,
        "Røde Kors Viborg",
        "Frivillig leder",
        "ar",
    )
    assert [h.user_id for h in await hosts.hosts_of(mine)] == [HOST]
    assert await hosts.hosts_of(theirs) == []
    # Used once: nobody else becomes a host with it.
    assert await hosts.accept(token, OTHER, "Ole", "da", NOW) is Accepted.NOT_VALID
    assert not await hosts.is_host(OTHER, mine)


async def test_expired_forged_and_someone_elses_invitations_change_nothing(store: Store) -> None:
    hosts = HostRepository(store)
    activity = await add_activity(store, NOW)
    token = await hosts.invite(invitation(activity), STAFF, NOW)
    expires = NOW + timedelta(days=7)
    assert await hosts.invitation_for(token, expires - timedelta(seconds=1)) is not None
    assert await hosts.accept(token, HOST, "M", "da", expires) is Accepted.NOT_VALID
    assert await hosts.accept("B" * 22, HOST, "M", "da", NOW) is Accepted.NOT_VALID
    # Bound to the host's phone number: only the one who shares that number gets it.
    bound = await hosts.invite(invitation(activity, phone="+4522334455"), STAFF, NOW)
    assert (await hosts.invitation_for(bound, NOW)).needs_phone  # type: ignore[union-attr]
    assert await hosts.accept(bound, OTHER, "O", "da", NOW) is Accepted.NEEDS_PHONE
    wrong = await hosts.accept(bound, OTHER, "O", "da", NOW, shared_phone="4599999999")
    assert wrong is Accepted.SOMEONE_ELSE
    assert await hosts.assignments(OTHER) == []
    right = await hosts.accept(bound, HOST, "M", "da", NOW, shared_phone="4522334455")
    assert right is Accepted.HOST
    assert await hosts.is_host(HOST, activity)
    # The number is not kept once the invitation is used.
    assert places_holding(store.path, ["22334455"]) == []


async def test_a_series_host_hosts_every_date_of_it(store: Store) -> None:
    hosts, activities = HostRepository(store), ActivityRepository(store)
    [series] = await activities.add_series(
        [
            [
                draft(
                    NOW, starts_at=NOW + timedelta(days=d), ends_at=NOW + timedelta(days=d, hours=2)
                )
                for d in (1, 8, 15)
            ]
        ],
        NOW,
    )
    alone = await add_activity(store, NOW)
    token = await hosts.invite(invitation(series[1], whole_series=True), STAFF, NOW)
    assert await hosts.accept(token, HOST, "M", "da", NOW) is Accepted.HOST
    assert [await hosts.is_host(HOST, a) for a in series] == [True, True, True]
    assert not await hosts.is_host(HOST, alone)
    listed = await hosts.activities_of(HOST, NOW, NOW - timedelta(days=14))
    assert [listing.activity.id for listing in listed] == series


async def test_removal_takes_effect_at_once_and_keeps_only_organisation_and_role(
    store: Store,
) -> None:
    hosts = HostRepository(store)
    activity = await add_activity(store, NOW)
    token = await hosts.invite(invitation(activity), STAFF, NOW)
    await hosts.accept(token, HOST, "Mette", "da", NOW)
    [host] = await hosts.assignments(HOST)
    removed = await hosts.remove(host.id, NOW)
    assert removed is not None
    assert removed.user_id == HOST
    assert not await hosts.is_host(HOST, activity)
    assert await hosts.remove(host.id, NOW) is None  # once
    held = places_holding(store.path, [str(HOST), "Mette"])
    # They are still a resident (their own choice), but nothing says they hosted.
    assert held == ["residents.user_id ~ 31415926", "residents.chat_id ~ 31415926"]
    [row] = await store.fetch_all(
        "SELECT organisation, role, ended_how FROM hosts WHERE id = ?", (host.id,)
    )
    assert tuple(row) == ("Røde Kors Viborg", "Frivillig leder", "removed")


async def test_hosting_ends_by_itself_and_erasure_leaves_no_trace(store: Store) -> None:
    hosts = HostRepository(store)
    ended = await add_activity(
        store, NOW, starts_at=NOW - timedelta(days=200), ends_at=NOW - timedelta(days=199, hours=22)
    )
    coming = await add_activity(store, NOW)
    for activity in (ended, coming):
        token = await hosts.invite(invitation(activity), STAFF, NOW - timedelta(days=300))
        assert await hosts.accept(token, HOST, "Mette", "da", NOW - timedelta(days=299)) is (
            Accepted.HOST
        )
    assert await hosts.end_finished(NOW - timedelta(days=180), NOW) == [HOST]
    assert [h.activity_id for h in await hosts.assignments(HOST)] == [coming]
    # Unused invitations go some time after they expired.
    await hosts.invite(invitation(coming), STAFF, NOW - timedelta(days=60))
    assert await hosts.delete_old_invitations(NOW - timedelta(days=30)) == 3
    proposal = await hosts.propose(
        HOST,
        ProposalDraft(
            language="da",
            title="Strikkeklub",
            description="",
            starts_at=NOW + timedelta(days=3),
            ends_at=NOW + timedelta(days=3, hours=2),
            place="Beboerhuset",
            capacity=None,
            delaftale="community",
            area="Houlkær",
        ),
        NOW,
    )
    assert proposal is not None
    await ResidentRepository(store).forget(HOST, NOW)
    assert places_holding(store.path, [str(HOST), "Mette"]) == []
    assert await hosts.assignments(HOST) == []
    assert await hosts.proposal(proposal) is None  # a pending proposal goes with its author

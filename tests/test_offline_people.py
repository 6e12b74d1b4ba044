"""People signed up on their behalf (no Telegram), on a real SQLite file.

They count in capacity, the first-come-first-served waitlist, attendance and reports
exactly as chat sign-ups do; what Nabo would have told them becomes a durable message
to the team; erasure and retention leave only the counts.
"""

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db.checkins import CheckInOutcome, CheckInRepository
from bot.db.people import NewPerson, PeopleRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import Outcome, SignupRepository, SignupStatus
from bot.db.store import Store
from bot.offline.periods import Period
from bot.offline.reporting import build_report
from tests.factories import add_activity, add_residents
from tests.test_privacy import places_holding

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
STAFF = 900
FATIMA = NewPerson("Fatima", "ar", "Houlkær", "+4512345678", "in_person")
ALI = NewPerson("Ali", "da", "Ellekonebakken", None, "phone")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, [1, 2, 3, 4], NOW)
    yield store
    await store.close()


def repos(store: Store) -> tuple[PeopleRepository, SignupRepository]:
    return PeopleRepository(store), SignupRepository(store)


async def team_rows(store: Store) -> list[tuple[object, ...]]:
    rows = await store.fetch_all(
        "SELECT kind, activity_id, signup_id, audience, status FROM team_messages ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def test_they_count_in_capacity_like_anyone(store: Store) -> None:
    people, signups = repos(store)
    activity = await add_activity(store, NOW, capacity=4)
    await signups.sign_up(activity, 1, 2, 0, NOW, waitlist=False)
    result, person = await people.sign_up_new(
        activity, FATIMA, 1, 1, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert result.outcome is Outcome.CONFIRMED
    assert result.places_left == 0
    assert person is not None
    assert result.signup is not None
    assert result.signup.user_id is None
    assert result.signup.person_id == person.id
    assert result.signup.first_name == "Fatima"
    # The activity is full now: the next resident waits.
    after = await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=False)
    assert after.outcome is Outcome.WAITLISTED
    assert after.waitlist_position == 1
    stored = await people.get(person.id)
    assert stored is not None
    assert (stored.first_name, stored.language, stored.area, stored.phone) == (
        "Fatima",
        "ar",
        "Houlkær",
        "+4512345678",
    )
    assert (stored.told_how, stored.registered_by, stored.registered_role) == (
        "in_person",
        STAFF,
        "staff",
    )
    assert stored.registered_at == NOW


async def test_a_refused_sign_up_leaves_no_record(store: Store) -> None:
    people, signups = repos(store)
    activity = await add_activity(store, NOW, capacity=2)
    await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    result, person = await people.sign_up_new(
        activity, FATIMA, 2, 1, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert result.outcome is Outcome.NO_ROOM
    assert person is None
    started = await add_activity(
        store, NOW, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)
    )
    closed, nobody = await people.sign_up_new(
        started, ALI, 1, 0, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert (closed.outcome, nobody) == (Outcome.CLOSED, None)
    assert await store.fetch_all("SELECT * FROM offline_people") == []


async def test_one_active_sign_up_per_person(store: Store) -> None:
    people, _ = repos(store)
    activity = await add_activity(store, NOW)
    first, person = await people.sign_up_new(
        activity, ALI, 1, 0, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert person is not None
    again = await people.sign_up(activity, person.id, 2, 0, NOW, waitlist=False)
    assert again.outcome is Outcome.ALREADY
    assert again.signup == first.signup
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as db:
            await db.execute(
                "INSERT INTO signups (activity_id, person_id, adults, children, status,"
                " created_at) VALUES (?, ?, 1, 0, 'waitlisted', 'x')",
                (activity, person.id),
            )


async def test_first_come_first_served_with_and_without_telegram(store: Store) -> None:
    people, signups = repos(store)
    activity = await add_activity(store, NOW, capacity=1)
    first = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    waiting, person = await people.sign_up_new(
        activity, FATIMA, 1, 0, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert waiting.outcome is Outcome.WAITLISTED
    assert waiting.waitlist_position == 1
    resident = await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=False)
    # The person without Telegram is ahead in line, and counts as ahead.
    assert resident.waitlist_position == 2
    assert first.signup is not None
    cancelled = await signups.cancel(first.signup.id, 1, NOW)
    # Nobody in the chat was told (they are not on Telegram) ...
    assert cancelled.promoted == []
    assert waiting.signup is not None
    moved = await signups.get(waiting.signup.id)
    assert moved is not None
    assert moved.status is SignupStatus.CONFIRMED
    # ... but the team gets a durable message to call them, written with the promotion.
    assert await team_rows(store) == [("promoted", activity, waiting.signup.id, "team", "pending")]
    assert resident.signup is not None
    assert await signups.waitlist_position(resident.signup) == 1
    assert person is not None


async def test_attendance_and_the_report_count_them(store: Store) -> None:
    people, signups = repos(store)
    zone = ZoneInfo("Europe/Copenhagen")
    start = NOW - timedelta(days=2)
    activity = await add_activity(
        store,
        start - timedelta(days=1),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=None,
    )
    resident = await signups.sign_up(activity, 1, 1, 0, start - timedelta(days=1), waitlist=False)
    offline, person = await people.sign_up_new(
        activity,
        FATIMA,
        2,
        1,
        start - timedelta(days=1),
        waitlist=False,
        registered_by=STAFF,
        role="staff",
    )
    assert resident.signup is not None
    assert offline.signup is not None
    assert person is not None
    for signup in (resident.signup, offline.signup):
        assert await signups.set_attended(signup.id, activity, True, now=start)
    path = store.path
    with sqlite3.connect(path) as connection:
        report = build_report(
            connection, Period(NOW.date() - timedelta(days=10), NOW.date()), NOW, zone
        )
    total = report.total
    assert (total.held, total.signups, total.people, total.visits) == (1, 2, 4, 4)
    assert (total.participants, total.new) == (2, 2)


async def test_erasure_cancels_coming_places_and_keeps_only_counts(store: Store) -> None:
    people, signups = repos(store)
    past = await add_activity(
        store, NOW, starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=2, hours=-2)
    )
    coming = await add_activity(store, NOW, capacity=1)
    _, person = await people.sign_up_new(
        past,
        FATIMA,
        1,
        0,
        NOW - timedelta(days=9),
        waitlist=False,
        registered_by=STAFF,
        role="staff",
    )
    assert person is not None
    await people.sign_up(coming, person.id, 1, 0, NOW, waitlist=False)
    waiting = await signups.sign_up(coming, 3, 1, 0, NOW, waitlist=False)
    assert waiting.outcome is Outcome.WAITLISTED

    result = await people.forget(person.id, NOW)

    assert result.found
    assert [(a, [r.signup.user_id for r in p]) for a, p in result.promotions] == [(coming, [3])]
    rows = await store.fetch_all(
        "SELECT activity_id, user_id, person_id, first_name, status FROM signups ORDER BY id"
    )
    assert [tuple(row) for row in rows] == [
        (past, None, None, None, "confirmed"),
        (coming, None, None, None, "cancelled"),
        (coming, 3, None, None, "confirmed"),
    ]
    assert places_holding(store.path, ["Fatima", "12345678"]) == []
    assert not (await people.forget(person.id, NOW)).found


async def test_phone_and_record_kept_only_as_long_as_needed(store: Store) -> None:
    people, _ = repos(store)
    ends = NOW + timedelta(days=2, hours=2)
    activity = await add_activity(store, NOW)
    _, fatima = await people.sign_up_new(
        activity, FATIMA, 1, 0, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert fatima is not None
    # The phone number is kept until 30 days after their last activity ...
    assert await people.drop_phones(ends + timedelta(days=29)) == 0
    assert await people.drop_phones(ends + timedelta(days=30)) == 1
    stored = await people.get(fatima.id)
    assert stored is not None
    assert stored.phone is None
    # ... the record for the retention period after it, unless staff renew it.
    assert await people.due_for_erasure(ends + timedelta(days=364), days=365) == []
    assert await people.due_for_erasure(ends + timedelta(days=365), days=365) == [fatima.id]
    await people.renew(fatima.id, ends + timedelta(days=300))
    assert await people.due_for_erasure(ends + timedelta(days=365), days=365) == []
    assert await people.due_for_erasure(ends + timedelta(days=665), days=365) == [fatima.id]


async def test_a_resident_erased_as_registrar_leaves_no_trace(store: Store) -> None:
    people, _ = repos(store)
    activity = await add_activity(store, NOW)
    await add_residents(store, [777111], NOW)
    _, person = await people.sign_up_new(
        activity, ALI, 1, 0, NOW, waitlist=False, registered_by=777111, role="host"
    )
    assert person is not None
    await ResidentRepository(store).forget(777111, NOW)
    stored = await people.get(person.id)
    assert stored is not None
    assert stored.registered_by is None
    assert stored.registered_role == "host"
    assert places_holding(store.path, ["777111"]) == []


async def test_a_joining_link_works_once_and_merges_without_loss_or_doubles(
    store: Store,
) -> None:
    people, signups = repos(store)
    past = await add_activity(
        store, NOW, starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=2, hours=-2)
    )
    both_confirmed = await add_activity(store, NOW, capacity=3, title_da="Begge")
    waiting_here = await add_activity(store, NOW, capacity=1, title_da="Venter")
    only_theirs = await add_activity(store, NOW, title_da="Kun hende")
    _, person = await people.sign_up_new(
        past,
        FATIMA,
        1,
        0,
        NOW - timedelta(days=9),
        waitlist=False,
        registered_by=STAFF,
        role="staff",
    )
    assert person is not None
    attended = await people.signups_of(person.id)
    await signups.set_attended(attended[0].id, past, True, now=NOW - timedelta(days=2))
    hers_first = await people.sign_up(both_confirmed, person.id, 1, 0, NOW, waitlist=False)
    mine_second = await signups.sign_up(both_confirmed, 1, 2, 0, NOW, waitlist=False)
    next_in_line = await signups.sign_up(both_confirmed, 2, 2, 0, NOW, waitlist=False)
    assert next_in_line.outcome is Outcome.WAITLISTED
    mine_confirmed = await signups.sign_up(waiting_here, 1, 1, 0, NOW, waitlist=False)
    hers_waiting = await people.sign_up(waiting_here, person.id, 1, 0, NOW, waitlist=False)
    assert hers_waiting.outcome is Outcome.WAITLISTED
    hers_only = await people.sign_up(only_theirs, person.id, 2, 1, NOW, waitlist=False)
    token = await people.new_join_link(person.id, NOW)
    assert token is not None
    before = await store.fetch_all("SELECT COUNT(*) FROM signups")

    result = await people.attach(token, 1, NOW)

    assert (result.attached, result.moved, result.merged) == (True, 2, 2)
    assert result.first_name == "Fatima"
    # Where both had a place, the better one stays (confirmed first, then first in line);
    # the other is cancelled, and its places go to the waitlist.
    rows = {
        tuple(row)
        for row in await store.fetch_all(
            "SELECT id, activity_id, user_id, person_id, status, attended FROM signups"
        )
    }
    assert hers_first.signup is not None
    assert mine_second.signup is not None
    assert mine_confirmed.signup is not None
    assert hers_waiting.signup is not None
    assert hers_only.signup is not None
    assert next_in_line.signup is not None
    assert rows == {
        (attended[0].id, past, 1, None, "confirmed", 1),
        (hers_first.signup.id, both_confirmed, 1, None, "confirmed", None),
        (mine_second.signup.id, both_confirmed, 1, None, "cancelled", None),
        (next_in_line.signup.id, both_confirmed, 2, None, "confirmed", None),
        (mine_confirmed.signup.id, waiting_here, 1, None, "confirmed", None),
        (hers_waiting.signup.id, waiting_here, 1, None, "cancelled", None),
        (hers_only.signup.id, only_theirs, 1, None, "confirmed", None),
    }
    assert [(a, [r.signup.user_id for r in p]) for a, p in result.promotions] == [
        (both_confirmed, [2])
    ]
    assert await store.fetch_all("SELECT COUNT(*) FROM signups") == before  # none lost
    assert await store.fetch_all("SELECT * FROM offline_people") == []
    # Used once: the same link again changes nothing.
    assert not (await people.attach(token, 2, NOW)).attached


async def test_expired_forged_and_guessed_joining_links_change_nothing(store: Store) -> None:
    people, _ = repos(store)
    activity = await add_activity(store, NOW)
    _, person = await people.sign_up_new(
        activity, FATIMA, 1, 0, NOW, waitlist=False, registered_by=STAFF, role="staff"
    )
    assert person is not None
    token = await people.new_join_link(person.id, NOW)
    assert token is not None
    later = NOW + timedelta(days=90)
    assert await people.join_target(token, later - timedelta(seconds=1)) is not None
    assert await people.join_target(token, later) is None
    assert not (await people.attach(token, 1, later)).attached
    # A forged token, and one for a resident Nabo does not know.
    assert not (await people.attach("A" * 22, 1, NOW)).attached
    assert not (await people.attach(token, 999, NOW)).attached
    # A new link replaces the old one.
    newer = await people.new_join_link(person.id, NOW)
    assert newer is not None
    assert await people.join_target(token, NOW) is None
    # Three wrong answers spend it.
    assert not await people.wrong_answer(newer)
    assert not await people.wrong_answer(newer)
    assert await people.wrong_answer(newer)
    assert await people.join_target(newer, NOW) is None
    assert [s.person_id for s in await people.signups_of(person.id)] == [person.id]


async def test_the_door_keeps_their_place_in_line(store: Store) -> None:
    """Before the start, someone without Telegram at the head of the line holds it at the door."""
    people, signups = repos(store)
    checkins = CheckInRepository(store)
    door_open = NOW + timedelta(days=2) - timedelta(minutes=20)
    activity = await add_activity(store, NOW, capacity=3)
    await signups.sign_up(activity, 1, 2, 0, NOW, waitlist=False)
    head, person = await people.sign_up_new(
        activity, FATIMA, 2, 0, NOW, waitlist=True, registered_by=STAFF, role="staff"
    )
    assert head.outcome is Outcome.WAITLISTED
    behind = await signups.sign_up(activity, 3, 1, 0, NOW, waitlist=True)
    assert behind.signup is not None
    assert behind.waitlist_position == 2
    # One place free: not for the resident behind her, nor for someone not signed up.
    waiting = await checkins.check_in(activity, 3, door_open)
    assert waiting.outcome is CheckInOutcome.NO_PLACE
    walk_in = await checkins.check_in(activity, 4, door_open, adults=1, children=0)
    assert walk_in.outcome is CheckInOutcome.NO_PLACE
    still = await signups.get(behind.signup.id)
    assert still is not None
    assert still.status is SignupStatus.WAITLISTED
    assert person is not None
    assert head.signup is not None
    hers = await signups.get(head.signup.id)
    assert hers is not None
    assert (hers.person_id, hers.status) == (person.id, SignupStatus.WAITLISTED)

"""Sign-ups on a real SQLite file: capacity in people, the waitlist, cancellation, reminders."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import Clock
from bot.db.activities import ActivityRepository
from bot.db.checkins import CheckInOutcome, CheckInRepository
from bot.db.mydata import PersonalDataRepository
from bot.db.processed_updates import ProcessedUpdates
from bot.db.residents import ResidentRepository
from bot.db.signups import Outcome, SignupRepository, SignupStatus
from bot.db.store import Store
from tests.factories import add_activity, add_residents
from tests.test_store import count_trips

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, list(range(1, 21)), NOW)
    yield store
    await store.close()


async def test_capacity_counts_people(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW, capacity=5)
    first = await signups.sign_up(activity, 1, 1, 2, NOW, waitlist=False)
    assert first.outcome is Outcome.CONFIRMED
    assert first.places_left == 2
    # Three people do not fit in the two places left: the resident is asked, not queued.
    second = await signups.sign_up(activity, 2, 2, 1, NOW, waitlist=False)
    assert second.outcome is Outcome.NO_ROOM
    assert second.places_left == 2
    assert second.signup is None
    fits = await signups.sign_up(activity, 2, 2, 0, NOW, waitlist=False)
    assert fits.outcome is Outcome.CONFIRMED
    assert fits.places_left == 0
    # Full: the next party goes on the waitlist even without asking.
    third = await signups.sign_up(activity, 3, 1, 0, NOW, waitlist=False)
    assert third.outcome is Outcome.WAITLISTED
    assert third.waitlist_position == 1
    fourth = await signups.sign_up(activity, 4, 1, 1, NOW, waitlist=True)
    assert fourth.outcome is Outcome.WAITLISTED
    assert fourth.waitlist_position == 2


async def test_unlimited_capacity(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW, capacity=None, max_per_signup=20)
    for user_id in range(1, 11):
        result = await signups.sign_up(activity, user_id, 2, 18, NOW, waitlist=False)
        assert result.outcome is Outcome.CONFIRMED
        assert result.places_left is None


async def test_one_active_signup_per_resident(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW)
    first = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    again = await signups.sign_up(activity, 1, 2, 0, NOW, waitlist=False)
    assert again.outcome is Outcome.ALREADY
    assert again.signup == first.signup
    rows = await store.fetch_all("SELECT * FROM signups")
    assert len(rows) == 1
    # The database enforces it too, whatever the code does.
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as db:
            await db.execute(
                "INSERT INTO signups (activity_id, user_id, adults, children, status, created_at)"
                " VALUES (?, 1, 1, 0, 'waitlisted', 'x')",
                (activity,),
            )
    # After cancelling, signing up again is allowed.
    assert first.signup is not None
    await signups.cancel(first.signup.id, 1, NOW)
    assert (await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)).outcome is (
        Outcome.CONFIRMED
    )


@pytest.mark.parametrize(
    ("changes", "at"),
    [
        ({"signup_deadline": NOW + timedelta(hours=1)}, NOW + timedelta(hours=1)),
        ({}, NOW + timedelta(days=2)),  # the moment it starts
        ({}, NOW + timedelta(days=3)),  # after it ended
    ],
)
async def test_closed_after_deadline_or_start(
    store: Store, changes: dict[str, object], at: datetime
) -> None:
    activity = await add_activity(store, NOW, **changes)
    result = await SignupRepository(store).sign_up(activity, 1, 1, 0, at, waitlist=True)
    assert result.outcome is Outcome.CLOSED
    assert await store.fetch_all("SELECT * FROM signups") == []


async def test_cancelled_and_unknown_activities(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW)
    assert await ActivityRepository(store).cancel(activity)
    assert (await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=True)).outcome is Outcome.CLOSED
    assert (await signups.sign_up(9999, 1, 1, 0, NOW, waitlist=True)).outcome is Outcome.NOT_FOUND


@pytest.mark.parametrize(("adults", "children"), [(0, 0), (7, 0), (3, 4), (-1, 2), (1, -1)])
async def test_party_size_is_checked(store: Store, adults: int, children: int) -> None:
    activity = await add_activity(store, NOW, max_per_signup=6)
    result = await SignupRepository(store).sign_up(
        activity, 1, adults, children, NOW, waitlist=False
    )
    assert result.outcome is Outcome.BAD_PARTY


async def test_cancel_promotes_in_order_while_the_next_fits(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW, capacity=4)
    holder = await signups.sign_up(activity, 1, 2, 2, NOW, waitlist=False)
    small = await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=True)
    pair = await signups.sign_up(activity, 3, 2, 0, NOW, waitlist=True)
    big = await signups.sign_up(activity, 4, 2, 3, NOW, waitlist=True)  # 5: never fits in 4
    last = await signups.sign_up(activity, 5, 1, 0, NOW, waitlist=True)
    assert [r.waitlist_position for r in (small, pair, big, last)] == [1, 2, 3, 4]
    assert holder.signup is not None
    result = await signups.cancel(holder.signup.id, 1, NOW + timedelta(hours=1))
    # 4 places free: 1 and 2 move up; the party of 5 is next and does not fit, so the
    # single resident behind it waits too (first come, first served).
    assert [p.signup.user_id for p in result.promoted] == [2, 3]
    assert all(p.signup.status is SignupStatus.CONFIRMED for p in result.promoted)
    assert [p.chat_id for p in result.promoted] == [2, 3]
    assert big.signup is not None
    assert last.signup is not None
    assert await signups.waitlist_position(await _get(signups, big.signup.id)) == 1
    assert await signups.waitlist_position(await _get(signups, last.signup.id)) == 2
    # A newcomer who would fit in the one free place still queues behind them.
    newcomer = await signups.sign_up(activity, 6, 1, 0, NOW, waitlist=False)
    assert newcomer.outcome is Outcome.WAITLISTED
    assert newcomer.waitlist_position == 3


async def test_blocked_and_erased_residents_do_not_hold_the_queue(store: Store) -> None:
    signups = SignupRepository(store)
    residents = ResidentRepository(store)
    activity = await add_activity(store, NOW, capacity=1)
    first = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=True)  # will block Nabo
    await signups.sign_up(activity, 3, 1, 0, NOW, waitlist=True)
    await residents.set_blocked(2, True)
    assert first.signup is not None
    result = await signups.cancel(first.signup.id, 1, NOW)
    assert [p.signup.user_id for p in result.promoted] == [3]


async def test_leaving_frees_the_place_for_the_waitlist(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW, capacity=2)
    await signups.sign_up(activity, 1, 2, 0, NOW, waitlist=False)
    await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=True)
    result = await ResidentRepository(store).forget(1, NOW)
    assert result.found
    [(activity_id, [promoted])] = result.promotions
    assert activity_id == activity
    assert promoted.signup.user_id == 2
    rows = await store.fetch_all("SELECT user_id, status FROM signups ORDER BY id")
    assert [tuple(row) for row in rows] == [(None, "cancelled"), (2, "confirmed")]


async def test_no_cancelling_once_it_has_started(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW)
    mine = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    assert mine.signup is not None
    result = await signups.cancel(mine.signup.id, 1, NOW + timedelta(days=2, minutes=1))
    assert result.too_late
    assert result.signup is None
    assert (await _get(signups, mine.signup.id)).status is SignupStatus.CONFIRMED


async def _get(signups: SignupRepository, signup_id: int):  # noqa: ANN202
    signup = await signups.get(signup_id)
    assert signup is not None
    return signup


async def test_only_own_signup_can_be_cancelled(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW)
    mine = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    assert mine.signup is not None
    result = await signups.cancel(mine.signup.id, 2, NOW)
    assert result.signup is None
    assert (await _get(signups, mine.signup.id)).status is SignupStatus.CONFIRMED


async def test_concurrent_signups_never_overbook(store: Store) -> None:
    await add_residents(store, list(range(100, 300)), NOW)
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW, capacity=10)
    results = await asyncio.gather(
        *(signups.sign_up(activity, u, 1, 0, NOW, waitlist=False) for u in range(100, 300))
    )
    confirmed = [r for r in results if r.outcome is Outcome.CONFIRMED]
    waitlisted = [r for r in results if r.outcome is Outcome.WAITLISTED]
    assert len(confirmed) == 10
    assert len(waitlisted) == 190
    assert sorted(r.waitlist_position for r in waitlisted) == list(range(1, 191))


async def test_reminder_claimed_once(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW)
    result = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    assert result.signup is not None
    [target] = await signups.reminder_targets(activity, 120)
    assert target.signup.id == result.signup.id
    assert await signups.claim_reminder(result.signup.id, 120, NOW)
    assert not await signups.claim_reminder(result.signup.id, 120, NOW)
    assert await signups.reminder_targets(activity, 120) == []
    assert len(await signups.reminder_targets(activity, 1440)) == 1


async def test_reminder_targets_skip_blocked_and_opted_out(store: Store) -> None:
    signups = SignupRepository(store)
    residents = ResidentRepository(store)
    activity = await add_activity(store, NOW)
    for user_id in (1, 2, 3):
        await signups.sign_up(activity, user_id, 1, 0, NOW, waitlist=False)
    await residents.set_blocked(2, True)
    await residents.set_reminders(3, False)
    assert [t.signup.user_id for t in await signups.reminder_targets(activity, 120)] == [1]


async def test_erased_resident_leaves_an_unlinked_count(store: Store) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(
        store, NOW, starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=2)
    )
    await signups.sign_up(activity, 1, 2, 1, NOW, waitlist=False)
    # After the activity, erasing the resident keeps the sign-up as an unlinked count.
    await ResidentRepository(store).forget(1, NOW + timedelta(hours=3))
    rows = await store.fetch_all("SELECT user_id, adults, children, status FROM signups")
    assert [tuple(row) for row in rows] == [(None, 2, 1, "confirmed")]


async def test_mine_lists_active_with_positions(store: Store) -> None:
    signups = SignupRepository(store)
    soon = await add_activity(
        store,
        NOW,
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=1),
        capacity=1,
    )
    later = await add_activity(store, NOW)
    await signups.sign_up(soon, 2, 1, 0, NOW, waitlist=False)
    await signups.sign_up(soon, 1, 1, 0, NOW, waitlist=True)
    await signups.sign_up(later, 1, 1, 1, NOW, waitlist=False)
    mine = await signups.mine(1, NOW)
    assert [(m.activity.id, m.signup.status, m.waitlist_position) for m in mine] == [
        (soon, SignupStatus.WAITLISTED, 1),
        (later, SignupStatus.CONFIRMED, None),
    ]


async def test_waitlist_positions_count_only_those_who_can_move_up(store: Store) -> None:
    """A blocked resident's waiting row is passed over by promotion, so not counted ahead."""
    signups, residents = SignupRepository(store), ResidentRepository(store)
    activity = await add_activity(store, NOW, capacity=1)
    await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    waiting = {}
    for user_id in (2, 3, 4):
        result = await signups.sign_up(activity, user_id, 1, 0, NOW, waitlist=False)
        assert result.signup is not None
        waiting[user_id] = result.signup
    await residents.set_blocked(2, True)

    assert await signups.waitlist_position(waiting[3]) == 1
    assert await signups.waitlist_position(waiting[4]) == 2
    # The resident who blocked Nabo still sees their own place, behind nobody blocked.
    assert await signups.waitlist_position(waiting[2]) == 1
    joined = await signups.sign_up(activity, 5, 1, 0, NOW, waitlist=False)
    assert joined.waitlist_position == 3
    [mine] = await signups.mine(4, NOW)
    assert mine.waitlist_position == 2
    exported = await PersonalDataRepository(store).export(4, NOW)
    assert exported is not None
    assert [s["waitlist_position"] for s in exported["signups"]] == [2]
    # And the one who moves up when a place frees is the first who can: number 1.
    first = await signups.active_for(activity, 1)
    assert first is not None
    result = await signups.cancel(first.id, 1, NOW)
    assert [r.signup.user_id for r in result.promoted] == [3]


async def test_the_door_keeps_the_line_of_those_who_can_move_up(store: Store) -> None:
    """Before the start a free place is the head of the line's, unless they blocked Nabo."""
    signups, checkins = SignupRepository(store), CheckInRepository(store)
    door_open = NOW + timedelta(days=2) - timedelta(minutes=20)
    lines = []
    for _ in range(2):
        activity = await add_activity(store, NOW, capacity=3)
        await signups.sign_up(activity, 1, 2, 0, NOW, waitlist=False)
        await signups.sign_up(activity, 2, 2, 0, NOW, waitlist=True)  # the head: does not fit
        behind = await signups.sign_up(activity, 3, 1, 0, NOW, waitlist=True)
        assert behind.signup is not None
        lines.append((activity, behind.signup.id))
    [(kept, behind_id), (passed_over, _)] = lines
    # One place free: not for the party behind the head, nor for someone not signed up.
    walk_in = await checkins.check_in(kept, 4, door_open, adults=1, children=0)
    assert walk_in.outcome is CheckInOutcome.NO_PLACE
    assert await signups.active_for(kept, 4) is None
    waiting = await checkins.check_in(kept, 3, door_open)
    assert waiting.outcome is CheckInOutcome.NO_PLACE
    still = await signups.get(behind_id)
    assert still is not None
    assert still.status is SignupStatus.WAITLISTED
    # A head of the line who blocked Nabo is passed over by promotion, so holds nothing.
    await ResidentRepository(store).set_blocked(2, True)
    placed = await checkins.check_in(passed_over, 3, door_open)
    assert placed.outcome is CheckInOutcome.PLACED
    mine = await signups.active_for(passed_over, 3)
    assert mine is not None
    assert (mine.status, mine.attended) == (SignupStatus.CONFIRMED, True)


async def test_a_sign_up_and_its_update_id_are_one_trip_to_the_database(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    signups = SignupRepository(store)
    activity = await add_activity(store, NOW, capacity=5)
    processed = ProcessedUpdates(store, Clock())
    assert await processed.begin(7001)
    trips = count_trips(monkeypatch)
    result = await signups.sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    # BEGIN, the update's id, the checks, the insert and COMMIT: once there and back.
    assert len(trips) == 1
    assert result.outcome is Outcome.CONFIRMED
    assert await store.fetch_one("SELECT 1 FROM processed_updates WHERE update_id = 7001")
    # The update's id is written: its next write does not write it again.
    again = await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=False)
    assert again.outcome is Outcome.CONFIRMED

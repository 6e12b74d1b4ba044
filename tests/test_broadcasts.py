"""Broadcasts on a real SQLite file: audiences, one delivery per recipient, crash recovery."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.broadcasts import (
    ACTIVITY_PREFIX,
    INTERESTED_PREFIX,
    LANGUAGE_PREFIX,
    SUBSCRIBERS,
    VOLUNTEERS,
    BroadcastRepository,
)
from bot.db.interests import InterestRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.store import Store
from tests.factories import add_activity, add_residents

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, [1, 2, 3], NOW, "da")
    await add_residents(store, [4, 5], NOW, "ar")
    await add_residents(store, [6], NOW, "en")
    residents = ResidentRepository(store)
    await residents.set_blocked(3, True)  # blocked: never reached
    await residents.set_subscribed(2, False)  # no announcements, thanks
    await residents.set_language(7, 7, "da", NOW)  # has not consented: never reached
    yield store
    await store.close()


async def _ids(repo: BroadcastRepository, audience: str) -> list[int]:
    return sorted(user for user, _, _ in await repo.audience(audience))


async def test_audiences(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    assert await _ids(repo, SUBSCRIBERS) == [1, 4, 5, 6]
    assert await _ids(repo, LANGUAGE_PREFIX + "ar") == [4, 5]
    assert await _ids(repo, LANGUAGE_PREFIX + "da") == [1]
    assert await repo.count_audience(SUBSCRIBERS) == 4
    activity = await add_activity(store, NOW, capacity=1)
    signups = SignupRepository(store)
    await signups.sign_up(activity, 2, 1, 0, NOW, waitlist=False)  # unsubscribed but signed up
    await signups.sign_up(activity, 5, 1, 0, NOW, waitlist=True)
    await signups.sign_up(activity, 3, 1, 0, NOW, waitlist=True)  # blocked
    assert await _ids(repo, f"{ACTIVITY_PREFIX}{activity}") == [2, 5]
    with pytest.raises(ValueError, match="unknown audience"):
        await repo.count_audience("everyone-ever")


async def test_interests_decide_who_hears_of_a_new_activity(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    interests = InterestRepository(store)
    await interests.toggle(4, "delaftale", "employment")  # only employment
    await interests.toggle(5, "area", "Ellekonebakken")  # only another area
    await interests.toggle(6, "delaftale", "education")
    await interests.toggle(6, "area", "Houlkær")
    activity = await add_activity(store, NOW, delaftale="education", area="Houlkær")
    assert await _ids(repo, f"{INTERESTED_PREFIX}{activity}") == [1, 6]


async def test_start_writes_one_delivery_each_and_is_idempotent(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    broadcast = await repo.create(
        kind="message", audience=SUBSCRIBERS, send_at=NOW, now=NOW, texts={"da": "Hej"}
    )
    assert broadcast is not None
    assert await repo.start(broadcast, NOW) == 4
    assert await repo.start(broadcast, NOW) == 0  # already sending: nobody twice
    rows = await store.fetch_all(
        "SELECT user_id, language, status FROM deliveries ORDER BY user_id"
    )
    assert [tuple(r) for r in rows] == [
        (1, "da", "pending"),
        (4, "ar", "pending"),
        (5, "ar", "pending"),
        (6, "en", "pending"),
    ]
    fetched = await repo.get(broadcast)
    assert fetched is not None
    assert fetched.status == "sending"


async def test_claim_settle_recover_and_finish(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    broadcast = await repo.create(
        kind="message", audience=SUBSCRIBERS, send_at=NOW, now=NOW, texts={"da": "Hej"}
    )
    assert broadcast is not None
    await repo.start(broadcast, NOW)
    first, second, third, fourth = await repo.next_pending(10)
    assert await repo.claim(first.id, NOW)
    assert not await repo.claim(first.id, NOW)  # claimed once only
    await repo.settle(first.id, "sent", NOW)
    assert await repo.claim(second.id, NOW)  # in flight when the process dies
    assert await repo.claim(third.id, NOW)
    await repo.settle(third.id, "blocked", NOW, "forbidden")
    assert await repo.recover(NOW) == 1
    assert [d.id for d in await repo.next_pending(10)] == [fourth.id]
    assert await repo.finish_completed(NOW) == []
    assert await repo.claim(fourth.id, NOW)
    await repo.settle(fourth.id, "failed", NOW, "Bad Request: x")
    assert await repo.finish_completed(NOW) == [broadcast]
    assert await repo.counts(broadcast) == {
        "pending": 0,
        "sending": 0,
        "sent": 1,
        "blocked": 1,
        "failed": 1,
        "uncertain": 1,
    }


async def test_scheduled_broadcasts_can_be_cancelled(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    later = NOW + timedelta(days=1)
    broadcast = await repo.create(
        kind="message", audience=SUBSCRIBERS, send_at=later, now=NOW, texts={"da": "Snart"}
    )
    assert broadcast is not None
    assert [b.id for b in await repo.scheduled()] == [broadcast]
    assert await repo.due(NOW) == []
    assert [b.id for b in await repo.due(later)] == [broadcast]
    assert await repo.cancel(broadcast)
    assert not await repo.cancel(broadcast)
    assert await repo.start(broadcast, later) == 0
    assert await repo.scheduled() == []


async def test_one_digest_a_week(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    first = await repo.create(
        kind="digest", audience="digest", send_at=NOW, now=NOW, digest_week="2030-W10"
    )
    again = await repo.create(
        kind="digest", audience="digest", send_at=NOW, now=NOW, digest_week="2030-W10"
    )
    assert first is not None
    assert again is None


async def test_erasing_a_resident_removes_their_deliveries(store: Store) -> None:
    repo = BroadcastRepository(store, "da")
    broadcast = await repo.create(
        kind="message", audience=SUBSCRIBERS, send_at=NOW, now=NOW, texts={"da": "Hej"}
    )
    assert broadcast is not None
    await repo.start(broadcast, NOW)
    # Resident 1's message went out; 4's is still pending.
    [delivered] = await store.fetch_all("SELECT id FROM deliveries WHERE user_id = 1")
    await repo.settle(delivered[0], "sent", NOW)
    counts = await repo.counts(broadcast)
    await ResidentRepository(store).forget(1, NOW)
    await ResidentRepository(store).forget(4, NOW)
    rows = await store.fetch_all("SELECT user_id FROM deliveries ORDER BY user_id")
    assert [row[0] for row in rows] == [5, 6]
    # The message that went out still counts (anonymously); the pending one is gone.
    assert await repo.counts(broadcast) == {**counts, "pending": counts["pending"] - 1}
    rows = await store.fetch_all("SELECT * FROM erased_deliveries")
    assert [tuple(row) for row in rows] == [(broadcast, "sent", 1)]


async def test_news_of_a_signup_reaches_those_on_an_older_notice(store: Store) -> None:
    """Announcements wait for the updated notice; a cancelled activity must not."""
    from bot.db.residents import PRIVACY_NOTICE_VERSION
    from bot.db.volunteers import OfferDraft, VolunteerRepository

    activity = await add_activity(store, NOW)
    await SignupRepository(store).sign_up(activity, 1, 1, 0, NOW, waitlist=False)
    await VolunteerRepository(store).save(1, OfferDraft(("homework",), ("evenings",)), NOW)
    async with store.transaction() as db:
        await db.execute(
            "UPDATE residents SET consent_version = ? WHERE user_id = 1",
            (PRIVACY_NOTICE_VERSION - 1,),
        )
    repo = BroadcastRepository(store, "da")
    assert 1 not in await _ids(repo, SUBSCRIBERS)
    assert await _ids(repo, f"{ACTIVITY_PREFIX}{activity}") == [1]
    assert await _ids(repo, VOLUNTEERS) == [1]

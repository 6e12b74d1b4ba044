"""Feedback on a real SQLite file: unlinked by default, the post-activity question, its jobs."""

import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.config import Config, ConfigError
from bot.db.activities import ActivityRepository
from bot.db.feedback import FeedbackRepository, RateOutcome
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.store import Store
from bot.work.feedback_questions import CATCH_UP, desired_jobs, job_name
from tests.factories import add_activity, add_residents

NOW = datetime(2030, 3, 4, 22, 30, tzinfo=UTC)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, list(range(1, 11)), NOW - timedelta(days=5))
    yield store
    await store.close()


async def past_activity(store: Store, **changes: object) -> int:
    """An activity that ended an hour ago."""
    created = NOW - timedelta(days=3)
    values: dict[str, object] = {
        "starts_at": NOW - timedelta(hours=3),
        "ends_at": NOW - timedelta(hours=1),
    }
    values.update(changes)
    return await add_activity(store, created, **values)


async def sign_up(
    store: Store, activity_id: int, user_id: int, at: datetime = NOW - timedelta(days=3)
) -> int:
    result = await SignupRepository(store).sign_up(activity_id, user_id, 1, 0, at, waitlist=False)
    assert result.signup is not None
    return result.signup.id


async def test_unlinked_feedback_keeps_only_the_date(store: Store) -> None:
    feedback = FeedbackRepository(store)
    feedback_id = await feedback.add(subject="nabo", now=NOW, user_id=None, rating=2, text="Hm")
    saved = await feedback.get(feedback_id)
    assert saved is not None
    assert not saved.is_linked
    assert saved.user_id is None
    assert DATE.match(saved.created_at)
    assert saved.created_at == "2030-03-04"
    [row] = await store.fetch_all("SELECT * FROM feedback")
    assert 1 not in tuple(row)[1:]  # no resident id anywhere in the row


async def test_linked_feedback_keeps_the_resident_and_time(store: Store) -> None:
    feedback = FeedbackRepository(store)
    feedback_id = await feedback.add(subject="area", now=NOW, user_id=3, text="Flere bænke")
    saved = await feedback.get(feedback_id)
    assert saved is not None
    assert saved.is_linked
    assert saved.user_id == 3
    assert saved.created_at == "2030-03-04T22:30:00+00:00"
    assert await feedback.linked_count(3) == 1
    assert await feedback.linked_count(4) == 0


async def test_the_database_refuses_unlinked_rows_with_a_time_or_nothing_said(
    store: Store,
) -> None:
    for values in (
        "(NULL, 'nabo', 3, NULL, '2030-03-04T22:30:00+00:00')",
        "(NULL, 'nabo', NULL, NULL, '2030-03-04')",
        "(NULL, 'weather', 3, NULL, '2030-03-04')",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            async with store.transaction() as db:
                await db.execute(
                    "INSERT INTO feedback (user_id, subject, rating, text, created_at)"
                    f" VALUES {values}"
                )


async def test_the_question_goes_to_confirmed_residents_not_blocked(store: Store) -> None:
    activity = await past_activity(store, capacity=2)
    confirmed = await sign_up(store, activity, 1)
    blocked = await sign_up(store, activity, 2)
    await ResidentRepository(store).set_blocked(2, True)
    waitlisted = await sign_up(store, activity, 3)  # full: on the waitlist
    feedback = FeedbackRepository(store)
    targets = await feedback.question_targets(activity)
    assert [t.signup.id for t in targets] == [confirmed]
    assert (targets[0].chat_id, targets[0].language) == (1, "da")
    assert blocked != waitlisted
    assert [a.id for a in await feedback.owing_questions(NOW - timedelta(days=1))] == [activity]
    # Claimed before sending: once only; after a failed send it is owed again.
    token = await feedback.claim_question(confirmed, activity, NOW)
    assert token is not None
    assert await feedback.claim_question(confirmed, activity, NOW) is None
    assert await feedback.question_targets(activity) == []
    assert await feedback.owing_questions(NOW - timedelta(days=1)) == []
    await feedback.unclaim_question(confirmed, token)
    assert [t.signup.id for t in await feedback.question_targets(activity)] == [confirmed]


async def test_where_attendance_was_taken_only_those_who_came(store: Store) -> None:
    activity = await past_activity(store)
    came, stayed_away, not_marked = [await sign_up(store, activity, u) for u in (1, 2, 3)]
    signups = SignupRepository(store)
    await signups.set_attended(came, activity, True, now=NOW)
    await signups.set_attended(stayed_away, activity, False, now=NOW)
    targets = await FeedbackRepository(store).question_targets(activity)
    assert [t.signup.id for t in targets] == [came]
    assert not_marked not in [t.signup.id for t in targets]


async def test_no_question_for_a_cancelled_activity(store: Store) -> None:
    activity = await past_activity(store)
    signup = await sign_up(store, activity, 1)
    feedback = FeedbackRepository(store)
    token = await feedback.claim_question(signup, activity, NOW)
    assert token is not None
    await ActivityRepository(store).cancel(activity)
    assert await feedback.question_targets(activity) == []
    assert await feedback.owing_questions(NOW - timedelta(days=1)) == []
    rated = await feedback.rate_after_activity(token, 5, NOW)
    assert rated.outcome is RateOutcome.NOT_FOUND
    assert await store.fetch_all("SELECT * FROM feedback") == []


async def test_a_rating_counts_once_and_cannot_be_traced(store: Store) -> None:
    activity = await past_activity(store)
    signup = await sign_up(store, activity, 1)
    feedback = FeedbackRepository(store)
    # Never issued, or not a face: nothing is recorded.
    assert (await feedback.rate_after_activity("0123456789abcdef", 4, NOW)).outcome is (
        RateOutcome.ALREADY
    )
    token = await feedback.claim_question(signup, activity, NOW)
    assert token is not None
    assert (await feedback.rate_after_activity(token, 6, NOW)).outcome is RateOutcome.NOT_FOUND
    first = await feedback.rate_after_activity(token, 4, NOW)
    assert first.outcome is RateOutcome.SAVED
    assert first.activity_id == activity
    second = await feedback.rate_after_activity(token, 1, NOW)
    assert second.outcome is RateOutcome.ALREADY
    rows = await store.fetch_all("SELECT user_id, subject, activity_id, rating FROM feedback")
    assert [tuple(row) for row in rows] == [(None, "activity", activity, 4)]
    # Nothing left that says which sign-up answered: only that it was asked.
    assert await store.fetch_all("SELECT * FROM feedback_tokens") == []
    columns = [row[1] for row in await store.fetch_all("PRAGMA table_info(feedback_requests)")]
    assert columns == ["signup_id", "sent_at"]
    # An answered question is never freed for a resend.
    await feedback.unclaim_question(signup, token)
    assert await feedback.claim_question(signup, activity, NOW) is None


async def test_a_comment_is_linked_only_when_chosen(store: Store) -> None:
    activity = await past_activity(store)
    feedback = FeedbackRepository(store)
    signups = [await sign_up(store, activity, user) for user in (1, 2)]
    ids = []
    for signup in signups:
        token = await feedback.claim_question(signup, activity, NOW)
        assert token is not None
        result = await feedback.rate_after_activity(token, 3, NOW)
        assert result.feedback_id is not None
        ids.append(result.feedback_id)
    unlinked = await feedback.add_comment(ids[0], "God kaffe", NOW, link_to=None)
    assert unlinked is not None
    assert (unlinked.user_id, unlinked.text, unlinked.created_at) == (
        None,
        "God kaffe",
        "2030-03-04",
    )
    linked = await feedback.add_comment(ids[1], "For koldt", NOW, link_to=2)
    assert linked is not None
    assert (linked.user_id, linked.created_at) == (2, "2030-03-04T22:30:00+00:00")
    # One comment per rating.
    assert await feedback.add_comment(ids[0], "Igen", NOW, link_to=None) is None


async def test_activities_taken_part_in(store: Store) -> None:
    feedback = FeedbackRepository(store)
    recent = await past_activity(store)
    old = await past_activity(
        store, starts_at=NOW - timedelta(days=90), ends_at=NOW - timedelta(days=90, hours=-1)
    )
    coming = await add_activity(store, NOW)
    stayed_away = await past_activity(store)
    for activity in (recent, coming, stayed_away):
        await sign_up(store, activity, 1)
    await sign_up(store, old, 1, at=NOW - timedelta(days=100))
    signup = await SignupRepository(store).active_for(stayed_away, 1)
    assert signup is not None
    await SignupRepository(store).set_attended(signup.id, stayed_away, False, now=NOW)
    assert [a.id for a in await feedback.taken_part(1, NOW)] == [recent]
    assert await feedback.took_part(1, recent, NOW)
    for activity in (old, coming, stayed_away):
        assert not await feedback.took_part(1, activity, NOW)
    assert not await feedback.took_part(2, recent, NOW)


async def test_feedback_jobs_wait_for_the_delay_and_stop_catching_up(store: Store) -> None:
    activities = ActivityRepository(store)
    ids = [
        await add_activity(store, NOW, starts_at=end - timedelta(hours=1), ends_at=end)
        for end in (
            NOW + timedelta(hours=2),  # due in 4 hours
            NOW - timedelta(hours=3),  # due an hour ago: asked at once
            NOW - CATCH_UP - timedelta(hours=3),  # due too long ago
        )
    ]
    listed = [await activities.get(activity_id) for activity_id in ids]
    jobs = desired_jobs([a for a in listed if a is not None], timedelta(hours=2), NOW)
    assert jobs == {
        job_name(ids[0]): (ids[0], timedelta(hours=4)),
        job_name(ids[1]): (ids[1], timedelta(0)),
    }


def test_feedback_delay_setting() -> None:
    assert Config.from_env({}).feedback_delay == timedelta(hours=2)
    assert Config.from_env({"FEEDBACK_DELAY": "90m"}).feedback_delay == timedelta(minutes=90)
    assert Config.from_env({"FEEDBACK_DELAY": "1d"}).feedback_delay == timedelta(days=1)
    for bad in ("soon", "0h", "2h,3h"):
        with pytest.raises(ConfigError, match=r"^FEEDBACK_DELAY: "):
            Config.from_env({"FEEDBACK_DELAY": bad})

"""Translation requests on a real SQLite file: taking, sending, deciding, and erasure."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.activities import ActivityRepository
from bot.db.residents import ResidentRepository
from bot.db.store import Store
from bot.db.translations import TranslationRepository
from tests.factories import add_activity, add_residents

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
STAFF, AMIRA, OMAR = 900, 1, 2
DANISH = "Husk fællesspisning i Houlkær i aften kl. 18."


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, [STAFF, AMIRA, OMAR], NOW)
    yield store
    await store.close()


async def draft(repo: TranslationRepository, languages: tuple[str, ...] = ("ar",)) -> list[int]:
    _, ids = await repo.save_draft(
        staff_user_id=STAFF,
        texts={"da": DANISH},
        audience="subscribers",
        send_at=None,
        needed_by={language: NOW + timedelta(hours=3) for language in languages},
        now=NOW,
    )
    return ids


async def test_only_one_of_two_volunteers_takes_a_request(store: Store) -> None:
    repo = TranslationRepository(store)
    [request_id] = await draft(repo)
    won = await asyncio.gather(
        repo.claim(request_id, AMIRA, NOW), repo.claim(request_id, OMAR, NOW)
    )
    assert sorted(won) == [False, True]
    request = await repo.get(request_id)
    assert request is not None
    winner = AMIRA if won[0] else OMAR
    assert (request.status, request.translator_id) == ("claimed", winner)
    loser = OMAR if winner == AMIRA else AMIRA
    # The other can neither write nor send it.
    assert not await repo.save_part(request_id, loser, "text", "مرحبا")
    assert await repo.deliver(request_id, loser, NOW) is None


async def test_sending_needs_every_part_and_two_sends_give_one_text(store: Store) -> None:
    repo = TranslationRepository(store)
    activity = await add_activity(store, NOW)
    request_id = await repo.ask_for_activity(
        activity,
        "ar",
        staff_user_id=STAFF,
        needed_by=NOW + timedelta(days=1),
        now=NOW,
        title_source="Lektiecafé",
        text_source="Vi hjælper med lektierne.",
    )
    assert await repo.claim(request_id, AMIRA, NOW)
    request = await repo.get(request_id)
    assert request is not None
    assert (request.parts, request.next_part) == (("title", "text"), "title")
    assert await repo.save_part(request_id, AMIRA, "title", "مقهى الواجبات")
    assert await repo.deliver(request_id, AMIRA, NOW) is None  # the description is missing
    assert await repo.save_part(request_id, AMIRA, "text", "نساعد في الواجبات.")
    sent = await asyncio.gather(*(repo.deliver(request_id, AMIRA, NOW) for _ in range(2)))
    assert [result is not None for result in sent].count(True) == 1
    # Staff use it: it goes to the activity, and leaves the request.
    decided = await repo.accept(request_id, NOW)
    assert decided is not None
    assert decided.applied
    assert await repo.accept(request_id, NOW) is None  # decided once
    changed = await ActivityRepository(store).get(activity)
    assert changed is not None
    assert (changed.title_ar, changed.description_ar) == ("مقهى الواجبات", "نساعد في الواجبات.")
    after = await repo.get(request_id)
    assert after is not None
    assert (after.status, after.title, after.text, after.translator_id) == (
        "accepted",
        None,
        None,
        AMIRA,
    )


async def test_a_translation_for_a_cancelled_activity_is_not_used(store: Store) -> None:
    repo = TranslationRepository(store)
    activities = ActivityRepository(store)
    activity = await add_activity(store, NOW, title_ar=None)
    request_id = await repo.ask_for_activity(
        activity,
        "ar",
        staff_user_id=STAFF,
        needed_by=NOW + timedelta(days=1),
        now=NOW,
        title_source="Lektiecafé",
        text_source=None,
    )
    await repo.claim(request_id, AMIRA, NOW)
    await repo.save_part(request_id, AMIRA, "title", "مقهى")
    await repo.deliver(request_id, AMIRA, NOW)
    await activities.cancel(activity)
    decided = await repo.accept(request_id, NOW)
    assert decided is not None
    assert not decided.applied
    cancelled = await activities.get(activity)
    assert cancelled is not None
    assert cancelled.title_ar is None
    request = await repo.get(request_id)
    assert request is not None
    assert request.status == "cancelled"


async def test_a_claim_kept_too_long_goes_back_with_what_was_written(store: Store) -> None:
    repo = TranslationRepository(store)
    [request_id] = await draft(repo)
    await repo.claim(request_id, AMIRA, NOW)
    await repo.save_part(request_id, AMIRA, "text", "مرحبا")
    # Not yet: taken after the moment asked about.
    assert await repo.release(request_id, claimed_before=NOW - timedelta(seconds=1)) is None
    released = await repo.release(request_id, claimed_before=NOW)
    assert released is not None
    assert released.translator_id == AMIRA
    request = await repo.get(request_id)
    assert request is not None
    assert (request.status, request.translator_id, request.text) == ("open", None, None)
    assert not await repo.save_part(request_id, AMIRA, "text", "مرحبا")  # too late now
    assert await repo.claim(request_id, OMAR, NOW)


async def test_rejected_then_asked_again_without_the_same_volunteer(store: Store) -> None:
    repo = TranslationRepository(store)
    [request_id] = await draft(repo)
    await repo.claim(request_id, AMIRA, NOW)
    await repo.save_part(request_id, AMIRA, "text", "نص")
    await repo.deliver(request_id, AMIRA, NOW)
    assert await repo.reject(request_id, NOW) is not None
    assert await repo.reject(request_id, NOW) is None
    new_id = await repo.ask_again(request_id, NOW, NOW + timedelta(days=1))
    assert new_id is not None
    assert await repo.ask_again(request_id, NOW, NOW + timedelta(days=1)) is None
    [left_out] = await repo.asks(new_id)
    assert (left_out.user_id, left_out.message_id, left_out.asked) == (AMIRA, None, False)
    assert not await repo.claim_ask(new_id, AMIRA, AMIRA)  # nor asked later
    old = await repo.get(request_id)
    assert old is not None
    assert (old.status, old.text) == ("retried", None)


async def test_a_draft_is_sent_only_when_nothing_waits(store: Store) -> None:
    repo = TranslationRepository(store)
    ar, en = await draft(repo, ("ar", "en"))
    request = await repo.get(ar)
    assert request is not None
    draft_id = request.draft_id
    assert draft_id is not None
    assert await repo.send_draft(draft_id, NOW, STAFF) is None
    await repo.claim(ar, AMIRA, NOW)
    await repo.save_part(ar, AMIRA, "text", "تذكير بالعشاء المشترك في Houlkær")
    await repo.deliver(ar, AMIRA, NOW)
    await repo.accept(ar, NOW)
    assert not await repo.draft_is_ready(draft_id)
    # Nobody translated the English in time; staff send it with the Danish.
    assert await repo.mark_overdue(en, NOW) is None  # not due yet
    later = NOW + timedelta(hours=3)
    overdue = await repo.mark_overdue(en, later)
    assert overdue is not None
    assert await repo.mark_overdue(en, later) is None  # staff are told once
    assert await repo.wait_longer(en, later + timedelta(days=1))
    assert await repo.mark_overdue(en, later) is None  # waiting longer
    decided = await repo.decide(en, "danish", later)
    assert decided is not None
    assert await repo.decide(en, "written", later, text="x") is None  # decided already
    assert await repo.draft_is_ready(draft_id)
    sent = await repo.send_draft(draft_id, later, STAFF)
    assert sent is not None
    broadcast_id, send_at = sent
    assert send_at == later
    assert await repo.get_draft(draft_id) is None
    assert await repo.send_draft(draft_id, later, STAFF) is None  # sent once
    async with (
        store.transaction() as db,
        db.execute(
            "SELECT text_da, text_ar, text_en, status FROM broadcasts WHERE id = ?",
            (broadcast_id,),
        ) as cursor,
    ):
        row = await cursor.fetchone()
    assert tuple(row) == (DANISH, "تذكير بالعشاء المشترك في Houlkær", None, "scheduled")


async def test_an_activity_is_announced_once_after_its_last_translation(store: Store) -> None:
    repo = TranslationRepository(store)
    activity = await add_activity(store, NOW)
    ids = [
        await repo.ask_for_activity(
            activity,
            language,
            staff_user_id=STAFF,
            needed_by=NOW + timedelta(days=1),
            now=NOW,
            title_source="Lektiecafé",
            text_source=None,
            announce=True,
        )
        for language in ("ar", "en")
    ]
    await repo.decide(ids[0], "danish", NOW)
    assert await repo.finish_announcement(activity, NOW) is None  # English still waits
    await repo.decide(ids[1], "written", NOW, title="Homework café")
    results = await asyncio.gather(*(repo.finish_announcement(activity, NOW) for _ in range(2)))
    [announcement] = [result for result in results if result is not None]
    assert results.count(None) == 1
    # Stored with the end of the wait, to start now; its report to the staff member.
    assert [
        tuple(row)
        for row in await store.fetch_all(
            "SELECT id, kind, audience, activity_id, staff_user_id, status, progress_chat_id"
            " FROM broadcasts"
        )
    ] == [
        (
            announcement,
            "announcement",
            f"interested:{activity}",
            activity,
            STAFF,
            "scheduled",
            STAFF,
        )
    ]


async def test_no_announcement_once_the_activity_has_started(store: Store) -> None:
    repo = TranslationRepository(store)
    activity = await add_activity(store, NOW)
    [starts_at] = await store.fetch_one("SELECT starts_at FROM activities") or [None]
    request_id = await repo.ask_for_activity(
        activity,
        "ar",
        staff_user_id=STAFF,
        needed_by=NOW + timedelta(hours=3),
        now=NOW,
        title_source="Lektiecafé",
        text_source=None,
        announce=True,
    )
    await repo.decide(request_id, "danish", NOW)
    late = datetime.fromisoformat(starts_at)
    assert await repo.finish_announcement(activity, late) is None
    assert await store.fetch_all("SELECT id FROM broadcasts") == []


async def test_the_database_keeps_no_text_once_decided(store: Store) -> None:
    repo = TranslationRepository(store)
    [request_id] = await draft(repo)
    await repo.decide(request_id, "danish", NOW)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as db:
            await db.execute(
                "UPDATE translation_requests SET text = 'x' WHERE id = ?", (request_id,)
            )


async def test_erasing_a_volunteer_gives_their_work_back(store: Store) -> None:
    repo = TranslationRepository(store)
    held, sent, done = await draft(repo), await draft(repo), await draft(repo)
    for [request_id] in (held, sent, done):
        await repo.claim(request_id, AMIRA, NOW)
        await repo.save_part(request_id, AMIRA, "text", "نص")
        assert await repo.claim_ask(request_id, AMIRA, AMIRA)
        await repo.record_ask(request_id, AMIRA, 77)
    await repo.deliver(sent[0], AMIRA, NOW)
    await repo.deliver(done[0], AMIRA, NOW)
    await repo.accept(done[0], NOW)
    await ResidentRepository(store).forget(AMIRA, NOW)
    for [request_id], status in ((held, "open"), (sent, "open"), (done, "accepted")):
        request = await repo.get(request_id)
        assert request is not None
        assert (request.status, request.translator_id, request.text) == (status, None, None)
        assert await repo.asks(request_id) == []


async def test_erasing_the_staff_member_drops_their_waiting_message(store: Store) -> None:
    repo = TranslationRepository(store)
    [request_id] = await draft(repo)
    request = await repo.get(request_id)
    assert request is not None
    await ResidentRepository(store).forget(STAFF, NOW)
    after = await repo.get(request_id)
    assert after is not None
    assert (after.status, after.staff_user_id, after.draft_id) == ("cancelled", None, None)
    assert request.draft_id is not None
    assert await repo.get_draft(request.draft_id) is None


async def test_retention_forgets_who_was_asked_and_what_nobody_decided(store: Store) -> None:
    repo = TranslationRepository(store)
    [decided] = await draft(repo)
    [forgotten] = await draft(repo)
    for request_id in (decided, forgotten):
        assert await repo.claim_ask(request_id, AMIRA, AMIRA)
        await repo.record_ask(request_id, AMIRA, 70)
    await repo.claim(forgotten, AMIRA, NOW)
    await repo.save_part(forgotten, AMIRA, "text", "نص")
    await repo.deliver(forgotten, AMIRA, NOW)  # and staff never decide
    await repo.decide(decided, "danish", NOW)
    keep_asks, keep_waiting = timedelta(days=30), timedelta(days=90)
    # A month on: the asks of the decided one go; the other still waits.
    later = NOW + timedelta(days=30)
    assert await repo.expire(later, keep_asks, keep_waiting) == (1, 0)
    assert await repo.asks(decided) == []
    assert len(await repo.asks(forgotten)) == 1
    # Three months after it was needed, the undecided one is cancelled with its text.
    later = NOW + timedelta(hours=3, days=90)
    assert await repo.expire(later, keep_asks, keep_waiting) == (0, 1)
    request = await repo.get(forgotten)
    assert request is not None
    assert (request.status, request.text) == ("cancelled", None)
    assert await repo.expire(later + keep_asks, keep_asks, keep_waiting) == (1, 0)

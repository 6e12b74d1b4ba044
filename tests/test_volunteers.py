"""Volunteer offers on a real SQLite file: saving, changing, withdrawing, erasure, audiences."""

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import Catalogs
from bot.db.broadcasts import VOLUNTEERS, BroadcastRepository
from bot.db.feedback import FeedbackRepository
from bot.db.residents import ResidentRepository
from bot.db.store import Store
from bot.db.volunteers import OfferDraft, VolunteerRepository, has_phone_number
from bot.views.volunteer import staff_card_text, staff_overview
from tests.factories import add_residents

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, list(range(1, 11)), NOW)
    yield store
    await store.close()


def offer(**changes: object) -> OfferDraft:
    values: dict[str, object] = {
        "kinds": ("digital", "homework", "other"),
        "times": ("weekends", "evenings"),
        "contact": "phone",
        "phone": "4512345678",
        "other_help": "Cykelreparation",
        "note": "Jeg taler også tyrkisk.",
    }
    values.update(changes)
    return OfferDraft(**values)  # type: ignore[arg-type]


async def test_a_new_offer_is_stored_in_display_order(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    result = await volunteers.save(1, offer(), NOW)
    assert result.is_new
    assert result.previous_staff_message_id is None
    saved = result.offer
    assert saved.kinds == ("homework", "digital", "other")
    assert saved.times == ("evenings", "weekends")
    assert (saved.contact, saved.phone) == ("phone", "4512345678")
    assert saved.other_help == "Cykelreparation"
    assert saved.status == "new"
    assert saved.created_at == saved.updated_at == NOW
    assert await volunteers.get_for(1) == saved
    assert await volunteers.get(saved.id) == saved


@pytest.mark.parametrize(
    "changes",
    [
        {"kinds": ()},
        {"kinds": ("juggling",)},
        {"times": ()},
        {"contact": "nabo"},  # a phone number without choosing the phone
        {"phone": None},  # the phone chosen without a shared number
        {"kinds": ("homework",)},  # words for "something else" without choosing it
        {"other_help": "x" * 101},
        {"note": "x" * 501},
        {"note": ""},
        # Translating or interpreting needs two languages to go between; nothing else any.
        {"kinds": ("translation",), "other_help": None, "languages": ("ar",)},
        {"kinds": ("interpreting",), "other_help": None, "languages": ()},
        {"kinds": ("translation",), "other_help": None, "languages": ("da", "xx")},
        {"kinds": ("homework",), "other_help": None, "languages": ("da", "ar")},
    ],
)
async def test_an_invalid_offer_is_refused(store: Store, changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="invalid offer"):
        await VolunteerRepository(store).save(2, offer(**changes), NOW)
    assert await VolunteerRepository(store).get_for(2) is None


async def test_limits_count_characters_not_bytes(store: Store) -> None:
    note = "🙂" * 500  # 1000 UTF-16 units, 2000 bytes, 500 characters
    saved = await VolunteerRepository(store).save(3, offer(note=note, other_help="ب" * 100), NOW)
    assert saved.offer.note == note


async def test_a_change_keeps_the_status_staff_gave(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    first = (await volunteers.save(4, offer(), NOW)).offer
    await volunteers.set_staff_message(first.id, 77)
    await volunteers.set_status(first.id, "active", NOW)
    later = NOW + timedelta(days=1)
    result = await volunteers.save(
        4, offer(contact="nabo", phone=None, kinds=("sport",), other_help=None), later
    )
    assert not result.is_new
    assert result.previous_staff_message_id == 77
    changed = result.offer
    assert changed.id == first.id
    assert changed.status == "active"
    assert (changed.contact, changed.phone, changed.kinds) == ("nabo", None, ("sport",))
    assert changed.created_at == NOW
    assert changed.updated_at == later


async def test_withdrawing_keeps_no_contact_details(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    first = (await volunteers.save(5, offer(), NOW)).offer
    withdrawn = await volunteers.withdraw(5, NOW + timedelta(hours=1))
    assert withdrawn is not None
    assert withdrawn.id == first.id
    assert withdrawn.status == "withdrawn"
    assert (withdrawn.phone, withdrawn.note, withdrawn.other_help) == (None, None, None)
    assert not withdrawn.is_open
    row = await store.fetch_one("SELECT phone, note, other_help FROM volunteer_offers")
    assert tuple(row) == (None, None, None)
    assert await volunteers.withdraw(5, NOW) is None  # nothing left to withdraw
    # Staff cannot act on it any more.
    assert await volunteers.set_status(first.id, "contacted", NOW) is None
    # Offering again starts afresh.
    again = await volunteers.save(5, offer(contact="nabo", phone=None), NOW + timedelta(days=2))
    assert again.is_new
    assert again.offer.status == "new"
    assert again.offer.created_at == NOW + timedelta(days=2)


async def test_the_database_refuses_a_withdrawn_offer_with_a_phone(store: Store) -> None:
    await VolunteerRepository(store).save(6, offer(), NOW)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as db:
            await db.execute("UPDATE volunteer_offers SET status = 'withdrawn'")


async def test_staff_can_set_only_their_statuses(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    saved = (await volunteers.save(7, offer(), NOW)).offer
    for status in ("contacted", "active", "not_now"):
        changed = await volunteers.set_status(saved.id, status, NOW)
        assert changed is not None
        assert changed.status == status
    for status in ("new", "withdrawn", "gone"):
        with pytest.raises(ValueError, match="staff cannot"):
            await volunteers.set_status(saved.id, status, NOW)
    assert await volunteers.set_status(999, "active", NOW) is None


async def test_forget_erases_the_offer_and_unlinks_feedback(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    feedback = FeedbackRepository(store)
    await volunteers.save(8, offer(), NOW)
    linked = await feedback.add(subject="nabo", now=NOW, user_id=8, rating=4, text="Fint")
    unlinked = await feedback.add(subject="area", now=NOW, user_id=None, text="Mere lys")
    assert (await ResidentRepository(store).forget(8, NOW)).found
    assert await volunteers.get_for(8) is None
    # The rating stays as unlinked feedback is stored (for the reports); the comment goes.
    remains = await feedback.get(linked)
    assert remains is not None
    assert (remains.user_id, remains.rating, remains.text) == (None, 4, None)
    assert remains.created_at == NOW.date().isoformat()
    # Feedback that was never linked points to nobody, so it stays.
    kept = await feedback.get(unlinked)
    assert kept is not None
    assert kept.user_id is None
    rows = await store.fetch_all("SELECT * FROM volunteer_offers")
    assert rows == []


async def test_volunteers_audience_is_those_with_an_active_offer(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    ids = {}
    for user_id in (1, 2, 3, 4, 5, 6):
        ids[user_id] = (await volunteers.save(user_id, offer(), NOW)).offer.id
    await volunteers.set_status(ids[2], "contacted", NOW)
    await volunteers.set_status(ids[3], "active", NOW)
    await volunteers.set_status(ids[4], "not_now", NOW)
    await volunteers.withdraw(5, NOW)
    await ResidentRepository(store).set_blocked(6, True)
    broadcasts = BroadcastRepository(store, "da")
    assert sorted(user for user, _, _ in await broadcasts.audience(VOLUNTEERS)) == [1, 2, 3]
    assert await broadcasts.count_audience(VOLUNTEERS) == 3


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ring på 12345678", True),
        ("+45 12 34 56 78", True),
        ("0045 1234-5678", True),
        ("Mit nummer: 12 34 56 78 efter kl. 16", True),
        ("Jeg kan tirsdag 17-19", False),
        ("Fra 12.03.2026", False),
        ("1234 567", False),
        ("٣ أطفال", False),
    ],
)
def test_typed_phone_numbers_are_recognised(text: str, found: bool) -> None:
    assert has_phone_number(text) is found


async def test_staff_overview_by_status_and_kind_fits_a_message(store: Store) -> None:
    tr = Catalogs(ZoneInfo("Europe/Copenhagen")).translator("en")
    volunteers = VolunteerRepository(store)
    for user_id in range(1, 11):
        await volunteers.save(user_id, offer(note="n" * 500), NOW)
    await volunteers.withdraw(10, NOW)
    text, keyboard = staff_overview(tr, await volunteers.all())
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "New: #9, #8, #7, #6, #5, #4, #3, #2, #1" in text
    assert "Withdrawn: 1" in text
    assert "Homework help: #9, #8" in text
    assert "Sport and outdoor activities: –" in text
    assert keyboard is not None
    assert [b.text for row in keyboard.inline_keyboard for b in row][:2] == ["#9", "#8"]
    # No phone numbers or notes in the list; the staff's card has them.
    assert "4512345678" not in text
    card = staff_card_text(tr, (await volunteers.all())[1], "ar", "new")
    assert "+4512345678" in card
    assert "Language: العربية" in card


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Ring på 12345678", True),
        ("ring 12 34 56 78 efter kl. 16", True),
        ("+45 2345 6789", True),
        ("0045 23456789", True),
        ("Vi ses 12-05-2024 kl. 17", False),
        ("sæsonen 2024-2025", False),
        ("den 12.05.2024", False),
        ("20000 kr. og 5 børn", False),
        ("أنا متاح بعد الساعة 5 🙂", False),
    ],
)
def test_typed_phone_numbers_are_found_but_dates_pass(text: str, phone: bool) -> None:
    assert has_phone_number(text) is phone


async def test_a_translator_says_which_languages(store: Store) -> None:
    volunteers = VolunteerRepository(store)
    draft = offer(kinds=("translation", "interpreting"), other_help=None, languages=("ar", "da"))
    saved = (await volunteers.save(1, draft, NOW)).offer
    assert saved.kinds == ("interpreting", "translation")
    assert saved.languages == ("da", "ar")  # in Nabo's order of languages
    assert saved.draft() == OfferDraft(
        ("interpreting", "translation"),
        ("evenings", "weekends"),
        "phone",
        "4512345678",
        None,
        "Jeg taler også tyrkisk.",
        ("da", "ar"),
    )
    # Withdrawn, the offer keeps what it was about but no contact details.
    withdrawn = await volunteers.withdraw(1, NOW)
    assert withdrawn is not None
    assert withdrawn.languages == ("da", "ar")


async def test_translators_are_active_reachable_through_nabo_and_know_both_languages(
    store: Store,
) -> None:
    volunteers = VolunteerRepository(store)
    residents = ResidentRepository(store)
    translation = {"kinds": ("translation",), "other_help": None, "contact": "nabo", "phone": None}
    cases = {
        1: offer(**translation, languages=("da", "ar")),  # yes, for Arabic
        2: offer(**translation, languages=("da", "ar", "en")),  # yes, both
        3: offer(**translation, languages=("ar", "en")),  # no Danish: not from Danish
        4: offer(
            **{**translation, "contact": "phone", "phone": "4511111111"}, languages=("da", "ar")
        ),
        5: offer(
            kinds=("interpreting",),
            other_help=None,
            contact="nabo",
            phone=None,
            languages=("da", "ar"),
        ),  # interpreting only: speaks, does not write
        6: offer(**translation, languages=("da", "ar")),  # not active yet
        7: offer(**translation, languages=("da", "ar")),  # has blocked Nabo
        8: offer(**translation, languages=("da", "ar")),  # withdrawn
    }
    for user_id, draft in cases.items():
        saved = (await volunteers.save(user_id, draft, NOW)).offer
        if user_id != 6:
            await volunteers.set_status(saved.id, "active", NOW)
    await residents.set_blocked(7, True)
    await volunteers.withdraw(8, NOW)
    assert [t.user_id for t in await volunteers.translators("ar")] == [1, 2]
    assert [t.user_id for t in await volunteers.translators("en")] == [2]
    [first] = [t for t in await volunteers.translators("ar") if t.user_id == 1]
    assert (first.chat_id, first.language) == (1, "da")

"""The residents repository on a real SQLite file."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.migrations import MIGRATIONS
from bot.db.residents import PRIVACY_NOTICE_VERSION, ResidentRepository
from bot.db.store import Store
from tests.test_store import count_trips

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
async def residents(tmp_path: Path):  # noqa: ANN201
    store = await Store.open(tmp_path / "nabo.db")
    yield ResidentRepository(store)
    await store.close()


async def test_unknown_resident_is_none(residents: ResidentRepository) -> None:
    assert await residents.get(42) is None


async def test_language_choice_before_consent_keeps_only_that(
    residents: ResidentRepository,
) -> None:
    resident = await residents.set_language(42, 42, "ar", NOW)
    assert resident.language == "ar"
    assert resident.first_seen_at == NOW
    assert resident.consented_at is None
    assert not resident.has_consented


async def test_consent_records_time_version_and_language(
    residents: ResidentRepository,
) -> None:
    resident = await residents.consent(7, 7, "en", NOW)
    assert resident.has_consented
    assert resident.consent_version == PRIVACY_NOTICE_VERSION
    assert resident.consented_at == NOW
    assert resident.language == "en"
    assert resident.subscribed
    assert not resident.blocked


async def test_consent_keeps_an_earlier_language_choice(residents: ResidentRepository) -> None:
    await residents.set_language(7, 7, "ar", NOW)
    resident = await residents.consent(7, 7, "da", NOW)
    assert resident.language == "ar"
    assert resident.has_consented


async def test_block_and_unblock(residents: ResidentRepository) -> None:
    await residents.consent(9, 9, "da", NOW)
    assert await residents.set_blocked(9, True)
    assert not await residents.set_blocked(9, True)  # already blocked: nothing changed
    resident = await residents.get(9)
    assert resident is not None
    assert resident.blocked
    assert await residents.set_blocked(9, False)
    resident = await residents.get(9)
    assert resident is not None
    assert not resident.blocked


async def test_block_of_unknown_user_stores_nothing(residents: ResidentRepository) -> None:
    assert not await residents.set_blocked(123, True)
    assert await residents.get(123) is None


async def test_forget_removes_the_row(residents: ResidentRepository) -> None:
    await residents.consent(5, 5, "da", NOW)
    assert (await residents.forget(5, NOW)).found
    assert await residents.get(5) is None
    assert not (await residents.forget(5, NOW)).found


async def test_upgrade_counts_residents_as_seen_at_the_upgrade(tmp_path: Path) -> None:
    """Migration 6: nobody is erased for inactivity sooner than a full period after it."""
    path = tmp_path / "old.db"
    old = await Store.open(path, MIGRATIONS[:4])
    async with old.transaction() as db:  # as the released code wrote it
        await db.execute(
            "INSERT INTO residents (user_id, chat_id, language, first_seen_at, consented_at,"
            " consent_version) VALUES (7, 7, 'da', ?, ?, 2)",
            ("2020-01-01T00:00:00+00:00",) * 2,
        )
    await old.close()
    store = await Store.open(path)
    try:
        resident = await ResidentRepository(store).get(7)
        assert resident is not None
        assert resident.last_seen_at is not None
        assert resident.last_seen_at > datetime(2026, 1, 1, tzinfo=UTC)
        assert resident.retention_warned_at is None
        assert resident.first_seen_at == datetime(2020, 1, 1, tzinfo=UTC)
    finally:
        await store.close()


async def test_noting_a_visit_is_one_trip_and_clears_the_warning(
    residents: ResidentRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    await residents.consent(7, 7, "en", NOW)
    trips = count_trips(monkeypatch)
    later = NOW + timedelta(days=1)
    await residents.touch(7, later)
    # BEGIN, the update and COMMIT: once to the database's thread and back.
    assert len(trips) == 1
    resident = await residents.get(7)
    assert resident is not None
    assert resident.last_seen_at == later
    assert resident.retention_warned_at is None

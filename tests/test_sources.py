"""Sources: what each place a link is put up brings, counted so it adds up after erasure."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.db.checkins import CheckInOutcome, CheckInRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.sources import INVITE_CODE, SourceRepository, source_name
from bot.db.store import Store
from bot.offline.export import report_file
from bot.offline.periods import Period
from tests.factories import add_activity

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
Q1 = Period(date(2030, 1, 1), date(2030, 3, 31))


def sources_sheet(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path)["Kilder"]
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] is not None]


async def test_counts_per_source_survive_erasure_and_deletion(tmp_path: Path) -> None:
    database = tmp_path / "nabo.sqlite3"
    store = await Store.open(database)
    sources = SourceRepository(store)
    stairs = await sources.create("  Opslag   Houlkær opgang 12 ", NOW - timedelta(days=30))
    flyer = await sources.create("Flyer Vestervang Skole", NOW - timedelta(days=30))
    assert stairs.name == "Opslag Houlkær opgang 12"
    assert len({stairs.code, flyer.code, INVITE_CODE}) == 3
    residents, signups = ResidentRepository(store), SignupRepository(store)
    checkins = CheckInRepository(store)
    earlier = NOW - timedelta(days=3)
    # Two new residents by the stairwell poster, one by a neighbour's invitation.
    await residents.consent(1, 1, "ar", earlier, source_id=stairs.id)
    await residents.consent(2, 2, "da", earlier, source_id=stairs.id)
    invite = await sources.by_code(INVITE_CODE)
    assert invite is not None
    await residents.consent(3, 3, "en", earlier, source_id=invite.id)
    # Accepting a newer notice later is not a new resident again.
    await residents.consent(1, 1, "ar", NOW, source_id=flyer.id)
    resident = await residents.get(1)
    assert resident is not None
    assert resident.source_id == stairs.id
    # Sign-ups through the flyer's link, a check-in through the stairwell's.
    activity = await add_activity(
        store, earlier, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)
    )
    coming = await add_activity(store, NOW)
    await signups.sign_up(coming, 1, 1, 0, NOW, waitlist=False, source_id=flyer.id)
    await signups.sign_up(coming, 2, 2, 1, NOW, waitlist=False, source_id=flyer.id)
    result = await checkins.check_in(activity, 2, NOW, adults=1, children=0, source_id=stairs.id)
    assert result.outcome is CheckInOutcome.PLACED
    await checkins.anonymous_visit(activity, NOW, source_id=stairs.id)

    expected = [
        ("Flyer Vestervang Skole", flyer.code, "Nej", 0, 2, 0),
        ("Opslag Houlkær opgang 12", stairs.code, "Nej", 2, 0, 2),
        ("Invitation fra en nabo", INVITE_CODE, "Nej", 1, 0, 0),
    ]
    before = report_file(database, tmp_path / "before.xlsx", Q1, NOW, CPH)
    assert sources_sheet(tmp_path / "before.xlsx") == expected
    assert [(s.residents, s.signups, s.checkins) for s in before.report.sources] == [
        (0, 2, 0),
        (2, 0, 2),
        (1, 0, 0),
    ]
    # Erase everyone, delete the flyer's source: the counts stay the same.
    for user_id in (1, 2, 3):
        assert (await residents.forget(user_id, NOW)).found
    assert await sources.delete(flyer.code, NOW)
    assert not await sources.delete(INVITE_CODE, NOW)  # built in, stays
    report_file(database, tmp_path / "after.xlsx", Q1, NOW, CPH)
    after = sources_sheet(tmp_path / "after.xlsx")
    assert after == [(*expected[0][:2], "Ja", *expected[0][3:]), *expected[1:]]
    # No person is left in the events, and no resident points to a source.
    assert await store.fetch_all("SELECT * FROM residents") == []
    columns = [row[1] for row in await store.fetch_all("PRAGMA table_info(source_events)")]
    assert columns == ["source_id", "kind", "at"]
    # Another period counts nothing; a deleted source with nothing in it is left out.
    other = report_file(
        database, tmp_path / "q4.xlsx", Period(date(2029, 10, 1), date(2029, 12, 31)), NOW, CPH
    )
    assert [(s.code, s.residents + s.signups + s.checkins) for s in other.report.sources] == [
        (stairs.code, 0),
        (INVITE_CODE, 0),
    ]
    await store.close()


async def test_sources_come_a_page_at_a_time_by_name_the_invitation_last(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "nabo.sqlite3")
    sources = SourceRepository(store)
    for name in ["Cykelkælderen", "Amtsgården", "Beboerhuset", "Amtsgården"]:
        await sources.create(name, NOW)
    await sources.delete((await sources.page(limit=1, offset=2))[0][0].code, NOW)  # Beboerhuset
    first, total = await sources.page(limit=2)
    rest, _total = await sources.page(limit=2, offset=2)
    assert total == 4
    assert [s.name for s in first + rest][:3] == ["Amtsgården", "Amtsgården", "Cykelkælderen"]
    assert rest[-1].code == INVITE_CODE
    placed, total = await sources.page(limit=10, invite=False)
    assert (len(placed), total) == (3, 3)
    assert [await sources.place_of(s.code) for s in first + rest] == [0, 1, 2, 3]
    await store.close()


def drawn(*codes: str) -> Callable[[], str]:
    """Codes drawn in this order (the repository's random draw, made predictable)."""
    order = iter(codes)
    return lambda: next(order)


async def test_a_taken_code_is_drawn_again(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "nabo.sqlite3")
    first = await SourceRepository(store, new_code=drawn("aaaaaa")).create("Trappe 1", NOW)
    again = SourceRepository(store, new_code=drawn("aaaaaa", "invite", "bbbbbb"))
    second = await again.create("Trappe 2", NOW)
    assert (first.code, second.code) == ("aaaaaa", "bbbbbb")
    assert second == await again.by_code("bbbbbb")
    stuck = SourceRepository(store, new_code=lambda: "aaaaaa")
    with pytest.raises(RuntimeError, match="no free source code"):
        await stuck.create("Trappe 3", NOW)
    assert tuple(await store.fetch_one("SELECT COUNT(*) FROM sources")) == (3,)
    await store.close()


async def test_other_refusals_are_not_mistaken_for_a_taken_code(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "nabo.sqlite3")
    draws: list[str] = []

    def short_code() -> str:
        draws.append("abc")
        return "abc"  # the table wants six characters: no new draw can help

    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await SourceRepository(store, new_code=short_code).create("Trappe 1", NOW)
    assert draws == ["abc"]
    await store.close()


async def test_a_name_is_one_line_without_control_characters(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "nabo.sqlite3")
    sources = SourceRepository(store)
    # SQLite counts a text's length up to a NUL, so its check refused this name.
    made = await sources.create("\x00Opslag\tHoulkær\nopgang\x0712", NOW)
    assert made.name == "Opslag Houlkær opgang 12"
    assert source_name(" \x00 \x1b ") == ""
    with pytest.raises(ValueError, match="1-100"):
        await sources.create("\x00", NOW)
    await store.close()

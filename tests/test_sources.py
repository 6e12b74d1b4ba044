"""Sources: what each place a link is put up brings, counted so it adds up after erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from bot.db.checkins import CheckInOutcome, CheckInRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.sources import INVITE_CODE, SourceRepository
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

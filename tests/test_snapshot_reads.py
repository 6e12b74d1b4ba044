"""Offline tools read through the repositories' own queries, on a snapshot of a real file.

A poster is made in another process from a read-only snapshot (bot/offline/snapshot.py);
what it reads (an activity, a series' coming dates, a source, the door-code key) comes
from bot/db, with the same SQL the running bot uses, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.db.activities import ActivityRepository, read_activity, read_coming_in_series
from bot.db.checkins import CheckInRepository, read_door_key
from bot.db.people import JOIN_LINK_DAYS, NewPerson, PeopleRepository, read_slip_holder
from bot.db.sources import SourceRepository, read_source
from bot.db.store import Store
from bot.offline.snapshot import snapshot
from tests.conftest import SUITE_NOW
from tests.factories import add_activity, draft


async def test_a_snapshot_reads_what_the_repositories_read(tmp_path: Path) -> None:
    database = tmp_path / "nabo.sqlite3"
    now = SUITE_NOW
    store = await Store.open(database)
    activities, sources = ActivityRepository(store), SourceRepository(store)
    single = await add_activity(store, now, title_en="Homework café")
    weekly = [
        draft(
            now,
            starts_at=now + timedelta(days=-7 + 7 * week, hours=1),
            ends_at=now + timedelta(days=-7 + 7 * week, hours=3),
        )
        for week in range(4)
    ]
    [series_ids] = await activities.add_series([weekly], now)
    await activities.cancel(series_ids[2])
    kept = await sources.create("Opslag Houlkær opgang 12", now)
    gone = await sources.create("Flyer, taget ned", now)
    await sources.delete(gone.code, now)
    expected = {
        "single": await activities.get(single),
        "key": await CheckInRepository(store).door_key(),
        "kept": await sources.by_code(kept.code),
        "gone": await sources.by_code(gone.code),
    }
    first = await activities.get(series_ids[0])
    assert first is not None
    assert first.series_id is not None
    next_date = await activities.next_in_series(first.series_id, now)
    await store.close()

    with snapshot(database) as connection:
        assert read_activity(connection, single) == expected["single"]
        assert read_activity(connection, 424242) is None
        coming = read_coming_in_series(connection, first.series_id, now)
        assert read_door_key(connection) == expected["key"]
        assert read_source(connection, kept.code) == expected["kept"]
        assert read_source(connection, gone.code) == expected["gone"]
        assert read_source(connection, "qqqqqq") is None
    # Published dates to come, soonest first: not the past one, not the cancelled one.
    assert [activity.id for activity in coming] == [series_ids[1], series_ids[3]]
    assert coming[0] == next_date


async def test_a_slip_reads_the_record_and_whether_its_link_holds(tmp_path: Path) -> None:
    """A joining slip reads the person, and holds only the link the record holds now."""
    database = tmp_path / "nabo.sqlite3"
    now = SUITE_NOW
    store = await Store.open(database)
    people = PeopleRepository(store)
    activity = await add_activity(store, now)
    _, person = await people.sign_up_new(
        activity,
        NewPerson("Fatima", "ar", "Houlkær", None, "paper"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=900,
        role="staff",
    )
    assert person is not None
    replaced = await people.new_join_link(person.id, now)
    current = await people.new_join_link(person.id, now)
    assert replaced is not None
    assert current is not None
    expected = await people.get(person.id)
    await store.close()

    with snapshot(database) as connection:
        assert read_slip_holder(connection, person.id, current, now) == (expected, True)
        assert read_slip_holder(connection, person.id, replaced, now) == (expected, False)
        later = now + timedelta(days=JOIN_LINK_DAYS)
        assert read_slip_holder(connection, person.id, current, later) == (expected, False)
        assert read_slip_holder(connection, 424242, current, now) == (None, False)

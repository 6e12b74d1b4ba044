"""Updates Telegram delivers again, or out of order, have one effect and one reply."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.db.processed_updates import KEEP_FOR, ProcessedUpdates, finish_update
from bot.db.store import Store
from tests.conftest import Nabo, TestClock, settle
from tests.factories import add_activity, add_residents
from tests.test_store import count_trips

RESIDENT = 21


async def resident_with_menu(nabo: Nabo) -> dict:
    """A consented resident with a bot message to press buttons on."""
    nabo.server.user(RESIDENT, language_code="en")
    await add_residents(nabo.store, [RESIDENT], nabo.clock.now(), "en")
    nabo.server.send_command(RESIDENT, "menu")
    [menu] = await nabo.server.wait_for_messages(RESIDENT)
    return menu


def sign_up_press(nabo: Nabo, message: dict, activity_id: int) -> dict:
    """Press "1 adult, no children" for an activity; return the update, not yet delivered."""
    nabo.server.press_button(RESIDENT, message["message_id"], f"su:c:{activity_id}:0:1:0")
    [update] = nabo.server.withhold()
    return update


def replies(nabo: Nabo) -> tuple[int, int]:
    """Messages the bot sent the resident, and edits it made to them."""
    messages = nabo.server.messages(RESIDENT)
    return len(messages), sum(m["edit_count"] for m in messages)


async def signed_up_once(nabo: Nabo) -> tuple[dict, tuple[int, int]]:
    """A sign-up press delivered and handled once: the update, and the replies it got."""
    menu = await resident_with_menu(nabo)
    activity = await add_activity(nabo.store, nabo.clock.now())
    press = sign_up_press(nabo, menu, activity)
    nabo.server.deliver_again(press)
    await settle(nabo)
    return press, replies(nabo)


async def test_an_update_delivered_three_times_counts_once(nabo: Nabo) -> None:
    press, once = await signed_up_once(nabo)
    answers = nabo.server.count("answerCallbackQuery")
    assert await nabo.rows("SELECT user_id, adults FROM signups") == [(RESIDENT, 1)]

    nabo.server.deliver_again(press, press)
    await settle(nabo)
    assert await nabo.rows("SELECT user_id, adults FROM signups") == [(RESIDENT, 1)]
    assert replies(nabo) == once
    assert nabo.server.count("answerCallbackQuery") == answers


async def test_updates_out_of_order_each_count_once(nabo: Nabo) -> None:
    menu = await resident_with_menu(nabo)
    first = await add_activity(nabo.store, nabo.clock.now())
    second = await add_activity(nabo.store, nabo.clock.now(), title_da="Sprogcafé")
    earlier = sign_up_press(nabo, menu, first)
    later = sign_up_press(nabo, menu, second)
    assert earlier["update_id"] < later["update_id"]

    # The later one first, then the earlier one, then both again.
    nabo.server.deliver_again(later, earlier, later, earlier)
    await settle(nabo)
    rows = await nabo.rows("SELECT activity_id FROM signups ORDER BY activity_id")
    assert rows == [(first,), (second,)]
    assert nabo.server.count("answerCallbackQuery") == 2


async def test_a_restart_remembers_handled_updates(nabo: Nabo) -> None:
    press, once = await signed_up_once(nabo)

    # A crash before the offset was confirmed: the new process gets it again.
    await nabo.restart()
    nabo.server.deliver_again(press)
    await settle(nabo)
    assert replies(nabo) == once
    assert await nabo.rows("SELECT count(*) FROM signups") == [(1,)]
    # Only the update id and a time are kept.
    columns = await nabo.rows("SELECT name FROM pragma_table_info('processed_updates')")
    assert columns == [("update_id",), ("seen_at",)]
    assert (press["update_id"],) in await nabo.rows("SELECT update_id FROM processed_updates")


async def test_old_handled_update_ids_are_pruned(nabo: Nabo) -> None:
    processed = ProcessedUpdates(nabo.store, nabo.clock)

    async def handled(update_id: int) -> bool:
        if not await processed.begin(update_id):
            return False
        async with nabo.store.transaction():  # the update's own write records its id
            pass
        return True

    assert await handled(10**9)
    assert not await handled(10**9)
    nabo.clock.advance(KEEP_FOR + timedelta(hours=1))
    assert await handled(10**9 + 1)
    ids = [row[0] for row in await nabo.rows("SELECT update_id FROM processed_updates")]
    assert 10**9 not in ids
    assert 10**9 + 1 in ids


async def test_an_update_that_wrote_nothing_is_remembered_across_a_quick_stop(
    nabo: Nabo,
) -> None:
    # /help writes nothing for a resident already seen today: its id waits a moment to be
    # written with someone's next transaction. Stopping at once must still write it.
    nabo.server.user(RESIDENT, language_code="en")
    await add_residents(nabo.store, [RESIDENT], nabo.clock.now(), "en")
    nabo.server.send_command(RESIDENT, "help")
    [help_update] = nabo.server.withhold()
    nabo.server.deliver_again(help_update)
    await nabo.server.wait_for_messages(RESIDENT)
    answered = len(nabo.server.messages(RESIDENT))

    await nabo.restart()
    nabo.server.deliver_again(help_update)
    await settle(nabo)
    assert len(nabo.server.messages(RESIDENT)) == answered
    assert (help_update["update_id"],) in await nabo.rows("SELECT update_id FROM processed_updates")


async def test_a_redelivered_first_press_of_the_day_still_signs_up(nabo: Nabo) -> None:
    # The first update of a day also notes, for retention, that the resident used Nabo.
    # That note is bookkeeping, not the press's effect: if the sign-up fails after it,
    # the press redelivered must still sign the resident up.
    menu = await resident_with_menu(nabo)
    activity = await add_activity(nabo.store, nabo.clock.now() + timedelta(days=3))
    nabo.clock.advance(timedelta(days=1))
    async with nabo.store.transaction() as db:
        await db.execute(
            "CREATE TRIGGER crash BEFORE INSERT ON signups BEGIN SELECT RAISE(ABORT, 'crash'); END"
        )
    press = sign_up_press(nabo, menu, activity)
    nabo.server.deliver_again(press)
    await settle(nabo)
    assert await nabo.rows("SELECT count(*) FROM signups") == [(0,)]
    # The day's use was noted all the same.
    [(seen,)] = await nabo.rows(f"SELECT last_seen_at FROM residents WHERE user_id = {RESIDENT}")
    assert str(seen).startswith(nabo.clock.now().date().isoformat())

    async with nabo.store.transaction() as db:
        await db.execute("DROP TRIGGER crash")
    # As after a crash: a new process, and Telegram delivers the press again.
    await nabo.restart()
    nabo.server.deliver_again(press)
    await settle(nabo)
    assert await nabo.rows("SELECT user_id, adults FROM signups") == [(RESIDENT, 1)]


async def test_ids_waiting_for_a_transaction_survive_one_that_rolls_back(
    tmp_path: Path, clock: TestClock
) -> None:
    # /help wrote nothing: its id waits to ride along with the next transaction. If that
    # transaction rolls back, the id must wait for the next one, not vanish with it.
    store = await Store.open(tmp_path / "nabo.db")
    processed = ProcessedUpdates(store, clock)
    try:
        assert await processed.begin(500)
        finish_update()
        with pytest.raises(RuntimeError):
            async with store.transaction():
                raise RuntimeError("the journey failed")
        async with store.transaction():
            pass
        rows = await store.fetch_all("SELECT update_id FROM processed_updates")
        assert [row[0] for row in rows] == [500]
    finally:
        await processed.close()
        await store.close()


async def test_ids_of_updates_that_wrote_nothing_are_written_in_one_trip(
    tmp_path: Path, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await Store.open(tmp_path / "nabo.db")
    processed = ProcessedUpdates(store, clock)
    try:
        for update_id in (600, 601):
            assert await processed.begin(update_id)
            finish_update()
        trips = count_trips(monkeypatch)
        # What a clean stop does (and the timer a moment after the updates would).
        await processed.close()
        assert len(trips) == 1
        rows = await store.fetch_all("SELECT update_id FROM processed_updates ORDER BY 1")
        assert [row[0] for row in rows] == [600, 601]
    finally:
        await store.close()

"""Presses answered on arrival, and an update recorded only with its effect."""

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.config import Config
from tests.conftest import Nabo, settle
from tests.factories import add_activity, add_residents
from tests.test_locked_database import exclusive_lock

RESIDENT = 31


@pytest.fixture
def config(config: Config) -> Config:
    # Give up on a lock quickly, so the test does not wait the production 5 s.
    return replace(config, database_busy_timeout=timedelta(milliseconds=200))


async def resident_with_menu(nabo: Nabo) -> dict:
    """A consented resident with a bot message to press buttons on."""
    nabo.server.user(RESIDENT, language_code="da")
    await add_residents(nabo.store, [RESIDENT], nabo.clock.now(), "da")
    nabo.server.send_command(RESIDENT, "menu")
    [menu] = await nabo.server.wait_for_messages(RESIDENT)
    return menu


async def test_a_press_is_answered_before_its_chat_is_free(nabo: Nabo) -> None:
    server = nabo.server
    menu = await resident_with_menu(nabo)
    before = len(server.messages(RESIDENT))
    # The resident's /menu is still being answered (Telegram holds the reply a while)...
    server.delay_next("sendMessage", 3.0)
    server.send_command(RESIDENT, "menu")
    await server.wait_for_request("sendMessage", server.count("sendMessage") + 1)
    # ...when they press a button: their chat's next update must wait for that one, but
    # the press is answered at once, while the reply is still on its way.
    query = server.press_button(RESIDENT, menu["message_id"], "menu:home")
    answer = await server.wait_for_callback_answer(query)
    assert answer["text"] is None
    assert len(server.messages(RESIDENT)) == before
    # Then both are handled in order, and the press is answered once.
    await settle(nabo)
    assert len(server.messages(RESIDENT)) >= before + 1
    assert server.count("answerCallbackQuery") == 1


async def test_an_unknown_button_is_still_answered_with_a_text(nabo: Nabo) -> None:
    server = nabo.server
    menu = await resident_with_menu(nabo)
    query = server.press_button(RESIDENT, menu["message_id"], "no:such:button")
    answer = await server.wait_for_callback_answer(query)
    assert answer["text"]
    await settle(nabo)
    assert server.count("answerCallbackQuery") == 1


async def test_a_press_whose_write_rolled_back_counts_when_delivered_again(nabo: Nabo) -> None:
    """The update's id commits with its effect: no effect, no record, so a redelivery acts."""
    server = nabo.server
    menu = await resident_with_menu(nabo)
    activity = await add_activity(nabo.store, nabo.clock.now())
    server.press_button(RESIDENT, menu["message_id"], f"su:c:{activity}:0:1:0")
    [press] = server.withhold()
    # Another process holds the database: the sign-up's write transaction rolls back whole.
    async with exclusive_lock(nabo.config.database_path):
        server.deliver_again(press)
        await server.wait_for_messages(RESIDENT)  # "Nabo is very busy right now…"
        await settle(nabo)
    assert await nabo.rows("SELECT user_id FROM signups") == []
    assert (press["update_id"],) not in await nabo.rows("SELECT update_id FROM processed_updates")
    # Nabo crashes before the offset is confirmed: the new process gets it again.
    await nabo.restart()
    server.deliver_again(press)
    await settle(nabo)
    assert await nabo.rows("SELECT user_id, adults FROM signups") == [(RESIDENT, 1)]
    assert (press["update_id"],) in await nabo.rows("SELECT update_id FROM processed_updates")
    # A third time it is dropped: one effect.
    server.deliver_again(press)
    await settle(nabo)
    assert await nabo.rows("SELECT count(*) FROM signups") == [(1,)]

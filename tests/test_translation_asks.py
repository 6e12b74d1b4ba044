"""Asking volunteer translators: each asked once, whatever Telegram or a crash does meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from bot.core.i18n import Catalogs
from bot.db.translations import TranslationRepository
from bot.sandbox.botapi import BotApiServer
from bot.work.translations import ask_translators
from tests.conftest import STAFF_ID, Nabo, settle
from tests.factories import add_activity
from tests.test_journey_translation import AMIRA, message_asking_translators, translator


def asks_sent(server: BotApiServer, user_id: int) -> int:
    """How many messages Nabo tried to send into a volunteer's chat."""
    return sum(
        1
        for name, params in server.requests
        if name == "sendMessage" and int(params.get("chat_id", 0)) == user_id
    )


async def test_a_volunteer_telegram_refuses_for_good_is_left_out_not_asked_again(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """Telegram refusing an ask for good (not a passing network problem) leaves the volunteer
    out of that task, instead of asking again at every rebuild of the jobs."""
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await translator(nabo, AMIRA, "da")
    before = asks_sent(server, AMIRA)
    server.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=AMIRA, count=10)
    [asked] = await message_asking_translators(nabo, da)
    assert asked["text"].startswith(
        da.gettext(
            "No volunteer translates from Danish into {language} just now. Volunteers who "
            "join will be asked until {when}, or you choose below."
        ).split("{")[0]
    )
    assert asks_sent(server, AMIRA) == before + 1
    # The rebuild every few minutes asks volunteers who joined since; not her again.
    await nabo.run_job("jobs:sync")
    await nabo.run_job("jobs:sync")
    assert asks_sent(server, AMIRA) == before + 1
    assert await nabo.rows("SELECT user_id, message_id FROM translation_asks") == [(AMIRA, None)]


async def open_request(nabo: Nabo) -> int:
    """An activity's title asked for in Arabic, no volunteer asked yet; the request's id."""
    activity = await add_activity(nabo.store, nabo.clock.now(), title_ar=None)
    return await TranslationRepository(nabo.store).ask_for_activity(
        activity,
        "ar",
        staff_user_id=STAFF_ID,
        needed_by=nabo.clock.now() + timedelta(days=1),
        now=nabo.clock.now(),
        title_source="Lektiecafé",
        text_source=None,
    )


async def test_two_rounds_of_asking_at_once_ask_each_volunteer_once(nabo: Nabo) -> None:
    """The rebuild's round and a staff member's "wait one more day" may run together."""
    server = nabo.server
    await translator(nabo, AMIRA, "da")
    before = asks_sent(server, AMIRA)
    request = await open_request(nabo)
    asked = await asyncio.gather(*(ask_translators(nabo.application, request) for _ in range(2)))
    assert asked == [1, 1]
    assert asks_sent(server, AMIRA) == before + 1
    [ask] = server.messages(AMIRA)[before:]
    assert await nabo.rows("SELECT user_id, message_id FROM translation_asks") == [
        (AMIRA, ask["message_id"])
    ]


async def test_an_ask_is_written_down_before_it_is_sent(nabo: Nabo) -> None:
    """Nabo stopping while an ask is on its way does not ask the volunteer a second time."""
    server = nabo.server
    await translator(nabo, AMIRA, "da")
    before, sends = asks_sent(server, AMIRA), server.count("sendMessage")
    request = await open_request(nabo)
    server.delay_next("sendMessage", 0.5)
    asking = asyncio.create_task(ask_translators(nabo.application, request))
    await server.wait_for_request("sendMessage", sends + 1)
    # On its way, and already written down: she is being asked (no message yet).
    assert await nabo.rows("SELECT user_id, chat_id, message_id FROM translation_asks") == [
        (AMIRA, AMIRA, None)
    ]
    asking.cancel()  # Nabo stops (or dies) before it hears back
    with contextlib.suppress(asyncio.CancelledError):
        await asking
    await nabo.restart()  # whose first rebuild asks the volunteers not asked yet
    await nabo.run_job("jobs:sync")
    await settle(nabo)
    assert asks_sent(server, AMIRA) == before + 1


async def test_a_passing_network_problem_asks_again_at_the_next_rebuild(nabo: Nabo) -> None:
    server = nabo.server
    await translator(nabo, AMIRA, "da")
    before = asks_sent(server, AMIRA)
    request = await open_request(nabo)
    server.fail_next("sendMessage", 502, "Bad Gateway", chat_id=AMIRA)
    assert await ask_translators(nabo.application, request) == 0
    assert await nabo.rows("SELECT user_id FROM translation_asks") == []
    await nabo.run_job("jobs:sync")
    assert asks_sent(server, AMIRA) == before + 2
    [ask] = server.messages(AMIRA)[before:]
    assert await nabo.rows("SELECT user_id, message_id FROM translation_asks") == [
        (AMIRA, ask["message_id"])
    ]

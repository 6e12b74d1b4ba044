"""Asking volunteer translators: each asked once, whatever Telegram or a crash does meanwhile."""

from __future__ import annotations

from bot.core.i18n import Catalogs
from bot.sandbox.botapi import BotApiServer
from tests.conftest import STAFF_ID, Nabo
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

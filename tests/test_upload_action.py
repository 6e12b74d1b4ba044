"""While staff wait for a file, Telegram shows "sending a file…": one helper for every file.

The helper is exercised through the real python-telegram-bot client against the local
Bot API server, which records every chat action it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox.botapi import BotApiServer
from bot.telegram.replies import showing_upload
from tests.conftest import STAFF_ID, Nabo
from tests.factories import add_activity
from tests.test_journey_staff_posters import staff, tap, tap_for_file

USER = 42
# Short, so the test sees the action repeated at once; the bot's own is 4 s (an action
# shows for 5 s). Nothing here measures time: the test waits for what the server saw.
EVERY = 0.01


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(chat_limit=False) as srv:
        yield srv
        assert srv.errors == []


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.base_url) as b:
        yield b


def actions(server: BotApiServer, chat_id: int) -> list[str]:
    return [
        params["action"]
        for name, params in server.requests
        if name == "sendChatAction" and int(params["chat_id"]) == chat_id
    ]


async def seen(server: BotApiServer, count: int) -> None:
    """Wait until the server has been sent ``count`` actions (a guard against hanging)."""
    for _ in range(1000):
        if len(actions(server, USER)) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {len(actions(server, USER))} chat actions")


async def test_the_action_is_shown_again_until_the_file_is_made(
    bot: Bot, server: BotApiServer
) -> None:
    server.send_text(USER, "/export")
    made = asyncio.Event()

    async def make() -> str:
        await made.wait()
        return "the file"

    waiting = asyncio.create_task(showing_upload(bot, USER, make(), every=EVERY))
    await seen(server, 3)
    assert not waiting.done()
    made.set()
    assert await waiting == "the file"
    assert set(actions(server, USER)) == {"upload_document"}


async def test_a_failed_making_stops_the_action_and_is_raised(
    bot: Bot, server: BotApiServer
) -> None:
    server.send_text(USER, "/poster")
    failing = asyncio.Event()

    async def make() -> str:
        await failing.wait()
        raise LookupError("no such activity")

    waiting = asyncio.create_task(showing_upload(bot, USER, make(), every=EVERY))
    await seen(server, 2)
    failing.set()
    with pytest.raises(LookupError, match="no such activity"):
        await waiting


async def test_a_chat_that_refuses_the_action_still_gets_its_file(
    bot: Bot, server: BotApiServer
) -> None:
    server.send_text(USER, "/export")
    server.block(USER)  # every action now gets 403

    async def make() -> str:
        await seen(server, 2)
        return "the file"

    assert await showing_upload(bot, USER, make(), every=EVERY) == "the file"


async def test_giving_up_the_wait_stops_the_making(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "/export")
    stopped = asyncio.Event()

    async def make() -> str:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return "never"

    waiting = asyncio.create_task(showing_upload(bot, USER, make(), every=EVERY))
    await seen(server, 1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.wait_for(stopped.wait(), timeout=5)


async def test_posters_and_exports_show_it_while_they_are_made(nabo: Nabo) -> None:
    def sent_to_staff() -> list[str]:
        return [
            "action" if name == "sendChatAction" else "file"
            for name, params in nabo.server.requests
            if name in ("sendChatAction", "sendDocument") and int(params["chat_id"]) == STAFF_ID
        ]

    await add_activity(nabo.store, nabo.clock.now())
    [menu] = await staff(nabo, "/poster", "en")
    kinds = await tap(nabo, menu, "🏠 Nabo itself")
    languages = await tap(nabo, kinds, "🪧 Poster (A4)")
    where = await tap(nabo, languages, "English")
    await tap_for_file(nabo, where, "No source")
    poster = sent_to_staff()
    assert (poster[0], poster[-1], poster.count("file")) == ("action", "file", 1)
    await staff(nabo, "/export", "en")
    export = sent_to_staff()[len(poster) :]
    assert (export[0], export[-1], export.count("file")) == ("action", "file", 1)
    assert set(actions(nabo.server, STAFF_ID)) == {"upload_document"}

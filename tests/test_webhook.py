"""Webhook mode, end to end: the local Bot API server POSTs updates to Nabo's webhook server.

With WEBHOOK_URL set, Nabo registers its URL and secret with setWebhook and answers what
arrives there; a request without the secret header, or with a wrong one, is refused (403)
before any handler sees it.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.core.config import Config
from bot.core.i18n import Catalogs
from bot.sandbox.botapi import BotApiServer
from bot.views.notice import consent_request_text
from tests import conftest
from tests import test_broadcast_crash as crash
from tests.conftest import Nabo, settle

SECRET = "nabo-webhook-test-secret_0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
RESIDENT = 4101
INTRUDER = 4102


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def webhook_config(config: Config) -> Config:
    port = free_port()
    return replace(
        config,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )


@pytest.fixture
async def hooked(
    botapi: BotApiServer, webhook_config: Config, clock: conftest.TestClock
) -> AsyncIterator[Nabo]:
    instance = Nabo(botapi, webhook_config, clock)
    await instance.start()
    try:
        yield instance
    finally:
        await instance.stop()


def start_update(update_id: int, user_id: int) -> dict:
    """A /start message as Telegram would POST it."""
    user = {"id": user_id, "is_bot": False, "first_name": "Mona", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": "Mona"},
            "date": int(time.time()),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def requests_about(server: BotApiServer, chat_id: int) -> list[str]:
    """The Bot API methods the bot called for this chat."""
    return [name for name, params in server.requests if str(params.get("chat_id")) == str(chat_id)]


async def test_webhook_registered_with_secret_and_updates_answered(hooked: Nabo) -> None:
    server = hooked.server
    config = hooked.config
    assert server.webhook is not None
    assert server.webhook["url"] == config.webhook_url
    assert server.webhook["secret_token"] == SECRET
    tr = Catalogs(config.timezone).translator("en")
    server.user(RESIDENT, first_name="Amal", language_code="en")

    server.send_command(RESIDENT, "start")
    [notice] = await server.wait_for_messages(RESIDENT)

    assert notice["text"] == consent_request_text(tr)
    # Pushed, never fetched.
    assert server.count("getUpdates") == 0


@pytest.mark.parametrize("header", [None, "wrong-secret-0123456789", SECRET.upper()])
async def test_request_without_the_right_secret_is_refused_and_not_processed(
    hooked: Nabo, header: str | None
) -> None:
    server = hooked.server
    url = hooked.config.webhook_url
    assert url is not None
    # Mona has written before (through Telegram, so the bot may answer her); not consented.
    server.user(INTRUDER, first_name="Mona", language_code="en")
    server.send_command(INTRUDER, "start")
    await server.wait_for_messages(INTRUDER)
    await settle(hooked)
    calls, seen = len(requests_about(server, INTRUDER)), server.cursor(INTRUDER)
    headers = {HEADER: header} if header is not None else {}

    async with ClientSession() as session:
        async with session.post(url, json=start_update(900_001, INTRUDER), headers=headers) as r:
            refused = r.status
        await settle(hooked)
        assert refused == 403
        assert len(requests_about(server, INTRUDER)) == calls
        assert await hooked.resident(INTRUDER) is None

        # The same request with the right secret is taken: the refusal was the header's doing.
        right = {HEADER: SECRET}
        async with session.post(url, json=start_update(900_002, INTRUDER), headers=right) as r:
            accepted = r.status
    assert accepted == 200
    [notice] = await server.wait_for_messages(INTRUDER, after=seen)
    assert notice["chat"]["id"] == INTRUDER


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real entry point picks run_webhook from the environment and stops cleanly."""
    port = free_port()
    async with BotApiServer() as server:
        env = {
            **crash.bot_environment(server, tmp_path / "nabo.sqlite3"),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
        }
        async with crash.bot_process(env, tmp_path / "nabo.log") as process:
            server.user(RESIDENT, first_name="Amal", language_code="en")
            server.send_command(RESIDENT, "start")
            await server.wait_for_messages(RESIDENT, timeout=crash.STARTUP_TIMEOUT)
            assert server.webhook is not None
            assert server.webhook["secret_token"] == SECRET
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), crash.STOP_TIMEOUT)
        assert code == 0, "\n".join(crash.log_tail(tmp_path / "nabo.log"))
        assert server.count("getUpdates") == 0

"""Start the sandbox: the local Bot API server, Nabo polling it over HTTP, the chat page."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from bot.app import build_application, running
from bot.core.clock import Clock
from bot.core.config import Config
from bot.db.processed_updates import highest_recorded_update_id
from bot.db.store import Store
from bot.sandbox.botapi import BotApiServer
from bot.sandbox.demo import (
    PERSONAS,
    STAFF_GROUP_ID,
    STAFF_GROUP_TITLE,
    STAFF_USER_ID,
    load_demo_data,
)
from bot.sandbox.web import HOST, create_app
from bot.telegram.context import NaboApplication

SANDBOX_TOKEN = "100200300:SANDBOX-not-a-real-token"
DEFAULT_PORT = 8080
DEFAULT_DATABASE = Path("data/sandbox.sqlite3")
BANNER = "SANDBOX — not connected to Telegram"


def sandbox_config(config: Config, server: BotApiServer, database: Path) -> Config:
    """Point ``config`` at the local server and the sandbox's own database and staff."""
    return replace(
        config,
        bot_token=server.token,
        telegram_base_url=server.base_url,
        database_path=database,
        staff_user_ids=frozenset({STAFF_USER_ID}),
        staff_chat_id=STAFF_GROUP_ID,
        # Always polling the local server: a WEBHOOK_URL from .env would make it post the
        # demo chats, with the real secret, to the production bot.
        webhook_url=None,
        webhook_secret=None,
    )


class Sandbox:
    """The whole sandbox in the running event loop; start it with ``running_sandbox``."""

    def __init__(
        self,
        config: Config,
        *,
        port: int = DEFAULT_PORT,
        database: Path = DEFAULT_DATABASE,
        clock: Clock | None = None,
        poll_timeout: float = 10,
    ) -> None:
        """Prepare a sandbox; ``port`` 0 picks a free port. Nothing starts yet."""
        self.server = BotApiServer(SANDBOX_TOKEN, bot_username="nabo_sandbox_bot")
        self.config = config
        self.database = database
        self.clock = clock or Clock()
        self.added = 0
        self._port = port
        self._poll_timeout = poll_timeout
        self._bound_port: int | None = None

    @property
    def url(self) -> str:
        """The chat page's address."""
        if self._bound_port is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{HOST}:{self._bound_port}/"

    @property
    def application(self) -> NaboApplication:
        """Nabo's running Application."""
        return self._application

    async def start(self, stack: AsyncExitStack) -> None:
        """Start the server, the page, load the demo data and start Nabo; ``stack`` stops them."""
        server = self.server
        await server.start()
        # Last in, first out: the server stops last, after Nabo, which needs it to shut down.
        stack.push_async_callback(server.stop)
        # The page next, so that a port in use stops the sandbox before anything else runs.
        runner = web.AppRunner(create_app(server), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, HOST, self._port)
        await site.start()
        self._bound_port = runner.addresses[0][1]
        self.config = sandbox_config(self.config, server, self.database)
        # Before Nabo starts, so its job sync at start-up already sees the activities.
        store = await Store.open(self.database)
        try:
            self.added = await load_demo_data(
                store, self.clock.now(), self.config.timezone, self.config.areas
            )
            server.continue_update_ids_after(await highest_recorded_update_id(store))
        finally:
            await store.close()
        for persona in PERSONAS:
            server.user(persona.user_id, persona.first_name, persona.language_code)
            if persona.chat_id > 0:
                # The database outlives this server's memory: keep known residents reachable.
                server.open_chat(persona.user_id)
        server.add_bot_to_group(STAFF_USER_ID, STAFF_GROUP_ID, STAFF_GROUP_TITLE)
        application = build_application(self.config, clock=self.clock)
        self._application = await stack.enter_async_context(
            running(application, poll_timeout=self._poll_timeout)
        )


@asynccontextmanager
async def running_sandbox(
    config: Config,
    *,
    port: int = DEFAULT_PORT,
    database: Path = DEFAULT_DATABASE,
    clock: Clock | None = None,
    poll_timeout: float = 10,
) -> AsyncIterator[Sandbox]:
    """Run the sandbox inside the current event loop; stop the page, Nabo, then the server."""
    sandbox = Sandbox(config, port=port, database=database, clock=clock, poll_timeout=poll_timeout)
    async with AsyncExitStack() as stack:
        await sandbox.start(stack)
        yield sandbox


async def serve(config: Config, *, port: int, database: Path) -> None:
    """Run the sandbox until Ctrl+C (SIGINT) or SIGTERM, printing where the page is."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers here
            loop.add_signal_handler(signum, stop.set)
    async with running_sandbox(config, port=port, database=database) as sandbox:
        print(BANNER, flush=True)
        print(
            f"Nabo sandbox: open {sandbox.url} in your browser "
            f"({sandbox.added} demo activities added, database {database}). "
            "Press Ctrl+C to stop.",
            flush=True,
        )
        await stop.wait()
    print("Sandbox stopped.", flush=True)

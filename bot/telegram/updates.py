"""Concurrent update processing that keeps each chat's updates in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.db.processed_updates import finish_update

log = logging.getLogger(__name__)

# PTB's own limit, taken in its (final) process_update before do_process_update, would
# hold a slot while an update waits for its chat's turn; set beyond reach, it never
# holds anything, and Nabo's own slots below are taken after the turn instead.
_NO_LIMIT = 2**31 - 1


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process different chats concurrently but one chat's updates strictly in order.

    Sequential processing would let one resident's slow send (a 429 retry) hold up
    everyone; fully concurrent processing would let a resident's double tap race
    their own conversation state.

    An update goes through two gates, in this order: its chat's turn, then one of
    ``max_concurrent_updates`` slots shared by all chats. Taking the turn first means
    one resident's pile of taps waits in its own line instead of filling every slot
    while everyone else waits. Each gate is its own step in ``do_process_update``, so
    a later change can do something before the slot or hand slots out by priority
    without touching the other.

    A button press is answered as soon as it arrives, before both gates: the answer
    carries no text (the outcome goes in the message), and a resident's client stops
    spinning at once even when the press waits for its turn or a slot, e.g. while
    many residents press the button of a new broadcast in the same second.
    ``answer_at_once`` says which presses (those a handler will take; a press nobody
    takes is answered with a text by the fallback, in its turn). The handlers' own
    answers are then no-ops (``bot.telegram.client.NaboBot``).
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        """Serve up to ``max_concurrent_updates`` chats at once."""
        super().__init__(_NO_LIMIT)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # Set by the composition root, which knows the handlers.
        self.answer_at_once: Callable[[Update], bool] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Answer a press; wait for the chat's turn, then a shared slot; run the handlers."""
        if isinstance(update, Update) and update.callback_query is not None:
            await self._answer(update)
        async with self._turn(_chat_key(update)), self._slots:
            await coroutine
        # An update that wrote nothing has its id written a moment later, with others.
        finish_update()

    async def _answer(self, update: Update) -> None:
        """Answer a press now, without text, if a handler will take it."""
        query = update.callback_query
        assert query is not None
        if self.answer_at_once is None or not self.answer_at_once(update):
            return
        try:
            await query.answer()
        except TelegramError as error:
            # The handler answers it again in its turn (bot.telegram.client.NaboBot).
            log.info("could not answer a press at once: %s", type(error).__name__)

    @asynccontextmanager
    async def _turn(self, key: int | None) -> AsyncIterator[None]:
        """Wait until the chat's earlier updates are done; updates without a chat do not wait."""
        if key is None:
            yield
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Forget idle chats so the dict does not grow with every resident ever seen.
                del self._waiting[key]
                del self._locks[key]

    @property
    def waiting_updates(self) -> int:
        """How many updates are queued or running in their chat's line right now."""
        return sum(self._waiting.values())

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None

"""One budget of Telegram's messages per second, shared by priority: residents first.

Telegram allows about 30 messages a second overall. Nabo spends that budget on two kinds
of sends: replies to residents who are using Nabo right now, and background sends that
nobody is waiting for this second (broadcasts, the weekly overview, reminders). A
broadcast must not make a resident who just tapped a button wait behind it, and it must
not leave the budget unused either. So every request aimed at a chat (edits included,
as ``AIORateLimiter`` counts them) takes one token from one bucket, and whenever a token
is free it goes to a waiting reply first, else to the oldest background send: the
background takes whatever the replies leave, adaptively, with no fixed share.

Background sends are marked with ``background_sends()`` (a ContextVar, so it follows the
task that sends). Requests without a chat (answering a button press) take no token, as
with ``AIORateLimiter``. A 429 from Telegram pauses everyone for its ``retry_after``, and
the request is tried again up to ``max_retries`` times, as ``AIORateLimiter`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Set in the tasks that send what nobody is waiting for this second (bot/work/).
_BACKGROUND: ContextVar[bool] = ContextVar("nabo_background_send", default=False)


@contextlib.contextmanager
def background_sends() -> Iterator[None]:
    """Mark the sends made inside (in this task and tasks it starts) as background work."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


# Called when the request of the current task actually leaves (see ``when_it_leaves``).
_ON_ITS_WAY: ContextVar[Callable[[], None] | None] = ContextVar("nabo_request_leaves", default=None)


@contextlib.contextmanager
def when_it_leaves(note: Callable[[], None]) -> Iterator[None]:
    """Call ``note`` when a request made inside goes to Telegram, not while it waits here.

    The delivery sender tells a delivery that never left (still waiting for its turn or
    a flood wait when the bot stops: pending again) from one that may have (uncertain).
    """
    token = _ON_ITS_WAY.set(note)
    try:
        yield
    finally:
        _ON_ITS_WAY.reset(token)


def is_background() -> bool:
    """Tell whether a send made here is background work (see ``background_sends``)."""
    return _BACKGROUND.get()


class PriorityRateLimiter(BaseRateLimiter[int]):
    """Telegram's overall budget, replies to residents before background sends.

    ``rate`` tokens a second, at most ``burst`` saved up; a group chat also gets at most
    ``group_rate`` messages a ``group_period`` (Telegram's 20 a minute), as with
    ``AIORateLimiter``. The per-call argument (``rate_limit_args``) is how many times to
    retry after a 429.
    """

    def __init__(
        self,
        rate: float = FloodLimit.MESSAGES_PER_SECOND,
        burst: float = FloodLimit.MESSAGES_PER_SECOND,
        *,
        group_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_period: float = 60,
        max_retries: int = 2,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Allow ``rate`` requests to chats a second (a burst of ``burst``).

        ``clock`` gives the time in seconds (the event loop's by default); tests pass one
        they move by hand, so that no pause of the machine can hand out a token.
        """
        self._clock = clock
        self._rate = float(rate)
        self._burst = float(burst)
        self._group_rate = group_rate
        self._group_period = group_period
        self._max_retries = max_retries
        self._tokens = self._burst
        self._updated: float | None = None
        # Waiting requests, replies first; each waits on a future resolved with its token.
        self._replies: deque[asyncio.Future[None]] = deque()
        self._background: deque[asyncio.Future[None]] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._paused_until = 0.0  # Telegram's flood wait: nothing goes out before this
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Release anyone still waiting (their requests are being cancelled anyway)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    @property
    def waiting(self) -> tuple[int, int]:
        """Return how many replies and background sends wait for a token (for tests, logs)."""
        return len(self._replies), len(self._background)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for a token (a reply's turn first), send; after a 429, pause all and retry."""
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        group = _group_of(chat_id)
        background = is_background()
        for attempt in range(retries + 1):
            await self._flood_wait()
            try:
                if chat_id is not None:
                    if group is not None and self._group_rate:
                        async with self._group_limiter(group):
                            await self._take(background)
                    else:
                        await self._take(background)
                # (Answering a press takes no token: outside the budget, as with
                # AIORateLimiter.)
                if (note := _ON_ITS_WAY.get()) is not None:
                    note()
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    log.warning("flood limit on %s after %d retries", endpoint, retries)
                    raise
                self._pause(_seconds(error.retry_after) + 0.1)
                log.info("flood limit on %s; everyone waits %s s", endpoint, error.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    # ---------------------------------------------------------------- the budget

    async def _take(self, background: bool) -> None:
        """Wait until this request may go out; replies are served before background sends."""
        loop = asyncio.get_running_loop()
        self._refill(self._now())
        if (
            self._tokens >= 1
            and not self._replies
            and (background is False or not self._background)
            and self._now() >= self._paused_until
        ):
            self._tokens -= 1
            return
        waiter: asyncio.Future[None] = loop.create_future()
        (self._background if background else self._replies).append(waiter)
        self._grant()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._tokens += 1  # granted but never used: give it back
            else:
                with contextlib.suppress(ValueError):
                    (self._background if background else self._replies).remove(waiter)
            self._grant()
            raise

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        return asyncio.get_running_loop().time()

    def _refill(self, now: float) -> None:
        if self._updated is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def _grant(self) -> None:
        """Hand out the tokens there are, replies first; wake again for the next one."""
        loop = asyncio.get_running_loop()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._now()
        self._refill(now)
        if now >= self._paused_until:
            while self._tokens >= 1:
                waiter = _next_waiter(self._replies) or _next_waiter(self._background)
                if waiter is None:
                    break
                self._tokens -= 1
                waiter.set_result(None)
        if self._replies or self._background:
            at = max(self._paused_until, now + (1 - self._tokens) / self._rate)
            self._timer = loop.call_later(at - now, self._grant)

    # ---------------------------------------------------------------- floods

    def _pause(self, seconds: float) -> None:
        """Stop every request for ``seconds`` (Telegram's flood wait applies to the whole bot)."""
        self._paused_until = max(self._paused_until, self._now() + seconds)
        # The bucket is empty after a flood: start again slowly, not with a burst.
        self._tokens = 0.0
        self._updated = self._paused_until

    async def _flood_wait(self) -> None:
        # A deadline, not an event: a second 429 meanwhile may move it later.
        while (left := self._paused_until - self._now()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    def _group_limiter(self, group: int | str) -> AsyncLimiter:
        limiter = self._groups.get(group)
        if limiter is None:
            if len(self._groups) > 512:
                # Forget groups that are idle again (a full limiter), as AIORateLimiter does.
                for key, known in list(self._groups.items()):
                    if known.has_capacity(known.max_rate):
                        del self._groups[key]
            limiter = self._groups[group] = AsyncLimiter(self._group_rate, self._group_period)
        return limiter


def _next_waiter(queue: deque[asyncio.Future[None]]) -> asyncio.Future[None] | None:
    while queue:
        waiter = queue.popleft()
        if not waiter.done():
            return waiter
    return None


def _group_of(chat_id: object) -> int | str | None:
    """Return the group or channel a request goes to (negative ids, @names), else None."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return chat_id
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None


def _seconds(wait: float | timedelta) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)

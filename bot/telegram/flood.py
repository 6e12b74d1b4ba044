"""The flood guard: a resident sending very many updates is paused, told once, politely.

The counts live in memory: they matter for ten seconds, a restart forgetting them
costs nothing, and a database write per update would slow everyone for one person.
"""

from __future__ import annotations

import enum
import logging
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


class Verdict(enum.Enum):
    """What to do with one update from a person."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit, first time in this burst: drop it, say so once
    DROP = "drop"  # over the limit again: drop it quietly


class FloodGuard:
    """A sliding window per person: ``limit`` typed updates, ``press_limit`` presses.

    In any ``window`` seconds, at most ``limit`` typed updates (messages, commands,
    stickers …) and ``press_limit`` button presses are handled. Presses have their own,
    larger budget: browsing by buttons (paging, opening activities) is quick tapping,
    not flooding. A person over either budget is paused for both kinds, and dropped
    updates count too, so someone who keeps hammering stays paused until they stop
    for a whole window.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        now: Callable[[], float] = time.monotonic,
        *,
        press_limit: int | None = None,
    ) -> None:
        """Allow ``limit`` typed updates and ``press_limit`` presses (default ``limit``)."""
        press_limit = limit if press_limit is None else press_limit
        if limit < 1 or press_limit < 1 or window <= 0:
            raise ValueError("the flood limits and window must be positive")
        self.limit = limit
        self.press_limit = press_limit
        self.window = window
        # Replaceable, so tests can move time without sleeping.
        self.now = now
        # Per person: the times of their last (limit + 1) typed updates and presses.
        self._times: dict[int, tuple[deque[float], deque[float]]] = {}
        self._warned: set[int] = set()
        self._checks = 0

    def check(self, user_id: int, *, press: bool = False) -> Verdict:
        """Count one update from ``user_id`` (a button press or not); say whether to handle it."""
        now = self.now()
        times = self._times.get(user_id)
        if times is None:
            times = self._times[user_id] = (
                deque(maxlen=self.limit + 1),
                deque(maxlen=self.press_limit + 1),
            )
        typed, presses = times
        (presses if press else typed).append(now)
        over = self._over(typed, now) or self._over(presses, now)
        self._forget_idle(now)
        if not over:
            self._warned.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN

    def _over(self, times: deque[float], now: float) -> bool:
        # More than the budget within the last window: the deque holds budget + 1 times.
        return len(times) == times.maxlen and now - times[0] < self.window

    def _forget_idle(self, now: float) -> None:
        # Now and then, so the dict does not keep everyone who ever wrote.
        self._checks += 1
        if self._checks % 1000:
            return
        idle = [
            user_id
            for user_id, times in self._times.items()
            if now - max((kind[-1] for kind in times if kind), default=now) >= self.window
        ]
        for user_id in idle:
            del self._times[user_id]
            self._warned.discard(user_id)

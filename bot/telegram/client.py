"""The Bot that Nabo talks to Telegram with: PTB's ExtBot, with presses answered leniently."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

# Presses answered already, remembered long enough for their handlers to run.
ANSWERED_KEPT = 10_000


def is_expired_query(error: BadRequest) -> bool:
    """Tell whether Telegram refused a press's answer because it came too late."""
    # "Query is too old and response timeout expired or query id is invalid": Telegram
    # has no separate code for it, only this text.
    return "query is too old" in error.message.lower()


class NaboBot(ExtBot[int]):
    """ExtBot (AIORateLimiter's retries as its rate-limit argument) for all of Nabo.

    Every handler answers its button press first, so the resident's client stops
    spinning; the answer is only that. Telegram refuses it some seconds after the press
    (a press sent while Nabo restarted, or queued behind a slow update in the same chat),
    and a request can time out. Neither may stop the press from taking effect: the
    outcome is shown in the message, never in the answer alone. Doing it here covers
    every answer, the shared helper's and the guards', without a check at each.
    """

    __slots__ = ("_answered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Build the bot as ExtBot does; remember which presses were answered."""
        super().__init__(*args, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Answer a button press; True if Telegram took the answer, False if it came too late.

        A press answered already (at once, when it arrived: bot/telegram/updates.py) is
        not answered again: the handler's own answer is then a no-op.
        """
        query_id = str(kwargs.get("callback_query_id", args[0] if args else ""))
        if query_id in self._answered:
            return True
        # Remembered before the request: the same press delivered twice at once is
        # answered once.
        self._remember(query_id)
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if not is_expired_query(error):
                self._answered.pop(query_id, None)
                raise
            # Not an error: the press is carried out all the same, and the resident sees
            # the outcome in the message.
            log.info("a button press waited too long for its answer; carrying it out")
            return False
        except NetworkError as error:
            # Forgotten again: the handler's own answer tries once more.
            self._answered.pop(query_id, None)
            log.warning(
                "could not answer a button press (%s); carrying it out", type(error).__name__
            )
            return False

    def _remember(self, query_id: str) -> None:
        self._answered[query_id] = None
        if len(self._answered) > ANSWERED_KEPT:
            self._answered.popitem(last=False)

"""``/start <payload>``: matching the links people open (bot/core/start_links.py).

Telegram turns ``t.me/<bot>?start=<payload>`` into the message ``/start <payload>``. A
journey that answers one kind of link registers a ``/start`` handler with ``started_with``
as its filter, before the plain /start (handlers/start.py), so each kind has one journey
and a payload that fits no kind reaches the plain /start.
"""

from __future__ import annotations

import re
from typing import TypeVar

from telegram.ext import filters

from bot.core.callback_data import ForgedButton
from bot.core.start_links import StartPayload

P = TypeVar("P", bound=StartPayload)


def started_with(kind: type[StartPayload]) -> filters.BaseFilter:
    """Match ``/start <payload of this kind>`` in a private chat."""
    payload = kind.pattern().pattern.removeprefix("^").removesuffix("$")
    return filters.ChatType.PRIVATE & filters.Regex(
        re.compile(rf"^/start(?:@\w+)?\s+{payload}\s*$")
    )


def payload_of(kind: type[P], args: list[str] | None) -> P | None:
    """Read the payload of a ``/start`` command (its one argument), if it is of this kind."""
    if not args or len(args) != 1:
        return None
    try:
        return kind.parse(args[0])
    except ForgedButton:
        return None

"""Start links: ``https://t.me/<bot>?start=<payload>``, with typed payloads like the buttons.

Telegram passes the payload to the bot as ``/start <payload>`` when someone opens the
link (from a poster's QR code, a flyer, a shared post). A payload is at most 64
characters of ``A-Z a-z 0-9 _ -``. Each kind of payload is defined once, as a small
class with a prefix and typed fields (``bot.core.callback_data``), so the posters that
print links and the journey that reads them share one definition; a payload that fits
no definition is refused as a forged one.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from bot.core.callback_data import PackedData, Part
from bot.core.tokens import TOKEN_LENGTH

# What Telegram allows in a start parameter.
MAX_PAYLOAD = 64


class StartPayload(PackedData):
    """One kind of start-link payload: a prefix and typed fields."""

    separator = "-"
    max_bytes = MAX_PAYLOAD
    alphabet = "[A-Za-z0-9_-]"


def start_link(bot_username: str, payload: StartPayload | None = None) -> str:
    """Return the link that opens Nabo (with ``payload``, at what it names)."""
    link = f"https://t.me/{quote(bot_username.removeprefix('@'))}"
    return link if payload is None else f"{link}?start={payload.pack()}"


# A one-time token (bot.core.tokens): random, so a link cannot be guessed from an id.
OneTimeToken = Annotated[str, Part(f"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}", "A" * TOKEN_LENGTH)]


# The links of people who do not use the chat yet, and of activity hosts (issue #16).
class JoinLink(StartPayload, prefix="join"):
    """Attach the opener's chat to the record staff made on their behalf (once, expires)."""

    token: OneTimeToken


class HostInvitation(StartPayload, prefix="host"):
    """Make the opener the host of an activity or a series (once, expires)."""

    token: OneTimeToken

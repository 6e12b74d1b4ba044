"""Start links: ``https://t.me/<bot>?start=<payload>``, with typed payloads like the buttons.

Telegram passes the payload to the bot as ``/start <payload>`` when someone opens the
link (from a poster's QR code, a flyer, a shared post). A payload is at most 64
characters of ``A-Z a-z 0-9 _ -``. Each kind of payload is defined once, as a small
class with a prefix and typed fields (``bot.core.callback_data``), so the posters that
print links and the journey that reads them share one definition; a payload that fits
no definition is refused as a forged one.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from bot.core.callback_data import ForgedButton, Id, PackedData, Part, hex_token
from bot.core.tokens import TOKEN_LENGTH

# What Telegram allows in a start parameter.
MAX_PAYLOAD = 64
# A door code works from this long before the activity starts until it ends.
CHECK_IN_OPENS = timedelta(minutes=30)


class StartPayload(PackedData):
    """One kind of start-link payload: a prefix and typed fields."""

    separator = "-"
    max_bytes = MAX_PAYLOAD
    alphabet = "[A-Za-z0-9_-]"


def start_link(bot_username: str, payload: StartPayload | None = None) -> str:
    """Return the link that opens Nabo (with ``payload``, at what it names)."""
    link = f"https://t.me/{quote(bot_username.removeprefix('@'))}"
    return link if payload is None else f"{link}?start={payload.pack()}"


def share_link(url: str, text: str) -> str:
    """Return Telegram's share link: the person picks a chat, and ``url`` goes with ``text``."""
    return "https://t.me/share/url?" + urlencode({"url": url, "text": text})


# A source's short code: six lower-case letters or digits, made at random when staff name
# a place a link is put up ("Opslag Houlkær opgang 12"). Carried in links and buttons.
SOURCE_CODE = Part("[a-z0-9]{6}", "zzzzzz")
SourceCode = Annotated[str, SOURCE_CODE]
OptionalSource = Annotated[str | None, SOURCE_CODE]
# The door code's token: an HMAC of the activity id under a key kept in the database, so a
# door code cannot be made up from an activity id (see door_token).
DoorToken = Annotated[str, hex_token(12)]


class JoinNabo(StartPayload, prefix="n"):
    """Open Nabo's start, counted for a source (the general poster; without one, no payload)."""

    source: OptionalSource = None


class OpenActivity(StartPayload, prefix="a"):
    """Open one activity's card (a poster or flyer for one date, a shared invitation)."""

    activity_id: Id
    source: OptionalSource = None


class OpenSeries(StartPayload, prefix="s"):
    """Open the next date of a weekly series (a poster that stays right all season)."""

    series_id: Id
    source: OptionalSource = None


class CheckIn(StartPayload, prefix="d"):
    """Check in at the door of one occurrence (the door poster's code)."""

    activity_id: Id
    token: DoorToken
    source: OptionalSource = None


# Every kind the plain /start reads (bot/telegram/arrivals.py). The one-time links below
# (JoinLink, HostInvitation) are not among them: each has its own /start journey
# (handlers/join.py, handlers/host_welcome.py), registered before the plain /start, and a
# payload of theirs that fits no definition reaches the plain /start as a forged one.
PAYLOAD_KINDS: tuple[type[StartPayload], ...] = (JoinNabo, OpenActivity, OpenSeries, CheckIn)


def parse_payload(text: str) -> StartPayload | None:
    """Read a start payload of any kind; None if it fits none (forged, too long, unknown)."""
    if len(text) > MAX_PAYLOAD:
        return None
    for kind in PAYLOAD_KINDS:
        try:
            return kind.parse(text)
        except ForgedButton:
            continue
    return None


def door_token(key: bytes, activity_id: int) -> str:
    """Return the door code's token for an activity: an HMAC under the database's key."""
    digest = hmac.new(key, f"door:{activity_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:12]


def door_token_ok(key: bytes, activity_id: int, token: str) -> bool:
    """Tell whether a door code's token is the one for this activity (in constant time)."""
    return hmac.compare_digest(door_token(key, activity_id), token)


# A one-time token (bot.core.tokens): random, so a link cannot be guessed from an id.
OneTimeToken = Annotated[str, Part(f"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}", "A" * TOKEN_LENGTH)]


# The links of people who do not use the chat yet, and of activity hosts (issue #16).
class JoinLink(StartPayload, prefix="join"):
    """Attach the opener's chat to the record staff made on their behalf (once, expires)."""

    token: OneTimeToken


class HostInvitation(StartPayload, prefix="host"):
    """Make the opener the host of an activity or a series (once, expires)."""

    token: OneTimeToken

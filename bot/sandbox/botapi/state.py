"""What the local Bot API server remembers: chats, messages, files, limits, faults, parameters."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """A Telegram-style error answer; the HTTP status equals error_code, as with Telegram."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        """Create an error answer with an optional flood-wait in whole seconds."""
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class TokenBucket:
    """Token-bucket state; rate and burst are passed per call so limits can change at runtime."""

    tokens: float = math.inf  # starts full; the first refill caps it at the current burst
    updated: float = field(default_factory=time.monotonic)

    def wait_time(self, rate: float, burst: float, now: float) -> float:
        """Refill up to now and return seconds until a token is available (0.0 if one is)."""
        self.tokens = min(max(1.0, float(burst)), self.tokens + max(0.0, now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1.0:
            return 0.0
        return math.inf if rate <= 0 else (1.0 - self.tokens) / rate

    def take(self) -> None:
        """Consume one token; call only after wait_time returned 0."""
        self.tokens -= 1.0


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    filename: str
    mime_type: str
    data: bytes


@dataclass
class FileRecord:
    """A file known to the server, addressable by file_id and downloadable by file_path."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    filename: str | None
    mime_type: str | None
    path: str


@dataclass
class StoredMessage:
    """Current state of one message plus test-only bookkeeping."""

    message: JSON
    from_bot: bool
    parse_mode: str | None = None
    reply_keyboard: JSON | None = None  # non-inline markup; Telegram does not echo it in Message
    edit_count: int = 0
    edit_seq: int = 0
    deleted: bool = False


@dataclass
class ChatState:
    """Everything the server knows about one chat."""

    chat: JSON
    bot_status: str = "member"  # member | left | kicked ("kicked" in a private chat = blocked)
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    bot_messages: list[int] = field(default_factory=list)
    action_cursor: int = 0  # len(bot_messages) at the most recent user action
    action_seq: int = 0
    bucket: TokenBucket = field(default_factory=TokenBucket)

    def new_message_id(self) -> int:
        """Allocate the next message id; users and the bot share one counter per chat."""
        self.next_message_id += 1
        return self.next_message_id - 1


@dataclass
class Fault:
    """An injected error for the next matching calls."""

    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


@dataclass
class Delay:
    """An injected delay for the next matching calls."""

    method: str
    seconds: float
    remaining: int


class Params:
    """Typed, Telegram-style access to one request's parameters."""

    def __init__(self, data: JSON, uploads: dict[str, Upload]) -> None:
        self.data = data
        self.uploads = uploads

    def get(self, name: str) -> Any:
        """Raw value or None."""
        return self.data.get(name)

    def get_str(self, name: str) -> str | None:
        """String value; numbers are accepted because form bodies carry everything as text."""
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise ApiError(400, f'Bad Request: field "{name}" must be of type String')

    def get_int(self, name: str) -> int | None:
        """Integer value from JSON numbers or numeric strings."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            number = float(value)
            if not number.is_integer():
                raise ValueError(value)
            return int(number)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: field "{name}" must be of type Integer') from None

    def get_float(self, name: str, default: float) -> float:
        """Float value with a default."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: field "{name}" must be of type Float') from None

    def get_bool(self, name: str) -> bool:
        """Boolean value; form bodies send "true"/"false"."""
        value = self.data.get(name)
        if value is None or isinstance(value, bool):
            return bool(value)
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0", ""):
            return False
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Boolean')


Handler = Callable[[Params], Awaitable[Any]]

"""Local Bot API server speaking HTTP like api.telegram.org; tests and the sandbox act as users.

The real python-telegram-bot client talks to it over HTTP (``base_url`` / ``base_file_url``);
answers and errors have Telegram's shapes, status codes and descriptions. Tests act as users
(``send_text``, ``press``, ``block`` ...) and observe the bot (``messages``, ``wait_for_*``).

Conventions:

* Private chat id == user id. A chat is known once a user acted in it (or the bot was added to
  it); sending to an unknown chat is 400 "chat not found", to a registered user who never wrote
  403 "bot can't initiate conversation with a user".
* Message ids are per chat and shared by user and bot messages.
* Bot messages are stored as Telegram would return them, with the text exactly as sent (markup
  is validated but not rendered). ``messages()`` adds ``edit_count``, ``parse_mode``,
  ``deleted`` and, for non-inline keyboards (which Telegram does not echo), ``reply_keyboard``.
* Cursor: every user action records, per chat, how many messages the bot had sent there.
  ``wait_for_messages`` returns everything the bot sent after that point (or after an explicit
  ``after=cursor(chat_id)``); ``wait_for_edit`` waits for an edit after the last action.
* Sending methods are rate limited by a global and a per-chat token bucket (429 with
  ``retry_after``); edits, callback answers and chat actions are not.
* A button press can be answered once, and only within ``callback_answer_timeout`` seconds
  of the press (Telegram refuses older ones with "query is too old"), however long the
  update waited before the bot fetched it.
* The test API is synchronous and must be called from the event loop the server runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import html
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

JSON = dict[str, Any]
Handler = Callable[["_Params"], Awaitable[Any]]

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
# Telegram accepts 50 MB uploads; leave headroom for multipart overhead.
MAX_UPLOAD = 60 * 1024 * 1024
MAX_INLINE_BUTTONS = 100

# Parameters PTB sends as JSON strings inside form/multipart bodies; everything else stays a string
# so that e.g. a message text of "[1]" is never mistaken for JSON.
_JSON_PARAMS = frozenset(
    [
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
        "menu_button",
    ]
)
# Update types Telegram only delivers when explicitly listed in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
_BUTTON_ACTIONS = [
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
]
_SCOPE_TYPES = frozenset(
    [
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    ]
)
_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
        "tg-time",
    ]
)
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Telegram-style error answer; the HTTP status equals error_code, as with Telegram."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        """Create an error answer with an optional flood-wait in whole seconds."""
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    # Telegram reports markup errors as UTF-8 byte offsets.
    return len(text[:index].encode())


def _entities_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def html_visible_text(text: str) -> str:
    """Validate Telegram HTML markup like Telegram does and return the text a user would see."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            match = _HTML_ENTITY.match(text, i)
            # Unknown or bare "&" is shown literally by Telegram, so it is not an error.
            out.append(html.unescape(match.group(0)) if match else "&")
            i = match.end() if match else i + 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        offset = _byte_offset(text, i)
        closing = text.startswith("</", i)
        match = _TAG_NAME.match(text, i + (2 if closing else 1))
        name = match.group(0).lower() if match else ""
        end = text.find(">", i)
        if not closing and name not in _HTML_TAGS:
            # This is also what an unescaped "<" in plain text produces on Telegram.
            raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
        if end == -1:
            raise _entities_error(f"Can't find end of the tag at byte offset {offset}")
        if closing:
            if not stack:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            if name != stack[-1]:
                raise _entities_error(
                    f"Unmatched end tag at byte offset {offset}, "
                    f'expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            if name == "span" and "tg-spoiler" not in text[i:end]:
                raise _entities_error(f'Unsupported start tag "span" at byte offset {offset}')
            stack.append(name)
        i = end + 1
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def markdown_v2_visible_text(text: str) -> str:
    """Check MarkdownV2 for unescaped reserved characters (conservatively); return visible text."""
    # Only errors that are certain are reported (reserved characters that can never be markup);
    # unbalanced * _ ~ are not checked, so valid text is never rejected.
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        line_start = i == 0 or text[i - 1] == "\n"
        if ch == "\\":
            out.append(text[i + 1] if i + 1 < n else ch)
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            while j < n and not text.startswith(fence, j):
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(text[j])
                j += 1
            if j >= n:
                kind = "Pre" if fence == "```" else "Code"
                raise _entities_error(
                    f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}"
                )
            i = j + len(fence)
            continue
        if text.startswith("](", i):
            j = i + 2
            while j < n and text[j] != ")":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _entities_error(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, i)}"
                )
            i = j + 1
            continue
        if line_start and text.startswith("**>", i):
            i += 3
            continue
        if text.startswith("||", i) or text.startswith("![", i) or (ch == ">" and line_start):
            i += 2 if ch == "|" else 1
            continue
        if ch in "*_~[]":
            i += 1
            continue
        if ch in ".!-=+#{}()|>":
            raise _entities_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    return "".join(out)


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


class _Params:
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


def _check_markup(markup: Any) -> tuple[JSON | None, JSON | None]:
    """Validate reply_markup like Telegram; return (inline keyboard, other markup)."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            return None, markup
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400,
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be '
            "an Array of Arrays",
        )
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise ApiError(400, "Bad Request: reply markup is too long")
    for button in buttons:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise ApiError(
                400, "Bad Request: can't parse inline keyboard button: Text must be a String"
            )
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    return markup, None


def _command_entities(text: str) -> list[JSON]:
    """bot_command entities as Telegram adds them to user messages (UTF-16 offsets)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND.finditer(text)
    ]


def _canonical_scope(scope: Any) -> str:
    """Stable JSON for a BotCommandScope (dict or PTB object); numeric-string ids become ints."""
    if scope is None:
        scope = {"type": "default"}
    elif hasattr(scope, "to_dict"):
        scope = scope.to_dict()
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
    normalized = dict(scope)
    for key in ("chat_id", "user_id"):
        value = normalized.get(key)
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
            normalized[key] = int(value)
    return json.dumps(normalized, sort_keys=True, separators=(",", ":"))


class BotApiServer:
    """A local Telegram Bot API server; PTB talks to it over HTTP, tests act as users through it."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        global_rate: float | None = 30.0,
        global_burst: int | None = 30,
        chat_rate: float | None = 1.0,
        chat_burst: int | None = 10,
        chat_limit: bool = True,
        bot_username: str = "nabo_test_bot",
        callback_answer_timeout: float = 15.0,
    ) -> None:
        """Configure the server; call start() (or use `async with`) to listen.

        ``chat_limit=False`` switches the per-chat limit off (the overall one stays): a test
        that is not about limits then does not wait out ``retry_after`` seconds a person
        would have spent reading.
        """
        self.token = token
        # Telegram's window for answering a press is about 15 s; tests that are about late
        # presses set a fraction of a second, so that none of them has to wait long.
        self.callback_answer_timeout = callback_answer_timeout
        self.global_rate = global_rate
        self.global_burst = global_burst
        self.chat_rate = chat_rate if chat_limit else None
        self.chat_burst = chat_burst
        self.webhook_retry_delay = 0.2  # Telegram backs off much longer; tests want quick retries
        self.requests: list[tuple[str, JSON]] = []
        self.rejected: list[tuple[str, int, str]] = []
        # Bugs in this server (answered as HTTP 500); tests can assert the list stays empty.
        self.errors: list[BaseException] = []
        self.callback_answers: dict[str, JSON] = {}
        self._host = host
        self._port = port
        self._bound_port: int | None = None
        self._runner: web.AppRunner | None = None
        head = token.split(":", 1)[0]
        self._bot_user: JSON = {
            "id": int(head) if head.isdigit() else 123456,
            "is_bot": True,
            "first_name": "Nabo Test",
            "username": bot_username,
        }
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, ChatState] = {}
        self._files: dict[str, FileRecord] = {}
        self._files_by_path: dict[str, FileRecord] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._updates: list[JSON] = []
        # Updates handed out again whatever the offset, as after a crash before the bot
        # confirmed them (see deliver_again).
        self._redeliveries: list[JSON] = []
        self._redelivered_in_flight = False  # handed out, and the bot has not polled since
        self._last_update_id = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        # Unanswered presses: query id -> when it was pressed (time.monotonic()).
        self._pending_queries: dict[str, float] = {}
        self._counter = 0
        self._seq = 0
        self._global_bucket = TokenBucket()
        self._faults: list[Fault] = []
        self._delays: list[Delay] = []
        self._webhook: JSON | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._changed = asyncio.Event()
        self._stop_event = asyncio.Event()
        self._stopping = False
        self._handlers: dict[str, tuple[str, Handler]] = {}
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "leaveChat": self._leave_chat,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            **{
                f"send{kind.capitalize()}": functools.partial(self._send_media, kind)
                for kind in ("document", "photo", "audio", "video", "animation", "voice", "sticker")
            },
        }
        for name, handler in handlers.items():
            # Telegram treats method names case-insensitively.
            self._handlers[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start listening on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("BotApiServer already started")
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        self._stopping = False
        self._stop_event.clear()
        # A short shutdown_timeout: long polls are released on stop, so nothing should linger.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._bound_port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release long polls and waiters, stop webhook delivery and close the listener."""
        self._stopping = True
        self._stop_event.set()
        self._notify()
        await self._stop_webhook_task()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:PORT."""
        if self._bound_port is None:
            raise RuntimeError("BotApiServer is not started")
        return f"http://{self._host}:{self._bound_port}"

    @property
    def base_url(self) -> str:
        """Bot API base URL for PTB's base_url (the token and method are appended)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base URL for PTB's base_file_url."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot's own User dict (what getMe returns)."""
        return copy.deepcopy(self._bot_user)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["token"]
        if token != self.token:
            # Telegram answers 404 for malformed tokens and 401 for well-formed but wrong ones.
            if _TOKEN_SHAPE.fullmatch(token):
                return self._error(method, ApiError(401, "Unauthorized"))
            return self._error(method, ApiError(404, "Not Found"))
        name, handler = self._handlers.get(method.lower(), (method, None))
        try:
            data, uploads = await self._parse_params(request)
        except ApiError as err:
            self.requests.append((name, {}))
            return self._error(name, err)
        self.requests.append((name, {**data, **uploads}))
        self._notify()  # wait_for_request() watches the request log
        if handler is None:
            return self._error(name, ApiError(404, "Not Found"))
        params = _Params(data, uploads)
        try:
            await self._apply_delay(name)
            self._apply_fault(name, params)
            result = await handler(params)
        except ApiError as err:
            return self._error(name, err, request)
        except Exception as exc:  # a bug in this server: report it as Telegram would, keep serving
            log.exception("BotApiServer failed handling %s", name)
            self.errors.append(exc)
            return self._error(name, ApiError(500, "Internal Server Error"))
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        record = self._files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or record is None:
            return self._error("file", ApiError(404, "Not Found"))
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream"
        )

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return self._error(request.path, ApiError(404, "Not Found"))

    def _error(
        self, method: str, err: ApiError, request: web.Request | None = None
    ) -> web.Response:
        transport = request.transport if request is not None else None
        if request is not None and (transport is None or transport.is_closing()):
            # Nobody will read this answer (e.g. PTB cancelled its long poll on shutdown and the
            # next poll superseded it), so it is not a rejection the bot saw.
            log.debug("%s answered %s to a disconnected client", method, err.code)
        else:
            self.rejected.append((method, err.code, err.description))
        body: JSON = {"ok": False, "error_code": err.code, "description": err.description}
        if err.retry_after is not None:
            body["parameters"] = {"retry_after": err.retry_after}
        return web.json_response(body, status=err.code)

    async def _parse_params(self, request: web.Request) -> tuple[JSON, dict[str, Upload]]:
        data: JSON = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.body_exists:
            try:
                if request.content_type == "application/json":
                    body = await request.json()
                    if not isinstance(body, dict):
                        raise ApiError(400, "Bad Request: JSON object expected")
                    data.update(body)
                elif request.content_type in (
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                ):
                    form = await request.post()
                    for key, value in form.items():
                        if isinstance(value, web.FileField):
                            uploads[key] = Upload(
                                value.filename or key,
                                value.content_type or "application/octet-stream",
                                value.file.read(),
                            )
                        else:
                            data[key] = value
            except ApiError:
                raise
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
            except Exception:  # malformed body from the client: a 400, never a server crash
                raise ApiError(400, "Bad Request: can't parse request body") from None
        for key in _JSON_PARAMS & data.keys():
            if isinstance(data[key], str):
                try:
                    data[key] = json.loads(data[key])
                except ValueError:
                    raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        return data, uploads

    async def _apply_delay(self, method: str) -> None:
        for delay in self._delays:
            if delay.method.lower() == method.lower():
                delay.remaining -= 1
                if delay.remaining <= 0:
                    self._delays.remove(delay)
                # Wait on the stop event so stop() is never held up by an injected delay.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), delay.seconds)
                return

    def _apply_fault(self, method: str, params: _Params) -> None:
        for fault in self._faults:
            if fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None:
                try:
                    if params.get_int("chat_id") != fault.chat_id:
                        continue
                except ApiError:
                    continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise ApiError(fault.error_code, fault.description, fault.retry_after)

    def _notify(self) -> None:
        # Wake every waiter (long polls, wait_for_*); they re-check their own condition.
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float | None) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    async def _wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self._wait_change(remaining)
        return True

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    # ------------------------------------------------------------------ chats, limits, messages

    def _resolve_chat_id(self, raw: Any) -> int:
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat_id, state in self._chats.items():
                if str(state.chat.get("username", "")).lower() == raw[1:].lower():
                    return chat_id
            raise ApiError(400, "Bad Request: chat not found")
        try:
            return _Params({"chat_id": raw}, {}).get_int("chat_id") or 0
        except ApiError:
            raise ApiError(400, "Bad Request: chat not found") from None

    def _target_chat(self, params: _Params) -> ChatState:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id in self._users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError(400, "Bad Request: chat not found")
        if chat.chat["type"] == "private" and chat.bot_status == "kicked":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.bot_status != "member":
            kind = "supergroup chat" if chat.chat["type"] == "supergroup" else "group chat"
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

    def _check_rate(self, chat: ChatState) -> None:
        now = time.monotonic()
        limits = [
            (bucket, rate, burst)
            for bucket, rate, burst in (
                (self._global_bucket, self.global_rate, self.global_burst),
                (chat.bucket, self.chat_rate, self.chat_burst),
            )
            if rate is not None and burst is not None
        ]
        wait = max(
            (bucket.wait_time(rate, burst, now) for bucket, rate, burst in limits), default=0.0
        )
        if wait > 0:
            retry = min(3600, max(1, math.ceil(wait)))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        # Tokens are taken only once every bucket agreed, so a rejected call costs nothing.
        for bucket, _, _ in limits:
            bucket.take()

    def _formatting(
        self, params: _Params, text: str, entities_key: str
    ) -> tuple[str | None, list[JSON] | None, str]:
        """Return (parse_mode, entities, visible text), validating markup like Telegram."""
        parse_mode = params.get_str("parse_mode") or None
        entities = params.get(entities_key)
        if entities is not None and not isinstance(entities, list):
            raise ApiError(400, f"Bad Request: can't parse {entities_key} JSON object")
        if entities:
            return (
                parse_mode,
                entities,
                text,
            )  # explicit entities win over parse_mode, as with Telegram
        mode = (parse_mode or "").lower()
        if mode == "html":
            return parse_mode, None, html_visible_text(text)
        if mode == "markdownv2":
            return parse_mode, None, markdown_v2_visible_text(text)
        if mode in ("", "markdown"):
            return parse_mode, None, text
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")

    def _reply_target(self, chat: ChatState, params: _Params) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = _Params(reply, {}).get_int("message_id")
            allow = _Params(reply, {}).get_bool("allow_sending_without_reply")
        else:
            message_id = params.get_int("reply_to_message_id")
            allow = params.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        target = copy.deepcopy(stored.message)
        target.pop("reply_to_message", None)  # Telegram never nests replies more than one level
        return target

    def _new_bot_message(
        self,
        chat: ChatState,
        content: JSON,
        *,
        inline: JSON | None,
        other: JSON | None,
        parse_mode: str | None,
        reply_to: JSON | None,
    ) -> JSON:
        message: JSON = {
            "message_id": chat.new_message_id(),
            "from": copy.deepcopy(self._bot_user),
            "chat": copy.deepcopy(chat.chat),
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if inline is not None:
            message["reply_markup"] = copy.deepcopy(inline)
        chat.messages[message["message_id"]] = StoredMessage(
            message, from_bot=True, parse_mode=parse_mode, reply_keyboard=copy.deepcopy(other)
        )
        chat.bot_messages.append(message["message_id"])
        self._seq += 1
        self._notify()
        return copy.deepcopy(message)

    def _editable(self, params: _Params) -> tuple[ChatState, StoredMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")  # inline mode is not simulated
        chat = self._target_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not stored.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, stored

    def _apply_edit(self, stored: StoredMessage, changes: JSON) -> JSON:
        for key, value in changes.items():
            if value is None:
                stored.message.pop(key, None)
            else:
                stored.message[key] = copy.deepcopy(value)
        stored.message["edit_date"] = int(time.time())
        stored.edit_count += 1
        self._seq += 1
        stored.edit_seq = self._seq
        self._notify()
        return copy.deepcopy(stored.message)

    def _register_file(
        self, kind: str, data: bytes, filename: str | None, mime_type: str | None
    ) -> FileRecord:
        n = self._next()
        extension = (filename or "").rpartition(".")[2] if filename and "." in filename else "bin"
        record = FileRecord(
            file_id=f"{kind.upper()}-FILE-{n:06d}",
            file_unique_id=f"U{n:06d}",
            kind=kind,
            data=data,
            filename=filename,
            mime_type=mime_type,
            path=f"{kind}s/file_{n}.{extension}",
        )
        self._files[record.file_id] = record
        self._files_by_path[record.path] = record
        return record

    def _media_object(self, kind: str, record: FileRecord) -> Any:
        base: JSON = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
        }
        if kind == "photo":
            # Telegram sends several sizes; the thumbnail id resolves to the same file here.
            self._files.setdefault(record.file_id + "-S", record)
            small = {
                **base,
                "file_id": record.file_id + "-S",
                "file_unique_id": record.file_unique_id + "S",
            }
            return [{**small, "width": 90, "height": 90}, {**base, "width": 800, "height": 600}]
        if kind == "sticker":
            return {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "\N{THUMBS UP SIGN}",
            }
        if kind == "voice":
            return {**base, "duration": 2, "mime_type": record.mime_type or "audio/ogg"}
        named = {**base, "file_name": record.filename, "mime_type": record.mime_type}
        named = {key: value for key, value in named.items() if value is not None}
        if kind in ("video", "animation"):
            return {**named, "width": 640, "height": 360, "duration": 2}
        if kind == "audio":
            return {**named, "duration": 2}
        return named

    def _resolve_file(self, kind: str, params: _Params) -> Callable[[], FileRecord]:
        """Validate the file parameter now; the returned factory registers the file when called."""
        value = params.get(kind)
        upload = params.uploads.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.uploads.get(value.removeprefix("attach://"))
        if upload is not None:
            up = upload
            return lambda: self._register_file(kind, up.data, up.filename, up.mime_type)
        if isinstance(value, str) and value in self._files:
            record = self._files[value]
            return lambda: record
        if isinstance(value, str) and re.match(r"https?://", value):
            name = value.rstrip("/").rpartition("/")[2] or None
            return lambda: self._register_file(kind, b"", name, None)
        if not value:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    # ------------------------------------------------------------------ Bot API methods

    async def _true(self, params: _Params) -> bool:
        return True

    async def _get_me(self, params: _Params) -> JSON:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _update_kind(self, update: JSON) -> str:
        return next((key for key in update if key != "update_id"), "")

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            self._notify()

    def _take_batch(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates
        kept = []
        for update in self._updates:
            kind = self._update_kind(update)
            # Telegram drops updates the bot did not subscribe to rather than holding them.
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATES):
                kept.append(update)
        if len(kept) != len(self._updates):
            self._updates = kept
            self._notify()
        return copy.deepcopy(kept[:limit])

    def _take_redeliveries(self, limit: int) -> list[JSON]:
        batch, self._redeliveries = self._redeliveries[:limit], self._redeliveries[limit:]
        if batch:
            # Counted as pending until the bot polls again: by then it has queued them.
            self._redelivered_in_flight = True
            self._notify()
        return batch

    async def _get_updates(self, params: _Params) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(params.get_int("offset") or 0)
        if self._redelivered_in_flight:
            self._redelivered_in_flight = False
            self._notify()
        limit = min(100, max(1, params.get_int("limit") or 100))
        timeout = min(60.0, max(0.0, params.get_float("timeout", 0.0)))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # lets an older long poll see that it has been superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._take_redeliveries(limit) or self._take_batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._stopping:
                return batch
            await self._wait_change(remaining)

    async def _set_webhook(self, params: _Params) -> bool:
        url = params.get_str("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not re.match(r"https?://", url):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get_str("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get_int("max_connections") or 40,
        }
        self._webhook_error = None
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        self._notify()
        return True

    async def _delete_webhook(self, params: _Params) -> bool:
        self._webhook = None
        await self._stop_webhook_task()
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, params: _Params) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info.update(
                url=self._webhook["url"],
                max_connections=self._webhook["max_connections"],
                ip_address="127.0.0.1",
            )
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _stop_webhook_task(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _webhook_loop(self) -> None:
        """Deliver queued updates one by one to the webhook, retrying until it answers 2xx."""
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            while self._webhook is not None and not self._stopping:
                batch = self._take_batch(1)
                if not batch:
                    await self._wait_change(None)
                    continue
                update, hook = batch[0], self._webhook
                headers = (
                    {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]}
                    if hook["secret_token"]
                    else {}
                )
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as response:
                        # str(): aiohttp has None for a missing reason phrase.
                        status, reason = response.status, str(response.reason)
                except (ClientError, TimeoutError) as exc:
                    status, reason = 0, str(exc) or type(exc).__name__
                if 200 <= status < 300:
                    self._confirm(update["update_id"] + 1)
                    continue
                message = (
                    f"Wrong response from the webhook: {status} {reason}" if status else reason
                )
                self._webhook_error = (int(time.time()), message)
                await asyncio.sleep(self.webhook_retry_delay)

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, 'Bad Request: parameter "commands" is required')
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command["command"], "description": description})
        key = self._commands_key(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: LANG_CODE_INVALID")
        scope = _canonical_scope(params.get("scope"))
        chat_id = json.loads(scope).get("chat_id")
        if chat_id is not None and self._resolve_chat_id(chat_id) not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return scope, language

    async def _get_my_commands(self, params: _Params) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: _Params) -> JSON:
        text = params.get_str("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode, entities, visible = self._formatting(params, text, "entities")
        if utf16_len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        inline, other = _check_markup(params.get("reply_markup"))
        chat = self._target_chat(params)
        reply_to = self._reply_target(chat, params)
        self._check_rate(chat)
        content: JSON = {"text": text, **({"entities": entities} if entities else {})}
        return self._new_bot_message(
            chat, content, inline=inline, other=other, parse_mode=parse_mode, reply_to=reply_to
        )

    async def _send_media(self, kind: str, params: _Params) -> JSON:
        caption = params.get_str("caption") or ""
        parse_mode, entities, visible = self._formatting(params, caption, "caption_entities")
        if utf16_len(visible) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        inline, other = _check_markup(params.get("reply_markup"))
        chat = self._target_chat(params)
        reply_to = self._reply_target(chat, params)
        # Validate the file before rate limiting (a bad call costs no token) but register it only
        # once the call passes, so files of rejected calls never exist.
        make_record = self._resolve_file(kind, params)
        self._check_rate(chat)
        content: JSON = {kind: self._media_object(kind, make_record())}
        if caption and kind != "sticker":
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return self._new_bot_message(
            chat, content, inline=inline, other=other, parse_mode=parse_mode, reply_to=reply_to
        )

    async def _edit_message_text(self, params: _Params) -> JSON:
        text = params.get_str("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode, entities, visible = self._formatting(params, text, "entities")
        if utf16_len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        inline, other = _check_markup(params.get("reply_markup"))
        if other is not None:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        _, stored = self._editable(params)
        if "text" not in stored.message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        # Omitting reply_markup removes the inline keyboard, exactly as on Telegram.
        changes: JSON = {"text": text, "entities": entities or None, "reply_markup": inline}
        if self._unchanged(stored, changes) and parse_mode == stored.parse_mode:
            raise ApiError(400, _NOT_MODIFIED)
        stored.parse_mode = parse_mode
        return self._apply_edit(stored, changes)

    async def _edit_message_caption(self, params: _Params) -> JSON:
        caption = params.get_str("caption") or ""
        parse_mode, entities, visible = self._formatting(params, caption, "caption_entities")
        if utf16_len(visible) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        inline, _ = _check_markup(params.get("reply_markup"))
        _, stored = self._editable(params)
        if "text" in stored.message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        changes: JSON = {
            "caption": caption or None,
            "caption_entities": entities or None,
            "reply_markup": inline,
        }
        if self._unchanged(stored, changes) and parse_mode == stored.parse_mode:
            raise ApiError(400, _NOT_MODIFIED)
        stored.parse_mode = parse_mode
        return self._apply_edit(stored, changes)

    async def _edit_message_reply_markup(self, params: _Params) -> JSON:
        inline, other = _check_markup(params.get("reply_markup"))
        if other is not None:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        _, stored = self._editable(params)
        changes: JSON = {"reply_markup": inline}
        if self._unchanged(stored, changes):
            raise ApiError(400, _NOT_MODIFIED)
        return self._apply_edit(stored, changes)

    @staticmethod
    def _unchanged(stored: StoredMessage, changes: JSON) -> bool:
        return all(stored.message.get(key) == value for key, value in changes.items())

    async def _delete_message(self, params: _Params) -> bool:
        chat = self._target_chat(params)
        stored = chat.messages.get(params.get_int("message_id") or 0)
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        stored.deleted = True
        self._seq += 1
        self._notify()
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        text = params.get_str("text")
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        pressed_at = self._pending_queries.pop(query_id, None)
        if pressed_at is None or self._too_old(pressed_at):
            raise ApiError(400, _QUERY_INVALID)
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time"),
        }
        self._notify()
        return True

    async def _send_chat_action(self, params: _Params) -> bool:
        if params.get_str("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._target_chat(params)
        return True

    async def _leave_chat(self, params: _Params) -> bool:
        chat = self._target_chat(params)
        if chat.chat["type"] == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        # Telegram tells the bot about its own departure with a my_chat_member update.
        self._member_update(chat, self._bot_user, "left", record_action=False)
        return True

    async def _get_chat(self, params: _Params) -> JSON:
        chat = self._chats.get(self._resolve_chat_id(params.get("chat_id")))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **copy.deepcopy(chat.chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _get_file(self, params: _Params) -> JSON:
        record = self._files.get(params.get_str("file_id") or "")
        if record is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
            "file_path": record.path,
        }

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls of `method` (optionally only into chat_id) fail."""
        self._faults.append(Fault(method, error_code, description, retry_after, chat_id, count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the next `count` calls of `method`; each call still executes afterwards."""
        self._delays.append(Delay(method, seconds, count))

    def callback_query_expired(self, query_id: str) -> bool:
        """Tell whether it is too late to answer that press (or it was answered already)."""
        pressed_at = self._pending_queries.get(query_id)
        return pressed_at is None or self._too_old(pressed_at)

    def _too_old(self, pressed_at: float) -> bool:
        return time.monotonic() - pressed_at > self.callback_answer_timeout

    async def wait_until_too_old(self, query_id: str) -> None:
        """Wait until it is too late to answer that press, as after a restart of the bot."""
        while not self.callback_query_expired(query_id):
            left = self._pending_queries[query_id] + self.callback_answer_timeout
            await asyncio.sleep(max(left - time.monotonic(), 0) + 0.001)

    def reset_rate_limits(self) -> None:
        """Refill the global and all per-chat token buckets."""
        self._global_bucket = TokenBucket()
        for chat in self._chats.values():
            chat.bucket = TokenBucket()

    # ------------------------------------------------------------------ acting as users

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str = "da",
        last_name: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """Register (or re-register, replacing the profile) a user and return its User dict."""
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is not None:
            chat.chat = self._private_chat_dict(user)
        return copy.deepcopy(user)

    def _ensure_user(self, user_id: int) -> JSON:
        if user_id not in self._users:
            self.user(user_id)
        return self._users[user_id]

    @staticmethod
    def _private_chat_dict(user: JSON) -> JSON:
        chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        chat.update({key: user[key] for key in ("last_name", "username") if key in user})
        return chat

    def _private_chat(self, user_id: int) -> ChatState:
        user = self._ensure_user(user_id)
        if user_id not in self._chats:
            self._chats[user_id] = ChatState(self._private_chat_dict(user))
        return self._chats[user_id]

    def _group_chat(self, chat_id: int, chat_type: str | None, title: str | None) -> ChatState:
        if chat_id >= 0:
            raise AssertionError(f"group chat ids are negative, got {chat_id}")
        if chat_id not in self._chats:
            if chat_type is None:
                chat_type = (
                    "supergroup"
                    if str(chat_id).startswith("-100") and len(str(chat_id)) >= 14
                    else "group"
                )
            self._chats[chat_id] = ChatState(
                {"id": chat_id, "type": chat_type, "title": title or "Group"}
            )
        elif title is not None:
            self._chats[chat_id].chat["title"] = title
        return self._chats[chat_id]

    def _acting_chat(
        self, user_id: int, chat_id: int | None, chat_type: str, chat_title: str | None
    ) -> ChatState:
        """The chat a user acts in, asserting the action is possible for a real user."""
        self._ensure_user(user_id)
        if chat_id is None or (chat_id == user_id and chat_type == "private"):
            chat = self._private_chat(user_id)
            if chat.bot_status == "kicked":
                raise AssertionError(
                    f"user {user_id} has blocked the bot; call unblock({user_id}) first"
                )
            return chat
        if chat_id > 0:
            raise AssertionError(f"a private chat's id must equal the user id ({user_id})")
        # chat_type only matters for a new chat; "private" (the default) means "infer from the id".
        chat = self._group_chat(chat_id, None if chat_type == "private" else chat_type, chat_title)
        if chat.bot_status != "member":
            raise AssertionError(
                f"the bot is not a member of chat {chat_id}; call add_bot_to_group first"
            )
        return chat

    def _record_action(self, chat: ChatState) -> None:
        chat.action_cursor = len(chat.bot_messages)
        self._seq += 1
        chat.action_seq = self._seq

    def _enqueue(self, payload: JSON) -> JSON:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, **copy.deepcopy(payload)}
        self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    def _user_message(self, user_id: int, chat: ChatState, content: JSON) -> JSON:
        message: JSON = {
            "message_id": chat.new_message_id(),
            "from": copy.deepcopy(self._users[user_id]),
            "chat": copy.deepcopy(chat.chat),
            "date": int(time.time()),
            **content,
        }
        chat.messages[message["message_id"]] = StoredMessage(message, from_bot=False)
        self._record_action(chat)
        return self._enqueue({"message": message})

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to: int | None = None,
    ) -> JSON:
        """The user sends a text (bot_command entities added); returns the enqueued Update."""
        if not text.strip():
            raise AssertionError("Telegram clients cannot send an empty message")
        chat = self._acting_chat(user_id, chat_id, chat_type, chat_title)
        content: JSON = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            stored = chat.messages.get(reply_to)
            if stored is None or stored.deleted:
                raise AssertionError(f"no message {reply_to} in chat {chat.chat['id']} to reply to")
            content["reply_to_message"] = {
                k: v for k, v in stored.message.items() if k != "reply_to_message"
            }
        return self._user_message(user_id, chat, content)

    def send_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
    ) -> JSON:
        """The user sends /command with optional arguments; returns the enqueued Update."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return self.send_text(
            user_id, text, chat_id=chat_id, chat_type=chat_type, chat_title=chat_title
        )

    def press_button(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> str:
        """The user presses an inline button with callback_data; returns the callback query id."""
        user = self._ensure_user(user_id)
        target = user_id if chat_id is None else chat_id
        chat = self._chats.get(target)
        if chat is not None and chat.chat["type"] == "private" and chat.bot_status == "kicked":
            raise AssertionError(
                f"user {user_id} has blocked the bot; call unblock({user_id}) first"
            )
        stored = chat.messages.get(message_id) if chat else None
        if stored is not None and not stored.deleted:
            message = copy.deepcopy(stored.message)
        else:
            # A forged or stale press: Telegram still delivers it, with whatever it knows.
            chat_dict = chat.chat if chat else self._private_chat_dict(user)
            message = {
                "message_id": message_id,
                "from": self._bot_user,
                "chat": chat_dict,
                "date": int(time.time()),
            }
        query_id = str(4_000_000_000_000_000_000 + self._next())
        self._pending_queries[query_id] = time.monotonic()
        if chat is not None:
            self._record_action(chat)
        self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": f"ci{target}",
                    "data": callback_data,
                }
            }
        )
        return query_id

    def press(self, user_id: int, message: JSON, button_text: str) -> str:
        """Press the inline button labelled button_text on a bot message; return the query id."""
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        chat = self._chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        # Use the message as the user sees it now, not a possibly stale dict held by the test.
        current = stored.message if stored is not None and not stored.deleted else message
        buttons = [
            b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row
        ]
        matches = [b for b in buttons if b.get("text") == button_text]
        if not matches:
            raise AssertionError(
                f"no inline button {button_text!r} on message {message_id} in chat {chat_id}; "
                f"available: {[b.get('text') for b in buttons]}"
            )
        if "callback_data" not in matches[0]:
            raise AssertionError(f"button {button_text!r} has no callback_data: {matches[0]}")
        return self.press_button(user_id, message_id, matches[0]["callback_data"], chat_id=chat_id)

    def share_contact(self, user_id: int, phone_number: str, *, own: bool = True) -> JSON:
        """The user shares a contact (their own by default, as a request_contact button does)."""
        user = self._ensure_user(user_id)
        chat = self._acting_chat(user_id, None, "private", None)
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": user["first_name"] if own else "Kontakt",
        }
        if own:
            contact.update({"last_name": user["last_name"]} if "last_name" in user else {})
            contact["user_id"] = user_id
        return self._user_message(user_id, chat, {"contact": contact})

    def _user_media(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        filename: str | None,
        mime: str | None,
        extra: JSON,
    ) -> JSON:
        chat = self._acting_chat(user_id, None, "private", None)
        record = self._register_file(kind, data, filename, mime)
        return self._user_message(user_id, chat, {kind: self._media_object(kind, record), **extra})

    def send_sticker(self, user_id: int) -> JSON:
        """The user sends a sticker."""
        return self._user_media(user_id, "sticker", b"RIFF-fake-webp", None, "image/webp", {})

    def send_photo(self, user_id: int, *, caption: str | None = None) -> JSON:
        """The user sends a photo (several PhotoSizes, as Telegram does)."""
        extra = {"caption": caption} if caption else {}
        return self._user_media(
            user_id, "photo", b"\xff\xd8\xff-fake-jpeg", None, "image/jpeg", extra
        )

    def send_voice(self, user_id: int) -> JSON:
        """The user sends a voice note."""
        return self._user_media(user_id, "voice", b"OggS-fake-opus", None, "audio/ogg", {})

    def send_document(
        self,
        user_id: int,
        filename: str = "dokument.pdf",
        data: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
    ) -> JSON:
        """The user sends a document."""
        return self._user_media(user_id, "document", data, filename, mime_type, {})

    def send_location(
        self, user_id: int, latitude: float = 55.6761, longitude: float = 12.5683
    ) -> JSON:
        """The user sends a location (Copenhagen by default)."""
        chat = self._acting_chat(user_id, None, "private", None)
        return self._user_message(
            user_id, chat, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JSON:
        """The user edits one of their text messages; returns the edited_message Update."""
        chat = self._chats.get(user_id if chat_id is None else chat_id)
        stored = chat.messages.get(message_id) if chat else None
        if (
            stored is None
            or stored.from_bot
            or stored.message["from"]["id"] != user_id
            or "text" not in stored.message
        ):
            raise AssertionError(f"user {user_id} has no text message {message_id} to edit")
        stored.message["text"] = new_text
        stored.message.pop("entities", None)
        entities = _command_entities(new_text)
        if entities:
            stored.message["entities"] = entities
        stored.message["edit_date"] = int(time.time())
        stored.edit_count += 1
        assert chat is not None  # guaranteed by the stored-message check; narrows the type
        self._record_action(chat)
        return self._enqueue({"edited_message": stored.message})

    def _chat_member(self, status: str) -> JSON:
        member: JSON = {"user": copy.deepcopy(self._bot_user), "status": status}
        if status == "kicked":
            member["until_date"] = 0  # 0 = banned forever, what Telegram sends for blocks
        return member

    def _member_update(
        self, chat: ChatState, actor: JSON, new_status: str, *, record_action: bool = True
    ) -> JSON:
        old_status, chat.bot_status = chat.bot_status, new_status
        if record_action:
            self._record_action(chat)
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": chat.chat,
                    "from": actor,
                    "date": int(time.time()),
                    "old_chat_member": self._chat_member(old_status),
                    "new_chat_member": self._chat_member(new_status),
                }
            }
        )

    def block(self, user_id: int) -> JSON:
        """The user blocks the bot: my_chat_member member→kicked; sends then get 403."""
        chat = self._private_chat(user_id)
        if chat.bot_status == "kicked":
            raise AssertionError(f"user {user_id} has already blocked the bot")
        return self._member_update(chat, self._users[user_id], "kicked")

    def unblock(self, user_id: int) -> JSON:
        """The user unblocks the bot: my_chat_member kicked→member."""
        chat = self._private_chat(user_id)
        if chat.bot_status != "kicked":
            raise AssertionError(f"user {user_id} has not blocked the bot")
        return self._member_update(chat, self._users[user_id], "member")

    def add_bot_to_group(self, user_id: int, chat_id: int, title: str = "Group") -> JSON:
        """The user adds the bot to a group: my_chat_member left→member."""
        user = self._ensure_user(user_id)
        known = chat_id in self._chats
        chat = self._group_chat(chat_id, None, title)
        if known and chat.bot_status == "member":
            raise AssertionError(f"the bot is already a member of chat {chat_id}")
        if not known:
            chat.bot_status = "left"
        return self._member_update(chat, user, "member")

    def remove_bot_from_group(self, user_id: int, chat_id: int) -> JSON:
        """The user removes the bot: member→left (group) or member→kicked (supergroup)."""
        user = self._ensure_user(user_id)
        chat = self._chats.get(chat_id)
        if chat is None or chat.chat["type"] == "private" or chat.bot_status != "member":
            raise AssertionError(f"the bot is not a member of group {chat_id}")
        return self._member_update(
            chat, user, "kicked" if chat.chat["type"] == "supergroup" else "left"
        )

    def send_raw_update(self, update: JSON) -> JSON:
        """Enqueue a hand-made update; update_id is filled in when missing."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            self._last_update_id += 1
            update["update_id"] = self._last_update_id
        self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    def withhold(self) -> list[JSON]:
        """Take every update not yet fetched out of the queue (deliver them with deliver_again)."""
        taken, self._updates = self._updates, []
        self._notify()
        return taken

    def deliver_again(self, *updates: JSON) -> None:
        """Hand these updates (already delivered, or made up) to the bot again, in this order.

        They go out in the next getUpdates answer whatever offset the bot confirmed, as
        Telegram does after a bot crashed before confirming them; listing them out of
        update_id order delivers them out of order.
        """
        self._redeliveries.extend(copy.deepcopy(list(updates)))
        self._notify()

    # ------------------------------------------------------------------ observation

    def callback_data_sent(self, chat_id: int | None = None) -> list[str]:
        """Every callback_data the bot put on an inline button (in one chat, or anywhere)."""
        found: list[str] = []
        for _, params in self.requests:
            if chat_id is not None and str(params.get("chat_id")) != str(chat_id):
                continue
            markup = params.get("reply_markup")
            if isinstance(markup, str):
                with contextlib.suppress(ValueError):
                    markup = json.loads(markup)
            if isinstance(markup, dict):
                for row in markup.get("inline_keyboard") or []:
                    found.extend(b["callback_data"] for b in row if "callback_data" in b)
        return found

    def _view(self, stored: StoredMessage) -> JSON:
        view = copy.deepcopy(stored.message)
        view.update(
            edit_count=stored.edit_count, parse_mode=stored.parse_mode, deleted=stored.deleted
        )
        if stored.reply_keyboard is not None:
            view["reply_keyboard"] = copy.deepcopy(stored.reply_keyboard)
        return view

    def _bot_stored(self, chat_id: int) -> list[StoredMessage]:
        chat = self._chats.get(chat_id)
        return [chat.messages[mid] for mid in chat.bot_messages] if chat else []

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[JSON]:
        """The bot's messages in a chat, oldest first, in their current state (see module doc)."""
        return [
            self._view(s) for s in self._bot_stored(chat_id) if include_deleted or not s.deleted
        ]

    def transcript(self, chat_id: int, *, limit: int = 200) -> list[JSON]:
        """The last `limit` messages of a chat from both sides, oldest first, as they are now.

        Like messages(), plus ``from_bot``; deleted messages are left out. The sandbox's chat
        page shows this.
        """
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        shown = [stored for stored in chat.messages.values() if not stored.deleted]
        return [{**self._view(stored), "from_bot": stored.from_bot} for stored in shown[-limit:]]

    @property
    def version(self) -> int:
        """A number that grows whenever a message is sent, edited or deleted, or a user acts."""
        return self._seq

    async def wait_for_change(self, version: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until `version` is out of date or `timeout` seconds passed; return the version."""
        await self._wait_for(lambda: self._seq != version or self._stopping, timeout)
        return self._seq

    def continue_update_ids_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``, as Telegram's numbers keep growing.

        The sandbox's database outlives this server: the bot remembers the update ids it
        handled (bot/db/processed_updates.py) and would take a reused id for a repeat and drop it.
        """
        self._last_update_id = max(self._last_update_id, update_id)

    def open_chat(self, user_id: int) -> None:
        """Give a user a private chat with the bot without an update, as if they wrote long ago.

        The sandbox keeps its database across restarts but this server forgets its chats; this
        lets the bot reach residents it knows from before without them writing first.
        """
        self._private_chat(user_id)

    def cursor(self, chat_id: int) -> int:
        """Number of messages the bot has sent to the chat so far (a wait_for_messages cursor)."""
        return len(self._bot_stored(chat_id))

    def document_bytes(self, chat_id: int, message_id: int) -> bytes:
        """Bytes of the document the bot sent in that message."""
        chat = self._chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        document = stored.message.get("document") if stored else None
        if document is None:
            raise AssertionError(f"message {message_id} in chat {chat_id} has no document")
        return self._files[document["file_id"]].data

    def _describe(self, chat_id: int) -> str:
        lines = []
        for stored in self._bot_stored(chat_id)[-5:]:
            message = stored.message
            body = (
                message.get("text")
                or message.get("caption")
                or next(
                    (key for key in ("document", "photo", "sticker", "voice") if key in message),
                    "?",
                )
            )
            buttons = [
                b.get("text")
                for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                for b in row
            ]
            lines.append(
                f"  #{message['message_id']}{' (deleted)' if stored.deleted else ''}: "
                f"{body!r} buttons={buttons}"
            )
        return "\n".join(lines) or "  (none)"

    # The waiters take `timeout` on purpose (hence the ASYNC109 noqa): on expiry they raise an
    # AssertionError describing the chat, which an asyncio.timeout() around the call could not.
    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | None = None,
    ) -> list[JSON]:
        """Wait until the bot sent >= count messages to the chat after the cursor; return them all.

        The cursor is `after` if given (see cursor()), else the position at the most recent user
        action in that chat. Deleted messages are included (with deleted=True).
        """
        chat = self._chats.get(chat_id)
        start = after if after is not None else (chat.action_cursor if chat else 0)
        if not await self._wait_for(lambda: self.cursor(chat_id) - start >= count, timeout):
            raise AssertionError(
                f"bot sent {max(0, self.cursor(chat_id) - start)} of {count} expected "
                f"message(s) to chat {chat_id} within {timeout}s; recent bot messages:\n"
                f"{self._describe(chat_id)}"
            )
        return [self._view(s) for s in self._bot_stored(chat_id)[start:]]

    async def wait_for_edit(self, chat_id: int, message_id: int, *, timeout: float = 10.0) -> JSON:  # noqa: ASYNC109
        """Wait until the bot edits that message after the most recent user action in the chat."""
        chat = self._chats.get(chat_id)
        since = chat.action_seq if chat else 0

        def edited() -> bool:
            stored = chat.messages.get(message_id) if chat else None
            return stored is not None and stored.edit_seq > since

        if not await self._wait_for(edited, timeout):
            raise AssertionError(
                f"message {message_id} in chat {chat_id} was not edited within {timeout}s; "
                f"recent bot messages:\n{self._describe(chat_id)}"
            )
        assert chat is not None
        return self._view(chat.messages[message_id])

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 10.0) -> JSON:  # noqa: ASYNC109
        """Wait until the bot answered that callback query; return the answer."""
        if not await self._wait_for(lambda: query_id in self.callback_answers, timeout):
            raise AssertionError(f"callback query {query_id} was not answered within {timeout}s")
        return self.callback_answers[query_id]

    async def wait_for_request(self, method: str, count: int = 1, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has made at least `count` calls of `method` in total."""
        if not await self._wait_for(lambda: self.count(method) >= count, timeout):
            raise AssertionError(
                f"{method} was called {self.count(method)} time(s), expected {count}"
            )

    async def wait_until_idle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed every enqueued update (fetched with a later offset)."""
        if not await self._wait_for(
            lambda: not (self._updates or self._redeliveries or self._redelivered_in_flight),
            timeout,
        ):
            pending = [u["update_id"] for u in self._updates]
            raise AssertionError(f"updates {pending} still unconfirmed after {timeout}s")

    @property
    def webhook(self) -> JSON | None:
        """The webhook setWebhook registered (url, secret_token, max_connections), if any."""
        return copy.deepcopy(self._webhook)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot."""
        return copy.deepcopy(self._updates)

    def commands(self, language_code: str | None = None, scope: Any = None) -> list[JSON]:
        """Commands setMyCommands stored for a scope (dict or PTB BotCommandScope) and language."""
        return copy.deepcopy(self._commands.get((_canonical_scope(scope), language_code or ""), []))

    def command_menu(self, chat_id: int, language_code: str | None) -> list[JSON]:
        """The command menu a client shows in a chat, resolved in Telegram's order of scopes.

        The chat's own scope, then all private (or all group) chats, then the default; in
        each, the user's language first, then the list for every language.
        """
        chat = self._chats.get(chat_id)
        private = chat is None or chat.chat["type"] == "private"
        scopes = [
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_private_chats" if private else "all_group_chats"},
            {"type": "default"},
        ]
        for scope in scopes:
            for language in dict.fromkeys([language_code or "", ""]):
                found = self._commands.get((_canonical_scope(scope), language))
                if found:
                    return copy.deepcopy(found)
        return []

    def count(self, method: str) -> int:
        """How many times the bot called `method` (case-insensitive)."""
        return sum(1 for name, _ in self.requests if name.lower() == method.lower())

    def chat_state(self, chat_id: int) -> ChatState | None:
        """Raw state of a chat, for debugging."""
        return self._chats.get(chat_id)

"""The state the local Bot API server's parts share, and the primitives they build on."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.botapi.state import (
    JSON,
    ChatState,
    Delay,
    Fault,
    FileRecord,
    Handler,
    TokenBucket,
)


class ServerBase:
    """The server's state with its types, which HTTP, methods, users and observations all share.

    What more than one part needs (waiting, queueing an update, a membership change, a file)
    lives here too, so that each part depends on this class alone.
    """

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
        # How long each answered press waited for its answer, in seconds (benchmarks).
        self.callback_answer_delays: dict[str, float] = {}
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
        # Telegram treats method names case-insensitively.
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._bot_api_methods().items()
        }

    def _bot_api_methods(self) -> dict[str, Handler]:
        """Map the Bot API methods the server answers to their handlers (BotApiServer does)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ waiting

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

    # ------------------------------------------------------------------ for the bot and users alike

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

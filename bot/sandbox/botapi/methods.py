"""The Bot API methods: messages, media, edits, commands, button answers, chats and files."""

from __future__ import annotations

import asyncio
import copy
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

from bot.sandbox.botapi.base import ServerBase
from bot.sandbox.botapi.state import JSON, ApiError, ChatState, FileRecord, Params, StoredMessage
from bot.sandbox.botapi.wire import (
    MAX_CALLBACK_ANSWER,
    MAX_CAPTION,
    MAX_TEXT,
    canonical_scope,
    check_markup,
    html_visible_text,
    markdown_v2_visible_text,
    utf16_len,
)

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
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class BotApiMethods(ServerBase):
    """The Bot API methods but the update ones, answered with Telegram's results and errors."""

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
            return Params({"chat_id": raw}, {}).get_int("chat_id") or 0
        except ApiError:
            raise ApiError(400, "Bad Request: chat not found") from None

    def _target_chat(self, params: Params) -> ChatState:
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
        self, params: Params, text: str, entities_key: str
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

    def _reply_target(self, chat: ChatState, params: Params) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = Params(reply, {}).get_int("message_id")
            allow = Params(reply, {}).get_bool("allow_sending_without_reply")
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

    def _editable(self, params: Params) -> tuple[ChatState, StoredMessage]:
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

    def _resolve_file(self, kind: str, params: Params) -> Callable[[], FileRecord]:
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

    async def _true(self, params: Params) -> bool:
        return True

    async def _get_me(self, params: Params) -> JSON:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_my_commands(self, params: Params) -> bool:
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

    def _commands_key(self, params: Params) -> tuple[str, str]:
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: LANG_CODE_INVALID")
        scope = canonical_scope(params.get("scope"))
        chat_id = json.loads(scope).get("chat_id")
        if chat_id is not None and self._resolve_chat_id(chat_id) not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return scope, language

    async def _get_my_commands(self, params: Params) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: Params) -> JSON:
        text = params.get_str("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode, entities, visible = self._formatting(params, text, "entities")
        if utf16_len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        inline, other = check_markup(params.get("reply_markup"))
        chat = self._target_chat(params)
        reply_to = self._reply_target(chat, params)
        self._check_rate(chat)
        content: JSON = {"text": text, **({"entities": entities} if entities else {})}
        return self._new_bot_message(
            chat, content, inline=inline, other=other, parse_mode=parse_mode, reply_to=reply_to
        )

    async def _send_media(self, kind: str, params: Params) -> JSON:
        caption = params.get_str("caption") or ""
        parse_mode, entities, visible = self._formatting(params, caption, "caption_entities")
        if utf16_len(visible) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        inline, other = check_markup(params.get("reply_markup"))
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

    async def _edit_message_text(self, params: Params) -> JSON:
        text = params.get_str("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode, entities, visible = self._formatting(params, text, "entities")
        if utf16_len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        inline, other = check_markup(params.get("reply_markup"))
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

    async def _edit_message_caption(self, params: Params) -> JSON:
        caption = params.get_str("caption") or ""
        parse_mode, entities, visible = self._formatting(params, caption, "caption_entities")
        if utf16_len(visible) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        inline, _ = check_markup(params.get("reply_markup"))
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

    async def _edit_message_reply_markup(self, params: Params) -> JSON:
        inline, other = check_markup(params.get("reply_markup"))
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

    async def _delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        stored = chat.messages.get(params.get_int("message_id") or 0)
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        stored.deleted = True
        self._seq += 1
        self._notify()
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        text = params.get_str("text")
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        pressed_at = self._pending_queries.pop(query_id, None)
        if pressed_at is None or self._too_old(pressed_at):
            raise ApiError(400, _QUERY_INVALID)
        self.callback_answer_delays[query_id] = time.monotonic() - pressed_at
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time"),
        }
        self._notify()
        return True

    async def _send_chat_action(self, params: Params) -> bool:
        if params.get_str("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._target_chat(params)
        return True

    async def _leave_chat(self, params: Params) -> bool:
        chat = self._target_chat(params)
        if chat.chat["type"] == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        # Telegram tells the bot about its own departure with a my_chat_member update.
        self._member_update(chat, self._bot_user, "left", record_action=False)
        return True

    async def _get_chat(self, params: Params) -> JSON:
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

    async def _get_file(self, params: Params) -> JSON:
        record = self._files.get(params.get_str("file_id") or "")
        if record is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
            "file_path": record.path,
        }

    # ------------------------------------------------------------------ the window for answers

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

"""What tests observe of the bot: its messages, requests, answers, commands and progress."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from bot.sandbox.botapi.base import ServerBase
from bot.sandbox.botapi.state import JSON, ChatState, StoredMessage
from bot.sandbox.botapi.wire import canonical_scope


class Observations(ServerBase):
    """What the bot did, as tests and the sandbox's chat page see it, and waiting for it."""

    @property
    def bot_user(self) -> JSON:
        """The bot's own User dict (what getMe returns)."""
        return copy.deepcopy(self._bot_user)

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
        """The bot's messages in a chat, oldest first, as they are now (see the package doc)."""
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
        return copy.deepcopy(self._commands.get((canonical_scope(scope), language_code or ""), []))

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
                found = self._commands.get((canonical_scope(scope), language))
                if found:
                    return copy.deepcopy(found)
        return []

    def count(self, method: str) -> int:
        """How many times the bot called `method` (case-insensitive)."""
        return sum(1 for name, _ in self.requests if name.lower() == method.lower())

    def chat_state(self, chat_id: int) -> ChatState | None:
        """Raw state of a chat, for debugging."""
        return self._chats.get(chat_id)

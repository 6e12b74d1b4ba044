"""Simulated users: what a person does in Telegram (write, press a button, block the bot ...)."""

from __future__ import annotations

import copy
import time

from bot.sandbox.botapi.base import ServerBase
from bot.sandbox.botapi.state import JSON, ChatState, StoredMessage
from bot.sandbox.botapi.wire import command_entities


class SimulatedUsers(ServerBase):
    """Tests and the sandbox act as users through these; each action becomes the bot's update."""

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
        entities = command_entities(text)
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
        entities = command_entities(new_text)
        if entities:
            stored.message["entities"] = entities
        stored.message["edit_date"] = int(time.time())
        stored.edit_count += 1
        assert chat is not None  # guaranteed by the stored-message check; narrows the type
        self._record_action(chat)
        return self._enqueue({"edited_message": stored.message})

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

    def open_chat(self, user_id: int) -> None:
        """Give a user a private chat with the bot without an update, as if they wrote long ago.

        The sandbox keeps its database across restarts but this server forgets its chats; this
        lets the bot reach residents it knows from before without them writing first.
        """
        self._private_chat(user_id)

"""BotApiServer: the local Bot API server, composed of its parts."""

from __future__ import annotations

import functools

from bot.sandbox.botapi.httpserver import HttpServer
from bot.sandbox.botapi.methods import BotApiMethods
from bot.sandbox.botapi.observations import Observations
from bot.sandbox.botapi.state import Handler
from bot.sandbox.botapi.users import SimulatedUsers


class BotApiServer(HttpServer, BotApiMethods, SimulatedUsers, Observations):
    """A local Telegram Bot API server; PTB talks to it over HTTP, tests act as users through it."""

    def _bot_api_methods(self) -> dict[str, Handler]:
        """Map each Bot API method this server answers, by Telegram's name, to its handler."""
        return {
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

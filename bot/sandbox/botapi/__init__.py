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

The parts: ``wire`` (Telegram's text formats, keyboards and limits), ``state`` (what the server
remembers), ``base`` (that state on the server, and what its parts share), ``updates`` (long
polling, the webhook, redelivery), ``httpserver`` (HTTP, faults and delays), ``methods`` (the Bot
API methods), ``users`` (the simulated users), ``observations`` (what tests observe), and
``server``, where ``BotApiServer`` is composed of them.
"""

from bot.sandbox.botapi.httpserver import MAX_UPLOAD
from bot.sandbox.botapi.server import BotApiServer
from bot.sandbox.botapi.state import (
    JSON,
    ApiError,
    ChatState,
    Delay,
    Fault,
    FileRecord,
    Handler,
    StoredMessage,
    TokenBucket,
    Upload,
)
from bot.sandbox.botapi.wire import (
    MAX_CALLBACK_ANSWER,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_INLINE_BUTTONS,
    MAX_TEXT,
    html_visible_text,
    markdown_v2_visible_text,
    utf16_len,
)

__all__ = [
    "JSON",
    "MAX_CALLBACK_ANSWER",
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_INLINE_BUTTONS",
    "MAX_TEXT",
    "MAX_UPLOAD",
    "ApiError",
    "BotApiServer",
    "ChatState",
    "Delay",
    "Fault",
    "FileRecord",
    "Handler",
    "StoredMessage",
    "TokenBucket",
    "Upload",
    "html_visible_text",
    "markdown_v2_visible_text",
    "utf16_len",
]

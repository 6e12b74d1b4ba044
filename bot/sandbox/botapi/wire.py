"""Telegram's wire format for texts: limits, HTML and MarkdownV2, keyboards, commands, scopes."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from bot.sandbox.botapi.state import JSON, ApiError

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_BUTTONS = 100

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


def check_markup(markup: Any) -> tuple[JSON | None, JSON | None]:
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


def command_entities(text: str) -> list[JSON]:
    """bot_command entities as Telegram adds them to user messages (UTF-16 offsets)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND.finditer(text)
    ]


def canonical_scope(scope: Any) -> str:
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

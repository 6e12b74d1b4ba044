"""The bot's username, which every printed link needs: from BOT_USERNAME, or asked of Telegram.

Offline tools never import python-telegram-bot: the question is one plain HTTP ``getMe``
to ``TELEGRAM_BASE_URL``, and the bot token is never written anywhere.
"""

from __future__ import annotations

import re

import httpx

from bot.core.config import Config

# What Telegram allows in a bot's username.
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


class UsernameError(RuntimeError):
    """The bot's username could not be found out."""


def bot_username(config: Config, *, timeout: float = 10.0) -> str:
    """Return the bot's username: BOT_USERNAME if set, else Telegram's answer to getMe."""
    if config.bot_username:
        return config.bot_username
    if not config.bot_token:
        raise UsernameError("set BOT_USERNAME (or BOT_TOKEN, to ask Telegram for it)")
    url = f"{config.telegram_base_url}{config.bot_token}/getMe"
    try:
        answer = httpx.get(url, timeout=timeout)
        result = answer.json().get("result") or {}
    except (httpx.HTTPError, ValueError) as error:
        # The URL holds the token: name the kind of failure, never the request.
        raise UsernameError(f"Telegram did not answer getMe ({type(error).__name__})") from None
    username = str(result.get("username") or "")
    if not answer.is_success or not USERNAME.fullmatch(username):
        raise UsernameError(f"Telegram did not give the bot's username (HTTP {answer.status_code})")
    return username

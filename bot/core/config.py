"""Configuration: one frozen dataclass built once from the environment, failing fast."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES: tuple[str, ...] = ("da", "ar", "en")
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_AREAS: tuple[str, ...] = ("Houlkær", "Ellekonebakken", "Karup Kølvrå")
DEFAULT_REMINDER_OFFSETS: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
DEFAULT_FEEDBACK_DELAY = timedelta(hours=2)
# The webhook server listens on the loopback interface unless told otherwise: a reverse
# proxy in front of it does HTTPS, and plain HTTP never leaves the machine.
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443
# What Telegram allows in a webhook's secret token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
# Residents are warned this long before their data is erased for inactivity.
RETENTION_WARNING = timedelta(days=14)


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything Nabo reads from its environment, validated."""

    bot_token: str | None
    telegram_base_url: str = DEFAULT_BASE_URL
    database_path: Path = Path("data/nabo.sqlite3")
    staff_user_ids: frozenset[int] = frozenset()
    staff_chat_id: int | None = None
    default_language: str = "da"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Copenhagen"))
    log_level: str = "INFO"
    # Housing areas residents can filter by; "other" is always there besides these.
    areas: tuple[str, ...] = DEFAULT_AREAS
    # How long before an activity the signed-up residents are reminded, longest first.
    reminder_offsets: tuple[timedelta, ...] = DEFAULT_REMINDER_OFFSETS
    # How long after an activity ends its residents are asked how it went.
    feedback_delay: timedelta = DEFAULT_FEEDBACK_DELAY
    # Broadcast messages per second at most. 30, Telegram's limit, means whatever replies to
    # residents leave of it (they always go first: bot/telegram/ratelimit.py); below that, a
    # gentler pace.
    broadcast_rate: float = 30.0
    # When the weekly overview goes out: weekday (0 = Monday) and local time; None = never.
    digest_weekday: int | None = 0
    digest_time: time = time(9, 0)
    # Webhook mode when webhook_url is set (else long polling): Telegram POSTs updates to
    # webhook_url, a reverse proxy forwards them to webhook_listen:webhook_port.
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str | None = field(default=None, repr=False)
    # Residents who have not used Nabo for this long are erased (after a warning).
    retention_days: int = 365
    # Sign-ups lose their link to the resident this long after their activity.
    signup_retention_days: int = 180
    # People signed up on their behalf (no Telegram) are erased this long after their last
    # activity, unless staff renewed their record (bot/db/people.py).
    offline_retention_days: int = 365
    # Flood guard: a resident may send this many typed updates, and press this many
    # buttons, per window; more are dropped with one polite notice (bot/telegram/flood.py).
    # Presses get more: browsing by buttons is quick tapping. Not read from the
    # environment: these are safety limits, not settings an operator should need to tune.
    flood_limit: int = 15
    flood_press_limit: int = 40
    flood_window: timedelta = timedelta(seconds=10)
    # The bot's username, for the links printed on posters (None: asked of Telegram, getMe).
    bot_username: str | None = None
    # How long a write waits for another process's lock (a backup, an export) before
    # the resident is asked to try again.
    database_busy_timeout: timedelta = timedelta(seconds=5)

    def __repr__(self) -> str:
        """Show the configuration without the bot token, so it can be logged safely."""
        token = "set" if self.bot_token else "unset"
        webhook = (
            f"{self.webhook_url!r} on {self.webhook_listen}:{self.webhook_port}"
            if self.webhook_url
            else "off"
        )
        return (
            f"Config(bot_token={token}, telegram_base_url={self.telegram_base_url!r}, "
            f"database_path={str(self.database_path)!r}, staff={len(self.staff_user_ids)}, "
            f"staff_chat_id={'set' if self.staff_chat_id else 'unset'}, "
            f"default_language={self.default_language!r}, timezone={self.timezone.key!r}, "
            f"log_level={self.log_level!r}, areas={self.areas!r}, "
            f"reminder_offsets={[str(offset) for offset in self.reminder_offsets]}, "
            f"feedback_delay={str(self.feedback_delay)!r}, "
            f"retention_days={self.retention_days}, "
            f"signup_retention_days={self.signup_retention_days}, "
            f"offline_retention_days={self.offline_retention_days}, webhook={webhook})"
        )

    def is_staff(self, user_id: int | None) -> bool:
        """Tell whether a Telegram user id belongs to the staff team."""
        return user_id is not None and user_id in self.staff_user_ids

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Build the configuration from environment variables, or raise ConfigError."""
        token = env.get("BOT_TOKEN", "").strip() or None
        if token is not None and (":" not in token or any(c.isspace() for c in token)):
            raise ConfigError("BOT_TOKEN: does not look like a token from BotFather (id:secret)")
        base_url = env.get("TELEGRAM_BASE_URL", "").strip() or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"TELEGRAM_BASE_URL: {base_url!r} is not an http(s) URL")
        return cls(
            bot_token=token,
            telegram_base_url=base_url,
            database_path=Path(env.get("DATABASE_PATH", "").strip() or "data/nabo.sqlite3"),
            staff_user_ids=_parse_ids("STAFF_USER_IDS", env.get("STAFF_USER_IDS", "")),
            staff_chat_id=_parse_optional_int("STAFF_CHAT_ID", env.get("STAFF_CHAT_ID", "")),
            default_language=_parse_language(env.get("DEFAULT_LANGUAGE", "")),
            timezone=_parse_zone(env.get("TIMEZONE", "")),
            log_level=_parse_log_level(env.get("LOG_LEVEL", "")),
            areas=_parse_areas(env.get("AREAS", "")),
            reminder_offsets=_parse_offsets(env.get("REMINDER_OFFSETS", "")),
            feedback_delay=_parse_feedback_delay(env.get("FEEDBACK_DELAY", "")),
            broadcast_rate=_parse_rate(env.get("BROADCAST_RATE", "")),
            **_parse_digest(env.get("DIGEST_SCHEDULE", "")),
            **_parse_webhook(env),
            retention_days=_parse_days(
                "RETENTION_DAYS",
                env.get("RETENTION_DAYS", ""),
                default=365,
                minimum=RETENTION_WARNING.days + 16,
            ),
            bot_username=_parse_username(env.get("BOT_USERNAME", "")),
            signup_retention_days=_parse_days(
                "SIGNUP_RETENTION_DAYS",
                env.get("SIGNUP_RETENTION_DAYS", ""),
                default=180,
                minimum=1,
            ),
            offline_retention_days=_parse_days(
                "OFFLINE_RETENTION_DAYS",
                env.get("OFFLINE_RETENTION_DAYS", ""),
                default=365,
                minimum=30,
            ),
        )


def _parse_username(raw: str) -> str | None:
    raw = raw.strip().removeprefix("@")
    if not raw:
        return None
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", raw):
        raise ConfigError(f"BOT_USERNAME: {raw!r} is not a bot's username (letters, digits, _)")
    return raw


def _parse_ids(name: str, raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"{name}: {part!r} is not a numeric Telegram user id")
        ids.add(int(part))
    return frozenset(ids)


def _parse_optional_int(name: str, raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.lstrip("-").isdigit():
        raise ConfigError(f"{name}: {raw!r} is not a numeric Telegram chat id")
    return int(raw)


def _parse_language(raw: str) -> str:
    raw = raw.strip().lower() or "da"
    if raw not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE: {raw!r} is not one of {', '.join(LANGUAGES)}")
    return raw


def _parse_zone(raw: str) -> ZoneInfo:
    raw = raw.strip() or "Europe/Copenhagen"
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"TIMEZONE: {raw!r} is not a known IANA time zone") from error


def _parse_log_level(raw: str) -> str:
    raw = raw.strip().upper() or "INFO"
    if not isinstance(logging.getLevelName(raw), int):
        raise ConfigError(f"LOG_LEVEL: {raw!r} is not a logging level (DEBUG, INFO, WARNING…)")
    return raw


def _parse_areas(raw: str) -> tuple[str, ...]:
    areas = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not areas:
        return DEFAULT_AREAS
    if any(area.lower() == "other" or len(area) > 40 for area in areas):
        raise ConfigError("AREAS: names must be at most 40 characters, and 'other' is built in")
    return areas


_OFFSET = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _parse_offsets(raw: str) -> tuple[timedelta, ...]:
    if not raw.strip():
        return DEFAULT_REMINDER_OFFSETS
    offsets = {_parse_duration("REMINDER_OFFSETS", part) for part in raw.split(",")}
    return tuple(sorted(offsets, reverse=True))


def _parse_feedback_delay(raw: str) -> timedelta:
    if not raw.strip():
        return DEFAULT_FEEDBACK_DELAY
    return _parse_duration("FEEDBACK_DELAY", raw)


def _parse_duration(name: str, part: str) -> timedelta:
    match = _OFFSET.match(part.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"{name}: {part.strip()!r} is not a duration like 24h, 90m or 2d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _parse_rate(raw: str) -> float:
    raw = raw.strip() or "30"
    try:
        rate = float(raw)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 30:
        raise ConfigError(f"BROADCAST_RATE: {raw!r} must be a number of messages per second, 1-30")
    return rate


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_digest(raw: str) -> dict[str, Any]:
    raw = raw.strip().lower() or "mon 09:00"
    if raw == "off":
        return {"digest_weekday": None}
    match = re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}):(\d{2})", raw)
    if not match or int(match[2]) > 23 or int(match[3]) > 59:
        raise ConfigError(
            f"DIGEST_SCHEDULE: {raw!r} is not a weekday and time like 'mon 09:00' (or off)"
        )
    return {
        "digest_weekday": _WEEKDAYS.index(match[1]),
        "digest_time": time(int(match[2]), int(match[3])),
    }


def _parse_webhook(env: Mapping[str, str]) -> dict[str, Any]:
    url = env.get("WEBHOOK_URL", "").strip()
    if not url:
        return {}
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"WEBHOOK_URL: {url!r} is not a URL like https://nabo.example.dk/telegram "
            "(Telegram itself only calls https URLs)"
        )
    secret = env.get("WEBHOOK_SECRET", "").strip()
    if not _SECRET.fullmatch(secret):
        raise ConfigError(
            "WEBHOOK_SECRET: with WEBHOOK_URL set, a secret of 16-256 characters "
            "A-Z, a-z, 0-9, _ and - is required (e.g. from: openssl rand -hex 32)"
        )
    listen = env.get("WEBHOOK_LISTEN", "").strip() or DEFAULT_WEBHOOK_LISTEN
    raw_port = env.get("WEBHOOK_PORT", "").strip() or str(DEFAULT_WEBHOOK_PORT)
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        raise ConfigError(f"WEBHOOK_PORT: {raw_port!r} is not a port number (1-65535)")
    return {
        "webhook_url": url,
        "webhook_listen": listen,
        "webhook_port": int(raw_port),
        "webhook_secret": secret,
    }


def webhook_path(url: str) -> str:
    """Return the path the webhook server answers on: the path of WEBHOOK_URL."""
    # The reverse proxy forwards the path unchanged, so the bot listens on the same one.
    return urlsplit(url).path.strip("/")


# Ten years: beyond that a retention period is a typo, not a decision.
MAX_RETENTION_DAYS = 3650


def _parse_days(name: str, raw: str, *, default: int, minimum: int) -> int:
    raw = raw.strip()
    if not raw:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"{name}: {raw!r} must be a whole number of days, {minimum}-{MAX_RETENTION_DAYS}"
        )
    return int(raw)

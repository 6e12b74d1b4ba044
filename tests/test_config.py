"""Configuration from the environment: defaults, valid values, one clear line for bad ones."""

from pathlib import Path

import pytest

from bot.core.config import DEFAULT_BASE_URL, Config, ConfigError, webhook_path


def test_defaults_when_environment_is_empty() -> None:
    config = Config.from_env({})
    assert config.bot_token is None
    assert config.telegram_base_url == DEFAULT_BASE_URL
    assert config.database_path == Path("data/nabo.sqlite3")
    assert config.staff_user_ids == frozenset()
    assert config.staff_chat_id is None
    assert config.default_language == "da"
    assert config.timezone.key == "Europe/Copenhagen"
    assert config.log_level == "INFO"
    assert config.retention_days == 365
    assert config.signup_retention_days == 180


def test_all_values_parsed() -> None:
    config = Config.from_env(
        {
            "BOT_TOKEN": "123:abc",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
            "DATABASE_PATH": "/tmp/x/nabo.db",
            "STAFF_USER_IDS": " 11, 22 ,,33 ",
            "STAFF_CHAT_ID": "-100123",
            "DEFAULT_LANGUAGE": "AR",
            "TIMEZONE": "America/Nuuk",
            "LOG_LEVEL": "debug",
            "RETENTION_DAYS": " 730 ",
            "SIGNUP_RETENTION_DAYS": "90",
        }
    )
    assert config.bot_token == "123:abc"
    assert config.telegram_base_url == "http://127.0.0.1:8081/bot"
    assert config.database_path == Path("/tmp/x/nabo.db")
    assert config.staff_user_ids == frozenset({11, 22, 33})
    assert config.staff_chat_id == -100123
    assert config.default_language == "ar"
    assert config.timezone.key == "America/Nuuk"
    assert config.log_level == "DEBUG"
    assert config.retention_days == 730
    assert config.signup_retention_days == 90
    assert config.is_staff(22)
    assert not config.is_staff(44)
    assert not config.is_staff(None)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("STAFF_USER_IDS", "12,@anna", "STAFF_USER_IDS: '@anna' is not a numeric"),
        ("STAFF_CHAT_ID", "staff-group", "STAFF_CHAT_ID: 'staff-group' is not a numeric"),
        ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE: 'de' is not one of da, ar, en"),
        ("TIMEZONE", "Europe/Viborg", "TIMEZONE: 'Europe/Viborg' is not a known IANA"),
        ("TIMEZONE", "../../etc/passwd", "TIMEZONE: '../../etc/passwd' is not a known IANA"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: 'LOUD' is not a logging level"),
        ("BOT_TOKEN", "no-colon", "BOT_TOKEN: does not look like a token"),
        ("TELEGRAM_BASE_URL", "ftp://x", "TELEGRAM_BASE_URL: 'ftp://x' is not an http(s) URL"),
        ("RETENTION_DAYS", "a year", "RETENTION_DAYS: 'a year' must be a whole number of days"),
        ("RETENTION_DAYS", "20", "RETENTION_DAYS: '20' must be a whole number of days, 30-3650"),
        ("SIGNUP_RETENTION_DAYS", "0", "SIGNUP_RETENTION_DAYS: '0' must be a whole number"),
        ("SIGNUP_RETENTION_DAYS", "-5", "SIGNUP_RETENTION_DAYS: '-5' must be a whole number"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Config.from_env({variable: value})
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


def test_repr_never_shows_the_token() -> None:
    config = Config.from_env({"BOT_TOKEN": "123456:SECRET-PART"})
    assert "SECRET-PART" not in repr(config)
    assert "bot_token=set" in repr(config)


WEBHOOK = {"WEBHOOK_URL": "https://nabo.example.dk/telegram", "WEBHOOK_SECRET": "a" * 32}


def test_polling_unless_a_webhook_url_is_set() -> None:
    assert Config.from_env({}).webhook_url is None
    config = Config.from_env(WEBHOOK)
    assert config.webhook_url == "https://nabo.example.dk/telegram"
    assert (config.webhook_listen, config.webhook_port) == ("127.0.0.1", 8443)
    assert config.webhook_secret == "a" * 32
    assert webhook_path(config.webhook_url) == "telegram"
    # The secret never shows in the logged configuration.
    assert "a" * 32 not in repr(config)
    custom = Config.from_env({**WEBHOOK, "WEBHOOK_LISTEN": "0.0.0.0", "WEBHOOK_PORT": "9000"})
    assert (custom.webhook_listen, custom.webhook_port) == ("0.0.0.0", 9000)


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "short"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "has spaces in it, sixteen+"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "nabo.example.dk/telegram"}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "ftp://nabo.example.dk/"}, "WEBHOOK_URL"),
        ({"WEBHOOK_PORT": "0"}, "WEBHOOK_PORT"),
        ({"WEBHOOK_PORT": "http"}, "WEBHOOK_PORT"),
    ],
)
def test_bad_webhook_settings_name_the_variable(changes: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}:"):
        Config.from_env({**WEBHOOK, **changes})

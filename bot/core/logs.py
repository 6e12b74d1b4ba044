"""Logging set-up: plain lines for staff, and never the bot token."""

from __future__ import annotations

import logging
import sys


class RedactSecrets(logging.Filter):
    """Replace secrets (the bot token) in every record before it is written anywhere."""

    def __init__(self, secrets: list[str]) -> None:
        """Redact each non-empty string in ``secrets``."""
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message once, with secrets replaced."""
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[REDACTED]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """Format a record, then take secrets out of all of it, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        """Redact each non-empty string in ``secrets`` from formatted output."""
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted record with every secret replaced."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text


# Third-party loggers and the least severe record of theirs that may be written:
# below it they carry message texts, update payloads, SQL parameters or the token.
THIRD_PARTY_MINIMUM = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
}


class ThirdPartyPolicy(logging.Filter):
    """Drop third-party records below their minimum, whatever their loggers' levels say.

    ``apply_log_policy`` sets the levels; this holds even if something (a library, a
    debugging session) lowers them again later.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record unless a quieted library wrote it below its minimum."""
        root = record.name.partition(".")[0]
        return record.levelno >= THIRD_PARTY_MINIMUM.get(root, logging.NOTSET)


def configure_logging(level: str, secrets: list[str]) -> None:
    """Send logs to stderr at ``level`` with secrets redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(ThirdPartyPolicy())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    apply_log_policy(root.level)


def apply_log_policy(level: int) -> None:
    """Keep third-party loggers from writing tokens, message texts or request bodies."""
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # fontTools describes every font subset of a printed poster, glyph by glyph, at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    # PTB logs whole requests and updates at DEBUG, message texts included; those must
    # never reach a log, whatever LOG_LEVEL says.
    # aiosqlite logs every statement with its parameters at DEBUG: personal data.
    for name in ("telegram", "telegram.ext", "aiosqlite"):
        logging.getLogger(name).setLevel(max(logging.INFO, level))

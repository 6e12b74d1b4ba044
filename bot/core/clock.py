"""Time: one place that says what "now" is, so tests can control it."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """The real clock: aware UTC datetimes."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """Render an aware datetime as the UTC ISO-8601 text stored in the database."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    """Parse a UTC ISO-8601 text from the database back into an aware datetime."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

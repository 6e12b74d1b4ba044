"""Calendar files: one activity as an RFC 5545 .ics file a phone can add to its calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db.activities import Activity

PRODID = "-//Nabo//Viborg//EN"


def activity_ics(activity: Activity, language: str, *, now: datetime) -> bytes:
    """Render one activity as a VCALENDAR with one VEVENT, texts in ``language``."""
    # Imported when first needed: a few MiB the bot need not hold until someone asks.
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")

    event = Event()
    # The same UID for every download, so a calendar updates the event instead of
    # adding a second copy.
    event.add("uid", f"activity-{activity.id}@nabo")
    event.add("dtstamp", now.astimezone(UTC))
    # UTC ('Z') times need no VTIMEZONE and mean the same instant in every calendar app.
    event.add("dtstart", activity.starts_at.astimezone(UTC))
    event.add("dtend", activity.ends_at.astimezone(UTC))
    event.add("summary", activity.title(language))
    description = activity.description(language)
    if description:
        event.add("description", description)
    event.add("location", activity.place)
    cancelled = activity.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A calendar that already holds the event only takes a change with a higher
    # SEQUENCE; cancelling is the one change an activity goes through.
    event.add("sequence", 1 if cancelled else 0)
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()  # icalendar leaves its return type out
    return ics


def ics_filename(activity: Activity) -> str:
    """Return a safe ASCII file name for the activity's calendar file."""
    return f"nabo-activity-{activity.id}.ics"

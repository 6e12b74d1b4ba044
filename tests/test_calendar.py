"""Calendar files: what a phone reads back from the .ics bytes matches the activity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from icalendar import Calendar, Component

from bot.db.activities import Activity
from bot.views.calendar import activity_ics, ics_filename

NOW = datetime(2027, 5, 1, 8, 15, 30, tzinfo=UTC)

DANISH_ONLY = Activity(
    id=42,
    title_da="Fællesspisning i beboerhuset",
    title_ar=None,
    title_en=None,
    description_da="Vi laver mad sammen. Alle er velkomne.",
    description_ar=None,
    description_en=None,
    starts_at=datetime(2027, 6, 10, 15, 0, tzinfo=UTC),  # 17:00 summer time in Viborg
    ends_at=datetime(2027, 6, 10, 17, 30, tzinfo=UTC),
    place="Houlkær Beboerhus, Sct. Jørgens Vej 1",
    capacity=30,
    delaftale="community",
    area="Houlkær",
    signup_deadline=None,
    max_per_signup=6,
    status="published",
    series_id=None,
    created_at=datetime(2027, 4, 1, 9, 0, tzinfo=UTC),
)
WITH_ARABIC = replace(
    DANISH_ONLY,
    id=7,
    title_ar="عشاء مشترك في بيت السكان",
    description_ar="نطبخ معًا. الجميع مرحب بهم.",
    starts_at=datetime(2027, 12, 2, 16, 0, tzinfo=UTC),  # 17:00 winter time in Viborg
    ends_at=datetime(2027, 12, 2, 18, 0, tzinfo=UTC),
)
TRICKY = replace(
    DANISH_ONLY,
    id=1001,
    title_da="Kaffe, kage; og snak 🎉☕",
    description_da="Linje 1, med komma;\nLinje 2 – med semikolon; og \\ skråstreg\n\nمرحبا 👋 "
    + "lang tekst " * 20,
    place="Ellekonebakken 3, st. tv.; indgang B",
)


def read_event(ics: bytes) -> tuple[Calendar, Component]:
    """Parse the bytes as a calendar app would and return it with its one event."""
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


@pytest.mark.parametrize(
    ("activity", "language"),
    [
        (DANISH_ONLY, "da"),
        (DANISH_ONLY, "ar"),  # no Arabic texts: the Danish ones stand in
        (DANISH_ONLY, "en"),
        (WITH_ARABIC, "ar"),
        (WITH_ARABIC, "da"),
        (TRICKY, "en"),
    ],
)
def test_every_field_matches_the_activity(activity: Activity, language: str) -> None:
    calendar, event = read_event(activity_ics(activity, language, now=NOW))

    assert str(calendar["PRODID"]) == "-//Nabo//Viborg//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"activity-{activity.id}@nabo"
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("DTSTART") == activity.starts_at
    assert event.decoded("DTEND") == activity.ends_at
    assert str(event["SUMMARY"]) == activity.title(language)
    assert str(event["DESCRIPTION"]) == activity.description(language)
    assert str(event["LOCATION"]) == activity.place
    assert str(event["STATUS"]) == "CONFIRMED"


def test_danish_only_activity_read_in_arabic_shows_the_danish_texts() -> None:
    _, event = read_event(activity_ics(DANISH_ONLY, "ar", now=NOW))
    assert str(event["SUMMARY"]) == DANISH_ONLY.title_da
    assert str(event["DESCRIPTION"]) == DANISH_ONLY.description_da


def test_arabic_title_and_description_are_used_in_arabic() -> None:
    _, event = read_event(activity_ics(WITH_ARABIC, "ar", now=NOW))
    assert WITH_ARABIC.title_ar is not None
    assert str(event["SUMMARY"]) == WITH_ARABIC.title_ar
    assert str(event["DESCRIPTION"]) == WITH_ARABIC.description_ar
    assert str(event["SUMMARY"]) != WITH_ARABIC.title_da


def test_commas_semicolons_newlines_and_emoji_survive_the_round_trip() -> None:
    _, event = read_event(activity_ics(TRICKY, "da", now=NOW))
    assert str(event["SUMMARY"]) == TRICKY.title_da
    assert str(event["DESCRIPTION"]) == TRICKY.description_da
    assert str(event["LOCATION"]) == TRICKY.place


def test_times_are_written_in_utc_z_form() -> None:
    ics = activity_ics(WITH_ARABIC, "da", now=NOW)
    lines = ics.split(b"\r\n")
    assert f"DTSTART:{WITH_ARABIC.starts_at:%Y%m%dT%H%M%S}Z".encode() in lines
    assert f"DTEND:{WITH_ARABIC.ends_at:%Y%m%dT%H%M%S}Z".encode() in lines
    assert f"DTSTAMP:{NOW:%Y%m%dT%H%M%S}Z".encode() in lines
    assert b"BEGIN:VTIMEZONE" not in ics


def test_lines_are_folded_and_end_with_crlf_as_rfc_5545_asks() -> None:
    ics = activity_ics(TRICKY, "da", now=NOW)
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    # 75 octets at most per line, and a fold never splits a UTF-8 character.
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")


def test_cancelled_activity_is_marked_cancelled() -> None:
    cancelled = replace(WITH_ARABIC, status="cancelled")
    _, event = read_event(activity_ics(cancelled, "en", now=NOW))
    assert str(event["STATUS"]) == "CANCELLED"
    _, published = read_event(activity_ics(WITH_ARABIC, "en", now=NOW))
    # A calendar that holds the published event only takes the cancellation if it is newer.
    assert int(event["SEQUENCE"]) > int(published["SEQUENCE"])


def test_activity_without_description_has_no_description_line() -> None:
    bare = replace(DANISH_ONLY, description_da="")
    _, event = read_event(activity_ics(bare, "da", now=NOW))
    assert "DESCRIPTION" not in event


def test_uid_is_stable_across_downloads_and_languages() -> None:
    first = read_event(activity_ics(WITH_ARABIC, "ar", now=NOW))[1]
    later = read_event(activity_ics(WITH_ARABIC, "en", now=datetime(2027, 5, 9, tzinfo=UTC)))[1]
    other = read_event(activity_ics(DANISH_ONLY, "ar", now=NOW))[1]
    assert str(first["UID"]) == str(later["UID"])
    assert str(first["UID"]) != str(other["UID"])


@pytest.mark.parametrize("activity", [DANISH_ONLY, WITH_ARABIC, TRICKY])
def test_file_name_is_plain_ascii_and_names_the_activity(activity: Activity) -> None:
    name = ics_filename(activity)
    assert name == f"nabo-activity-{activity.id}.ics"
    assert name.isascii()
    assert "/" not in name
    assert " " not in name

"""A small, fully known data set for the export and report tests (2030Q1, Copenhagen time).

Every figure the report tests expect is worked out by hand in the comments here.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.db.residents import PRIVACY_NOTICE_VERSION
from bot.db.store import Store

# "Now" for the report: after everything in the period except activity 5.
NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
# Telegram ids chosen so that a leak into the workbook would be easy to spot.
R1, R2, R3, R4, R5, R6 = (7_700_001, 7_700_002, 7_700_003, 7_700_004, 7_700_005, 7_700_006)
RESIDENTS = (R1, R2, R3, R4, R5, R6)
# Text a spreadsheet could take for a formula: it must stay text, exactly as written.
FORMULA_TITLE = '=HYPERLINK("http://x.invalid","klik")'
FORMULA_PLACE = "+45 Beboerhuset"
FORMULA_DESCRIPTION = "-1+2"
FORMULA_NOTE = "@SUM(A1:A9)"
FORMULA_TAB = "\tindrykket"
FORMULA_CR = "\r=1+1"

# id, title, starts, ends (UTC), delaftale, area, status, walk-ins
ACTIVITIES = (
    # 1: Jan, education, Houlkær, 2 h, 2 walk-ins.
    (
        1,
        "Lektiecafé",
        "2030-01-10T15:00:00+00:00",
        "2030-01-10T17:00:00+00:00",
        "education",
        "Houlkær",
        "published",
        2,
    ),
    # 2: Feb, education, Ellekonebakken, 1.5 h.
    (
        2,
        "Sprogcafé",
        "2030-02-05T16:00:00+00:00",
        "2030-02-05T17:30:00+00:00",
        "education",
        "Ellekonebakken",
        "published",
        0,
    ),
    # 3: Feb, employment, Houlkær, 3 h, 1 walk-in.
    (
        3,
        FORMULA_TITLE,
        "2030-02-20T10:00:00+00:00",
        "2030-02-20T13:00:00+00:00",
        "employment",
        "Houlkær",
        "published",
        1,
    ),
    # 4: cancelled: not counted.
    (
        4,
        "Aflyst fest",
        "2030-03-01T17:00:00+00:00",
        "2030-03-01T19:00:00+00:00",
        "community",
        "other",
        "cancelled",
        0,
    ),
    # 5: after "now": not held yet, not counted.
    (
        5,
        "Loppemarked",
        "2030-03-10T09:00:00+00:00",
        "2030-03-10T12:00:00+00:00",
        "community",
        "Houlkær",
        "published",
        0,
    ),
    # 6: December 2029, before the period: makes resident 1 a returning participant.
    (
        6,
        "Julehygge",
        "2029-12-15T15:00:00+00:00",
        "2029-12-15T17:00:00+00:00",
        "education",
        "Houlkær",
        "published",
        0,
    ),
    # 7: 31 Dec 23:30 UTC is 1 January 00:30 in Copenhagen: inside the period, 30 min.
    (
        7,
        "Nytårskaffe",
        "2029-12-31T23:30:00+00:00",
        "2030-01-01T00:00:00+00:00",
        "employment",
        "Karup Kølvrå",
        "published",
        0,
    ),
)

# activity, user, adults, children, status, attended
SIGNUPS = (
    (6, R1, 1, 0, "confirmed", 1),  # 1
    (6, R2, 1, 0, "confirmed", 0),  # 2: absent, so R2 is new in the period
    (1, R1, 2, 1, "confirmed", 1),  # 3
    (1, R2, 1, 0, "confirmed", 1),  # 4
    (1, R3, 1, 0, "waitlisted", None),  # 5
    (1, R4, 1, 0, "cancelled", None),  # 6
    (1, None, 1, 0, "confirmed", 1),  # 7: an erased resident
    (2, R2, 1, 2, "confirmed", 1),  # 8
    (2, R5, 1, 0, "confirmed", 0),  # 9
    (2, R6, 1, 0, "confirmed", None),  # 10
    (3, R1, 1, 0, "confirmed", 1),  # 11
    (3, R3, 2, 0, "confirmed", 1),  # 12
    (3, R4, 1, 0, "waitlisted", None),  # 13
    (4, R5, 1, 0, "confirmed", None),  # 14: cancelled activity
    (5, R6, 1, 0, "confirmed", None),  # 15: not held yet
    (7, R6, 1, 0, "confirmed", 1),  # 16
)

# user, subject, activity, rating, text, created_at (a date only when unlinked)
FEEDBACK = (
    (R1, "activity", 1, 5, None, "2030-01-11T10:00:00+00:00"),
    (None, "activity", 1, 4, None, "2030-01-12"),
    (None, "activity", 3, 2, FORMULA_TAB, "2030-02-21"),
    (R2, "nabo", None, 5, None, "2030-03-01T08:00:00+00:00"),
    (None, "area", None, None, FORMULA_CR, "2030-02-02"),
    (None, "activity", 1, 1, None, "2029-12-20"),  # before the period
)

# user, kinds, times, contact, phone, note, status, created_at
OFFERS = (
    (
        R1,
        "homework,digital",
        "evenings",
        "phone",
        "+4512345678",
        FORMULA_NOTE,
        "active",
        "2030-01-05T12:00:00+00:00",
    ),
    (
        R2,
        "language_cafe",
        "weekdays,weekends",
        "nabo",
        None,
        None,
        "new",
        "2030-02-10T12:00:00+00:00",
    ),
    (R3, "sport", "weekends", "nabo", None, None, "active", "2029-11-01T12:00:00+00:00"),
)

# Translations volunteers made: language, translator, activity, status, when staff decided.
# In 2030Q1, two were used (one by a volunteer erased since); one was not, one came before.
TRANSLATIONS = (
    ("ar", R3, 1, "accepted", "2030-01-08T10:00:00+00:00"),
    ("en", R3, 2, "accepted", "2029-12-15T10:00:00+00:00"),
    ("ar", R2, 2, "rejected", "2030-02-01T10:00:00+00:00"),
    ("ar", None, 3, "accepted", "2030-02-15T10:00:00+00:00"),
)

# id, kind, activity, audience, status, send_at, deliveries {status: users}
BROADCASTS = (
    (
        1,
        "message",
        None,
        "subscribers",
        "done",
        "2030-01-15T10:00:00+00:00",
        {"sent": (R1, R2, R3), "blocked": (R4,), "failed": (R5,)},
    ),
    (2, "announcement", 2, "interested:2", "done", "2030-02-01T10:00:00+00:00", {"sent": (R1, R2)}),
    (3, "message", None, "language:ar", "scheduled", "2030-03-20T10:00:00+00:00", {}),
    (4, "digest", None, "digest", "done", "2029-12-29T10:00:00+00:00", {"sent": (R1,)}),
)


async def build_known_database(path: Path) -> None:
    """Create the database at ``path`` (migrated) and fill it with the known data."""
    store = await Store.open(path)
    await store.close()
    connection = sqlite3.connect(path)
    with connection:
        fill(connection)
    connection.close()


def fill(db: sqlite3.Connection) -> None:
    """Insert the known data set."""
    for number, user_id in enumerate(RESIDENTS):
        db.execute(
            "INSERT INTO residents (user_id, chat_id, language, first_seen_at, consented_at,"
            " consent_version, blocked) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                user_id,
                ("da", "ar", "en")[number % 3],
                f"2029-10-0{number + 1}T08:00:00+00:00",
                f"2029-10-0{number + 1}T08:01:00+00:00",
                PRIVACY_NOTICE_VERSION,
                int(user_id == R5),
            ),
        )
    for aid, title, starts, ends, delaftale, area, status, walk_ins in ACTIVITIES:
        db.execute(
            "INSERT INTO activities (id, title_da, description_da, starts_at, ends_at, place,"
            " capacity, delaftale, area, status, walk_ins, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 10, ?, ?, ?, ?, '2029-09-01T08:00:00+00:00')",
            (
                aid,
                title,
                FORMULA_DESCRIPTION,
                starts,
                ends,
                FORMULA_PLACE,
                delaftale,
                area,
                status,
                walk_ins,
            ),
        )
    for activity_id, user_id, adults, children, status, attended in SIGNUPS:
        db.execute(
            "INSERT INTO signups (activity_id, user_id, adults, children, status, created_at,"
            " confirmed_at, cancelled_at, attended, first_name)"
            " VALUES (?, ?, ?, ?, ?, '2029-12-01T10:00:00+00:00', ?, ?, ?, 'Fornavn')",
            (
                activity_id,
                user_id,
                adults,
                children,
                status,
                "2029-12-01T10:00:00+00:00" if status == "confirmed" else None,
                "2029-12-02T10:00:00+00:00" if status == "cancelled" else None,
                attended,
            ),
        )
    for user_id, subject, activity_id, rating, text, created in FEEDBACK:
        db.execute(
            "INSERT INTO feedback (user_id, subject, activity_id, rating, text, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, subject, activity_id, rating, text, created),
        )
    for user_id, kinds, times, contact, phone, note, status, created in OFFERS:
        db.execute(
            "INSERT INTO volunteer_offers (user_id, kinds, times, contact, phone, note, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, kinds, times, contact, phone, note, status, created, created),
        )
    # R3 also translates, between Danish and Arabic.
    db.execute(
        "UPDATE volunteer_offers SET kinds = 'sport,translation', languages = 'da,ar'"
        " WHERE user_id = ?",
        (R3,),
    )
    for language, translator, activity_id, status, resolved in TRANSLATIONS:
        db.execute(
            "INSERT INTO translation_requests (language, staff_user_id, activity_id, title_source,"
            " status, translator_id, needed_by, created_at, resolved_at)"
            " VALUES (?, NULL, ?, 'Titel', ?, ?, ?, ?, ?)",
            (language, activity_id, status, translator, resolved, resolved, resolved),
        )
    for bid, kind, activity_id, audience, status, send_at, deliveries in BROADCASTS:
        db.execute(
            "INSERT INTO broadcasts (id, kind, text_da, activity_id, audience, status,"
            " created_at, send_at) VALUES (?, ?, 'Hej', ?, ?, ?, ?, ?)",
            (bid, kind, activity_id, audience, status, send_at, send_at),
        )
        for delivery_status, users in deliveries.items():
            for user_id in users:
                db.execute(
                    "INSERT INTO deliveries (broadcast_id, user_id, chat_id, language, status,"
                    " updated_at) VALUES (?, ?, ?, 'da', ?, ?)",
                    (bid, user_id, user_id, delivery_status, send_at),
                )

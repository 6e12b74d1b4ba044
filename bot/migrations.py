"""Schema migrations: an append-only list; step N brings the database to user_version N.

Never edit or reorder a step that has been released; add a new one instead.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: residents. Only what Nabo needs to talk to someone: no username, no phone
    # number, no message text. Times are UTC ISO-8601.
    (
        """
        CREATE TABLE residents (
            user_id          INTEGER PRIMARY KEY,
            chat_id          INTEGER NOT NULL,
            language         TEXT CHECK (language IN ('da', 'ar', 'en')),
            first_seen_at    TEXT NOT NULL,
            consented_at     TEXT,
            consent_version  INTEGER,
            subscribed       INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0, 1)),
            blocked          INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
            CHECK ((consented_at IS NULL) = (consent_version IS NULL))
        ) STRICT
        """,
    ),
    # 2: activities, sign-ups (with the waitlist) and the reminders already sent.
    # A sign-up's user_id becomes NULL when a resident is erased, so counts survive.
    (
        """
        CREATE TABLE activities (
            id               INTEGER PRIMARY KEY,
            title_da         TEXT NOT NULL CHECK (length(title_da) > 0),
            title_ar         TEXT,
            title_en         TEXT,
            description_da   TEXT NOT NULL DEFAULT '',
            description_ar   TEXT,
            description_en   TEXT,
            starts_at        TEXT NOT NULL,
            ends_at          TEXT NOT NULL,
            place            TEXT NOT NULL,
            capacity         INTEGER CHECK (capacity IS NULL OR capacity > 0),
            delaftale        TEXT NOT NULL
                             CHECK (delaftale IN ('education', 'employment', 'community')),
            area             TEXT NOT NULL,
            signup_deadline  TEXT,
            max_per_signup   INTEGER NOT NULL DEFAULT 6 CHECK (max_per_signup > 0),
            status           TEXT NOT NULL DEFAULT 'published'
                             CHECK (status IN ('published', 'cancelled')),
            series_id        INTEGER,
            created_at       TEXT NOT NULL,
            CHECK (ends_at > starts_at)
        ) STRICT
        """,
        "CREATE INDEX activities_by_start ON activities (status, starts_at)",
        """
        CREATE TABLE signups (
            id            INTEGER PRIMARY KEY,
            activity_id   INTEGER NOT NULL REFERENCES activities (id),
            user_id       INTEGER REFERENCES residents (user_id) ON DELETE SET NULL,
            adults        INTEGER NOT NULL CHECK (adults >= 0),
            children      INTEGER NOT NULL CHECK (children >= 0),
            status        TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
            created_at    TEXT NOT NULL,
            confirmed_at  TEXT,
            cancelled_at  TEXT,
            CHECK (adults + children > 0)
        ) STRICT
        """,
        # The database itself guarantees one active sign-up per resident per activity.
        """
        CREATE UNIQUE INDEX signups_one_active_per_resident
            ON signups (activity_id, user_id)
            WHERE status != 'cancelled' AND user_id IS NOT NULL
        """,
        "CREATE INDEX signups_by_activity ON signups (activity_id, status, id)",
        "CREATE INDEX signups_by_user ON signups (user_id, status)",
        """
        CREATE TABLE reminder_sends (
            signup_id       INTEGER NOT NULL REFERENCES signups (id) ON DELETE CASCADE,
            offset_minutes  INTEGER NOT NULL,
            sent_at         TEXT NOT NULL,
            PRIMARY KEY (signup_id, offset_minutes)
        ) STRICT
        """,
        "ALTER TABLE residents ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1"
        " CHECK (reminders IN (0, 1))",
    ),
)

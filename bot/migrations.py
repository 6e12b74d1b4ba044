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
)

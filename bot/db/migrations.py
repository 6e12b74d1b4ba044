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
    # 3: staff in chat. Attendance and walk-ins, the first name a resident gave
    # Telegram (for the staff's list of who is coming; erased with the resident), an
    # audit log of staff actions, residents' interests, and durable broadcasts: one
    # delivery row per recipient, committed before anything is sent.
    (
        "ALTER TABLE signups ADD COLUMN first_name TEXT",
        "ALTER TABLE signups ADD COLUMN attended INTEGER CHECK (attended IN (0, 1))",
        "ALTER TABLE activities ADD COLUMN walk_ins INTEGER NOT NULL DEFAULT 0"
        " CHECK (walk_ins >= 0)",
        "ALTER TABLE activities ADD COLUMN attendance_taken_at TEXT",
        "ALTER TABLE activities ADD COLUMN updated_at TEXT",
        """
        CREATE TABLE audit_log (
            id             INTEGER PRIMARY KEY,
            staff_user_id  INTEGER NOT NULL,
            action         TEXT NOT NULL,
            subject        TEXT,
            details        TEXT,
            at             TEXT NOT NULL
        ) STRICT
        """,
        """
        CREATE TABLE resident_interests (
            user_id  INTEGER NOT NULL REFERENCES residents (user_id) ON DELETE CASCADE,
            kind     TEXT NOT NULL CHECK (kind IN ('delaftale', 'area')),
            value    TEXT NOT NULL,
            PRIMARY KEY (user_id, kind, value)
        ) STRICT
        """,
        """
        CREATE TABLE broadcasts (
            id                   INTEGER PRIMARY KEY,
            kind                 TEXT NOT NULL
                                 CHECK (kind IN ('message', 'announcement', 'digest')),
            staff_user_id        INTEGER,
            text_da              TEXT,
            text_ar              TEXT,
            text_en              TEXT,
            activity_id          INTEGER REFERENCES activities (id),
            audience             TEXT NOT NULL,
            digest_week          TEXT UNIQUE,
            status               TEXT NOT NULL
                                 CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
            created_at           TEXT NOT NULL,
            send_at              TEXT NOT NULL,
            finished_at          TEXT,
            progress_chat_id     INTEGER,
            progress_message_id  INTEGER
        ) STRICT
        """,
        "CREATE INDEX broadcasts_by_status ON broadcasts (status, send_at)",
        """
        CREATE TABLE deliveries (
            id            INTEGER PRIMARY KEY,
            broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id),
            user_id       INTEGER REFERENCES residents (user_id) ON DELETE CASCADE,
            chat_id       INTEGER NOT NULL,
            language      TEXT NOT NULL,
            status        TEXT NOT NULL CHECK (status IN
                              ('pending', 'sending', 'sent', 'blocked', 'failed', 'uncertain')),
            error         TEXT,
            updated_at    TEXT NOT NULL,
            UNIQUE (broadcast_id, user_id)
        ) STRICT
        """,
        "CREATE INDEX deliveries_by_status ON deliveries (status, broadcast_id, id)",
    ),
    # 4: volunteers and feedback. An offer of help belongs to its resident and is
    # erased with them; a phone number comes only from Telegram's "share my contact",
    # and a withdrawn offer keeps no contact details or free text. Feedback is linked to
    # a resident (erased with them) only when they chose it; unlinked feedback has no
    # user id and only a date. feedback_requests: the post-activity question, claimed
    # before it is sent (sent once); feedback_tokens: answered at most once, untraceably.
    (
        """
        CREATE TABLE volunteer_offers (
            id                INTEGER PRIMARY KEY,
            user_id           INTEGER NOT NULL UNIQUE
                              REFERENCES residents (user_id) ON DELETE CASCADE,
            kinds             TEXT NOT NULL CHECK (length(kinds) > 0),
            other_help        TEXT CHECK (other_help IS NULL OR length(other_help) <= 100),
            times             TEXT NOT NULL CHECK (length(times) > 0),
            contact           TEXT NOT NULL CHECK (contact IN ('nabo', 'phone')),
            phone             TEXT CHECK (phone IS NULL OR length(phone) <= 32),
            note              TEXT CHECK (note IS NULL OR length(note) <= 500),
            status            TEXT NOT NULL CHECK (status IN
                                  ('new', 'contacted', 'active', 'not_now', 'withdrawn')),
            staff_message_id  INTEGER,
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            CHECK (phone IS NULL OR contact = 'phone'),
            CHECK (status = 'withdrawn' OR contact = 'nabo' OR phone IS NOT NULL),
            CHECK (status != 'withdrawn'
                   OR (phone IS NULL AND note IS NULL AND other_help IS NULL))
        ) STRICT
        """,
        "CREATE INDEX volunteer_offers_by_status ON volunteer_offers (status, id)",
        """
        CREATE TABLE feedback (
            id           INTEGER PRIMARY KEY,
            user_id      INTEGER REFERENCES residents (user_id) ON DELETE CASCADE,
            subject      TEXT NOT NULL CHECK (subject IN ('activity', 'area', 'nabo', 'other')),
            activity_id  INTEGER REFERENCES activities (id),
            rating       INTEGER CHECK (rating BETWEEN 1 AND 5),
            text         TEXT CHECK (text IS NULL OR length(text) BETWEEN 1 AND 1000),
            created_at   TEXT NOT NULL,
            CHECK (rating IS NOT NULL OR text IS NOT NULL),
            CHECK (user_id IS NOT NULL OR length(created_at) = 10)
        ) STRICT
        """,
        "CREATE INDEX feedback_by_user ON feedback (user_id)",
        """
        CREATE TABLE feedback_requests (
            signup_id  INTEGER PRIMARY KEY REFERENCES signups (id) ON DELETE CASCADE,
            sent_at    TEXT NOT NULL
        ) STRICT
        """,
        # The face buttons carry a random token that names only the activity, so an
        # unlinked rating cannot be traced back to the sign-up that was asked.
        """
        CREATE TABLE feedback_tokens (
            token        TEXT PRIMARY KEY,
            activity_id  INTEGER NOT NULL REFERENCES activities (id)
        ) STRICT
        """,
    ),
    # 5: staff exports. A random key, made here and kept only in the database, turns a
    # resident's Telegram id into the pseudonymous number in exports (an HMAC), so a
    # workbook that leaves the office does not carry Telegram ids, yet the same resident
    # has the same number in every export.
    (
        """
        CREATE TABLE secrets (
            name   TEXT PRIMARY KEY,
            value  BLOB NOT NULL CHECK (length(value) >= 32)
        ) STRICT
        """,
        "INSERT INTO secrets (name, value) VALUES ('resident_number', randomblob(32))",
    ),
    # 6: privacy over time. When each resident last used Nabo (written at most once a
    # day) and when they were warned that their data will be erased for inactivity.
    # Residents already here count as seen at the upgrade, so nobody is erased sooner
    # than a full retention period after it.
    (
        "ALTER TABLE residents ADD COLUMN last_seen_at TEXT",
        "ALTER TABLE residents ADD COLUMN retention_warned_at TEXT",
        "UPDATE residents SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
        # The expression bot/db/residents.py's retention queries use, so they can use it.
        "CREATE INDEX residents_by_last_seen ON residents (COALESCE(last_seen_at, first_seen_at))",
        # /mydata and erasure find a resident's deliveries without reading them all (the
        # foreign key's ON DELETE CASCADE needs it too).
        "CREATE INDEX deliveries_by_user ON deliveries (user_id)",
    ),
    # 7: update ids already handled, so an update Telegram delivers again after a crash
    # is not acted on twice. Only the id and when it was seen; pruned after two days
    # (Telegram keeps an unconfirmed update for at most one).
    (
        """
        CREATE TABLE processed_updates (
            update_id  INTEGER PRIMARY KEY,
            seen_at    TEXT NOT NULL
        ) STRICT
        """,
        "CREATE INDEX processed_updates_by_time ON processed_updates (seen_at)",
    ),
    # 8: reports keep adding up after erasure. What the period report counts of erased
    # rows stays as anonymous remains with no user id, chat id, text or phone (see
    # bot/db/remains.py): when an erased offer of help came, to the hour; per broadcast, how
    # many messages to erased residents were sent, blocked, failed or uncertain; and for
    # an erased comment without a rating, its UTC date, subject and activity.
    (
        """
        CREATE TABLE erased_offers (
            received_at  TEXT NOT NULL
        ) STRICT
        """,
        """
        CREATE TABLE erased_deliveries (
            broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id),
            status        TEXT NOT NULL
                          CHECK (status IN ('sent', 'blocked', 'failed', 'uncertain')),
            count         INTEGER NOT NULL CHECK (count > 0),
            PRIMARY KEY (broadcast_id, status)
        ) STRICT
        """,
        """
        CREATE TABLE erased_comments (
            day          TEXT NOT NULL CHECK (length(day) = 10),
            subject      TEXT NOT NULL CHECK (subject IN ('activity', 'area', 'nabo', 'other')),
            activity_id  INTEGER REFERENCES activities (id)
        ) STRICT
        """,
    ),
    # 9: copies of a notification in staff members' own chats. Without a staff chat
    # (STAFF_CHAT_ID unset) each staff member gets their own post about an offer of help;
    # its message id is kept per staff member (a private chat's id is the user's), so
    # withdrawal, erasure and retention can edit every copy. Deleted with the offer.
    (
        """
        CREATE TABLE offer_staff_messages (
            offer_id       INTEGER NOT NULL REFERENCES volunteer_offers (id) ON DELETE CASCADE,
            staff_user_id  INTEGER NOT NULL,
            message_id     INTEGER NOT NULL,
            PRIMARY KEY (offer_id, staff_user_id)
        ) STRICT
        """,
    ),
    # 10: waitlist promotions go out as durable deliveries ("promotion" broadcasts, one
    # delivery per resident who moved up, written with the promotion). SQLite cannot
    # change a CHECK, so the table is rebuilt; deliveries keep pointing at the same ids,
    # and the deferred foreign keys are checked once the rows are back, at commit.
    (
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TABLE broadcasts_before_10 AS SELECT * FROM broadcasts",
        "DROP TABLE broadcasts",
        """
        CREATE TABLE broadcasts (
            id                   INTEGER PRIMARY KEY,
            kind                 TEXT NOT NULL CHECK
                                 (kind IN ('message', 'announcement', 'digest', 'promotion')),
            staff_user_id        INTEGER,
            text_da              TEXT,
            text_ar              TEXT,
            text_en              TEXT,
            activity_id          INTEGER REFERENCES activities (id),
            audience             TEXT NOT NULL,
            digest_week          TEXT UNIQUE,
            status               TEXT NOT NULL
                                 CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
            created_at           TEXT NOT NULL,
            send_at              TEXT NOT NULL,
            finished_at          TEXT,
            progress_chat_id     INTEGER,
            progress_message_id  INTEGER
        ) STRICT
        """,
        "INSERT INTO broadcasts SELECT * FROM broadcasts_before_10",
        "DROP TABLE broadcasts_before_10",
        "CREATE INDEX broadcasts_by_status ON broadcasts (status, send_at)",
    ),
    # 11: when a resident last turned reminders on (NULL: on from the start), so a
    # reminder that was due while they were off is not sent late once they turn them on.
    ("ALTER TABLE residents ADD COLUMN reminders_on_at TEXT",),
    # 12: reaching residents where they live. Sources: where staff put a link up (a poster
    # in a stairwell, a flyer, a Facebook group), each with a short random code carried in
    # its links; "invite" is built in, for residents who share an activity with a neighbour.
    # A deleted source keeps its row (marked), so the report can still name it. What the
    # report counts per source are events with no person in them (new resident, sign-up,
    # check-in, to the hour: periods start on whole UTC hours), so they add up after any
    # erasure. A resident's own source is theirs: shown in /mydata, erased with them.
    # Door check-ins: a key for the door codes' HMAC, and who checked in at the door (the
    # user id goes with erasure and sign-up retention; the counts stay).
    (
        """
        CREATE TABLE sources (
            id          INTEGER PRIMARY KEY,
            code        TEXT NOT NULL UNIQUE CHECK (length(code) = 6),
            name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            created_at  TEXT NOT NULL,
            deleted_at  TEXT
        ) STRICT
        """,
        "INSERT INTO sources (code, name, created_at) VALUES ('invite', 'Invitation fra en nabo',"
        " strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))",
        """
        CREATE TABLE source_events (
            source_id  INTEGER NOT NULL REFERENCES sources (id),
            kind       TEXT NOT NULL CHECK (kind IN ('resident', 'signup', 'checkin')),
            at         TEXT NOT NULL
        ) STRICT
        """,
        "CREATE INDEX source_events_by_time ON source_events (at, source_id)",
        "ALTER TABLE residents ADD COLUMN source_id INTEGER REFERENCES sources (id)",
        "INSERT INTO secrets (name, value) VALUES ('door_code', randomblob(32))",
        """
        CREATE TABLE door_checkins (
            id           INTEGER PRIMARY KEY,
            activity_id  INTEGER NOT NULL REFERENCES activities (id),
            user_id      INTEGER REFERENCES residents (user_id) ON DELETE SET NULL,
            adults       INTEGER NOT NULL CHECK (adults >= 0),
            children     INTEGER NOT NULL CHECK (children >= 0),
            how          TEXT NOT NULL CHECK (how IN ('signup', 'placed', 'full', 'anonymous')),
            at           TEXT NOT NULL,
            CHECK (adults + children > 0)
        ) STRICT
        """,
        # Scanning twice counts once for anyone who uses Nabo.
        """
        CREATE UNIQUE INDEX door_checkins_once ON door_checkins (activity_id, user_id)
            WHERE user_id IS NOT NULL
        """,
        "CREATE INDEX door_checkins_by_user ON door_checkins (user_id)",
    ),
    # 13: Arabic and English texts from volunteer translators (bot/db/translations.py). An
    # offer of help says which languages the volunteer translates or interprets between. A
    # message to residents that waits for its translations is a broadcast draft: the staff
    # member's texts, audience and time, nothing about a resident. A translation request is
    # one text (a message, or an activity's title and description) asked for in one
    # language: who took it (a volunteer's user id, until they are erased), what they wrote
    # only until staff decide (an accepted text lives where it is used), and when each step
    # happened, which the report counts. translation_asks: which volunteers were asked, and
    # the message to change when the task is taken or given back.
    (
        "ALTER TABLE volunteer_offers ADD COLUMN languages TEXT NOT NULL DEFAULT ''",
        """
        CREATE TABLE broadcast_drafts (
            id             INTEGER PRIMARY KEY,
            staff_user_id  INTEGER,
            text_da        TEXT NOT NULL,
            text_ar        TEXT,
            text_en        TEXT,
            audience       TEXT NOT NULL,
            send_at        TEXT,
            created_at     TEXT NOT NULL
        ) STRICT
        """,
        """
        CREATE TABLE translation_requests (
            id             INTEGER PRIMARY KEY,
            language       TEXT NOT NULL CHECK (language IN ('ar', 'en')),
            staff_user_id  INTEGER,
            draft_id       INTEGER REFERENCES broadcast_drafts (id) ON DELETE SET NULL,
            activity_id    INTEGER REFERENCES activities (id),
            title_source   TEXT,
            text_source    TEXT,
            title          TEXT,
            text           TEXT,
            status         TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'delivered',
                               'rejected', 'accepted', 'written', 'danish', 'retried',
                               'cancelled')),
            translator_id  INTEGER,
            announce       INTEGER NOT NULL DEFAULT 0 CHECK (announce IN (0, 1)),
            needed_by      TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            claimed_at     TEXT,
            delivered_at   TEXT,
            resolved_at    TEXT,
            overdue_at     TEXT,
            CHECK (title_source IS NOT NULL OR text_source IS NOT NULL),
            CHECK (status IN ('claimed', 'delivered') OR (title IS NULL AND text IS NULL)),
            CHECK (status NOT IN ('claimed', 'delivered') OR translator_id IS NOT NULL)
        ) STRICT
        """,
        "CREATE INDEX translation_requests_by_status ON translation_requests (status, id)",
        "CREATE INDEX translation_requests_by_translator ON translation_requests (translator_id)",
        """
        CREATE TABLE translation_asks (
            request_id  INTEGER NOT NULL REFERENCES translation_requests (id) ON DELETE CASCADE,
            user_id     INTEGER NOT NULL,
            chat_id     INTEGER,
            message_id  INTEGER,
            PRIMARY KEY (request_id, user_id)
        ) STRICT
        """,
        "CREATE INDEX translation_asks_by_user ON translation_asks (user_id)",
    ),
    # 14: people signed up on their behalf, and the team's outbox. Many residents sign up
    # by phone, at the office or at the door: staff (or an activity's host) register them
    # with a first name, language, area and a phone number only if they agree to be
    # called about it, and how they were told about privacy. Their sign-ups are ordinary
    # sign-ups with a person_id instead of a user_id, so capacity, the waitlist,
    # attendance and reports count them alike. A one-time joining link (its token's
    # SHA-256 only) lets them attach their own chat later. What Nabo would have told
    # them becomes a durable message to the team (team_messages): written with what
    # caused it, addressed and sent by the running bot, claimed before it is sent.
    (
        """
        CREATE TABLE offline_people (
            id               INTEGER PRIMARY KEY,
            first_name       TEXT NOT NULL CHECK (length(first_name) BETWEEN 1 AND 64),
            language         TEXT NOT NULL CHECK (language IN ('da', 'ar', 'en')),
            area             TEXT NOT NULL,
            phone            TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 11 AND 16),
            told_how         TEXT NOT NULL CHECK (told_how IN ('in_person', 'phone', 'paper')),
            registered_by    INTEGER,
            registered_role  TEXT NOT NULL CHECK (registered_role IN ('staff', 'host')),
            registered_at    TEXT NOT NULL,
            last_activity_at TEXT NOT NULL,
            renewed_at       TEXT,
            join_token       TEXT UNIQUE,
            join_expires_at  TEXT,
            join_tries       INTEGER NOT NULL DEFAULT 0 CHECK (join_tries >= 0),
            CHECK ((join_token IS NULL) = (join_expires_at IS NULL))
        ) STRICT
        """,
        "ALTER TABLE signups ADD COLUMN person_id INTEGER"
        " REFERENCES offline_people (id) ON DELETE SET NULL",
        """
        CREATE UNIQUE INDEX signups_one_active_per_person
            ON signups (activity_id, person_id)
            WHERE status != 'cancelled' AND person_id IS NOT NULL
        """,
        "CREATE INDEX signups_by_person ON signups (person_id)",
        """
        CREATE TABLE team_messages (
            id           INTEGER PRIMARY KEY,
            kind         TEXT NOT NULL CHECK (kind IN ('promoted', 'changed', 'cancelled',
                             'call_list', 'proposal', 'offer_erased', 'offer_expired')),
            activity_id  INTEGER REFERENCES activities (id),
            signup_id    INTEGER REFERENCES signups (id) ON DELETE CASCADE,
            number       INTEGER,
            audience     TEXT NOT NULL CHECK (audience IN ('team', 'staff_chat', 'chat')),
            chat_id      INTEGER,
            message_id   INTEGER,
            language     TEXT CHECK (language IS NULL OR language IN ('da', 'ar', 'en')),
            status       TEXT NOT NULL CHECK (status IN ('pending', 'addressed', 'sending',
                             'sent', 'failed', 'uncertain', 'void')),
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            CHECK ((audience = 'chat') = (chat_id IS NOT NULL)),
            CHECK (audience != 'team' OR status IN ('pending', 'addressed'))
        ) STRICT
        """,
        "CREATE INDEX team_messages_by_status ON team_messages (status, id)",
        "CREATE INDEX team_messages_by_chat ON team_messages (chat_id)",
        # One call list per activity, whenever its job runs.
        """
        CREATE UNIQUE INDEX team_messages_one_call_list ON team_messages (activity_id)
            WHERE kind = 'call_list' AND audience = 'team'
        """,
    ),
    # 15: activity hosts and who runs an activity. Staff make someone the host of an
    # activity or a whole series with a one-time invitation link (its token's SHA-256
    # only; optionally bound to the host's phone number, kept only until it is used);
    # a host sees and runs only their own activities. An ended hosting keeps only its
    # organisation and role (for the export), never the person. A host's proposal for a
    # new activity waits for staff to publish or decline it. Who runs an activity (the
    # team, an afdelingsbestyrelse or a named partner) is stored with it.
    (
        """
        CREATE TABLE host_invitations (
            id              INTEGER PRIMARY KEY,
            token           TEXT NOT NULL UNIQUE,
            activity_id     INTEGER NOT NULL REFERENCES activities (id),
            whole_series    INTEGER NOT NULL CHECK (whole_series IN (0, 1)),
            organiser_kind  TEXT NOT NULL CHECK (organiser_kind IN ('team', 'board', 'partner')),
            organisation    TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 100),
            role            TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 100),
            phone           TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 11 AND 16),
            tries           INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
            created_by      INTEGER,
            created_at      TEXT NOT NULL,
            expires_at      TEXT NOT NULL,
            used_at         TEXT,
            CHECK (used_at IS NULL OR phone IS NULL)
        ) STRICT
        """,
        """
        CREATE TABLE hosts (
            id              INTEGER PRIMARY KEY,
            user_id         INTEGER,
            first_name      TEXT CHECK (first_name IS NULL OR length(first_name) <= 64),
            language        TEXT CHECK (language IS NULL OR language IN ('da', 'ar', 'en')),
            activity_id     INTEGER NOT NULL REFERENCES activities (id),
            whole_series    INTEGER NOT NULL CHECK (whole_series IN (0, 1)),
            organiser_kind  TEXT NOT NULL CHECK (organiser_kind IN ('team', 'board', 'partner')),
            organisation    TEXT NOT NULL,
            role            TEXT NOT NULL,
            invitation_id   INTEGER REFERENCES host_invitations (id) ON DELETE SET NULL,
            started_at      TEXT NOT NULL,
            ended_at        TEXT,
            ended_how       TEXT CHECK (ended_how IS NULL
                                OR ended_how IN ('removed', 'expired', 'erased')),
            CHECK ((ended_at IS NULL) = (user_id IS NOT NULL)),
            CHECK ((ended_at IS NULL) = (ended_how IS NULL)),
            CHECK (user_id IS NOT NULL OR (first_name IS NULL AND language IS NULL))
        ) STRICT
        """,
        "CREATE INDEX hosts_by_user ON hosts (user_id) WHERE user_id IS NOT NULL",
        "CREATE INDEX hosts_by_activity ON hosts (activity_id)",
        """
        CREATE TABLE activity_proposals (
            id            INTEGER PRIMARY KEY,
            proposed_by   INTEGER,
            host_id       INTEGER REFERENCES hosts (id),
            language      TEXT NOT NULL CHECK (language IN ('da', 'ar', 'en')),
            title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            description   TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 3000),
            starts_at     TEXT NOT NULL,
            ends_at       TEXT NOT NULL,
            place         TEXT NOT NULL CHECK (length(place) BETWEEN 1 AND 200),
            capacity      INTEGER CHECK (capacity IS NULL OR capacity > 0),
            delaftale     TEXT NOT NULL
                          CHECK (delaftale IN ('education', 'employment', 'community')),
            area          TEXT NOT NULL,
            status        TEXT NOT NULL CHECK (status IN ('pending', 'published', 'declined')),
            activity_id   INTEGER REFERENCES activities (id),
            created_at    TEXT NOT NULL,
            decided_at    TEXT,
            decided_by    INTEGER,
            CHECK (ends_at > starts_at),
            CHECK ((status = 'published') = (activity_id IS NOT NULL))
        ) STRICT
        """,
        "ALTER TABLE activities ADD COLUMN organiser_kind TEXT NOT NULL DEFAULT 'team'"
        " CHECK (organiser_kind IN ('team', 'board', 'partner'))",
        "ALTER TABLE activities ADD COLUMN organiser_name TEXT"
        " CHECK (organiser_name IS NULL OR length(organiser_name) BETWEEN 1 AND 100)",
    ),
)

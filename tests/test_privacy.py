"""Privacy end to end: /mydata, /deleteme, retention, re-consent, and logs without personal data.

The erasure test searches every column of every table (found through sqlite_master
and PRAGMA table_info), so a table added later is covered without touching this file.
"""

import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

import bot.db.residents
import bot.work.retention
from bot.core.clock import to_db
from bot.core.i18n import Catalogs
from bot.core.logs import configure_logging
from bot.db.broadcasts import SUBSCRIBERS, BroadcastRepository
from bot.db.interests import InterestRepository
from bot.db.mydata import PersonalDataRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.translations import TranslationRepository
from bot.db.volunteers import OfferDraft, VolunteerRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.mydata import EXPORT_FILE_NAME, MAX_LISTED_SIGNUPS, summary_text
from bot.views.notice import consent_request_text, deletion_question, privacy_notice_text
from bot.work.broadcasting import broadcast_job_name
from bot.work.reminders import job_name
from bot.work.retention import RETENTION_JOB, warning_text
from tests.conftest import STAFF_CHAT_ID, STAFF_ID, Nabo, buttons, settle
from tests.factories import add_activity, add_residents
from tests.test_journey_activities import open_detail, open_list, sign_up
from tests.test_journey_broadcast import press, staff_says, wait_for_broadcast_end
from tests.test_journey_volunteer import say, tap, tap_for_new, toggle

LANGUAGES = ["da", "ar", "en"]


def places_holding(database: Path, values: list[str]) -> list[str]:
    """Every table.column (of every table there is) whose text contains one of the values."""
    found = []
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]:
                for value in values:
                    [(count,)] = db.execute(
                        f'SELECT COUNT(*) FROM "{table}"'
                        f' WHERE instr(CAST("{column}" AS TEXT), ?) > 0',
                        (value,),
                    )
                    if count:
                        found.append(f"{table}.{column} ~ {value}")
    return found


async def chat_opened(nabo: Nabo, user_id: int, language: str, first_name: str) -> None:
    """The person has written to the bot once (their chat exists); nothing is stored yet."""
    nabo.server.user(user_id, language_code=language, first_name=first_name)
    nabo.server.send_command(user_id, "menu")
    await nabo.server.wait_for_messages(user_id)


async def resident_with_data(
    nabo: Nabo, user_id: int, language: str, values: dict[str, str], activities: tuple[int, int]
) -> None:
    """A consented resident with a bit of everything, written through the repositories."""
    store, now = nabo.store, nabo.clock.now()
    await chat_opened(nabo, user_id, language, values["name"])
    await add_residents(store, [user_id], now - timedelta(days=12), language)
    past, coming = activities
    signups = SignupRepository(store)
    done = await signups.sign_up(
        past, user_id, 2, 1, now - timedelta(days=12), waitlist=True, first_name=values["name"]
    )
    assert done.signup is not None
    await signups.set_attended(done.signup.id, past, True, now=now - timedelta(days=9))
    await signups.sign_up(coming, user_id, 1, 0, now, waitlist=True, first_name=values["name"])
    await InterestRepository(store).toggle(user_id, "delaftale", values["delaftale"])
    draft = OfferDraft(("homework",), ("evenings",), "phone", values["phone"], note=values["note"])
    await VolunteerRepository(store).save(user_id, draft, now)
    await nabo.application.bot_data.services.feedback.add(
        subject="nabo", now=now, user_id=user_id, rating=4, text=values["feedback"]
    )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_mydata_is_all_and_only_mine(nabo: Nabo, catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    server, now = nabo.server, nabo.clock.now()
    past = await add_activity(nabo.store, now - timedelta(days=12))
    coming = await add_activity(nabo.store, now, capacity=1, title_ar=None, title_en=None)
    mine = {
        "name": "Aurelia",
        "phone": "4511112222",
        "note": "Mine cykler",
        "feedback": "Skøn gård",
        "delaftale": "education",
    }
    theirs = {
        "name": "Bartholomew",
        "phone": "4533334444",
        "note": "Their bikes",
        "feedback": "Noisy stairs",
        "delaftale": "employment",
    }
    # The other resident signs up first: the caller is on the waitlist, place 1.
    await resident_with_data(nabo, 70002, "en", theirs, (past, coming))
    await resident_with_data(nabo, 70001, language, mine, (past, coming))
    broadcasts = BroadcastRepository(nabo.store, "da")
    texts = {"da": "Grill i aften", "ar": "شواء الليلة", "en": "Barbecue tonight"}
    broadcast_id = await broadcasts.create(
        kind="message", audience=SUBSCRIBERS, send_at=now, now=now, texts=texts
    )
    assert broadcast_id is not None
    cursors = {user: server.cursor(user) for user in (70001, 70002)}
    await broadcasts.add_deliveries(
        broadcast_id, [(70001, 70001, language), (70002, 70002, "en")], now
    )
    nabo.application.bot_data.services.sender.wake()
    for user in (70001, 70002):
        await server.wait_for_messages(user, after=cursors[user])

    # /privacy is there in every language, with the way to the data.
    [notice] = await say(server, 70001, "/privacy")
    assert notice["text"] == privacy_notice_text(tr)
    assert buttons(notice) == [
        tr.gettext("📄 See my data"),
        tr.gettext("🗑 Delete my data"),
        tr.gettext("☰ Menu"),
    ]
    [summary, file] = await say(server, 70001, "/mydata", 2)
    text = summary["text"]
    lines = text.splitlines()
    assert lines[0] == tr.gettext("This is everything Nabo stores about you:")
    assert tr.gettext("• Telegram user number: {user_id}").format(user_id=tr.ltr(70001)) in lines
    assert (
        tr.gettext("• Sign-ups and waitlist places, past ones too: {count}").format(count=tr.ltr(2))
        in lines
    )
    assert (
        tr.gettext("• Phone number, for your offer of help: {phone}").format(
            phone=tr.ltr("+4511112222")
        )
        in lines
    )
    for label in (
        "• Feedback linked to you: {count}",
        "• Messages from the team to you: {count}",
    ):
        assert tr.gettext(label).format(count=tr.ltr(1)) in lines
    waiting = tr.gettext("waitlist place {position}").format(position=tr.ltr(1))
    assert any(waiting in line and "Lektiecafé" in line for line in lines)
    assert any(tr.gettext("signed up, came") in line for line in lines)

    assert file["document"]["file_name"] == EXPORT_FILE_NAME
    assert file["caption"] == tr.gettext("📎 All your data as a file (JSON), to keep or to read.")
    raw = server.document_bytes(70001, file["message_id"]).decode("utf-8")
    export = json.loads(raw)
    assert export["resident"]["user_id"] == 70001
    assert export["resident"]["language"] == language
    assert export["interests"] == [{"kind": "delaftale", "value": "education"}]
    assert [row["first_name"] for row in export["signups"]] == ["Aurelia", "Aurelia"]
    assert [row["waitlist_position"] for row in export["signups"]] == [None, 1]
    assert export["volunteer_offer"]["phone"] == "4511112222"
    assert [row["text"] for row in export["feedback"]] == ["Skøn gård"]
    assert [row["text"] for row in export["messages_received"]] == [texts[language]]
    # Nothing of the other resident, in the summary or the file.
    for value in [*theirs.values(), "70002"]:
        assert value not in raw
        assert value not in text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_mydata_shows_staff_what_their_work_keeps(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    """Staff have no resident's row, but their work keeps data about them: they see it."""
    tr = catalogs.translator(language)
    server, now = nabo.server, nabo.clock.now()
    server.user(STAFF_ID, language_code=language, first_name="Mette")
    # Their own work: a source named (audited), a message sent, one waiting for a
    # translation, and a copy of a post about an offer of help in their own chat.
    await staff_says(server, "/newsource Opslag Houlkær opgang 12")
    await BroadcastRepository(nabo.store, "da").create(
        kind="message",
        audience=SUBSCRIBERS,
        send_at=now,
        now=now,
        staff_user_id=STAFF_ID,
        texts={"da": "Fællesspisning fredag"},
    )
    await TranslationRepository(nabo.store).save_draft(
        staff_user_id=STAFF_ID,
        texts={"da": "Loppemarked lørdag"},
        audience=SUBSCRIBERS,
        send_at=None,
        needed_by={"ar": now + timedelta(days=2)},
        now=now,
    )
    await chat_opened(nabo, 70003, "da", "Walther")
    await add_residents(nabo.store, [70003], now, "da")
    volunteers = VolunteerRepository(nabo.store)
    await volunteers.save(70003, OfferDraft(("homework",), ("evenings",)), now)
    offer = await volunteers.get_for(70003)
    assert offer is not None
    await volunteers.set_staff_message(offer.id, None, {STAFF_ID: 4242})
    assert await nabo.resident(STAFF_ID) is None

    [summary, file] = await staff_says(server, "/mydata", 2)
    lines = summary["text"].splitlines()
    assert lines[0] == tr.gettext("This is everything Nabo stores about you:")
    assert tr.gettext("• Telegram user number: {user_id}").format(user_id=tr.ltr(STAFF_ID)) in lines
    for label in (
        "• Your actions as staff: {count}",
        "• Messages you sent to residents as staff: {count}",
        "• Translations you asked volunteers for: {count}",
        "• Your messages waiting for translations: {count}",
        "• Posts about offers of help in your own chat: {count}",
    ):
        assert tr.gettext(label).format(count=tr.ltr(1)) in lines, label
    # Nothing of a resident's that they do not have.
    assert tr.gettext("• Privacy notice: not accepted") not in lines
    assert tr.gettext("• Reminders: off") not in lines
    assert lines[-1] == tr.gettext(
        "What you did as staff stays in the audit log after /deleteme, so the team can see "
        "who did what."
    )
    export = json.loads(server.document_bytes(STAFF_ID, file["message_id"]).decode("utf-8"))
    assert export["user_id"] == STAFF_ID
    assert export["resident"] is None
    assert [row["text_da"] for row in export["broadcasts_by_you"]] == ["Fællesspisning fredag"]
    assert [row["text_da"] for row in export["waiting_messages_by_you"]] == ["Loppemarked lørdag"]
    assert [row["language"] for row in export["translations_asked_by_you"]] == ["ar"]
    assert [row["action"] for row in export["staff_actions_by_you"]] == ["source.new"]
    assert export["offer_posts_in_your_chat"] == [{"offer_id": offer.id, "message_id": 4242}]
    assert "Walther" not in json.dumps(export)
    # And /deleteme does not say there is nothing.
    [ask] = await staff_says(server, "/deleteme")
    assert ask["text"] == deletion_question(tr)
    server.press(STAFF_ID, ask, tr.gettext("🗑 Yes, delete my data"))
    await server.wait_for_edit(STAFF_ID, ask["message_id"])
    left = await PersonalDataRepository(nabo.store).export(STAFF_ID, now)
    assert left is not None
    assert [key for key, value in left.items() if value] == [
        "exported_at",
        "user_id",
        "staff_actions_by_you",
        "offer_posts_in_your_chat",
    ]


def test_a_long_history_fits_one_message(catalogs: Catalogs) -> None:
    tr = catalogs.translator("ar")
    signup = {
        "title_da": "Lektiecafé " + "x" * 150,
        "title_ar": None,
        "status": "cancelled",
        "attended": None,
        "waitlist_position": None,
        "activity_starts_at": "2030-03-04T09:00:00+00:00",
        "adults": 1,
        "children": 2,
        "first_name": "Aurelia",
    }
    export = {
        "user_id": 1,
        "resident": {
            "user_id": 1,
            "language": "ar",
            "first_seen_at": "2030-01-01T09:00:00+00:00",
            "last_seen_at": None,
            "consented_at": None,
            "subscribed": 1,
            "reminders": 0,
        },
        "interests": [],
        "signups": [signup] * 40,
        "volunteer_offer": None,
        "reminders_sent": [],
        "feedback_questions_sent": [],
        "feedback": [],
        "messages_received": [],
        "staff_actions_about_your_offer": [],
        "staff_actions_by_you": [],
        "translations_by_you": [],
        "broadcasts_by_you": [],
        "translations_asked_by_you": [],
        "waiting_messages_by_you": [],
        "offer_posts_in_your_chat": [],
    }
    text = summary_text(tr, export)
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert (
        tr.gettext("   … and {count} more in the file").format(
            count=tr.ltr(40 - MAX_LISTED_SIGNUPS)
        )
        in text
    )


@pytest.fixture
def debug_logs(botapi: BotApiServer) -> Iterator[tuple[io.StringIO, list[logging.LogRecord]]]:
    """Production logging at LOG_LEVEL=DEBUG, every library's logger at DEBUG too.

    Yields what would reach stderr, and every raw record before the log policy's
    filters (to prove the loggers really were talking).
    """
    root = logging.getLogger()
    names = ("telegram", "telegram.ext", "httpx", "httpcore", "apscheduler", "aiosqlite")
    saved = (root.level, root.handlers[:], {name: logging.getLogger(name).level for name in names})
    configure_logging("DEBUG", [botapi.token])
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    records: list[logging.LogRecord] = []

    class Everything(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root.addHandler(Everything(logging.DEBUG))
    try:
        yield stream, records
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.chat_limit  # a whole journey at Telegram's pace: no 429 provoked
async def test_deleteme_erases_everywhere_and_logs_hold_nothing_personal(
    debug_logs: tuple[io.StringIO, list[logging.LogRecord]], nabo: Nabo, catalogs: Catalogs
) -> None:
    """Every journey at DEBUG, then /deleteme: no trace in any table, nor in the logs."""
    stream, records = debug_logs
    tr = catalogs.translator("da")
    server, user = nabo.server, 61803398
    name, phone = "Zephyrine", "4598765432"
    note, feedback = "Kan reparere cykler om aftenen", "Gården er for mørk om vinteren"
    message = "Fællesspisning fredag kl. 18 i beboerhuset"
    server.user(STAFF_ID, language_code="da")
    server.add_bot_to_group(STAFF_ID, STAFF_CHAT_ID, title="Team")
    await server.wait_for_messages(STAFF_CHAT_ID)
    # Someone else, who stays: proves the search below finds what is there.
    await chat_opened(nabo, 24681357, "en", "Quentin")
    await add_residents(nabo.store, [24681357], nabo.clock.now(), "en")
    await add_activity(nabo.store, nabo.clock.now())

    # Start and consent; the greeting uses the first name.
    server.user(user, language_code="da", first_name=name)
    [notice] = await say(server, user, "/start")
    server.press(user, notice, tr.gettext("✅ Yes, that's fine"))
    await server.wait_for_messages(user)
    [hello] = await say(server, user, "/start")
    assert name in hello["text"]
    server.reset_rate_limits()  # a person takes a few seconds per step
    # Sign up in the chat: the first name goes on the sign-up for the team's list.
    detail = await open_detail(server, user, await open_list(server, user), 1)
    await sign_up(server, user, detail, tr, 2, 1)
    await settle(nabo)
    # Offer help by phone, sharing the number, with a note.
    server.reset_rate_limits()
    [step] = await say(server, user, "/volunteer")
    step = await tap(server, user, step, toggle(tr, "Homework help"))
    [step] = await tap_for_new(server, user, step, tr.gettext("Next ▶"))
    server.reset_rate_limits()
    step = await tap(server, user, step, toggle(tr, "Evenings"))
    [step] = await tap_for_new(server, user, step, tr.gettext("Next ▶"))
    await tap_for_new(server, user, step, tr.gettext("📞 By phone"))
    server.reset_rate_limits()
    server.share_contact(user, phone)
    await server.wait_for_messages(user, 2)
    [confirm] = await say(server, user, note)
    await tap(server, user, confirm, tr.gettext("✅ Send my offer"))
    server.reset_rate_limits()
    # Feedback with a comment, linked to them.
    [subjects] = await say(server, user, "/feedback")
    server.press_button(user, subjects["message_id"], "fb:s:area")
    rating = await server.wait_for_edit(user, subjects["message_id"])
    server.press_button(user, rating["message_id"], "fb:v:4")
    await server.wait_for_messages(user)
    [linking] = await say(server, user, feedback)
    server.press_button(user, linking["message_id"], "fb:l:1")
    await server.wait_for_edit(user, linking["message_id"])
    server.reset_rate_limits()
    # A message from the team to everyone.
    await staff_says(server, "/broadcast")
    [arabic] = await staff_says(server, message)
    await press(server, arabic, tr.gettext("Skip"))
    [audience] = await staff_says(server, "Dinner on Friday")
    server.press(STAFF_ID, audience, buttons(audience)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    server.reset_rate_limits()
    preview = await press(server, when, tr.gettext("Send now"))
    cursor = server.cursor(user)
    server.press(STAFF_ID, preview[-1], tr.gettext("✅ Send"))
    await wait_for_broadcast_end(nabo)
    [received] = await server.wait_for_messages(user, after=cursor)
    assert received["text"] == message
    server.reset_rate_limits()
    # Their data, then gone.
    [_summary, file] = await say(server, user, "/mydata", 2)
    export = server.document_bytes(user, file["message_id"]).decode("utf-8")
    for value in (str(user), name, phone, note, feedback, message):
        assert value in export
    [ask] = await say(server, user, "/deleteme")
    server.press(user, ask, tr.gettext("🗑 Yes, delete my data"))
    done = await server.wait_for_edit(user, ask["message_id"])
    assert done["text"] == tr.gettext(
        "Done. Nabo has deleted everything about you. Send /start if you want to come back."
    )
    await settle(nabo)

    server.reset_rate_limits()
    # Not in any table or column; what stays is counts (the sign-up, unlinked).
    values = [str(user), name, phone, note, feedback]
    assert places_holding(nabo.config.database_path, values) == []
    assert places_holding(nabo.config.database_path, ["24681357", "Quentin"]) != []
    assert await nabo.rows("SELECT user_id, adults, children, status FROM signups") == [
        (None, 2, 1, "cancelled")
    ]
    assert await PersonalDataRepository(nabo.store).export(user, nabo.clock.now()) is None
    [nothing] = await say(server, user, "/mydata")
    assert nothing["text"] == tr.gettext("Nabo stores nothing about you.")
    await settle(nabo)
    assert server.messages(user)[-1] == nothing  # and no file
    # A later /start begins from scratch.
    [again] = await say(server, user, "/start")
    assert again["text"] == consent_request_text(tr)

    # The logs: nothing personal, though the libraries were asked for everything.
    logged = stream.getvalue()
    assert "Nabo started" in logged
    secrets = [*values, message, server.token, server.token.split(":")[1]]
    pressed = {
        button["callback_data"]
        for sent in server.messages(user)
        for row in (sent.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
        if any(c.isdigit() for c in button.get("callback_data", ""))
    }
    assert pressed  # the resident's own buttons (e.g. their sign-up's cancel button)
    for secret in [*secrets, *pressed]:
        assert secret not in logged, secret
    # Without the log policy these would have been written: SQL parameters, updates.
    unfiltered = "\n".join(record.getMessage() for record in records)
    assert feedback in unfiltered
    assert any(record.name.startswith("aiosqlite") for record in records)


async def test_no_reminder_or_pending_message_after_deleteme(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    server, clock = nabo.server, nabo.clock
    now = clock.now()
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(hours=30), ends_at=now + timedelta(hours=32)
    )
    for user in (1, 2):
        await chat_opened(nabo, user, "en", f"R{user}")
        await add_residents(nabo.store, [user], now, "en")
        await SignupRepository(nabo.store).sign_up(activity_id, user, 1, 0, now, waitlist=False)
    # A message scheduled for later whose deliveries are already written, still pending.
    broadcasts = BroadcastRepository(nabo.store, "da")
    broadcast_id = await broadcasts.create(
        kind="message",
        audience=SUBSCRIBERS,
        send_at=now + timedelta(hours=7),
        now=now,
        texts={"da": "Husk grill", "en": "Barbecue soon"},
    )
    assert broadcast_id is not None
    async with nabo.store.transaction() as db:
        await db.executemany(
            "INSERT INTO deliveries (broadcast_id, user_id, chat_id, language, status, updated_at)"
            " VALUES (?, ?, ?, 'en', 'pending', ?)",
            [(broadcast_id, user, user, to_db(now)) for user in (1, 2)],
        )
    await nabo.restart()  # the jobs come from the database

    [ask] = await say(server, 1, "/deleteme")
    server.press(1, ask, tr.gettext("🗑 Yes, delete my data"))
    await server.wait_for_edit(1, ask["message_id"])
    cursors = {user: server.cursor(user) for user in (1, 2)}
    clock.advance(timedelta(hours=7))  # the 24-hour reminder and the message are due
    await nabo.run_job(job_name(activity_id, timedelta(hours=24)))
    await nabo.run_job(broadcast_job_name(broadcast_id))
    await wait_for_broadcast_end(nabo)
    reminder, message = await server.wait_for_messages(2, 2, after=cursors[2])
    assert "Homework café" in reminder["text"]
    assert message["text"] == "Barbecue soon"
    await settle(nabo)
    assert server.cursor(1) == cursors[1]
    assert await nabo.rows("SELECT user_id, status FROM deliveries") == [(2, "sent")]


def report_totals(database: Path) -> list[tuple[object, ...]]:
    """Per activity: sign-ups, people, confirmed people and who came (what reports count)."""
    with sqlite3.connect(database) as db:
        return db.execute(
            """
            SELECT a.id, COUNT(s.id),
                   COALESCE(SUM(s.adults + s.children), 0),
                   COALESCE(SUM(CASE WHEN s.status = 'confirmed'
                                     THEN s.adults + s.children END), 0),
                   COALESCE(SUM(s.attended), 0), a.walk_ins
              FROM activities a LEFT JOIN signups s ON s.activity_id = a.id
             GROUP BY a.id ORDER BY a.id
            """
        ).fetchall()


async def test_retention_erases_exactly_what_has_expired(nabo: Nabo, catalogs: Catalogs) -> None:
    server, clock, store = nabo.server, nabo.clock, nabo.store
    t0 = clock.now()
    days = lambda n: timedelta(days=n)  # noqa: E731
    residents = ResidentRepository(store)
    seen = {101: 360, 102: 360, 103: 352, 104: 350, 105: 400, 106: 400, 107: 20, 108: 400}
    language = {101: "da", 102: "ar", 103: "en"}
    for user, ago in seen.items():
        await chat_opened(nabo, user, language.get(user, "da"), f"R{user}")
        await add_residents(store, [user], t0 - days(ago), language.get(user, "da"))
    await residents.mark_all_warned([105], t0 - days(14), inactive_since=t0 - days(14))
    await residents.mark_all_warned([106], t0 - days(13), inactive_since=t0 - days(13))
    await residents.set_blocked(108, True)
    # Only picked a language, never agreed: erased in time, but never written to.
    await chat_opened(nabo, 109, "en", "R109")
    await residents.set_language(109, 109, "en", t0 - days(360))
    # Sign-ups: one activity ended 181 days ago, one 179 days ago.
    signups = SignupRepository(store)
    old = await add_activity(store, t0 - days(183), capacity=None)
    recent = await add_activity(store, t0 - days(181), capacity=None)
    ids = {}
    for activity, user, people in (
        (old, 107, 3),
        (old, 104, 1),
        (recent, 107, 2),
        (recent, 105, 4),
    ):
        start = t0 - days(183 if activity == old else 181)
        result = await signups.sign_up(activity, user, people, 0, start, waitlist=False)
        assert result.signup is not None
        ids[activity, user] = result.signup.id
    await signups.set_attended(ids[old, 107], old, True, now=t0 - days(181))
    # Offers: "not now" for a year and a day; active for longer; withdrawn 300 days ago.
    volunteers = VolunteerRepository(store)
    for user, status, ago in ((107, "not_now", 366), (104, "active", 400), (103, None, 300)):
        saved = await volunteers.save(
            user, OfferDraft(("homework",), ("evenings",)), t0 - days(ago)
        )
        if status is None:
            await volunteers.withdraw(user, t0 - days(ago))
        else:
            await volunteers.set_status(saved.offer.id, status, t0 - days(ago))
    totals = report_totals(nabo.config.database_path)
    cursors = {user: server.cursor(user) for user in [*seen, 109]}

    await nabo.run_job(RETENTION_JOB)
    for user, code in language.items():
        [warning] = await server.wait_for_messages(user, after=cursors[user])
        tr = catalogs.translator(code)
        assert warning["text"] == warning_text(tr, t0 + days(14))
        assert buttons(warning) == [tr.gettext("☰ Menu")]
    await settle(nabo)
    for user in (104, 105, 106, 107, 108, 109):
        assert server.cursor(user) == cursors[user]
    assert await nabo.rows("SELECT user_id FROM residents ORDER BY user_id") == [
        (user,) for user in (101, 102, 103, 104, 106, 107, 108, 109)
    ]
    assert await nabo.rows(
        "SELECT user_id FROM residents WHERE retention_warned_at IS NOT NULL ORDER BY user_id"
    ) == [(user,) for user in (101, 102, 103, 106, 108, 109)]
    assert await nabo.rows("SELECT id, user_id FROM signups ORDER BY id") == [
        (ids[old, 107], None),
        (ids[old, 104], None),
        (ids[recent, 107], 107),
        (ids[recent, 105], None),  # erased with the resident
    ]
    assert await nabo.rows("SELECT user_id, status FROM volunteer_offers ORDER BY user_id") == [
        (103, "withdrawn"),
        (104, "active"),
    ]
    assert report_totals(nabo.config.database_path) == totals

    # Any interaction cancels the warning: 101 taps the menu button on it.
    [warning] = server.messages(101)[-1:]
    server.press(101, warning, catalogs.translator("da").gettext("☰ Menu"))
    await server.wait_for_messages(101, after=server.cursor(101))
    [[warned]] = await nabo.rows("SELECT retention_warned_at FROM residents WHERE user_id = 101")
    assert warned is None

    clock.advance(days(14))
    await nabo.run_job(RETENTION_JOB)
    await settle(nabo)
    assert await nabo.rows("SELECT user_id FROM residents ORDER BY user_id") == [
        (101,),
        (104,),
        (107,),
    ]
    [[warned]] = await nabo.rows("SELECT retention_warned_at FROM residents WHERE user_id = 104")
    assert warned == to_db(clock.now())  # now 364 days unseen: warned, not erased
    assert await nabo.rows("SELECT user_id FROM volunteer_offers") == [(104,)]
    assert report_totals(nabo.config.database_path) == totals


async def test_retention_erases_in_batches_and_a_waitlist_moves_up_once(
    nabo: Nabo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many expired residents, erased a few per transaction: all of them, nobody else."""
    monkeypatch.setattr(bot.work.retention, "ERASE_AT_ONCE", 2)
    clock, store = nabo.clock, nabo.store
    t0 = clock.now()
    residents = ResidentRepository(store)
    expired, kept = [301, 302, 303, 304, 305], [306, 307]
    for user in expired:
        await add_residents(store, [user], t0 - timedelta(days=400), "da")
        await residents.mark_all_warned(
            [user], t0 - timedelta(days=14), inactive_since=t0 - timedelta(days=14)
        )
    await add_residents(store, kept, t0 - timedelta(days=2), "da")
    # A coming activity with room for one: 301 has the place, 302 and 306 wait for it.
    activity = await add_activity(store, t0, capacity=1)
    signups = SignupRepository(store)
    for user in (301, 302, 306):
        await signups.sign_up(activity, user, 1, 0, t0 - timedelta(days=1), waitlist=True)

    await nabo.run_job(RETENTION_JOB)
    await settle(nabo)
    assert await nabo.rows("SELECT user_id FROM residents ORDER BY user_id") == [
        (user,) for user in kept
    ]
    # 301's place goes to 306: 302, erased in the same run, never moves up into it.
    assert await nabo.rows(
        "SELECT user_id, status FROM signups WHERE status != 'cancelled' ORDER BY id"
    ) == [(306, "confirmed")]
    assert await nabo.rows(
        "SELECT user_id FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.kind = 'promotion'"
    ) == [(306,)]


async def test_last_use_is_written_at_most_once_a_day(nabo: Nabo) -> None:
    server, clock = nabo.server, nabo.clock
    t0 = clock.now()
    await chat_opened(nabo, 5, "da", "R5")
    await add_residents(nabo.store, [5], t0 - timedelta(days=3), "da")
    await say(server, 5, "/menu")
    # Later the same (UTC) day: two hours on, or up to just before midnight if that is sooner.
    midnight = datetime.combine(t0.date() + timedelta(days=1), time(0), tzinfo=UTC)
    clock.advance(min(timedelta(hours=2), midnight - t0 - timedelta(seconds=1)))
    await say(server, 5, "/menu")
    assert await nabo.rows("SELECT last_seen_at FROM residents") == [(to_db(t0),)]
    clock.advance(timedelta(days=1))
    await say(server, 5, "/menu")
    assert await nabo.rows("SELECT last_seen_at FROM residents") == [(to_db(clock.now()),)]


async def test_a_new_notice_version_asks_again(
    nabo: Nabo, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    language = "ar"
    tr = catalogs.translator(language)
    server = nabo.server
    await chat_opened(nabo, 8, language, "R8")
    await add_residents(nabo.store, [8], nabo.clock.now(), language)
    [menu] = await say(server, 8, "/menu")
    assert menu["text"] != consent_request_text(tr)
    monkeypatch.setattr(
        bot.db.residents, "PRIVACY_NOTICE_VERSION", bot.db.residents.PRIVACY_NOTICE_VERSION + 1
    )
    [notice] = await say(server, 8, "/mine")
    assert notice["text"] == consent_request_text(tr)
    server.press(8, notice, tr.gettext("✅ Yes, that's fine"))
    await server.wait_for_messages(8)
    assert await nabo.rows("SELECT consent_version FROM residents") == [
        (bot.db.residents.PRIVACY_NOTICE_VERSION,)
    ]
    [mine] = await say(server, 8, "/mine")
    assert mine["text"] != consent_request_text(tr)


async def test_a_resident_who_answers_the_warning_at_once_is_not_marked_warned(
    nabo: Nabo,
) -> None:
    # Warnings are sent first and recorded afterwards, fifty at a time. A resident who
    # taps the warning's button in between is back: recording the warning then would
    # leave them marked as warned, and erased a year later with no warning at all.
    store, t0 = nabo.store, nabo.clock.now()
    residents = ResidentRepository(store)
    await add_residents(store, [401, 402], t0 - timedelta(days=400), "da")
    inactive_since = t0 - timedelta(days=335)
    due = [r.user_id for r in await residents.due_for_warning(inactive_since)]
    assert due == [401, 402]
    await residents.touch(402, t0)  # 402 answered the warning before it was recorded
    await residents.mark_all_warned(due, t0, inactive_since=inactive_since)
    rows = await nabo.rows("SELECT user_id, retention_warned_at FROM residents ORDER BY user_id")
    assert rows == [(401, to_db(t0)), (402, None)]

"""Staff in chat, end to end over the local Bot API: create, list, edit, cancel, attendance."""

import importlib.util
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ConversationHandler

from bot.core.clock import from_db
from bot.core.i18n import Catalogs, Translator
from bot.db.activities import Activity, ActivityListing, ActivityRepository, CapacityChange
from bot.db.signups import SignupRepository
from bot.db.store import Store
from bot.sandbox.botapi import BotApiServer
from bot.views.activity import activity_detail, activity_title_when, delaftale_name, party_text
from bot.views.broadcast import progress_text
from bot.work.reminders import job_name, reminder_due
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle
from tests.factories import add_activity, add_residents

CPH = ZoneInfo("Europe/Copenhagen")
# A known Monday, 10:00 in Copenhagen: for a test about one stretch of the calendar.
KNOWN_MONDAY = "2030-03-04T09:00:00+00:00"


def examples_da(now: datetime) -> str:
    """The Danish example dates Nabo gives: a week after the clock's day, at 17:00."""
    day = in_days_at_17(now, 7).astimezone(CPH)
    return f"{day:%d.%m.%Y} 17:00, {day.day}/{day.month} 17:00 eller {day:%Y-%m-%d} 17:00"


def in_days_at_17(now: datetime, days: int) -> datetime:
    """That many local days after the clock's day, at 17:00 in Copenhagen, in UTC."""
    day = now.astimezone(CPH).date() + timedelta(days=days)
    return datetime.combine(day, datetime.min.time().replace(hour=17), tzinfo=CPH).astimezone(UTC)


@pytest.fixture
def catalogs(nabo: Nabo) -> Catalogs:
    """The running bot's own catalogs, so expected texts and replies come from the same files."""
    return nabo.application.bot_data.services.catalogs


# ---------------------------------------------------------------- acting as staff


# One promoted resident told, counted from the delivery rows.
PROMOTION_TOLD = {"pending": 0, "sending": 0, "sent": 1, "blocked": 0, "failed": 0, "uncertain": 0}


def staff_user(server: BotApiServer, language: str = "da") -> None:
    """The staff member; they have not accepted the residents' notice, and need not."""
    server.user(STAFF_ID, first_name="Mette", language_code=language)


async def says(server: BotApiServer, text: str, count: int = 1) -> list[dict]:
    """Staff write something; return what the bot sends back."""
    server.reset_rate_limits()  # a person takes a few seconds per answer
    server.send_text(STAFF_ID, text)
    return await server.wait_for_messages(STAFF_ID, count)


async def say(server: BotApiServer, text: str) -> dict:
    [reply] = await says(server, text)
    return reply


async def presses(server: BotApiServer, message: dict, label: str, count: int = 1) -> list[dict]:
    """Staff press a button; return the new messages the bot sends."""
    server.reset_rate_limits()
    server.press(STAFF_ID, message, label)
    return await server.wait_for_messages(STAFF_ID, count)


async def press(server: BotApiServer, message: dict, label: str) -> dict:
    [reply] = await presses(server, message, label)
    return reply


async def press_in_place(server: BotApiServer, message: dict, label: str) -> dict:
    """Staff press a button on a screen that changes in place; return it changed."""
    server.reset_rate_limits()
    server.press(STAFF_ID, message, label)
    return await server.wait_for_edit(STAFF_ID, message["message_id"])


async def audit(nabo: Nabo) -> list[tuple[object, ...]]:
    return await nabo.rows(
        "SELECT staff_user_id, action, subject, details FROM audit_log ORDER BY id"
    )


def _(tr: Translator, text: str) -> str:
    return tr.gettext(text)


TITLE_ARABIC = (
    "And the title in {language}? Write it, press Skip (residents then see the Danish), "
    "or ask volunteer translators for the title and the description: choose by when "
    "you need them."
)
DESCRIPTION_DA = (
    "A short description in Danish: what happens, for whom, and what to bring. "
    "Press Skip if you would rather not."
)
ASK_START = "When does it start? Write the date and time, for example {examples}."


# ---------------------------------------------------------------- /newactivity


@pytest.mark.chat_limit  # a whole journey at Telegram's pace: no 429 provoked
@pytest.mark.clock(KNOWN_MONDAY)  # a weekly series across the spring change on 31 March
async def test_new_activity_weekly_series_in_danish(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()  # Monday 4 March 2030, 10:00 in Copenhagen
    staff_user(server)

    intro = await say(server, "/newactivity")
    assert intro["text"].startswith(
        _(da, "➕ New activity. I will ask a few questions; you can stop at any time with /cancel.")
    )
    assert _(da, "What is the activity called, in Danish?") in intro["text"]
    ask_ar = await say(server, "Lektiecafé for alle ✏️")
    assert ask_ar["text"].startswith(_(da, TITLE_ARABIC).format(language=_(da, "Arabic")))
    assert buttons(ask_ar) == [
        _(da, "Skip ⏭"),
        _(da, "🙋 Within 3 hours"),
        _(da, "🙋 Within a day"),
        _(da, "🙋 Within 3 days"),
    ]
    ask_en = await say(server, "مقهى الواجبات المدرسية")
    ask_description = await press(server, ask_en, _(da, "Skip ⏭"))
    assert ask_description["text"].startswith(_(da, DESCRIPTION_DA))
    assert buttons(server.messages(STAFF_ID)[-2]) == []  # the answered question lost its button
    # Free text is kept exactly as typed, markup characters and all.
    description = "Vi hjælper med *lektierne* <b>hver uge</b>.\nKom bare!"
    ask_description_ar = await say(server, description)
    ask_description_en = await press(server, ask_description_ar, _(da, "Skip ⏭"))
    ask_start = await press(server, ask_description_en, _(da, "Skip ⏭"))
    examples = "11.03.2030 17:00, 11/3 17:00 eller 2030-03-11 17:00"
    assert ask_start["text"] == _(da, ASK_START).format(examples=examples)
    assert "11.03.2030 17:00" in ask_start["text"]  # next week as the example

    # Wrong dates get a clear reason, and the question again.
    problems = {
        "i morgen kl 17": "Sorry, I could not read that date and time.",
        "31.02.2030 17:00": "That date or time does not exist. Please check the numbers.",
        "01.03.2030 17:00": "That time has already passed. Please choose a time in the future.",
        "31.03.2030 02:30": (
            "That time does not exist on that day: the clocks are put forward an hour that "
            "night. Please choose another time."
        ),
    }
    for typed, problem in problems.items():
        reply = await say(server, typed)
        assert reply["text"].startswith(_(da, problem)), typed
        assert reply["text"].endswith(_(da, ASK_START).format(examples=examples))
    ask_end = await say(server, "20/3 17:00")
    too_early = await say(server, "16:00")
    first_start = datetime(2030, 3, 20, 16, 0, tzinfo=UTC)
    assert too_early["text"].startswith(
        _(da, "The end must be after the start ({start}).").format(start=da.when(first_start))
    )
    assert ask_end["text"] != too_early["text"]
    ask_place = await say(server, "2h")
    assert ask_place["text"].startswith(_(da, "Where is it?"))
    ask_capacity = await say(server, "Houlkær Beboerhus, 1. sal")
    assert buttons(ask_capacity) == [_(da, "♾ Unlimited")]
    again = await say(server, "mange")
    assert again["text"].startswith(
        _(
            da,
            "Please write the number of places as a whole number, 1 or more, for example "
            "{example}.",
        ).format(example=20)
    )
    assert again["text"].endswith(ask_capacity["text"])
    ask_delaftale = await say(server, "12")
    assert buttons(ask_delaftale) == [
        delaftale_name(da, code) for code in ("education", "employment", "community")
    ]
    ask_area = await press(server, ask_delaftale, delaftale_name(da, "education"))
    assert buttons(ask_area) == [
        "Houlkær",
        "Ellekonebakken",
        "Karup Kølvrå",
        _(da, "Other area"),
    ]
    ask_deadline = await press(server, ask_area, "Houlkær")
    after_start = await say(server, "21.03.2030 10:00")
    assert after_start["text"].startswith(
        _(da, "The deadline cannot be after the start ({start}).").format(
            start=da.when(first_start)
        )
    )
    assert buttons(after_start) == buttons(ask_deadline) == [_(da, "Skip ⏭")]
    ask_repeat = await say(server, "19.03.2030 12:00")
    three_weeks = da.ngettext("+{count} week", "+{count} weeks", 3).format(count=3)
    assert three_weeks in buttons(ask_repeat)
    preview = await presses(server, ask_repeat, three_weeks, count=4)
    assert len(preview) == 4

    # The preview is what residents will see, in each language.
    expected = Activity(
        id=0,
        title_da="Lektiecafé for alle ✏️",
        title_ar="مقهى الواجبات المدرسية",
        title_en=None,
        description_da=description,
        description_ar=None,
        description_en=None,
        starts_at=first_start,
        ends_at=first_start + timedelta(hours=2),
        place="Houlkær Beboerhus, 1. sal",
        capacity=12,
        delaftale="education",
        area="Houlkær",
        signup_deadline=datetime(2030, 3, 19, 11, 0, tzinfo=UTC),
        max_per_signup=6,
        status="published",
        series_id=None,
        created_at=now,
    )
    listing = ActivityListing(expected, 0, 0, None)
    for message, language in zip(preview[:3], ["da", "ar", "en"], strict=True):
        reader = catalogs.translator(language)
        assert message["text"].endswith(activity_detail(reader, listing))
        assert message["parse_mode"] is None
    assert "Lektiecafé for alle ✏️" in preview[2]["text"]  # no English title: the Danish one
    summary = preview[3]
    assert summary["text"].startswith(_(da, "Does it look right?"))
    assert da.when(datetime(2030, 4, 10, 15, 0, tzinfo=UTC)) in summary["text"]
    assert buttons(summary) == [
        _(da, "✅ Publish"),
        _(da, "📣 Publish and announce"),
        _(da, "🗑 Discard"),
    ]

    published = await press(server, summary, _(da, "✅ Publish"))
    assert published["text"] == da.ngettext(
        "✅ Published: {title}. {count} activity is now open for sign-up.",
        "✅ Published: {title}. {count} activities are now open for sign-up.",
        4,
    ).format(title="Lektiecafé for alle ✏️", count=4)
    rows = await nabo.rows(
        "SELECT id, series_id, starts_at, ends_at, signup_deadline, title_da, title_ar, title_en,"
        " description_da, description_ar, place, capacity, delaftale, area, status"
        " FROM activities ORDER BY starts_at"
    )
    assert len(rows) == 4
    ids = [row[0] for row in rows]
    assert {row[1] for row in rows} == {ids[0]}
    # Same local wall-clock time every week; summer time begins on 31 March.
    starts = [from_db(str(row[2])) for row in rows]
    assert [moment.astimezone(CPH).strftime("%d.%m %H:%M") for moment in starts] == [
        "20.03 17:00",
        "27.03 17:00",
        "03.04 17:00",
        "10.04 17:00",
    ]
    assert [moment.hour for moment in starts] == [16, 16, 15, 15]
    assert [from_db(str(row[3])).astimezone(CPH).hour for row in rows] == [19] * 4
    assert [from_db(str(row[4])).astimezone(CPH).strftime("%d.%m %H:%M") for row in rows] == [
        "19.03 12:00",
        "26.03 12:00",
        "02.04 12:00",
        "09.04 12:00",
    ]
    assert {row[5:] for row in rows} == {
        (
            "Lektiecafé for alle ✏️",
            "مقهى الواجبات المدرسية",
            None,
            description,
            None,
            "Houlkær Beboerhus, 1. sal",
            12,
            "education",
            "Houlkær",
            "published",
        )
    }
    assert await audit(nabo) == [
        (STAFF_ID, "activity.create", f"activity:{i}", f"series={ids[0]}") for i in ids
    ]
    # Reminders are scheduled for every one of them.
    for activity_id in ids:
        assert nabo.job(job_name(activity_id, timedelta(hours=24))).next_t is not None

    # A second tap on the old Publish button publishes nothing more.
    query = server.press_button(STAFF_ID, summary["message_id"], "st:n:pub")
    await server.wait_for_callback_answer(query)
    await settle(nabo)
    assert len(await nabo.rows("SELECT id FROM activities")) == 4


async def test_cancel_midway_saves_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    await say(server, "/newactivity")
    await say(server, "Sprogcafé")
    stopped = await say(server, "/cancel")
    assert stopped["text"] == _(da, "Stopped. Nothing was saved.")
    assert await nabo.rows("SELECT COUNT(*) FROM activities") == [(0,)]
    assert await audit(nabo) == []
    # The conversation is over: a text is no longer taken as an answer.
    await say(server, "Sprogcafé igen")
    await settle(nabo)
    assert await nabo.rows("SELECT COUNT(*) FROM activities") == [(0,)]

    # The staff menu's button starts the same conversation; starting again drops the draft.
    first = await say(server, "/newactivity")
    await say(server, "Udkast")
    server.reset_rate_limits()
    server.press_button(STAFF_ID, first["message_id"], "st:new")
    [again] = await server.wait_for_messages(STAFF_ID)
    assert again["text"].startswith(_(da, "The activity you started before was not saved."))
    assert _(da, "What is the activity called, in Danish?") in again["text"]


async def test_discard_and_timeout_save_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    start = f"{in_days_at_17(nabo.clock.now(), 16).astimezone(CPH):%d.%m.%Y %H:%M}"
    summary = await fill_in(server, da, start=start)
    assert summary["text"].startswith(_(da, "Does it look right?"))
    gone = await press(server, summary, _(da, "🗑 Discard"))
    assert gone["text"] == _(da, "🗑 Discarded. Nothing was saved.")
    assert await nabo.rows("SELECT COUNT(*) FROM activities") == [(0,)]

    # 30 minutes without an answer: the conversation ends and says so.
    await say(server, "/newactivity")
    await say(server, "Glemt")
    await settle(nabo)
    conversation = next(
        handler
        for handler in nabo.application.handlers[0]
        if isinstance(handler, ConversationHandler) and handler.name == "staff_activities"
    )
    [timeout] = conversation.timeout_jobs.values()
    cursor = server.cursor(STAFF_ID)
    await timeout.run(nabo.application)
    [told] = await server.wait_for_messages(STAFF_ID, after=cursor)
    assert told["text"] == da.ngettext(
        "⌛ I stopped waiting after {count} minute without an answer, so nothing was saved.",
        "⌛ I stopped waiting after {count} minutes without an answer, so nothing was saved.",
        30,
    ).format(count=30)
    assert conversation.timeout_jobs == {}
    # What comes next is no longer an answer to the old question.
    reply = await say(server, "Glemt igen")
    assert _(da, TITLE_ARABIC).format(language=_(da, "Arabic")) not in reply["text"]
    assert await nabo.rows("SELECT COUNT(*) FROM activities") == [(0,)]


async def fill_in(
    server: BotApiServer,
    tr: Translator,
    *,
    title: str = "Fællesspisning",
    start: str,
    capacity: int | None = 20,
) -> dict:
    """Answer every question with valid values and skips; return the preview's last message."""
    await say(server, "/newactivity")
    question = await say(server, title)
    for _step in range(5):  # titles in Arabic and English, three descriptions
        question = await press(server, question, tr.gettext("Skip ⏭"))
    await say(server, start)
    await say(server, "19:00")
    capacity_question = await say(server, "Beboerhuset")
    if capacity is None:
        question = await press(server, capacity_question, tr.gettext("♾ Unlimited"))
    else:
        question = await say(server, str(capacity))
    question = await press(server, question, delaftale_name(tr, "community"))
    question = await press(server, question, tr.gettext("Other area"))
    question = await press(server, question, tr.gettext("Skip ⏭"))
    preview = await presses(server, question, tr.gettext("No, just once"), count=4)
    return preview[-1]


async def test_new_activity_in_arabic_unlimited_publish_and_announce(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    if importlib.util.find_spec("bot.db.broadcasts") is None:
        pytest.skip("bot/db/broadcasts.py (announce_activity) is not there yet")
    ar = catalogs.translator("ar")
    server = nabo.server
    staff_user(server, "ar")
    starts = in_days_at_17(nabo.clock.now(), 16)
    # Day/month in Arabic-Indic digits, as an Arabic keyboard types it (the coming one).
    typed = f"{starts.astimezone(CPH):%d/%m %H:%M}".translate(
        str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    )
    summary = await fill_in(server, ar, title="Sprogcafé", start=typed, capacity=None)
    assert summary["text"].startswith(ar.gettext("Does it look right?"))
    server.reset_rate_limits()
    server.press(STAFF_ID, summary, ar.gettext("📣 Publish and announce"))
    published, announced = await server.wait_for_messages(STAFF_ID, 2)
    assert published["text"] == ar.ngettext(
        "✅ Published: {title}. {count} activity is now open for sign-up.",
        "✅ Published: {title}. {count} activities are now open for sign-up.",
        1,
    ).format(title="Sprogcafé", count=ar.ltr(1))
    assert announced["text"] == ar.gettext("📣 The announcement is on its way to residents.")
    [(activity_id, starts_at, capacity, area)] = await nabo.rows(
        "SELECT id, starts_at, capacity, area FROM activities"
    )
    assert starts_at == starts.isoformat()
    assert (capacity, area) == (None, "other")
    assert await nabo.rows(
        f"SELECT COUNT(*) FROM broadcasts WHERE kind = 'announcement'"
        f" AND activity_id = {activity_id}"
    ) == [(1,)]
    assert (STAFF_ID, "activity.create", f"activity:{activity_id}", "announce") in await audit(nabo)


# ---------------------------------------------------------------- the list and the staff view


async def test_signups_list_and_staff_view(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    await add_residents(nabo.store, [1, 2, 3, 4], now, "da")
    activities = ActivityRepository(nabo.store)
    later = await add_activity(
        nabo.store,
        now,
        title_da="Sprogcafé",
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=2),
    )
    soon = await add_activity(nabo.store, now, title_da="Lektiecafé", capacity=4)
    await add_activity(
        nabo.store,
        now - timedelta(days=30),
        title_da="Sommerfest",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=3),
    )
    await add_activity(
        nabo.store,
        now - timedelta(days=40),
        title_da="Gammel tur",
        starts_at=now - timedelta(days=20),
        ends_at=now - timedelta(days=20) + timedelta(hours=3),
    )
    signups = SignupRepository(nabo.store)
    await signups.sign_up(soon, 1, 1, 2, now, waitlist=False, first_name="Amira")
    await signups.sign_up(soon, 2, 1, 0, now, waitlist=False, first_name=None)
    await signups.sign_up(soon, 3, 2, 0, now, waitlist=False, first_name="Søren")
    await signups.sign_up(soon, 4, 1, 1, now, waitlist=True, first_name="Omar")

    listing = await say(server, "/signups")
    text = listing["text"]
    assert text.index("Lektiecafé") < text.index("Sprogcafé") < text.index("Sommerfest")
    assert "Gammel tur" not in text
    assert (
        da.ngettext(
            "👥 {taken} of {count} place taken", "👥 {taken} of {count} places taken", 4
        ).format(taken=4, count=4)
        in text
    )
    assert _(da, "✔ Ended") in text
    assert buttons(listing)[:3] == ["1. Lektiecafé", "2. Sprogcafé", "3. Sommerfest"]

    view = await press_in_place(server, listing, "1. Lektiecafé")
    soon_activity = await activities.get(soon)
    assert soon_activity is not None
    assert view["text"].startswith("Lektiecafé\n")
    assert da.when(soon_activity.starts_at) in view["text"]
    assert (
        _(da, "✅ Signed up: {people} in {signups}").format(
            people=da.ngettext("{count} person", "{count} people", 4).format(count=4),
            signups=da.ngettext("{count} sign-up", "{count} sign-ups", 2).format(count=2),
        )
        in view["text"]
    )
    assert (
        _(da, "⏳ Waitlist: {signups}, {people}").format(
            signups=da.ngettext("{count} sign-up", "{count} sign-ups", 2).format(count=2),
            people=da.ngettext("{count} person", "{count} people", 4).format(count=4),
        )
        in view["text"]
    )
    # Capacity 4: Amira's three and the one without a name fit; Søren's two did not.
    confirmed = "\n".join(
        [
            _(da, "Signed up:"),
            f"1. Amira – {party_text(da, 1, 2)}",
            f"2. {_(da, '(no name)')} – {party_text(da, 1, 0)}",
        ]
    )
    assert confirmed in view["text"]
    waiting = "\n".join(
        [
            _(da, "Waitlist:"),
            f"1. Søren – {party_text(da, 2, 0)}",
            f"2. Omar – {party_text(da, 1, 1)}",
        ]
    )
    assert waiting in view["text"]
    assert buttons(view) == [
        _(da, "✏️ Edit"),
        _(da, "❌ Cancel activity"),
        _(da, "➕ Sign up someone without Telegram"),
        _(da, "👤 Hosts"),
        _(da, "🖨 Poster or flyer"),
        _(da, "🚪 Door poster"),
        _(da, "◀ Back"),
    ]
    back = await press_in_place(server, view, _(da, "◀ Back"))
    assert back["text"] == text
    assert later  # listed second


async def test_long_sign_up_list_fits_one_message(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    user_ids = list(range(100, 260))
    await add_residents(nabo.store, user_ids, now, "da")
    activity_id = await add_activity(nabo.store, now, capacity=None)
    signups = SignupRepository(nabo.store)
    for user_id in user_ids:
        await signups.sign_up(
            activity_id, user_id, 2, 3, now, waitlist=False, first_name="Æ" * 60 + str(user_id)
        )
    listing = await say(server, "/signups")
    view = await press_in_place(server, listing, buttons(listing)[0])
    text = view["text"]
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    shown = sum(1 for line in text.splitlines() if "Æ" * 60 in line)
    assert 0 < shown < len(user_ids)
    more = len(user_ids) - shown
    assert text.endswith(
        da.ngettext("…and {count} more", "…and {count} more", more).format(count=more)
    )


# ---------------------------------------------------------------- editing


async def open_view(server: BotApiServer, activity_title: str) -> dict:
    listing = await say(server, "/signups")
    label = next(b for b in buttons(listing) if b.endswith(activity_title))
    return await press_in_place(server, listing, label)


async def test_edit_time_and_place_tells_residents_in_their_language(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    languages = {11: "da", 12: "ar", 13: "en"}
    for user_id, language in languages.items():
        await consented(nabo, user_id, language)
    activity_id = await add_activity(
        nabo.store, now, capacity=2, signup_deadline=now + timedelta(days=1, hours=20)
    )
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity_id, 11, 1, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 12, 1, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 13, 1, 0, now, waitlist=False)  # waiting
    activities = ActivityRepository(nabo.store)
    before = await activities.get(activity_id)
    assert before is not None

    view = await open_view(server, "Lektiecafé")
    menu = await press_in_place(server, view, _(da, "✏️ Edit"))
    assert menu["text"].startswith(_(da, "✏️ What do you want to change?"))
    ask_start = await press(server, menu, _(da, "🕒 Time"))
    assert ask_start["text"] == _(
        da,
        "When does it start now? Write the date and time, for example {examples}.\n\n"
        "Now: {current}",
    ).format(
        examples=examples_da(now),
        current=f"{da.when(before.starts_at)} – {da.time(before.ends_at)}",
    )
    yesterday = (now.astimezone(CPH) - timedelta(days=1)).date()
    past = await say(server, f"{yesterday:%d.%m.%Y} 18:00")
    assert past["text"].startswith(
        _(da, "That time has already passed. Please choose a time in the future.")
    )
    moved = in_days_at_17(now, 6) + timedelta(hours=1)  # 18:00 in Copenhagen
    ask_end = await say(server, f"{moved.astimezone(CPH):%d.%m.%Y %H:%M}")
    cursors = {user_id: server.cursor(user_id) for user_id in languages}
    saved, staff_view = await presses(
        server,
        ask_end,
        _(da, "Keep the length (ends {time})").format(time="20:00"),
        count=2,
    )
    assert saved["text"] == " ".join(
        [
            _(da, "✅ Saved."),
            da.ngettext(
                "{count} resident is being told about the change.",
                "{count} residents are being told about the change.",
                3,
            ).format(count=3),
        ]
    )
    assert staff_view["text"].startswith("Lektiecafé")
    after = await activities.get(activity_id)
    assert after is not None
    assert after.starts_at == moved
    assert after.ends_at - after.starts_at == before.ends_at - before.starts_at
    assert after.signup_deadline == before.signup_deadline
    assert after.updated_at == now
    for user_id, language in languages.items():
        reader = catalogs.translator(language)
        [told] = await server.wait_for_messages(user_id, after=cursors[user_id])
        assert told["text"] == reader.gettext(
            "🕒 Please note: the time has changed.\n\n{activity}\n\nBefore: {before}"
        ).format(activity=activity_title_when(reader, after), before=reader.when(before.starts_at))
    # The reminders follow the new time.
    assert nabo.job(job_name(activity_id, timedelta(hours=24))).next_t is not None

    # The place: typed as is, told to everyone.
    menu = await press_in_place(server, staff_view, _(da, "✏️ Edit"))
    await press(server, menu, _(da, "📍 Place"))
    cursors = {user_id: server.cursor(user_id) for user_id in languages}
    await says(server, "Ellekonebakken 3, kælderen", count=2)
    moved = await activities.get(activity_id)
    assert moved is not None
    assert moved.place == "Ellekonebakken 3, kælderen"
    for user_id, language in languages.items():
        reader = catalogs.translator(language)
        [told] = await server.wait_for_messages(user_id, after=cursors[user_id])
        assert told["text"].startswith(
            reader.gettext(
                "📍 Please note: the place has changed.\n\n{activity}\n\nBefore: {before}"
            ).format(activity=activity_title_when(reader, moved), before=reader.ltr(before.place))
        )
    assert [row[1:] for row in await audit(nabo)] == [
        ("activity.edit", f"activity:{activity_id}", "field=time"),
        ("activity.edit", f"activity:{activity_id}", "field=place"),
    ]


async def test_capacity_raise_promotes_and_lower_is_refused(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    await consented(nabo, 21, "da")
    await consented(nabo, 22, "ar")
    activity_id = await add_activity(nabo.store, now, capacity=2)
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity_id, 21, 2, 0, now, waitlist=False)
    waiting = await signups.sign_up(activity_id, 22, 1, 0, now, waitlist=False)
    assert waiting.signup is not None
    assert waiting.signup.status == "waitlisted"

    view = await open_view(server, "Lektiecafé")
    menu = await press_in_place(server, view, _(da, "✏️ Edit"))
    ask = await press(server, menu, _(da, "👥 Places"))
    assert buttons(ask) == [_(da, "♾ Unlimited")]
    refused = await say(server, "1")
    assert refused["text"] == da.ngettext(
        "{count} person is already signed up, so there must be at least {count} place. "
        "Please write a bigger number, or /cancel.",
        "{count} people are already signed up, so there must be at least {count} places. "
        "Please write a bigger number, or /cancel.",
        2,
    ).format(count=2)
    activities = ActivityRepository(nabo.store)
    unchanged = await activities.get(activity_id)
    assert unchanged is not None
    assert unchanged.capacity == 2
    assert unchanged.updated_at is None
    assert await audit(nabo) == []

    cursor = server.cursor(22)
    # The confirmation, the activity's screen, and the tally (sent when the sender is done,
    # so it may come in between).
    staff_messages = await says(server, "3", count=3)
    tally_text = progress_text(da, dict(PROMOTION_TOLD), final=True)
    [tally] = [m for m in staff_messages if m["text"] == tally_text]
    saved = next(m for m in staff_messages if m is not tally)
    assert saved["text"] == " ".join(
        [
            _(da, "✅ Saved."),
            da.ngettext(
                "{count} sign-up moved up from the waitlist. You will get a message when they "
                "have been told.",
                "{count} sign-ups moved up from the waitlist. You will get a message when they "
                "have been told.",
                1,
            ).format(count=1),
        ]
    )
    activity = await activities.get(activity_id)
    assert activity is not None
    assert activity.capacity == 3
    ar = catalogs.translator("ar")
    [told] = await server.wait_for_messages(22, after=cursor)
    assert told["text"].startswith(
        ar.gettext(
            "🎉 Good news! A place became free, and you are now signed up: {party}.\n\n"
            "{activity}\n\n"
            "If you can no longer come, please cancel so someone else can have the place."
        ).format(party=party_text(ar, 1, 0), activity=activity_title_when(ar, activity))
    )
    assert await nabo.rows("SELECT user_id, status FROM signups ORDER BY id") == [
        (21, "confirmed"),
        (22, "confirmed"),
    ]
    assert [row[1:] for row in await audit(nabo)] == [
        ("activity.edit", f"activity:{activity_id}", "field=capacity,promoted=1")
    ]


# ---------------------------------------------------------------- cancelling


async def test_cancel_with_confirmation_tells_residents(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    await consented(nabo, 31, "da")
    await consented(nabo, 32, "ar")
    activity_id = await add_activity(
        nabo.store, now, capacity=1, starts_at=now + timedelta(hours=30)
    )
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity_id, 31, 1, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 32, 1, 0, now, waitlist=False)  # waiting
    await nabo.restart()  # reminder jobs exist for the activity
    reminder = job_name(activity_id, timedelta(hours=24))
    assert nabo.job(reminder).next_t is not None

    view = await open_view(server, "Lektiecafé")
    sure = await press_in_place(server, view, _(da, "❌ Cancel activity"))
    assert sure["text"].startswith(_(da, "Cancel this activity?"))
    assert (
        da.ngettext(
            "{count} resident who signed up or is waiting will be told.",
            "{count} residents who signed up or are waiting will be told.",
            2,
        ).format(count=2)
        in sure["text"]
    )
    # "No, keep it" goes back and changes nothing.
    kept = await press_in_place(server, sure, _(da, "No, keep the activity"))
    assert kept["text"] == view["text"]
    sure = await press_in_place(server, kept, _(da, "❌ Cancel activity"))
    cursors = {user_id: server.cursor(user_id) for user_id in (31, 32)}
    done = await press_in_place(server, sure, _(da, "Yes, cancel the activity"))
    assert done["text"] == da.ngettext(
        "❌ The activity is cancelled. {count} resident is being told.",
        "❌ The activity is cancelled. {count} residents are being told.",
        2,
    ).format(count=2)
    cancelled = await ActivityRepository(nabo.store).get(activity_id)
    assert cancelled is not None
    assert cancelled.status == "cancelled"
    for user_id, language in ((31, "da"), (32, "ar")):
        reader = catalogs.translator(language)
        [told] = await server.wait_for_messages(user_id, after=cursors[user_id])
        assert told["text"] == reader.gettext(
            "❌ Sorry, this activity has been cancelled:\n\n{activity}\n\n"
            "You do not need to do anything."
        ).format(activity=activity_title_when(reader, cancelled))
    await settle(nabo)
    assert not [j for j in nabo.application.job_queue.get_jobs_by_name(reminder) if not j.removed]
    assert [row[1:] for row in await audit(nabo)] == [
        ("activity.cancel", f"activity:{activity_id}", "told=2")
    ]
    # A second tap cancels nothing more and tells nobody again.
    query = server.press_button(STAFF_ID, sure["message_id"], f"st:cy:{activity_id}")
    await server.wait_for_callback_answer(query)
    await settle(nabo)
    assert len(await audit(nabo)) == 1
    assert all(server.cursor(u) == cursors[u] + 1 for u in (31, 32))


# ---------------------------------------------------------------- attendance


async def test_attendance_toggles_and_walk_ins(nabo: Nabo, catalogs: Catalogs) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server, "ar")  # this staff member works in Arabic
    await add_residents(nabo.store, [41, 42], now, "da")
    started = await add_activity(
        nabo.store,
        now - timedelta(days=3),
        title_ar="مقهى الواجبات المدرسية",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=1),
    )
    other = await add_activity(nabo.store, now)
    signups = SignupRepository(nabo.store)
    day_before = now - timedelta(days=1)
    anna = await signups.sign_up(started, 41, 2, 0, day_before, waitlist=False, first_name="Anna")
    await signups.sign_up(started, 42, 1, 0, day_before, waitlist=False, first_name=None)
    elsewhere = await signups.sign_up(other, 41, 1, 0, now, waitlist=False, first_name="Anna")
    assert anna.signup is not None
    assert elsewhere.signup is not None

    view = await open_view(server, "مقهى الواجبات المدرسية")
    assert buttons(view) == [
        ar.gettext("✏️ Edit"),
        ar.gettext("❌ Cancel activity"),
        ar.gettext("👤 Hosts"),
        ar.gettext("🧾 Attendance"),
        ar.gettext("🖨 Poster or flyer"),
        ar.gettext("🚪 Door poster"),
        ar.gettext("◀ Back"),
    ]
    sheet = await press_in_place(server, view, ar.gettext("🧾 Attendance"))
    anna_label = f"◻️ {ar.ltr('Anna')} ({ar.ltr(2)})"
    assert buttons(sheet) == [
        anna_label,
        f"◻️ {ar.gettext('(no name)')} ({ar.ltr(1)})",
        "➖",
        "🚶 0",
        "➕",
        ar.gettext("◀ Back"),
    ]
    came = await press_in_place(server, sheet, anna_label)
    assert buttons(came)[0] == f"✅ {ar.ltr('Anna')} ({ar.ltr(2)})"
    assert (
        ar.gettext("🧾 Came: {came} · 🚶 Walk-ins: {walk_ins}").format(
            came=ar.ltr(2), walk_ins=ar.ltr(0)
        )
        in came["text"]
    )
    did_not = await press_in_place(server, came, buttons(came)[0])
    assert buttons(did_not)[0] == f"❌ {ar.ltr('Anna')} ({ar.ltr(2)})"
    came_again = await press_in_place(server, did_not, buttons(did_not)[0])
    assert buttons(came_again)[0] == f"✅ {ar.ltr('Anna')} ({ar.ltr(2)})"
    one = await press_in_place(server, came_again, "➕")
    two = await press_in_place(server, one, "➕")
    back_to_one = await press_in_place(server, two, "➖")
    assert "🚶 1" in buttons(back_to_one)
    # Walk-ins never go below zero.
    zero = await press_in_place(server, back_to_one, "➖")
    query = server.press(STAFF_ID, zero, "➖")
    await server.wait_for_callback_answer(query)
    await settle(nabo)
    [still_zero] = [m for m in server.messages(STAFF_ID) if m["message_id"] == zero["message_id"]]
    assert "🚶 0" in buttons(still_zero)

    [(walk_ins, taken_at)] = await nabo.rows(
        f"SELECT walk_ins, attendance_taken_at FROM activities WHERE id = {started}"
    )
    assert walk_ins == 0
    assert taken_at == now.isoformat()
    assert await nabo.rows(f"SELECT id, attended FROM signups WHERE activity_id = {started}") == [
        (anna.signup.id, 1),
        (anna.signup.id + 1, None),
    ]
    # A sign-up of another activity cannot be marked through this one.
    query = server.press_button(
        STAFF_ID, still_zero["message_id"], f"st:at:{started}:{elsewhere.signup.id}:1"
    )
    await server.wait_for_callback_answer(query)
    await settle(nabo)
    assert await nabo.rows(f"SELECT attended FROM signups WHERE id = {elsewhere.signup.id}") == [
        (None,)
    ]
    # Attendance waits until an activity has started.
    query = server.press_button(STAFF_ID, still_zero["message_id"], f"st:att:{other}")
    await server.wait_for_callback_answer(query)
    not_yet = await server.wait_for_edit(STAFF_ID, still_zero["message_id"])
    assert not_yet["text"] == ar.gettext("Attendance can be taken once the activity has started.")
    actions = [row[1:] for row in await audit(nabo)]
    subject = f"activity:{started}"
    assert actions == [
        ("activity.attendance", subject, f"signup={anna.signup.id},attended=1"),
        ("activity.attendance", subject, f"signup={anna.signup.id},attended=0"),
        ("activity.attendance", subject, f"signup={anna.signup.id},attended=1"),
        ("activity.attendance", subject, "walk_ins=1"),
        ("activity.attendance", subject, "walk_ins=2"),
        ("activity.attendance", subject, "walk_ins=1"),
        ("activity.attendance", subject, "walk_ins=0"),
        ("activity.attendance", subject, "walk_ins=0"),
    ]


# ---------------------------------------------------------------- not staff


async def test_residents_cannot_use_staff_commands_or_buttons(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    server, now = nabo.server, nabo.clock.now()
    resident = 50
    await consented(nabo, resident, "da")
    activity_id = await add_activity(
        nabo.store, now - timedelta(days=1), starts_at=now - timedelta(minutes=10)
    )
    assert activity_id == 1
    await SignupRepository(nabo.store).sign_up(
        activity_id, resident, 1, 0, now - timedelta(hours=1), waitlist=False
    )
    before = await nabo.rows("SELECT * FROM activities")
    signups_before = await nabo.rows("SELECT * FROM signups")

    def seen(message: dict) -> tuple[str, list[str]]:
        return message["text"], buttons(message)

    server.send_text(resident, "/nosuchcommand")
    [unknown_command] = await server.wait_for_messages(resident)
    for command in ("/newactivity", "/signups"):
        server.reset_rate_limits()
        server.send_text(resident, command)
        [reply] = await server.wait_for_messages(resident)
        assert seen(reply) == seen(unknown_command), command

    menu_id = server.messages(resident)[0]["message_id"]
    query = server.press_button(resident, menu_id, "nope:1")
    unknown_answer = await server.wait_for_callback_answer(query)
    [unknown_button] = await server.wait_for_messages(resident)
    for data in (
        "st:new",
        "st:acts:0",
        "st:a:1",
        "st:e:1",
        "st:c:1",
        "st:cy:1",
        "st:att:1",
        "st:ef:1:place",
        "st:at:1:1:0",
        "st:wi:1:p:0",
        "st:n:pub",
    ):
        server.reset_rate_limits()
        query = server.press_button(resident, menu_id, data)
        assert await server.wait_for_callback_answer(query) == unknown_answer, data
        [reply] = await server.wait_for_messages(resident)
        assert seen(reply) == seen(unknown_button), data
    await settle(nabo)
    assert await nabo.rows("SELECT * FROM activities") == before
    assert await nabo.rows("SELECT * FROM signups") == signups_before
    assert await audit(nabo) == []
    assert await nabo.rows("SELECT COUNT(*) FROM broadcasts") == [(0,)]


# ---------------------------------------------------------------- the repository methods beneath


NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    await add_residents(store, list(range(1, 6)), NOW)
    yield store
    await store.close()


async def test_set_capacity_never_below_those_signed_up(store: Store) -> None:
    activities, signups = ActivityRepository(store), SignupRepository(store)
    activity_id = await add_activity(store, NOW, capacity=3)
    await signups.sign_up(activity_id, 1, 2, 1, NOW, waitlist=False)
    await signups.sign_up(activity_id, 2, 1, 0, NOW, waitlist=False)  # waits
    assert await activities.set_capacity(activity_id, 2, NOW) == CapacityChange(False, 3)
    assert await activities.set_capacity(activity_id, 3, NOW) == CapacityChange(True, 3)
    assert await signups.promote(activity_id, NOW) == []
    assert await activities.set_capacity(activity_id, None, NOW) == CapacityChange(True, 3)
    [promoted] = await signups.promote(activity_id, NOW)
    assert (promoted.signup.user_id, promoted.signup.status) == (2, "confirmed")
    with pytest.raises(ValueError, match="at least 1"):
        await activities.set_capacity(activity_id, 0, NOW)
    assert await activities.set_capacity(999, 5, NOW) is None
    await activities.cancel(activity_id)
    assert await activities.set_capacity(activity_id, 5, NOW) is None


async def test_reschedule_drops_a_late_deadline_and_owes_reminders_again(store: Store) -> None:
    activities, signups = ActivityRepository(store), SignupRepository(store)
    start = NOW + timedelta(hours=20)
    activity_id = await add_activity(
        store,
        NOW,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        signup_deadline=start - timedelta(hours=1),
    )
    result = await signups.sign_up(activity_id, 1, 1, 0, NOW, waitlist=False)
    assert result.signup is not None
    # The day-before reminder went out already; the two-hour one is not due yet.
    assert await signups.claim_reminder(result.signup.id, 24 * 60, NOW)
    # Two days later: the day-before reminder is owed again, for the new day.
    later = start + timedelta(days=2)
    moved = await activities.reschedule(activity_id, later, later + timedelta(hours=1), NOW, CPH)
    assert moved is not None
    assert (moved.starts_at, moved.ends_at, moved.updated_at) == (
        later,
        later + timedelta(hours=1),
        NOW,
    )
    assert moved.signup_deadline == start - timedelta(hours=1)
    assert await signups.claim_reminder(result.signup.id, 24 * 60, NOW)
    # Earlier than the old deadline: the deadline goes; a reminder already past stays sent.
    soon = NOW + timedelta(hours=3)
    moved = await activities.reschedule(activity_id, soon, soon + timedelta(hours=1), NOW, CPH)
    assert moved is not None
    assert moved.signup_deadline is None
    assert not await signups.claim_reminder(result.signup.id, 24 * 60, NOW)
    with pytest.raises(ValueError, match="end after"):
        await activities.reschedule(activity_id, soon, soon, NOW, CPH)
    await activities.cancel(activity_id)
    assert (
        await activities.reschedule(activity_id, later, later + timedelta(hours=1), NOW, CPH)
        is None
    )


async def test_reschedule_and_reminders_agree_on_whole_days_across_summer_time(
    store: Store,
) -> None:
    """The day-before reminder keeps the local time; moving the activity must agree."""
    activities, signups = ActivityRepository(store), SignupRepository(store)
    # Sunday 29 March 2026, 10:00 summer time (08:00 UTC): the clocks went forward at 02:00.
    sunday = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    day_before = timedelta(hours=24)
    # Its day-before reminder is due Saturday 10:00 winter time (09:00 UTC), not 24 elapsed
    # hours before (08:00 UTC, 09:00 local).
    assert reminder_due(sunday, day_before, CPH) == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    now = datetime(2026, 3, 28, 8, 30, tzinfo=UTC)  # Saturday 09:30 local
    activity_id = await add_activity(
        store,
        now - timedelta(days=3),
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=6),
    )
    result = await signups.sign_up(activity_id, 1, 1, 0, now - timedelta(days=2), waitlist=False)
    assert result.signup is not None
    assert await signups.claim_reminder(result.signup.id, 24 * 60, now)  # sent for the old time

    moved = await activities.reschedule(activity_id, sunday, sunday + timedelta(hours=2), now, CPH)
    assert moved is not None
    # The reminder job for the new time is still ahead (09:00 UTC), so the resident is owed it.
    assert reminder_due(moved.starts_at, day_before, CPH) > now
    assert await signups.claim_reminder(result.signup.id, 24 * 60, now)


async def test_update_details_only_the_editable_texts(store: Store) -> None:
    activities = ActivityRepository(store)
    activity_id = await add_activity(store, NOW)
    updated = await activities.update_details(
        activity_id, {"place": "Kælderen", "title_en": None}, NOW
    )
    assert updated is not None
    assert (updated.place, updated.title_en, updated.updated_at) == ("Kælderen", None, NOW)
    for changes in ({"capacity": "1"}, {"status": "cancelled"}, {}):
        with pytest.raises(ValueError, match="not editable"):
            await activities.update_details(activity_id, changes, NOW)
    assert await activities.update_details(999, {"place": "x"}, NOW) is None


async def test_attendance_and_walk_ins(store: Store) -> None:
    activities, signups = ActivityRepository(store), SignupRepository(store)
    activity_id = await add_activity(store, NOW, capacity=1)
    other_id = await add_activity(store, NOW)
    came = await signups.sign_up(activity_id, 1, 1, 0, NOW, waitlist=False)
    waiting = await signups.sign_up(activity_id, 2, 1, 0, NOW, waitlist=False)
    elsewhere = await signups.sign_up(other_id, 3, 1, 0, NOW, waitlist=False)
    assert came.signup is not None
    assert waiting.signup is not None
    assert elsewhere.signup is not None
    # Without `now` the first record does not say when attendance was taken.
    assert await signups.set_attended(came.signup.id, activity_id, False)
    assert (await activities.get(activity_id)).attendance_taken_at is None  # type: ignore[union-attr]
    assert await signups.set_attended(came.signup.id, activity_id, True, now=NOW)
    assert not await signups.set_attended(waiting.signup.id, activity_id, True, now=NOW)
    assert not await signups.set_attended(elsewhere.signup.id, activity_id, True, now=NOW)
    assert [(s.id, s.attended) for s in await signups.roster(activity_id)] == [
        (came.signup.id, True),
        (waiting.signup.id, None),
    ]
    later = NOW + timedelta(minutes=5)
    assert await activities.change_walk_ins(activity_id, -1, now=later) == 0
    assert await activities.change_walk_ins(activity_id, 3, now=later) == 3
    assert await activities.change_walk_ins(activity_id, -5) == 0
    activity = await activities.get(activity_id)
    assert activity is not None
    assert activity.attendance_taken_at == NOW  # the first change, not a later one
    with pytest.raises(LookupError):
        await activities.change_walk_ins(999, 1)


async def test_staff_overview_coming_first_then_recently_ended(store: Store) -> None:
    activities = ActivityRepository(store)

    async def at(days: float, title: str, **changes: object) -> int:
        start = NOW + timedelta(days=days)
        return await add_activity(
            store,
            NOW,
            title_da=title,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            **changes,
        )

    await at(-20, "too old")
    await at(-2, "two days ago")
    await at(-1, "yesterday")
    await at(3, "in three days")
    cancelled = await at(1, "tomorrow, cancelled")
    await activities.cancel(cancelled)
    await at(-1 / 24, "running now")
    listings, total = await activities.staff_overview(NOW, NOW - timedelta(days=14), limit=10)
    assert total == 5
    assert [listing.activity.title_da for listing in listings] == [
        "running now",
        "tomorrow, cancelled",
        "in three days",
        "yesterday",
        "two days ago",
    ]
    page, total = await activities.staff_overview(NOW, NOW - timedelta(days=14), limit=2, offset=2)
    assert [listing.activity.title_da for listing in page] == ["in three days", "yesterday"]
    assert total == 5

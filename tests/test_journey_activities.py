"""Activities and sign-ups end to end, in three languages, over the local Bot API."""

import asyncio
from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.core.i18n import Catalogs, Translator
from bot.db.activities import ActivityRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.activity import activity_title_when, party_text
from bot.work.reminders import job_name, sync_reminder_jobs
from tests.conftest import Nabo, buttons, consented, refused, settle
from tests.factories import add_activity, add_residents

LANGUAGES = ["da", "ar", "en"]


async def open_list(server: BotApiServer, user_id: int) -> dict:
    server.send_command(user_id, "activities")
    [listing] = await server.wait_for_messages(user_id)
    return listing


async def open_detail(server: BotApiServer, user_id: int, listing: dict, number: int) -> dict:
    label = next(b for b in buttons(listing) if b.startswith(f"{number}. "))
    server.press(user_id, listing, label)
    [detail] = await server.wait_for_messages(user_id)
    return detail


async def sign_up(
    server: BotApiServer, user_id: int, detail: dict, tr: Translator, adults: int, children: int
) -> dict:
    """Press sign up, choose adults and children; return the confirmation."""
    label = next(
        b
        for b in buttons(detail)
        if b in (tr.gettext("✍️ Sign up"), tr.gettext("⏳ Join the waitlist"))
    )
    server.press(user_id, detail, label)
    [question] = await server.wait_for_messages(user_id)
    server.press(user_id, question, str(adults))
    asked = await server.wait_for_edit(user_id, question["message_id"])
    server.press(user_id, asked, str(children))
    return await server.wait_for_edit(user_id, question["message_id"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.chat_limit  # a whole journey at Telegram's pace: no 429 provoked
async def test_browse_detail_sign_up_and_calendar(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server, now = nabo.server, nabo.clock.now()
    await consented(nabo, 1, language)
    later = await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        title_en=None,
        title_ar=None,
        title_da="Sprogcafé",
    )
    soon = await add_activity(nabo.store, now, capacity=10)

    listing = await open_list(server, 1)
    text = listing["text"]
    activities = ActivityRepository(nabo.store)
    first, second = await activities.get(soon), await activities.get(later)
    assert first is not None
    assert second is not None
    # Soonest first; a title missing in the reader's language falls back to Danish.
    assert text.index(first.title(language)) < text.index("Sprogcafé")
    assert tr.when(first.starts_at) in text
    assert (
        tr.ngettext("{count} place left", "{count} places left", 10).format(count=tr.ltr(10))
        in text
    )
    assert tr.gettext("Open to all — no limit on places") not in text

    detail = await open_detail(server, 1, listing, 1)
    assert detail["text"].startswith(tr.ltr(first.title(language)))
    assert first.description(language) in detail["text"]
    assert tr.gettext("Education and life chances") in detail["text"]

    confirmation = await sign_up(server, 1, detail, tr, 1, 2)
    assert confirmation["text"].startswith(
        tr.gettext("✅ You are signed up: {party}.").format(party=party_text(tr, 1, 2))
    )
    assert activity_title_when(tr, first) in confirmation["text"]
    [row] = await nabo.rows("SELECT user_id, adults, children, status FROM signups")
    assert row == (1, 1, 2, "confirmed")

    # The list now says so, and shows the places left in people.
    listing = await open_list(server, 1)
    assert tr.gettext("✅ You are signed up") in listing["text"]

    # Add to calendar: a real .ics file with the right times.
    server.press(1, confirmation, tr.gettext("📆 Add to calendar"))
    [document] = await server.wait_for_messages(1)
    assert document["document"]["file_name"] == f"nabo-activity-{soon}.ics"
    calendar = Calendar.from_ical(server.document_bytes(1, document["message_id"]))
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == first.title(language)
    assert event.decoded("dtstart") == first.starts_at
    assert event.decoded("dtend") == first.ends_at
    assert str(event["location"]) == first.place


async def test_danish_confirmation_reads_naturally(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("da")
    await consented(nabo, 2, "da")
    await add_activity(nabo.store, nabo.clock.now())
    detail = await open_detail(nabo.server, 2, await open_list(nabo.server, 2), 1)
    confirmation = await sign_up(nabo.server, 2, detail, tr, 1, 2)
    assert confirmation["text"].startswith("✅ Du er tilmeldt: 1 voksen og 2 børn.")


async def test_arabic_plural_and_isolates(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("ar")
    await consented(nabo, 3, "ar")
    await add_activity(nabo.store, nabo.clock.now())
    detail = await open_detail(nabo.server, 3, await open_list(nabo.server, 3), 1)
    confirmation = await sign_up(nabo.server, 3, detail, tr, 2, 1)
    assert confirmation["text"].startswith("✅ تم تسجيلك: بالغان وطفل واحد.")
    assert "\u2068Houlkær Beboerhus\u2069" in confirmation["text"]


async def test_pages_and_filters(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    await consented(nabo, 4, "en")
    for day in range(7):
        await add_activity(
            nabo.store,
            now,
            title_en=f"Activity {day}",
            starts_at=now + timedelta(days=day + 1),
            ends_at=now + timedelta(days=day + 1, hours=1),
            delaftale="employment" if day % 2 else "community",
            area="Ellekonebakken" if day == 6 else "Houlkær",
        )
    listing = await open_list(server, 4)
    assert "Activity 0" in listing["text"]
    assert "Activity 4" in listing["text"]
    assert "Activity 5" not in listing["text"]
    assert tr.gettext("Page {page} of {pages}").format(page=1, pages=2) in listing["text"]
    server.press(4, listing, tr.gettext("Next ▶"))
    page2 = await server.wait_for_edit(4, listing["message_id"])
    assert "Activity 5" in page2["text"]
    assert "Activity 6" in page2["text"]
    assert "Activity 0" not in page2["text"]
    assert tr.gettext("Next ▶") not in buttons(page2)

    server.press(4, page2, tr.gettext("🎯 Theme"))
    themes = await server.wait_for_edit(4, listing["message_id"])
    server.press(4, themes, tr.gettext("Employment"))
    employment = await server.wait_for_edit(4, listing["message_id"])
    assert [f"Activity {d}" in employment["text"] for d in range(7)] == [
        False,
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    server.press(4, employment, tr.gettext("🏘 Area"))
    areas = await server.wait_for_edit(4, listing["message_id"])
    assert buttons(areas) == [
        "Houlkær",
        "Ellekonebakken",
        "Karup Kølvrå",
        tr.gettext("Other area"),
        tr.gettext("All areas"),
    ]
    server.press(4, areas, "Ellekonebakken")
    none = await server.wait_for_edit(4, listing["message_id"])
    assert tr.gettext("There are no activities that match right now.") in none["text"]
    server.press(4, none, tr.gettext("🎯 Theme"))
    themes = await server.wait_for_edit(4, listing["message_id"])
    server.press(4, themes, tr.gettext("All themes"))
    only_six = await server.wait_for_edit(4, listing["message_id"])
    assert "Activity 6" in only_six["text"]
    assert "Activity 5" not in only_six["text"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.chat_limit  # a whole journey at Telegram's pace: no 429 provoked
async def test_full_waitlist_cancel_promotion(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    for user_id in (10, 11, 12):
        await consented(nabo, user_id, language)
    activity_id = await add_activity(nabo.store, nabo.clock.now(), capacity=2)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None

    await sign_up(
        server, 10, await open_detail(server, 10, await open_list(server, 10), 1), tr, 2, 0
    )
    listing = await open_list(server, 11)
    assert tr.gettext("Full — waitlist open") in listing["text"]
    detail = await open_detail(server, 11, listing, 1)
    assert tr.gettext("⏳ Join the waitlist") in buttons(detail)
    waiting = await sign_up(server, 11, detail, tr, 1, 0)
    assert waiting["text"].startswith(
        tr.gettext(
            "⏳ There is no room right now, so you are on the waitlist as number {position}: "
            "{party}.\n\n{activity}\n\n"
            "If a place becomes free, it is yours automatically, and we will tell you here."
        ).split("{position}")[0]
    )
    detail12 = await open_detail(server, 12, await open_list(server, 12), 1)
    await sign_up(server, 12, detail12, tr, 1, 0)

    server.send_command(11, "mine")
    [mine] = await server.wait_for_messages(11)
    assert tr.gettext("⏳ Waitlist, number {position}").format(position=tr.ltr(1)) in mine["text"]

    # Resident 10 cancels from /mine: two places free, both waiting residents move up.
    cursors = {user_id: server.cursor(user_id) for user_id in (11, 12)}
    server.send_command(10, "mine")
    [mine10] = await server.wait_for_messages(10)
    cancel_label = next(
        b for b in buttons(mine10) if b.startswith(tr.gettext("❌ Cancel my sign-up"))
    )
    server.press(10, mine10, cancel_label)
    [sure] = await server.wait_for_messages(10)
    server.press(10, sure, tr.gettext("Yes, cancel"))
    done = await server.wait_for_edit(10, sure["message_id"])
    assert done["text"] == tr.gettext("Done — your sign-up is cancelled.")
    for user_id in (11, 12):
        [promoted] = await server.wait_for_messages(user_id, after=cursors[user_id])
        assert promoted["text"].startswith(
            tr.gettext(
                "🎉 Good news! A place became free, and you are now signed up: {party}.\n\n"
                "{activity}\n\n"
                "If you can no longer come, please cancel so someone else can have the place."
            ).format(party=party_text(tr, 1, 0), activity=activity_title_when(tr, activity))
        )
        assert buttons(promoted) == [tr.gettext("❌ Cancel my sign-up")]
    statuses = await nabo.rows("SELECT user_id, status FROM signups ORDER BY id")
    assert statuses == [(10, "cancelled"), (11, "confirmed"), (12, "confirmed")]


async def test_party_too_big_for_places_left(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    server = nabo.server
    await consented(nabo, 20, "en")
    await consented(nabo, 21, "en")
    await add_activity(nabo.store, nabo.clock.now(), capacity=3)
    await sign_up(
        server, 20, await open_detail(server, 20, await open_list(server, 20), 1), tr, 1, 0
    )
    answer = await sign_up(
        server, 21, await open_detail(server, 21, await open_list(server, 21), 1), tr, 2, 2
    )
    assert answer["text"].startswith(
        "Only 2 places are left — not enough for 2 adults and 2 children."
    )
    server.press(21, answer, tr.gettext("⏳ Join the waitlist"))
    waiting = await server.wait_for_edit(21, answer["message_id"])
    assert waiting["text"].startswith(
        "⏳ There is no room right now, so you are on the waitlist as number 1"
    )


async def test_double_tap_and_forged_buttons_change_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    await consented(nabo, 30, "da")
    await consented(nabo, 31, "da")
    open_id = await add_activity(nabo.store, now, capacity=5)
    cancelled_id = await add_activity(nabo.store, now)
    await ActivityRepository(nabo.store).cancel(cancelled_id)
    closed_id = await add_activity(
        nabo.store,
        now,
        signup_deadline=now - timedelta(minutes=1),
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=6),
    )

    # The same final button twice: one sign-up.
    menu30 = server.messages(30)[0]["message_id"]
    server.press_button(30, menu30, f"su:c:{open_id}:0:1:0")
    server.press_button(30, menu30, f"su:c:{open_id}:0:1:0")
    await settle(nabo)
    assert await nabo.rows("SELECT user_id, status FROM signups") == [(30, "confirmed")]

    texts: list[str] = []
    menu_id = server.messages(31)[0]["message_id"]
    for data in (
        f"su:c:{cancelled_id}:0:1:0",  # cancelled activity
        f"su:c:{closed_id}:0:1:0",  # past the deadline
        "su:c:99999:0:1:0",  # unknown
        f"su:c:{open_id}:0:9:9",  # more than allowed per sign-up
        f"su:c:{open_id}:0:0:0",  # nobody
        "su:xy:1",  # someone else's sign-up
        "su:c:1:0:1",  # malformed
    ):
        query = server.press_button(31, menu_id, data)
        await server.wait_for_callback_answer(query)
        await settle(nabo)
        # Each answer edits the pressed message or adds one; keep every text seen.
        texts.extend(m["text"] for m in server.messages(31))
    assert await nabo.rows("SELECT user_id, status FROM signups") == [(30, "confirmed")]
    assert tr.gettext("Sorry, sign-up for this activity is closed.") in texts
    assert tr.gettext("Sorry, we could not find that activity.") in texts
    assert tr.gettext("You have no active sign-up there.") in texts
    # Repeating the same answer on the same message is a harmless "not modified".
    assert [r for r in refused(server) if "not modified" not in r[2]] == []


async def test_reminders_once_across_restarts(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    server, clock = nabo.server, nabo.clock
    await consented(nabo, 40, "en")
    await consented(nabo, 41, "en")
    now = clock.now()
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(hours=30), ends_at=now + timedelta(hours=32)
    )
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity_id, 40, 1, 1, now, waitlist=False)
    await signups.sign_up(activity_id, 41, 1, 0, now, waitlist=False)
    await ResidentRepository(nabo.store).set_reminders(41, False)
    await nabo.restart()  # jobs are rebuilt from the database at start-up
    day_before = job_name(activity_id, timedelta(hours=24))
    two_hours = job_name(activity_id, timedelta(hours=2))
    assert nabo.job(day_before).next_t is not None
    assert nabo.job(two_hours).next_t is not None

    clock.advance(timedelta(hours=6, minutes=1))
    cursor = server.cursor(40)
    await nabo.run_job(day_before)
    [reminder] = await server.wait_for_messages(40, after=cursor)
    assert reminder["text"].startswith("⏰ Reminder: you are signed up (1 adult and 1 child).")
    assert buttons(reminder) == [
        tr.gettext("❌ Cancel my sign-up"),
        tr.gettext("🔕 No more reminders"),
    ]
    await nabo.run_job(day_before)  # a second run sends nothing
    await settle(nabo)
    assert len(server.messages(40)) == cursor + 1
    assert len(server.messages(41)) == 1  # only the menu: reminders are off

    # The bot is down when the 2-hour reminder is due, and back before the start.
    await nabo.stop()
    clock.advance(timedelta(hours=22, minutes=30))
    cursor = server.cursor(40)
    await nabo.start()  # the overdue reminder goes out at once
    [late] = await server.wait_for_messages(40, after=cursor)
    assert late["text"].startswith("⏰ Reminder")
    await nabo.restart()
    await asyncio.sleep(0.2)
    await settle(nabo)
    assert len(server.messages(40)) == cursor + 1
    assert await nabo.rows("SELECT COUNT(*) FROM reminder_sends") == [(2,)]


async def test_no_late_reminder_after_the_start(nabo: Nabo) -> None:
    server, clock = nabo.server, nabo.clock
    await consented(nabo, 50, "da")
    now = clock.now()
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=4)
    )
    await SignupRepository(nabo.store).sign_up(activity_id, 50, 1, 0, now, waitlist=False)
    await nabo.stop()
    clock.advance(timedelta(hours=3, minutes=5))
    await nabo.start()
    await asyncio.sleep(0.2)
    await settle(nabo)
    assert len(server.messages(50)) == 1
    assert await nabo.rows("SELECT COUNT(*) FROM reminder_sends") == [(0,)]


async def test_turn_reminders_off_from_a_reminder(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    await consented(nabo, 60, "ar")
    activity_id = await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(hours=1, minutes=30),
        ends_at=now + timedelta(hours=3),
    )
    await SignupRepository(nabo.store).sign_up(
        activity_id, 60, 1, 0, now - timedelta(hours=1), waitlist=False
    )
    cursor = server.cursor(60)
    await nabo.restart()
    [reminder] = await server.wait_for_messages(60, after=cursor)
    server.press(60, reminder, tr.gettext("🔕 No more reminders"))
    [off] = await server.wait_for_messages(60)
    assert off["text"] == tr.gettext(
        "🔕 Reminders are off. You can turn them on again under My sign-ups."
    )
    resident = await nabo.resident(60)
    assert resident is not None
    assert not resident.reminders


async def test_cancelled_activity_sends_no_reminder(nabo: Nabo) -> None:
    server, now = nabo.server, nabo.clock.now()
    await consented(nabo, 70, "en")
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(hours=30), ends_at=now + timedelta(hours=31)
    )
    await SignupRepository(nabo.store).sign_up(activity_id, 70, 1, 0, now, waitlist=False)
    await nabo.restart()
    await ActivityRepository(nabo.store).cancel(activity_id)
    nabo.clock.advance(timedelta(hours=7))
    await nabo.run_job(job_name(activity_id, timedelta(hours=24)))
    await settle(nabo)
    assert len(server.messages(70)) == 1


async def test_200_residents_press_at_once_for_10_places(nabo: Nabo) -> None:
    server, now = nabo.server, nabo.clock.now()
    user_ids = list(range(1000, 1200))
    await add_residents(nabo.store, user_ids, now, "da")
    activity_id = await add_activity(nabo.store, now, capacity=10)
    for user_id in user_ids:
        server.user(user_id, language_code="da")
        server.send_command(user_id, "menu")  # the chat exists: the resident wrote first
    await settle(nabo)
    queries = [
        server.press_button(u, server.messages(u)[0]["message_id"], f"su:c:{activity_id}:0:1:0")
        for u in user_ids
    ]
    for query in queries:
        await server.wait_for_callback_answer(query, timeout=30)
    await settle(nabo)
    rows = await nabo.rows(
        f"SELECT user_id, status FROM signups WHERE activity_id = {activity_id} ORDER BY id"
    )
    assert len(rows) == 200
    assert sum(1 for _, status in rows if status == "confirmed") == 10
    assert sum(1 for _, status in rows if status == "waitlisted") == 190
    # Waitlist order is the order the presses were handled: positions 1..190 in id order.
    waiting = [user for user, status in rows if status == "waitlisted"]
    signups = SignupRepository(nabo.store)
    positions = []
    for user in waiting:
        signup = await signups.active_for(activity_id, user)
        assert signup is not None
        positions.append(await signups.waitlist_position(signup))
    assert positions == list(range(1, 191))


async def test_due_reminders_are_not_rebuilt_nor_sent_late(nabo: Nabo) -> None:
    """A reminder already sent gets no new job on each sync; turning reminders on late is
    not a late reminder."""
    server, clock = nabo.server, nabo.clock
    await consented(nabo, 80, "en")
    await consented(nabo, 81, "en")
    now = clock.now()
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(minutes=90), ends_at=now + timedelta(hours=3)
    )
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity_id, 80, 1, 0, now - timedelta(hours=3), waitlist=False)
    await signups.sign_up(activity_id, 81, 1, 0, now - timedelta(hours=3), waitlist=False)
    await ResidentRepository(nabo.store).set_reminders(81, False)
    cursor = server.cursor(80)
    await nabo.restart()  # the two-hour reminder is overdue: it goes out at once
    [reminder] = await server.wait_for_messages(80, after=cursor)
    assert reminder["text"].startswith("⏰ Reminder")
    await settle(nabo)
    two_hours = job_name(activity_id, timedelta(hours=2))
    # Nobody is owed it any more: the next syncs make no job for it.
    assert await sync_reminder_jobs(nabo.application) == 0
    assert [
        j for j in nabo.application.job_queue.get_jobs_by_name(two_hours) if not j.removed
    ] == []

    # Resident 81 turns reminders on after the reminder's time: no late reminder.
    server.send_command(81, "mine")
    [mine] = await server.wait_for_messages(81)
    server.press(81, mine, "🔔 Turn reminders on")
    await server.wait_for_messages(81)
    assert await sync_reminder_jobs(nabo.application) == 0
    await nabo.restart()
    await asyncio.sleep(0.2)
    await settle(nabo)
    assert not [m for m in server.messages(81) if m["text"].startswith("⏰")]
    # Resident 80's two-hour reminder (the day-before one marked as past with it) only.
    assert await nabo.rows(
        "SELECT s.user_id, COUNT(*) FROM reminder_sends rs JOIN signups s ON s.id = rs.signup_id"
        " GROUP BY s.user_id"
    ) == [(80, 2)]
    resident = await nabo.resident(81)
    assert resident is not None
    assert resident.reminders

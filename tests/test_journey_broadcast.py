"""Staff broadcasts, settings and the weekly overview, end to end over the local Bot API."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.i18n import Catalogs
from bot.db.broadcasts import insert_announcement
from bot.db.residents import ResidentRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.broadcast import progress_text
from bot.work.broadcasting import broadcast_job_name, start_broadcast
from bot.work.digest import DIGEST_JOB, send_weekly_digest
from tests.conftest import STAFF_ID, Nabo, buttons, settle
from tests.factories import add_activity, add_residents


async def residents(nabo: Nabo, people: dict[int, str]) -> None:
    """Consented residents who have written to the bot (their chats exist)."""
    for user_id, language in people.items():
        nabo.server.user(user_id, language_code=language)
        await add_residents(nabo.store, [user_id], nabo.clock.now(), language)
        nabo.server.send_command(user_id, "menu")
        await nabo.server.wait_for_messages(user_id)


async def staff_says(server: BotApiServer, text: str, count: int = 1) -> list[dict]:
    server.send_text(STAFF_ID, text)
    return await server.wait_for_messages(STAFF_ID, count)


async def press(server: BotApiServer, message: dict, label: str, count: int = 1) -> list[dict]:
    server.press(STAFF_ID, message, label)
    return await server.wait_for_messages(STAFF_ID, count)


async def wait_for_broadcast_end(nabo: Nabo, done: int = 1) -> None:
    """Wait until ``done`` broadcasts have finished (a guard against hanging)."""
    for _ in range(1500):
        rows = await nabo.rows("SELECT COUNT(*) FROM broadcasts WHERE status = 'done'")
        if rows[0][0] >= done:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the broadcast did not finish")


async def test_staff_broadcast_in_danish(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await residents(nabo, {1: "da", 2: "ar", 3: "en", 4: "ar"})
    await ResidentRepository(nabo.store).set_blocked(4, True)

    [ask] = await staff_says(server, "/broadcast")
    assert ask["text"] == da.gettext(
        "📣 New message to residents.\n\n"
        "Write the message in Danish. It is sent exactly as you write it. "
        "Send /cancel to stop."
    )
    typed = "Husk <b>fællesspisning</b> & *grill* i aften 🔥 — _alle_ er velkomne!"
    [arabic] = await staff_says(server, typed)
    await press(server, arabic, da.gettext("Skip"))
    [audience] = await staff_says(server, "Remember the shared dinner tonight!")
    assert buttons(audience)[0] == da.gettext("Everyone who gets messages ({count})").format(
        count=3
    )
    server.press(STAFF_ID, audience, buttons(audience)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    # One message: each version as residents get it, the audience and the buttons.
    [summary] = await press(server, when, da.gettext("Send now"))
    assert summary["text"] == "\n\n".join(
        [
            da.gettext("Preview in {language}:").format(language=da.gettext("Danish"))
            + "\n"
            + typed,
            da.gettext("Residents who read {language} get the Danish text.").format(
                language=da.gettext("Arabic")
            ),
            da.gettext("Preview in {language}:").format(language=da.gettext("English"))
            + "\nRemember the shared dinner tonight!",
            da.ngettext(
                "It goes to {count} resident, {when}. Send it?",
                "It goes to {count} residents, {when}. Send it?",
                3,
            ).format(count=3, when=da.gettext("now")),
        ]
    )
    assert buttons(summary) == [da.gettext("✅ Send"), da.gettext("🗑 Discard")]
    cursor = {user: server.cursor(user) for user in (1, 2, 3)}
    staff_cursor = server.cursor(STAFF_ID)
    server.press(STAFF_ID, summary, da.gettext("✅ Send"))
    await wait_for_broadcast_end(nabo)

    # Each resident gets their language, else Danish, exactly as typed (no markup).
    [to_da] = await server.wait_for_messages(1, after=cursor[1])
    [to_ar] = await server.wait_for_messages(2, after=cursor[2])
    [to_en] = await server.wait_for_messages(3, after=cursor[3])
    assert to_da["text"] == typed
    assert to_da.get("parse_mode") is None
    assert to_ar["text"] == typed
    assert to_en["text"] == "Remember the shared dinner tonight!"
    assert len(server.messages(4)) == 1  # blocked: only the menu from before

    # The progress message becomes the final tally, which arrives once: no new message.
    tally = progress_text(
        da,
        {"pending": 0, "sending": 0, "sent": 3, "blocked": 0, "failed": 0, "uncertain": 0},
        final=True,
    )
    await wait_for_text(nabo, STAFF_ID, tally)
    await settle(nabo)
    [report] = server.messages(STAFF_ID)[-1:]
    assert report["message_id"] == summary["message_id"]
    assert report["text"] == tally
    assert server.cursor(STAFF_ID) == staff_cursor
    assert [m["text"] for m in server.messages(STAFF_ID)].count(tally) == 1
    assert await nabo.rows("SELECT action FROM audit_log") == [("broadcast.create",)]
    assert await nabo.rows("SELECT status, COUNT(*) FROM deliveries GROUP BY status") == [
        ("sent", 3)
    ]


async def test_broadcast_to_one_activity_and_arabic_staff(nabo: Nabo, catalogs: Catalogs) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    server.user(STAFF_ID, language_code="ar")
    await residents(nabo, {10: "da", 11: "en", 12: "ar"})
    activity = await add_activity(nabo.store, now)
    from bot.db.signups import SignupRepository

    await SignupRepository(nabo.store).sign_up(activity, 10, 1, 0, now, waitlist=False)
    await SignupRepository(nabo.store).sign_up(activity, 11, 1, 0, now, waitlist=False)
    [ask] = await staff_says(server, "/broadcast")
    assert ask["text"].startswith("📣")
    [arabic] = await staff_says(server, "Lektiecaféen flytter til lokale 2.")
    [english] = await press(server, arabic, ar.gettext("Skip"))
    [audience] = await press(server, english, ar.gettext("Skip"))
    server.press(STAFF_ID, audience, ar.gettext("Those signed up for an activity…"))
    choose = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    server.press(STAFF_ID, choose, buttons(choose)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    preview = await press(server, when, ar.gettext("Send now"))
    summary = preview[-1]["text"].split("\n\n")[-1]
    assert summary == ar.ngettext(
        "It goes to {count} resident, {when}. Send it?",
        "It goes to {count} residents, {when}. Send it?",
        2,
    ).format(count=ar.ltr(2), when=ar.gettext("now"))
    assert summary.startswith("ستصل إلى ساكنين اثنين")  # Arabic's dual form
    server.press(STAFF_ID, preview[-1], ar.gettext("✅ Send"))
    await wait_for_broadcast_end(nabo)
    for user in (10, 11):
        assert server.messages(user)[-1]["text"] == "Lektiecaféen flytter til lokale 2."
    assert len(server.messages(12)) == 1


@pytest.mark.clock("2030-03-04T09:00:00+00:00")  # a known Monday: 31 March's gap ahead
async def test_schedule_bad_dates_list_cancel_and_send(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await residents(nabo, {20: "da"})

    async def draft(text: str) -> dict:
        await staff_says(server, "/broadcast")
        [arabic] = await staff_says(server, text)
        [english] = await press(server, arabic, da.gettext("Skip"))
        [audience] = await press(server, english, da.gettext("Skip"))
        server.press(STAFF_ID, audience, buttons(audience)[0])
        when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
        server.press(STAFF_ID, when, da.gettext("Choose a later time"))
        return await server.wait_for_edit(STAFF_ID, audience["message_id"])

    await draft("Første besked")
    [bad] = await staff_says(server, "i morgen eftermiddag")
    assert bad["text"].startswith(da.gettext("Sorry, I could not read that date and time."))
    assert "11.03.2030 17:00" in bad["text"]  # an example a week ahead of the clock
    [past] = await staff_says(server, "01.01.2030 10:00")
    assert past["text"].startswith(
        da.gettext("That time has already passed. Please choose a time in the future.")
    )
    [gap] = await staff_says(server, "31.03.2030 02:30")  # the clocks jump from 2 to 3
    assert gap["text"].startswith(
        da.gettext(
            "That time does not exist on that day: the clocks are put forward an hour that "
            "night. Please choose another time."
        )
    )
    preview = await staff_says(server, "05.03.2030 18:00")
    assert "tirsdag den 5. marts kl. 18:00" in preview[-1]["text"]
    server.press(STAFF_ID, preview[-1], da.gettext("✅ Send"))
    scheduled = await server.wait_for_edit(STAFF_ID, preview[-1]["message_id"])
    assert scheduled["text"].startswith("🗓")

    [listing] = await staff_says(server, "/scheduled")
    assert "Første besked" in listing["text"]
    [broadcast_id] = [row[0] for row in await nabo.rows("SELECT id FROM broadcasts")]
    assert nabo.job(broadcast_job_name(broadcast_id)).next_t is not None
    server.press(STAFF_ID, listing, buttons(listing)[0])
    cancelled = await server.wait_for_edit(STAFF_ID, listing["message_id"])
    assert cancelled["text"] == da.gettext("The scheduled message is cancelled.")
    await settle(nabo)
    assert nabo.application.job_queue.get_jobs_by_name(broadcast_job_name(broadcast_id)) == ()

    # A second one is sent when its time comes, also across a restart.
    await draft("Anden besked")
    preview = await staff_says(server, "05.03.2030 18:00")
    server.press(STAFF_ID, preview[-1], da.gettext("✅ Send"))
    await server.wait_for_edit(STAFF_ID, preview[-1]["message_id"])
    await nabo.stop()
    nabo.clock.advance(timedelta(days=2))
    cursor = server.cursor(20)
    await nabo.start()  # overdue: goes out at once
    [message] = await server.wait_for_messages(20, after=cursor)
    assert message["text"] == "Anden besked"
    assert "Første besked" not in [m["text"] for m in server.messages(20)]


async def test_cancel_midway_and_too_long(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await staff_says(server, "/broadcast")
    [too_long] = await staff_says(server, "x" * 4097)
    assert too_long["text"] == da.gettext(
        "That is {count} characters; a message can have at most {limit}. "
        "Please shorten it and send it again."
    ).format(count=4097, limit=4096)
    await staff_says(server, "Kort besked")
    [stopped] = await staff_says(server, "/cancel")
    assert stopped["text"] == da.gettext("Stopped. Nothing was saved or sent.")
    assert await nabo.rows("SELECT * FROM broadcasts") == []


@pytest.mark.parametrize(
    ("code", "description", "status"),
    [
        (403, "Forbidden: bot was blocked by the user", "blocked"),
        (400, "Bad Request: chat not found", "blocked"),
        (400, "Bad Request: message text is empty", "failed"),
        (429, "Too Many Requests: retry after 1", "sent"),
        # A server error after the request arrived: it may have been sent; never resend.
        (500, "Internal Server Error", "uncertain"),
    ],
)
async def test_delivery_outcomes(nabo: Nabo, code: int, description: str, status: str) -> None:
    server, now = nabo.server, nabo.clock.now()
    await residents(nabo, {30: "da", 31: "da"})
    server.fail_next(
        "sendMessage", code, description, retry_after=1 if code == 429 else None, chat_id=30
    )
    repo = nabo.application.bot_data.services.broadcasts
    broadcast = await repo.create(
        kind="message", audience="subscribers", send_at=now, now=now, texts={"da": "Hej"}
    )
    assert broadcast is not None
    await repo.start(broadcast, now)
    nabo.application.bot_data.services.sender.wake()
    await wait_for_broadcast_end(nabo)
    rows = await nabo.rows("SELECT user_id, status FROM deliveries ORDER BY user_id")
    assert rows == [(30, status), (31, "sent")]
    received = [m for m in server.messages(30) if m["text"] == "Hej"]
    assert len(received) == (1 if status == "sent" else 0)
    resident = await nabo.resident(30)
    assert resident is not None
    assert resident.blocked is (status == "blocked")


async def test_timeout_is_uncertain_and_never_resent(nabo: Nabo) -> None:
    server, now = nabo.server, nabo.clock.now()
    await residents(nabo, {40: "da"})
    # Longer than PTB's 5 s read timeout: the message arrives, the bot cannot know.
    server.delay_next("sendMessage", 6.0)
    repo = nabo.application.bot_data.services.broadcasts
    broadcast = await repo.create(
        kind="message", audience="subscribers", send_at=now, now=now, texts={"da": "Hej"}
    )
    assert broadcast is not None
    await repo.start(broadcast, now)
    nabo.application.bot_data.services.sender.wake()
    await wait_for_broadcast_end(nabo)
    # The slow request still delivers the message in the end, as Telegram would.
    await server.wait_for_messages(40, after=1)
    await nabo.restart()
    await settle(nabo)
    assert await nabo.rows("SELECT status FROM deliveries") == [("uncertain",)]
    assert [m["text"] for m in server.messages(40)].count("Hej") == 1


async def test_non_staff_get_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    await residents(nabo, {50: "da"})
    for command in ("broadcast", "scheduled", "staff"):
        server.send_command(50, command)
        [reply] = await server.wait_for_messages(50)
        assert reply["text"] == da.gettext("I don't know that command. Here is what I can do:")
    menu_id = server.messages(50)[0]["message_id"]
    for data in ("st:menu", "st:bc:new", "st:bc:list", "st:bc:x:1", "st:bc:send", "st:bc:to:all"):
        query = server.press_button(50, menu_id, data)
        answer = await server.wait_for_callback_answer(query)
        assert answer.get("text") == da.gettext("This button no longer works."), data
    await settle(nabo)
    assert await nabo.rows("SELECT * FROM broadcasts") == []
    assert await nabo.rows("SELECT * FROM audit_log") == []


async def test_staff_menu_button_only_for_staff(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    await residents(nabo, {STAFF_ID: "da", 60: "da"})
    assert da.gettext("🛠 Staff") in buttons(server.messages(STAFF_ID)[0])
    assert da.gettext("🛠 Staff") not in buttons(server.messages(60)[0])
    server.press(STAFF_ID, server.messages(STAFF_ID)[0], da.gettext("🛠 Staff"))
    [menu] = await server.wait_for_messages(STAFF_ID)
    assert da.gettext("📣 Send a message") in buttons(menu)
    names = [c["command"] for c in server.commands(scope={"type": "chat", "chat_id": STAFF_ID})]
    assert {"broadcast", "scheduled", "staff"} <= set(names)


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_settings_choose_what_to_hear(nabo: Nabo, catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    server, now = nabo.server, nabo.clock.now()
    await residents(nabo, {70: language, 71: language})
    server.send_command(70, "settings")
    [settings] = await server.wait_for_messages(70)
    server.press(70, settings, f"◻️ {tr.gettext('Employment')}")
    ticked = await server.wait_for_edit(70, settings["message_id"])
    assert f"✅ {tr.gettext('Employment')}" in buttons(ticked)
    server.send_command(71, "settings")
    [settings71] = await server.wait_for_messages(71)
    server.press(71, settings71, tr.gettext("🔕 No announcements, thanks"))
    off = await server.wait_for_edit(71, settings71["message_id"])
    assert buttons(off)[0] == tr.gettext("🔔 Turn announcements on")

    community = await add_activity(nabo.store, now, delaftale="community")
    employment = await add_activity(
        nabo.store,
        now,
        delaftale="employment",
        title_da="Jobcafé",
        title_ar="مقهى العمل",
        title_en="Job café",
    )
    cursor = server.cursor(70)
    cursor71 = server.cursor(71)

    for activity_id in (community, employment):
        async with nabo.store.transaction() as db:
            announcement = await insert_announcement(db, activity_id, STAFF_ID, now)
        await start_broadcast(nabo.application, announcement)
    await wait_for_broadcast_end(nabo, done=2)
    [announcement] = await server.wait_for_messages(70, after=cursor)
    assert {"Jobcafé": "da", "مقهى العمل": "ar", "Job café": "en"}.get(
        announcement["text"].splitlines()[2].strip("\u2068\u2069")
    ) == language
    assert buttons(announcement)[0] == tr.gettext("👀 See the activity")
    assert len(server.messages(71)) == cursor71  # announcements off: nothing new


async def test_weekly_overview_once_and_only_with_news(
    botapi: BotApiServer, config: object, clock: object, catalogs: Catalogs
) -> None:
    # Due two hours after the clock's start, on that local day and wall-clock time (on a
    # summer-time night that is not two wall-clock hours later).
    due = (clock.now() + timedelta(hours=2)).astimezone(config.timezone)  # type: ignore[attr-defined]
    digest_config = replace(  # type: ignore[type-var]
        config, digest_weekday=due.weekday(), digest_time=due.time().replace(tzinfo=None)
    )
    nabo = Nabo(botapi, digest_config, clock)  # type: ignore[arg-type]
    await nabo.start()
    try:
        server, now = nabo.server, nabo.clock.now()
        await residents(nabo, {80: "en", 81: "da"})
        from bot.db.interests import InterestRepository

        await InterestRepository(nabo.store).toggle(81, "area", "Ellekonebakken")
        await add_activity(nabo.store, now, title_en="Football", area="Houlkær")
        await add_activity(
            nabo.store,
            now,
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=1),
            title_en="Later",
        )
        cursor = {user: server.cursor(user) for user in (80, 81)}
        assert await nabo.rows("SELECT * FROM broadcasts") == []  # not due at start-up
        nabo.clock.advance(timedelta(hours=2))
        await nabo.run_job(DIGEST_JOB)
        await wait_for_broadcast_end(nabo)
        [overview] = await server.wait_for_messages(80, after=cursor[80])
        en = catalogs.translator("en")
        assert overview["text"].startswith(en.gettext("🗓 Activities in the coming week"))
        assert "Football" in overview["text"]
        assert "Later" not in overview["text"]
        assert len(server.messages(81)) == cursor[81]  # nothing in their area: no message
        assert await send_weekly_digest(nabo.application) is None  # once a week
        await nabo.restart()
        await settle(nabo)
        assert len(server.messages(80)) == cursor[80] + 1
    finally:
        await nabo.stop()


async def test_an_overview_with_news_for_nobody_records_nothing(
    botapi: BotApiServer, config: object, clock: object, catalogs: Catalogs
) -> None:
    # Due two hours after the clock's start, on that local day and wall-clock time.
    due = (clock.now() + timedelta(hours=2)).astimezone(config.timezone)  # type: ignore[attr-defined]
    digest_config = replace(  # type: ignore[type-var]
        config, digest_weekday=due.weekday(), digest_time=due.time().replace(tzinfo=None)
    )
    nabo = Nabo(botapi, digest_config, clock)  # type: ignore[arg-type]
    await nabo.start()
    try:
        server = nabo.server
        await residents(nabo, {82: "da"})
        # Nothing coming in the week: nobody is sent anything, and nothing is recorded.
        assert await send_weekly_digest(nabo.application) is None
        await settle(nabo)
        assert await nabo.rows("SELECT * FROM broadcasts") == []
        # Activities added later that week still get the week's overview.
        await add_activity(nabo.store, nabo.clock.now(), title_da="Fællesspisning")
        cursor = server.cursor(82)
        nabo.clock.advance(timedelta(hours=2))
        await nabo.run_job(DIGEST_JOB)
        await wait_for_broadcast_end(nabo)
        [overview] = await server.wait_for_messages(82, after=cursor)
        assert "Fællesspisning" in overview["text"]
        assert await nabo.rows("SELECT kind, status FROM broadcasts") == [("digest", "done")]
        assert await send_weekly_digest(nabo.application) is None  # still once a week
    finally:
        await nabo.stop()


async def test_a_new_conversation_takes_over_a_half_written_one(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await staff_says(server, "/newactivity")  # left half-written
    await staff_says(server, "/broadcast")
    [next_question] = await staff_says(server, "Husk mødet i morgen")
    assert next_question["text"] == da.gettext(
        "Add an Arabic version? Write it, press Skip, or ask volunteer translators: "
        "choose by when you need the text."
    )
    await staff_says(server, "/cancel")
    assert await nabo.rows("SELECT * FROM activities") == []
    assert await nabo.rows("SELECT * FROM broadcasts") == []


async def wait_for_text(nabo: Nabo, chat_id: int, text: str) -> None:
    """Wait until the chat's newest message reads ``text`` (a guard against hanging)."""
    for _ in range(500):
        if nabo.server.messages(chat_id)[-1]["text"] == text:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no message {text!r}")


async def test_preview_of_long_versions_takes_as_few_messages_as_fit(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    en = catalogs.translator("en")
    server = nabo.server
    server.user(STAFF_ID, language_code="en")
    await residents(nabo, {90: "da"})
    texts = {"da": "d" * 3000, "ar": "ع" * 3000, "en": "e" * 3000}
    await staff_says(server, "/broadcast")
    for code in ("da", "ar"):
        await staff_says(server, texts[code])
    [audience] = await staff_says(server, texts["en"])
    server.press(STAFF_ID, audience, buttons(audience)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    cursor = server.cursor(STAFF_ID)
    # Two versions do not fit one message together: three messages, not seven.
    preview = await press(server, when, en.gettext("Send now"), count=3)
    await settle(nabo)
    assert server.cursor(STAFF_ID) == cursor + 3
    for message, code in zip(preview, ("da", "ar", "en"), strict=True):
        assert message["text"].startswith(
            en.gettext("Preview in {language}:").format(
                language={"da": "Danish", "ar": "Arabic", "en": "English"}[code]
            )
            + "\n"
            + texts[code]
        )
        assert len(message["text"].encode("utf-16-le")) // 2 <= 4096
    assert preview[-1]["text"].endswith(
        en.ngettext(
            "It goes to {count} resident, {when}. Send it?",
            "It goes to {count} residents, {when}. Send it?",
            1,
        ).format(count=1, when=en.gettext("now"))
    )
    assert [buttons(message) for message in preview] == [
        [],
        [],
        [en.gettext("✅ Send"), en.gettext("🗑 Discard")],
    ]


async def test_a_scheduled_broadcast_reports_once_in_a_new_message(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await residents(nabo, {91: "da"})
    await staff_says(server, "/broadcast")
    [arabic] = await staff_says(server, "Loppemarked på lørdag")
    [english] = await press(server, arabic, da.gettext("Skip"))
    [audience] = await press(server, english, da.gettext("Skip"))
    server.press(STAFF_ID, audience, buttons(audience)[0])
    when = await server.wait_for_edit(STAFF_ID, audience["message_id"])
    server.press(STAFF_ID, when, da.gettext("Choose a later time"))
    await server.wait_for_edit(STAFF_ID, audience["message_id"])
    # A day after the clock's start, written as staff write it.
    later = (nabo.clock.now() + timedelta(days=1)).astimezone(nabo.config.timezone)
    [preview] = await staff_says(server, later.strftime("%d.%m.%Y %H:%M"))
    server.press(STAFF_ID, preview, da.gettext("✅ Send"))
    scheduled = await server.wait_for_edit(STAFF_ID, preview["message_id"])
    assert scheduled["text"].startswith("🗓")
    [broadcast_id] = [row[0] for row in await nabo.rows("SELECT id FROM broadcasts")]

    nabo.clock.advance(timedelta(days=2))
    cursor = server.cursor(STAFF_ID)
    await nabo.run_job(broadcast_job_name(broadcast_id))  # type: ignore[arg-type]
    await wait_for_broadcast_end(nabo)
    tally = progress_text(
        da,
        {"pending": 0, "sending": 0, "sent": 1, "blocked": 0, "failed": 0, "uncertain": 0},
        final=True,
    )
    await wait_for_text(nabo, STAFF_ID, tally)
    await settle(nabo)
    # The tally comes once, as a new message; the days-old message stays as it was.
    assert [m["text"] for m in server.messages(STAFF_ID)[cursor:]] == [tally]
    again = [m for m in server.messages(STAFF_ID) if m["message_id"] == preview["message_id"]]
    assert again[0]["text"] == scheduled["text"]


@pytest.mark.parametrize("language", ["da", "ar"])
async def test_a_sticker_midway_gets_the_way_forward(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    server.user(STAFF_ID, language_code=language)
    await staff_says(server, "/broadcast")
    server.send_sticker(STAFF_ID)
    [reminder] = await server.wait_for_messages(STAFF_ID)
    assert reminder["text"] == tr.gettext(
        "Please answer the question above, or write /cancel to stop."
    )
    # The question still stands: the next text is the message, and Nabo asks for its
    # Arabic version.
    [arabic] = await staff_says(server, "Kort besked")
    assert tr.gettext("Skip") in buttons(arabic)
    assert await nabo.rows("SELECT * FROM broadcasts") == []

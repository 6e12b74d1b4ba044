"""Feedback end to end, in three languages: after an activity, and /feedback at any time."""

import asyncio
import re
from datetime import UTC, timedelta

import pytest

from bot.core.i18n import Catalogs, Translator
from bot.db.activities import ActivityRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.activity import activity_title_when
from bot.work.feedback_questions import job_name, question_text
from tests.conftest import STAFF_CHAT_ID, Nabo, buttons, open_staff_chat, settle
from tests.conftest import consented as consented_as
from tests.factories import add_activity

LANGUAGES = ["da", "ar", "en"]
FACES = ["😞", "🙁", "😐", "🙂", "😄"]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MARKUP = "<b>Fint</b> *men* _koldt_ [se](http://x.y) &amp; `kode` 🌧 بارد"


async def consented(nabo: Nabo, user_id: int, language: str) -> None:
    """A consented resident named Navn<id>, so the posts' checks for names read clearly."""
    await consented_as(nabo, user_id, language, f"Navn{user_id}")


@pytest.fixture
def team(catalogs: Catalogs) -> Translator:
    return catalogs.translator("da")


async def activity_tomorrow(nabo: Nabo, **changes: object) -> int:
    """An activity 30 hours ahead, two hours long: its reminders stay out of the way."""
    now = nabo.clock.now()
    return await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(hours=30),
        ends_at=now + timedelta(hours=32),
        **changes,
    )


async def sign_up(nabo: Nabo, activity_id: int, user_id: int, people: int = 1) -> int:
    result = await SignupRepository(nabo.store).sign_up(
        activity_id, user_id, people, 0, nabo.clock.now(), waitlist=True
    )
    assert result.signup is not None
    return result.signup.id


async def say(server: BotApiServer, user_id: int, text: str, count: int = 1) -> list[dict]:
    server.send_text(user_id, text)
    return await server.wait_for_messages(user_id, count)


def link_question(tr: Translator, text: str, *, with_rating: bool = False) -> str:
    question = tr.gettext(
        "Should the team know this is from you?\n\n"
        "🙋 Linked: saved with your Telegram user number, so the team knows who wrote it.\n"
        "🕶 Not linked: saved without your user number or chat, and with the date only. "
        "Nothing in it points to you."
    )
    if with_rating:
        # After a face: the resident learns that the rating goes with the comment.
        question += "\n\n" + tr.gettext(
            "Your rating of the activity is saved the same way as your comment: "
            "linked to you or not."
        )
    return tr.gettext("You wrote:\n\n{text}").format(text=tr.ltr(text)) + "\n\n" + question


def unlinked_thanks(tr: Translator) -> str:
    return tr.gettext(
        "✅ Thank you! Your feedback is saved without your name, user number or chat, "
        "and with the date only. It is not linked to you."
    )


def face_data(question: dict, rating: int) -> str:
    """The callback data of the face for ``rating`` (1-5) under a question."""
    return question["reply_markup"]["inline_keyboard"][0][rating - 1]["callback_data"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_question_after_an_activity_without_attendance(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server, clock = nabo.server, nabo.clock
    await open_staff_chat(nabo)
    for user_id in (1, 2, 3, 4):
        await consented(nabo, user_id, language)
    activity_id = await activity_tomorrow(nabo, capacity=3)
    await sign_up(nabo, activity_id, 1)
    await sign_up(nabo, activity_id, 3)
    dropped = await sign_up(nabo, activity_id, 4)
    await SignupRepository(nabo.store).cancel(dropped, 4, clock.now())
    await sign_up(nabo, activity_id, 2, people=2)  # does not fit: waitlisted
    await ResidentRepository(nabo.store).set_blocked(3, True)
    await nabo.restart()  # the sync schedules the question from the database
    assert nabo.job(job_name(activity_id)).next_t is not None

    clock.advance(timedelta(hours=34, minutes=1))  # the end plus FEEDBACK_DELAY (2h)
    cursors = {user_id: server.cursor(user_id) for user_id in (1, 2, 3, 4)}
    await nabo.run_job(job_name(activity_id))
    [question] = await server.wait_for_messages(1, after=cursors[1])
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert question["text"] == question_text(tr, activity)
    assert activity_title_when(tr, activity) in question["text"]
    assert buttons(question) == FACES
    await settle(nabo)
    for user_id in (2, 3, 4):  # waitlisted, blocked, cancelled: not asked
        assert server.cursor(user_id) == cursors[user_id]

    # Two taps on the faces: one rating.
    first = server.press_button(1, question["message_id"], face_data(question, 5))
    second = server.press_button(1, question["message_id"], face_data(question, 4))
    await server.wait_for_callback_answer(first)
    await server.wait_for_callback_answer(second)
    await settle(nabo)
    thanked = server.messages(1)[-1]
    assert thanked["message_id"] == question["message_id"]
    assert thanked["text"].startswith(tr.gettext("Thank you! {face}").format(face="😄"))
    assert buttons(thanked) == [tr.gettext("Skip")]
    assert await nabo.rows("SELECT user_id, rating, text FROM feedback") == [(None, 5, None)]

    # A comment that looks like markup is shown back exactly, then saved unlinked.
    [asked] = await say(server, 1, MARKUP)
    assert asked["text"] == link_question(tr, MARKUP, with_rating=True)
    assert asked["parse_mode"] is None
    assert buttons(asked) == [tr.gettext("🙋 Link it to me"), tr.gettext("🕶 Don't link it to me")]
    group_cursor = server.cursor(STAFF_CHAT_ID)
    server.press(1, asked, tr.gettext("🕶 Don't link it to me"))
    done = await server.wait_for_edit(1, asked["message_id"])
    assert done["text"] == unlinked_thanks(tr)
    [(user_id, rating, text, created_at)] = await nabo.rows(
        "SELECT user_id, rating, text, created_at FROM feedback"
    )
    assert (user_id, rating, text) == (None, 5, MARKUP)
    assert created_at == clock.now().astimezone(UTC).date().isoformat()
    [post] = await server.wait_for_messages(STAFF_CHAT_ID, after=group_cursor)
    assert MARKUP in post["text"]
    assert post["text"].endswith(team.gettext("Not linked to anyone."))
    assert "Navn1" not in post["text"]
    assert post["parse_mode"] is None

    # The job again: nobody is asked twice.
    await nabo.run_job(job_name(activity_id))
    await settle(nabo)
    assert server.messages(1)[-1]["message_id"] == asked["message_id"]
    assert await nabo.rows("SELECT COUNT(*) FROM feedback_requests") == [(1,)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_question_where_attendance_was_taken(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server, clock = nabo.server, nabo.clock
    await open_staff_chat(nabo)
    for user_id in (11, 12, 13):
        await consented(nabo, user_id, language)
    activity_id = await activity_tomorrow(nabo)
    signups = {user_id: await sign_up(nabo, activity_id, user_id) for user_id in (11, 12, 13)}
    clock.advance(timedelta(hours=31))  # during the activity staff take attendance
    repo = SignupRepository(nabo.store)
    await repo.set_attended(signups[11], activity_id, True, now=clock.now())
    await repo.set_attended(signups[12], activity_id, False, now=clock.now())
    # 13 was not marked: where attendance was taken, only those who came are asked.
    clock.advance(timedelta(hours=3, minutes=1))
    cursors = {user_id: server.cursor(user_id) for user_id in (11, 12, 13)}
    await nabo.restart()  # overdue: asked at once
    [question] = await server.wait_for_messages(11, after=cursors[11])
    await settle(nabo)
    assert server.cursor(12) == cursors[12]
    assert server.cursor(13) == cursors[13]

    # A low rating reaches the staff chat at once, with no name.
    group_cursor = server.cursor(STAFF_CHAT_ID)
    server.press(11, question, "🙁")
    thanked = await server.wait_for_edit(11, question["message_id"])
    [post] = await server.wait_for_messages(STAFF_CHAT_ID, after=group_cursor)
    assert (
        team.gettext("Rating: {face} {rating} of {top}").format(face="🙁", rating=2, top=5)
        in post["text"]
    )
    assert "Navn11" not in post["text"]
    server.press(11, thanked, tr.gettext("Skip"))
    skipped = await server.wait_for_edit(11, question["message_id"])
    assert skipped["text"] == tr.gettext("Thank you! 🙏")
    assert await nabo.rows("SELECT user_id, rating, text FROM feedback") == [(None, 2, None)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_restart_before_the_question_is_due_sends_it_once(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server, clock = nabo.server, nabo.clock
    await consented(nabo, 21, language)
    activity_id = await activity_tomorrow(nabo)
    await sign_up(nabo, activity_id, 21)
    clock.advance(timedelta(hours=33))  # it has ended; the question is due in an hour
    await nabo.restart()
    assert nabo.job(job_name(activity_id)).next_t is not None
    await settle(nabo)
    cursor = server.cursor(21)
    assert await nabo.rows("SELECT COUNT(*) FROM feedback_requests") == [(0,)]

    await nabo.stop()
    clock.advance(timedelta(hours=1, minutes=5))
    await nabo.start()  # down when it was due: it goes out now
    [question] = await server.wait_for_messages(21, after=cursor)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert question["text"] == question_text(tr, activity)
    await nabo.restart()
    await asyncio.sleep(0.2)
    await settle(nabo)
    assert server.cursor(21) == cursor + 1
    assert await nabo.rows("SELECT COUNT(*) FROM feedback_requests") == [(1,)]


async def test_no_question_for_a_cancelled_activity(nabo: Nabo) -> None:
    server, clock = nabo.server, nabo.clock
    await consented(nabo, 31, "en")
    activity_id = await activity_tomorrow(nabo)
    await sign_up(nabo, activity_id, 31)
    await nabo.restart()
    await ActivityRepository(nabo.store).cancel(activity_id)
    clock.advance(timedelta(hours=34, minutes=1))
    cursor = server.cursor(31)
    await nabo.run_job(job_name(activity_id))  # the job from before it was cancelled
    await nabo.restart()
    await settle(nabo)
    assert server.cursor(31) == cursor
    assert nabo.application.job_queue.get_jobs_by_name(job_name(activity_id)) == ()
    assert await nabo.rows("SELECT COUNT(*) FROM feedback_requests") == [(0,)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_feedback_not_linked(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    resident = 4242
    await open_staff_chat(nabo)
    await consented(nabo, resident, language)

    [subjects] = await say(server, resident, "/feedback")
    assert subjects["text"] == tr.gettext(
        "💬 We would like to hear what you think. What is it about?"
    )
    assert buttons(subjects) == [
        tr.gettext("An activity I took part in"),
        tr.gettext("My area"),
        tr.gettext("Nabo itself"),
        tr.gettext("Something else"),
        tr.gettext("✖ Stop"),
    ]
    server.press(resident, subjects, tr.gettext("Nabo itself"))
    rating = await server.wait_for_edit(resident, subjects["message_id"])
    assert buttons(rating) == [*FACES, tr.gettext("Skip"), tr.gettext("✖ Stop")]
    server.press(resident, rating, "🙁")
    [ask] = await server.wait_for_messages(resident)
    assert ask["text"].startswith(
        tr.gettext("Now write what you want to tell us (at most {limit} characters).").format(
            limit=tr.ltr(1000)
        )
    )
    [linking] = await say(server, resident, MARKUP)
    assert linking["text"] == link_question(tr, MARKUP)
    assert linking["parse_mode"] is None
    group_cursor = server.cursor(STAFF_CHAT_ID)
    server.press(resident, linking, tr.gettext("🕶 Don't link it to me"))
    done = await server.wait_for_edit(resident, linking["message_id"])
    assert done["text"] == unlinked_thanks(tr)

    rows = await nabo.rows("SELECT * FROM feedback")
    assert len(rows) == 1
    [row] = rows
    # No resident id, chat id or message id anywhere in the row; the date only.
    assert resident not in row
    assert linking["message_id"] not in row[1:4]
    [(user_id, subject, rating, text, created_at)] = await nabo.rows(
        "SELECT user_id, subject, rating, text, created_at FROM feedback"
    )
    assert (user_id, subject, rating, text) == (None, "nabo", 2, MARKUP)
    assert DATE.match(str(created_at))
    [post] = await server.wait_for_messages(STAFF_CHAT_ID, after=group_cursor)
    assert MARKUP in post["text"]
    assert f"Navn{resident}" not in post["text"]
    assert post["text"].endswith(team.gettext("Not linked to anyone."))
    # Nothing links to it: /mydata does not count it, /deleteme leaves it.
    [mydata, _file] = await say(server, resident, "/mydata", 2)
    linked_line = tr.gettext("• Feedback linked to you: {count}").format(count=tr.ltr(1))
    assert linked_line not in mydata["text"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_feedback_about_an_activity_linked_by_choice(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server, clock = nabo.server, nabo.clock
    await open_staff_chat(nabo)
    await consented(nabo, 51, language)
    took_part = await activity_tomorrow(nabo, title_en="Football", title_da="Fodbold")
    other = await activity_tomorrow(nabo)
    await sign_up(nabo, took_part, 51)
    clock.advance(timedelta(hours=40))

    [subjects] = await say(server, 51, "/feedback")
    server.press(51, subjects, tr.gettext("An activity I took part in"))
    chooser = await server.wait_for_edit(51, subjects["message_id"])
    assert len(buttons(chooser)) == 2  # the one activity, and Stop
    # Not one they took part in: refused.
    server.press_button(51, chooser["message_id"], f"fb:a:{other}")
    refused = await server.wait_for_edit(51, subjects["message_id"])
    assert refused["text"] == tr.gettext("Sorry, we could not find that activity.")
    assert tr.gettext("An activity I took part in") not in buttons(refused)
    await say(server, 51, "/feedback")
    [subjects] = server.messages(51)[-1:]
    server.press(51, subjects, tr.gettext("An activity I took part in"))
    chooser = await server.wait_for_edit(51, subjects["message_id"])
    server.press(51, chooser, buttons(chooser)[0])
    rating = await server.wait_for_edit(51, subjects["message_id"])
    activity = await ActivityRepository(nabo.store).get(took_part)
    assert activity is not None
    assert rating["text"].startswith(
        tr.gettext("About: {subject}").format(subject=tr.ltr(activity.title(language)))
    )
    server.press(51, rating, tr.gettext("Skip"))
    [ask] = await server.wait_for_messages(51)
    assert buttons(ask) == [tr.gettext("✖ Stop")]  # without a rating, words are needed
    [too_long] = await say(server, 51, "x" * 1001)
    assert too_long["text"] == tr.gettext(
        "That is {count} characters; a message can have at most {limit}. "
        "Please shorten it and send it again."
    ).format(count=tr.ltr(1001), limit=tr.ltr(1000))
    [phone] = await say(server, 51, "Ring til mig på 12 34 56 78")
    assert phone["text"] == tr.gettext(
        "Please leave out phone numbers: Nabo does not keep numbers that are typed "
        "in. Write it again without the number."
    )
    words = "😀" * 1000  # 1000 characters (2000 UTF-16 units): within the limit
    [linking] = await say(server, 51, words)
    group_cursor = server.cursor(STAFF_CHAT_ID)
    server.press(51, linking, tr.gettext("🙋 Link it to me"))
    done = await server.wait_for_edit(51, linking["message_id"])
    assert done["text"] == tr.gettext(
        "✅ Thank you! Your feedback is saved and linked to you. "
        "You can delete it at any time with /deleteme."
    )
    [(user_id, subject, activity_id, text, created_at)] = await nabo.rows(
        "SELECT user_id, subject, activity_id, text, created_at FROM feedback"
    )
    assert (user_id, subject, activity_id, text) == (51, "activity", took_part, words)
    assert created_at == clock.now().isoformat(timespec="seconds")
    [post] = await server.wait_for_messages(STAFF_CHAT_ID, after=group_cursor)
    assert team.gettext("From: {name} (linked to them)").format(name="Navn51") in post["text"]
    assert "Fodbold" in post["text"]

    [mydata, _file] = await say(server, 51, "/mydata", 2)
    assert (
        tr.gettext("• Feedback linked to you: {count}").format(count=tr.ltr(1)) in (mydata["text"])
    )
    [sure] = await say(server, 51, "/deleteme")
    server.press(51, sure, tr.gettext("🗑 Yes, delete my data"))
    await server.wait_for_edit(51, sure["message_id"])
    assert await nabo.rows("SELECT * FROM feedback") == []


async def test_forged_face_buttons_record_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    server, clock = nabo.server, nabo.clock
    for user_id in (61, 62):
        await consented(nabo, user_id, "en")
    activity_id = await activity_tomorrow(nabo)
    theirs = await sign_up(nabo, activity_id, 61)
    clock.advance(timedelta(hours=34, minutes=1))
    cursor = server.cursor(61)
    await nabo.restart()
    await server.wait_for_messages(61, after=cursor)  # 61 is asked; 62 was not there
    menu_id = server.messages(62)[0]["message_id"]
    del theirs  # buttons carry a random token now, never the sign-up id
    for data in (
        "fb:r:0123456789abcdef:1",
        "fb:r:99999:3",
        "fb:r:0123456789abcdef:9",
        "fb:l:1",
        "fb:cskip",
    ):
        query = server.press_button(62, menu_id, data)
        await server.wait_for_callback_answer(query)
        await settle(nabo)
    assert await nabo.rows("SELECT * FROM feedback") == []
    texts = [m["text"] for m in server.messages(62)]
    assert any(text.startswith(tr.gettext("This button no longer works.")) for text in texts)

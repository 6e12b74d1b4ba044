"""What Nabo would tell people without Telegram reaches the team and the host, durably.

Over the local Bot API: someone signed up on their behalf moves up from the waitlist, their
activity changes or is cancelled, or it is the day before: staff (the staff chat, or each
staff member) and the activity's host get a message saying whom to call and why, in their
language, once, also across a restart.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import Catalogs
from bot.db.activities import ActivityRepository
from bot.db.hosts import Accepted, HostRepository, Invitation
from bot.db.people import NewPerson, OfflineSignup, PeopleRepository
from bot.db.signups import SignupRepository
from bot.db.store import Store
from bot.views import team_messages as views
from bot.work.call_lists import call_list_due, call_list_job_name
from tests.conftest import (
    STAFF_CHAT_ID,
    STAFF_ID,
    Nabo,
    TestClock,
    buttons,
    consented,
    open_staff_chat,
    settle,
)
from tests.factories import add_activity

FATIMA = NewPerson("Fatima", "ar", "Houlkær", "+4512345678", "in_person")
OMAR = NewPerson("Omar", "da", "Houlkær", None, "paper")
HOST = 31
CPH = ZoneInfo("Europe/Copenhagen")


async def make_host(nabo: Nabo, activity_id: int, language: str = "ar") -> None:
    """A host of the activity, whose chat with Nabo exists."""
    hosts = HostRepository(nabo.store)
    token = await hosts.invite(
        Invitation(activity_id, False, "partner", "Røde Kors", "Leder"), STAFF_ID, nabo.clock.now()
    )
    accepted = await hosts.accept(token, HOST, "Hanne", language, nabo.clock.now())
    assert accepted is Accepted.HOST
    nabo.server.user(HOST, first_name="Hanne", language_code=language)
    nabo.server.open_chat(HOST)


async def offline(nabo: Nabo, activity_id: int) -> list[OfflineSignup]:
    return await PeopleRepository(nabo.store).on_activity(activity_id)


async def test_someone_without_telegram_moves_up_and_the_team_is_told_whom_to_call(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    da, ar = catalogs.translator("da"), catalogs.translator("ar")
    activity_id = await add_activity(nabo.store, now, capacity=2)
    await make_host(nabo, activity_id)
    await consented(nabo, 10, "da")
    first = await SignupRepository(nabo.store).sign_up(activity_id, 10, 2, 0, now, waitlist=False)
    waiting, person = await PeopleRepository(nabo.store).sign_up_new(
        activity_id, FATIMA, 1, 1, now, waitlist=False, registered_by=STAFF_ID, role="staff"
    )
    assert first.signup is not None
    assert waiting.signup is not None
    assert person is not None
    staff_cursor, host_cursor = server.cursor(STAFF_CHAT_ID), server.cursor(HOST)

    # The resident cancels in the chat: Fatima moves up.
    server.send_command(10, "mine")
    [mine] = await server.wait_for_messages(10)
    cancel = next(b for b in buttons(mine) if b.startswith(da.gettext("❌ Cancel my sign-up")))
    server.press(10, mine, cancel)
    [sure] = await server.wait_for_messages(10)
    server.press(10, sure, da.gettext("Yes, cancel"))

    [to_staff] = await server.wait_for_messages(STAFF_CHAT_ID, after=staff_cursor)
    [to_host] = await server.wait_for_messages(HOST, after=host_cursor)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    signup = await SignupRepository(nabo.store).get(waiting.signup.id)
    assert signup is not None
    assert to_staff["text"] == views.promoted_text(da, activity, signup, person)
    assert to_host["text"] == views.promoted_text(ar, activity, signup, person)
    assert "+45 12 34 56 78" in to_staff["text"]
    assert "Fatima" in to_host["text"]
    await settle(nabo)
    assert await nabo.rows(
        "SELECT kind, audience, chat_id, language, status FROM team_messages ORDER BY id"
    ) == [
        ("promoted", "team", None, None, "addressed"),
        ("promoted", "staff_chat", None, "da", "sent"),
        ("promoted", "chat", HOST, "ar", "sent"),
    ]


async def test_a_message_written_before_a_crash_goes_out_once_after_the_restart(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    activity_id = await add_activity(nabo.store, now, capacity=1)
    people = PeopleRepository(nabo.store)
    _, ali = await people.sign_up_new(
        activity_id, OMAR, 1, 0, now, waitlist=False, registered_by=STAFF_ID, role="staff"
    )
    _, fatima = await people.sign_up_new(
        activity_id, FATIMA, 1, 0, now, waitlist=False, registered_by=STAFF_ID, role="staff"
    )
    assert ali is not None
    assert fatima is not None
    cursor = server.cursor(STAFF_CHAT_ID)
    await nabo.stop()
    store = await Store.open(nabo.config.database_path)
    try:
        result = await PeopleRepository(store).forget(ali.id, now)  # erased on request
    finally:
        await store.close()
    assert result.found
    assert server.cursor(STAFF_CHAT_ID) == cursor

    await nabo.start()
    [told] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    assert "Fatima" in told["text"]
    assert "Omar" not in told["text"]
    await settle(nabo)
    assert server.cursor(STAFF_CHAT_ID) == cursor + 1


async def test_cancelling_an_activity_tells_the_team_whom_to_call(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    da = catalogs.translator("da")
    activity_id = await add_activity(nabo.store, now, capacity=1)
    people = PeopleRepository(nabo.store)
    await people.sign_up_new(
        activity_id, OMAR, 1, 0, now, waitlist=False, registered_by=STAFF_ID, role="staff"
    )
    await people.sign_up_new(
        activity_id, FATIMA, 2, 0, now, waitlist=True, registered_by=STAFF_ID, role="staff"
    )
    listed = await offline(nabo, activity_id)
    server.user(STAFF_ID, language_code="da")
    server.send_command(STAFF_ID, "signups")
    [overview] = await server.wait_for_messages(STAFF_ID)
    server.press_button(STAFF_ID, overview["message_id"], f"st:c:{activity_id}")
    ask = await server.wait_for_edit(STAFF_ID, overview["message_id"])
    cursor = server.cursor(STAFF_CHAT_ID)
    server.press(STAFF_ID, ask, da.gettext("Yes, cancel the activity"))

    [told] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert told["text"] == views.cancelled_text(da, activity, listed)
    lines = told["text"].splitlines()
    assert "1. Omar · 1 voksen · 📵 intet telefonnummer" in lines
    assert "2. Fatima · 2 voksne · 📞 +45 12 34 56 78 · ⏳ på ventelisten" in lines


async def test_moving_an_activity_tells_the_team_whom_to_call(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    da = catalogs.translator("da")
    activity_id = await add_activity(nabo.store, now)
    await PeopleRepository(nabo.store).sign_up_new(
        activity_id, FATIMA, 1, 0, now, waitlist=False, registered_by=STAFF_ID, role="staff"
    )
    cursor = server.cursor(STAFF_CHAT_ID)
    moved = await ActivityRepository(nabo.store).reschedule(
        activity_id, now + timedelta(days=3), now + timedelta(days=3, hours=2), now, CPH
    )
    assert moved is not None
    nabo.application.bot_data.services.sender.wake()
    [told] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    assert told["text"] == views.changed_text(da, moved, await offline(nabo, activity_id))
    # A new place is news too; a new title is not.
    cursor = server.cursor(STAFF_CHAT_ID)
    repo = ActivityRepository(nabo.store)
    await repo.update_details(activity_id, {"title_en": "Homework club"}, now)
    await repo.update_details(activity_id, {"place": "Biblioteket"}, now)
    nabo.application.bot_data.services.sender.wake()
    [told] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    assert "Biblioteket" in told["text"]
    await settle(nabo)
    assert server.cursor(STAFF_CHAT_ID) == cursor + 1


@pytest.mark.clock("2030-03-04T09:00:00+00:00")  # a Monday, 10:00 in Copenhagen
async def test_the_day_before_staff_and_host_get_a_call_list(
    nabo: Nabo, catalogs: Catalogs, clock: TestClock
) -> None:
    server, now = nabo.server, clock.now()
    await open_staff_chat(nabo)
    da, ar = catalogs.translator("da"), catalogs.translator("ar")
    start = datetime(2030, 3, 6, 16, 0, tzinfo=CPH)  # Wednesday 16:00
    activity_id = await add_activity(
        nabo.store, now, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    without = await add_activity(nabo.store, now, title_da="Ingen uden Telegram")
    await make_host(nabo, activity_id)
    await PeopleRepository(nabo.store).sign_up_new(
        activity_id, FATIMA, 1, 2, now, waitlist=False, registered_by=HOST, role="host"
    )
    await nabo.restart()  # the jobs come from the database
    job = nabo.job(call_list_job_name(activity_id))
    # Tuesday 10:00 in Copenhagen, the day before (the JobQueue counts on the real clock).
    due = datetime(2030, 3, 5, 10, 0, tzinfo=CPH)
    assert call_list_due(start, CPH) == due
    assert job.next_t is not None
    assert abs((job.next_t - datetime.now(UTC)) - (due - now)) < timedelta(minutes=1)
    assert not nabo.application.job_queue.get_jobs_by_name(call_list_job_name(without))
    cursors = server.cursor(STAFF_CHAT_ID), server.cursor(HOST)
    clock.advance(timedelta(days=1))
    await nabo.run_job(call_list_job_name(activity_id))
    [to_staff] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursors[0])
    [to_host] = await server.wait_for_messages(HOST, after=cursors[1])
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    listed = await offline(nabo, activity_id)
    assert to_staff["text"] == views.call_list_text(da, activity, listed)
    assert to_host["text"] == views.call_list_text(ar, activity, listed)
    # Once: the job running again (a restart, a second sync) sends nothing more.
    await nabo.run_job(call_list_job_name(activity_id))
    await settle(nabo)
    assert (server.cursor(STAFF_CHAT_ID), server.cursor(HOST)) == (
        cursors[0] + 1,
        cursors[1] + 1,
    )


async def test_without_a_staff_chat_each_staff_member_is_told_in_their_language(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    await nabo.stop()
    nabo.config = replace(nabo.config, staff_chat_id=None, staff_user_ids=frozenset({900, 901}))
    await nabo.start()
    server, now = nabo.server, nabo.clock.now()
    for staff, language in ((900, "da"), (901, "en")):
        await consented(nabo, staff, language)
    activity_id = await add_activity(nabo.store, now, capacity=1)
    signups = SignupRepository(nabo.store)
    first = await signups.sign_up(activity_id, 900, 1, 0, now, waitlist=False)
    waiting, omar = await PeopleRepository(nabo.store).sign_up_new(
        activity_id, OMAR, 1, 0, now, waitlist=False, registered_by=900, role="staff"
    )
    assert first.signup is not None
    assert waiting.signup is not None
    assert omar is not None
    cursors = {staff: server.cursor(staff) for staff in (900, 901)}
    await signups.cancel(first.signup.id, 900, now)
    nabo.application.bot_data.services.sender.wake()
    activity = await ActivityRepository(nabo.store).get(activity_id)
    promoted = await signups.get(waiting.signup.id)
    assert activity is not None
    assert promoted is not None
    for staff, language in ((900, "da"), (901, "en")):
        [told] = await server.wait_for_messages(staff, after=cursors[staff])
        tr = catalogs.translator(language)
        assert told["text"] == views.promoted_text(tr, activity, promoted, omar)

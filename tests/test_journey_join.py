"""Joining by link, end to end: someone signed up by phone takes their sign-ups into the chat.

The link checks it is theirs (the number the team has, shared from Telegram; or asking,
when the team has no number), shows the privacy notice in the language the team noted,
and then the sign-ups are theirs: Nabo reminds them itself. Used, expired, forged and
someone else's links change nothing.
"""

from datetime import timedelta

import pytest

from bot.core.i18n import Catalogs
from bot.db.activities import ActivityRepository
from bot.db.people import NewPerson, PeopleRepository
from bot.db.signups import SignupRepository
from bot.views import join as views
from bot.views.notice import consent_request_text
from bot.views.signup_news import reminder_message
from bot.work.reminders import job_name
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle
from tests.factories import add_activity

SCANNER = 5555
FATIMA = NewPerson("Fatima", "ar", "Houlkær", "+4512345678", "in_person")
OMAR = NewPerson("Omar", "en", "Houlkær", None, "paper")


async def registered(nabo: Nabo, who: NewPerson, activity_id: int) -> tuple[int, str]:
    """A person signed up by staff, with a joining link; their id and the link's token."""
    people = PeopleRepository(nabo.store)
    _, person = await people.sign_up_new(
        activity_id,
        who,
        1,
        1,
        nabo.clock.now(),
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    assert person is not None
    token = await people.new_join_link(person.id, nabo.clock.now())
    assert token is not None
    return person.id, token


async def opens(nabo: Nabo, user: int, token: str, count: int) -> list[dict]:
    nabo.server.reset_rate_limits()
    nabo.server.send_command(user, "start", f"join-{token}")
    return await nabo.server.wait_for_messages(user, count)


async def test_someone_new_checks_their_number_accepts_and_is_reminded_themselves(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(hours=30), ends_at=now + timedelta(hours=32)
    )
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    person_id, token = await registered(nabo, FATIMA, activity_id)
    # Their Telegram speaks English; the team noted Arabic, so Nabo speaks Arabic.
    server.user(SCANNER, first_name="F", language_code="en")
    [what, ask] = await opens(nabo, SCANNER, token, 2)
    assert what["text"] == views.what_it_does(ar, "Fatima", [activity])
    assert ask["text"] == views.ask_phone(ar)
    server.reset_rate_limits()
    server.share_contact(SCANNER, "4512345678")
    [notice] = await server.wait_for_messages(SCANNER)
    assert notice["text"] == views.consent_request(ar, token)[0]
    assert buttons(notice) == [ar.gettext("✅ Yes, that's fine"), ar.gettext("No thanks")]
    server.reset_rate_limits()
    server.press(SCANNER, notice, ar.gettext("✅ Yes, that's fine"))
    [_thanks, done] = await server.wait_for_messages(SCANNER, 2)
    assert done["text"] == views.joined(ar, [activity])[0]

    resident = await nabo.resident(SCANNER)
    assert resident is not None
    assert resident.has_consented
    assert resident.language == "ar"
    assert await nabo.rows("SELECT user_id, person_id, first_name FROM signups") == [
        (SCANNER, None, "Fatima")
    ]
    assert await nabo.rows(f"SELECT * FROM offline_people WHERE id = {person_id}") == []
    # From now on Nabo reminds them itself.
    await nabo.restart()
    cursor = server.cursor(SCANNER)
    nabo.clock.advance(timedelta(hours=6, minutes=1))
    await nabo.run_job(job_name(activity_id, timedelta(hours=24)))
    [reminder] = await server.wait_for_messages(SCANNER, after=cursor)
    [signup] = await SignupRepository(nabo.store).roster(activity_id)
    assert reminder["text"] == reminder_message(ar, activity, signup)[0]
    # The same link again: used.
    [again, _menu] = await opens(nabo, SCANNER, token, 2)
    assert again["text"] == views.link_not_valid(ar)


async def test_someone_already_in_the_chat_keeps_one_place_per_activity(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    both = await add_activity(nabo.store, now, capacity=4)
    only_record = await add_activity(nabo.store, now, title_da="Kun på telefon")
    await consented(nabo, SCANNER, "en")
    mine = await SignupRepository(nabo.store).sign_up(both, SCANNER, 2, 0, now, waitlist=False)
    person_id, token = await registered(nabo, OMAR, both)
    await PeopleRepository(nabo.store).sign_up(only_record, person_id, 1, 0, now, waitlist=False)
    [_what, ask] = await opens(nabo, SCANNER, token, 2)
    assert ask["text"] == views.ask_is_it_you(en, "Omar", token)[0]
    server.reset_rate_limits()
    server.press(SCANNER, ask, en.gettext("✅ Yes, that's me"))
    [_thanks, done] = await server.wait_for_messages(SCANNER, 2)
    assert done["text"].startswith(views.joined(en, [])[0])
    rows = await nabo.rows(
        "SELECT activity_id, user_id, person_id, status FROM signups ORDER BY activity_id, id"
    )
    # The place the resident held first stays; the team's duplicate is cancelled.
    assert mine.signup is not None
    assert rows == [
        (both, SCANNER, None, "confirmed"),
        (both, SCANNER, None, "cancelled"),
        (only_record, SCANNER, None, "confirmed"),
    ]


async def test_someone_elses_number_changes_nothing_and_three_spend_the_link(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    person_id, token = await registered(nabo, FATIMA, activity_id)
    server.user(SCANNER, first_name="X", language_code="ar")
    before = await nabo.rows("SELECT * FROM signups")
    for attempt in range(3):
        await opens(nabo, SCANNER, token, 2)
        server.reset_rate_limits()
        server.share_contact(SCANNER, "4599999999")
        [wrong] = await server.wait_for_messages(SCANNER)
        assert wrong["text"] == views.wrong_number(ar, spent=attempt == 2)
    # Someone else's contact card is not even compared.
    await settle(nabo)
    assert await nabo.rows("SELECT * FROM signups") == before
    assert await nabo.resident(SCANNER) is None
    [spent, _notice] = await opens(nabo, SCANNER, token, 2)
    assert spent["text"] == views.link_not_valid(ar)
    assert await nabo.rows(f"SELECT first_name FROM offline_people WHERE id = {person_id}") == [
        ("Fatima",)
    ]


async def test_not_me_and_forged_accept_change_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    _, token = await registered(nabo, OMAR, activity_id)
    server.user(SCANNER, first_name="X", language_code="en")
    [_what, ask] = await opens(nabo, SCANNER, token, 2)
    server.reset_rate_limits()
    server.press(SCANNER, ask, en.gettext("No, it is not me"))
    not_me = await server.wait_for_edit(SCANNER, ask["message_id"])
    assert not_me["text"] == views.not_me(en)
    # The accept button, forged with the right token but without passing the check.
    server.reset_rate_limits()
    query = server.press_button(SCANNER, ask["message_id"], f"jn:ok:{token}")
    await server.wait_for_callback_answer(query)
    await settle(nabo)
    assert await nabo.resident(SCANNER) is None
    assert await nabo.rows("SELECT user_id FROM signups") == [(None,)]


@pytest.mark.parametrize("token", ["A" * 22, "expired"])
async def test_forged_and_expired_links_change_nothing(
    nabo: Nabo, catalogs: Catalogs, token: str
) -> None:
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now + timedelta(days=100))
    if token == "expired":
        _, token = await registered(nabo, OMAR, activity_id)
        nabo.clock.advance(timedelta(days=90))
    server.user(SCANNER, first_name="X", language_code="en")
    [refused, notice] = await opens(nabo, SCANNER, token, 2)
    assert refused["text"] == views.link_not_valid(en)
    assert notice["text"] == consent_request_text(en)
    await settle(nabo)
    assert await nabo.resident(SCANNER) is None

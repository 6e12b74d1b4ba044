"""Privacy for what issue #16 adds: /mydata and erasure of hosts and registrars, retention.

Every new table is covered: a host's /mydata shows what Nabo keeps about their hosting
(also when they never used Nabo as a resident), /deleteme leaves them in no table, and
the daily retention job deletes what has expired in each, with the report's counts the
same before and after.
"""

import json
from datetime import timedelta

import pytest

import bot.work.retention
from bot.core.i18n import Catalogs
from bot.db.broadcasts import BroadcastRepository
from bot.db.hosts import HostRepository, Invitation, ProposalDraft
from bot.db.people import NewPerson, PeopleRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.team_messages import TeamMessageRepository
from bot.db.volunteers import OfferDraft, VolunteerRepository
from bot.telegram.roles import set_host_command_menu
from bot.views.mydata import EXPORT_FILE_NAME
from bot.work.retention import RETENTION_JOB
from tests.conftest import STAFF_ID, Nabo, settle, team_outbox_idle
from tests.factories import add_activity, add_residents
from tests.test_journey_volunteer import say, tap
from tests.test_privacy import places_holding, report_totals

HOST = 86420975


async def make_host(nabo: Nabo, activity_id: int, language: str) -> None:
    hosts = HostRepository(nabo.store)
    token = await hosts.invite(
        Invitation(activity_id, False, "board", "Afdelingsbestyrelsen Houlkær", "Formand"),
        STAFF_ID,
        nabo.clock.now(),
    )
    await hosts.accept(token, HOST, "Zebulon", language, nabo.clock.now())
    nabo.server.user(HOST, first_name="Zebulon", language_code=language)


async def test_a_host_sees_their_data_and_deleting_it_leaves_no_trace(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now, capacity=1)
    await make_host(nabo, activity_id, "en")
    people = PeopleRepository(nabo.store)
    await people.sign_up_new(
        activity_id,
        NewPerson("Quirinus", "da", "Houlkær", None, "paper"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=HOST,
        role="host",
    )
    waiting, person = await people.sign_up_new(
        activity_id,
        NewPerson("Theodora", "ar", "Houlkær", "+4561616161", "phone"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=HOST,
        role="host",
    )
    assert person is not None
    await HostRepository(nabo.store).propose(
        HOST,
        ProposalDraft(
            "en",
            "Xylophone evening",
            "Bring ears",
            now + timedelta(days=3),
            now + timedelta(days=3, hours=1),
            "Hall",
            None,
            "community",
            "Houlkær",
        ),
        now,
    )
    broadcasts = BroadcastRepository(nabo.store, "da")
    await broadcasts.create(
        kind="message",
        audience=f"activity:{activity_id}",
        send_at=now,
        now=now,
        staff_user_id=HOST,
        texts={"da": "Zanzibar night"},
    )
    server.open_chat(HOST)
    # Someone cancels: Theodora moves up, and the host is told to call her.
    [first] = await nabo.rows("SELECT id FROM signups ORDER BY id LIMIT 1")
    await SignupRepository(nabo.store).cancel(int(first[0]), None, now)
    await team_outbox_idle(nabo)
    assert waiting

    [summary, file] = await say(server, HOST, "/mydata", 2)
    lines = summary["text"].splitlines()
    assert tr.gettext("• Telegram user number: {user_id}").format(user_id=HOST) in lines
    for label, count in (
        ("• Activities you host: {count}", 1),
        ("• People you signed up on their behalf: {count}", 2),
        ("• Your proposals for new activities: {count}", 1),
        ("• Messages to you about whom to call: {count}", 1),
    ):
        assert tr.gettext(label).format(count=count) in lines, label
    assert file["document"]["file_name"] == EXPORT_FILE_NAME
    export = json.loads(server.document_bytes(HOST, file["message_id"]))
    assert [row["organisation"] for row in export["hosting"]] == ["Afdelingsbestyrelsen Houlkær"]
    assert [row["title"] for row in export["proposals_by_you"]] == ["Xylophone evening"]
    assert len(export["people_registered_by_you"]) == 2
    # Other people's names are theirs, not the host's: only ids and dates.
    raw = json.dumps(export)
    assert "Quirinus" not in raw
    assert "Theodora" not in raw

    [sure] = await say(server, HOST, "/deleteme")
    await tap(server, HOST, sure, tr.gettext("🗑 Yes, delete my data"))
    await settle(nabo)
    assert places_holding(nabo.config.database_path, [str(HOST), "Zebulon"]) == []
    assert await nabo.rows("SELECT registered_by, registered_role FROM offline_people") == [
        (None, "host"),
        (None, "host"),
    ]
    assert await nabo.rows("SELECT organisation, ended_how FROM hosts") == [
        ("Afdelingsbestyrelsen Houlkær", "erased")
    ]
    assert await nabo.rows("SELECT COUNT(*) FROM activity_proposals") == [(0,)]


async def test_retention_deletes_what_has_expired_in_every_new_table(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    clock, store = nabo.clock, nabo.store
    t0 = clock.now()
    days = lambda n: timedelta(days=n)  # noqa: E731
    old = await add_activity(
        store, t0, starts_at=t0 + days(1), ends_at=t0 + days(1) + timedelta(hours=2)
    )
    later = await add_activity(
        store, t0, starts_at=t0 + days(200), ends_at=t0 + days(200) + timedelta(hours=2)
    )
    people = PeopleRepository(store)
    _r, early = await people.sign_up_new(
        old,
        NewPerson("Ada", "da", "Houlkær", "+4511111111", "paper"),
        1,
        0,
        t0,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    _r, busy = await people.sign_up_new(
        old,
        NewPerson("Bo", "da", "Houlkær", "+4522222222", "paper"),
        1,
        0,
        t0,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    assert early is not None
    assert busy is not None
    await people.sign_up(later, busy.id, 1, 0, t0, waitlist=False)
    await people.new_join_link(early.id, t0)
    await add_residents(store, [HOST], t0)
    hosts = HostRepository(store)
    token = await hosts.invite(
        Invitation(old, False, "team", "Det boligsociale team", "Leder"), STAFF_ID, t0
    )
    await hosts.accept(token, HOST, "Zebulon", "da", t0)
    await hosts.invite(
        Invitation(later, False, "team", "Det boligsociale team", "Leder"), STAFF_ID, t0
    )
    await hosts.propose(
        HOST,
        ProposalDraft(
            "da",
            "Strik",
            "",
            t0 + days(3),
            t0
            + days(
                3,
            )
            + timedelta(hours=1),
            "Hal",
            None,
            "community",
            "Houlkær",
        ),
        t0,
    )
    await TeamMessageRepository(store).record("call_list", t0, old)
    await team_outbox_idle(nabo)
    totals = report_totals(nabo.config.database_path)

    # 31 days after the first activity: phones of those with nothing coming go.
    clock.advance(days(32))
    await nabo.run_job(RETENTION_JOB)
    assert await nabo.rows("SELECT first_name, phone FROM offline_people ORDER BY id") == [
        ("Ada", None),
        ("Bo", "+4522222222"),
    ]
    # Settled team messages go after 30 days; the used invitation 30 days after its use.
    assert await nabo.rows("SELECT COUNT(*) FROM team_messages") == [(0,)]
    assert await nabo.rows("SELECT used_at IS NULL FROM host_invitations") == [(1,)]
    # The unused invitation 30 days after it expired, the joining link after its 90
    # days, an undecided proposal after 90.
    clock.advance(days(60))
    await nabo.run_job(RETENTION_JOB)
    assert await nabo.rows("SELECT COUNT(*) FROM host_invitations") == [(0,)]
    assert await nabo.rows("SELECT join_token FROM offline_people WHERE first_name = 'Ada'") == [
        (None,)
    ]
    assert await nabo.rows("SELECT COUNT(*) FROM activity_proposals") == [(0,)]
    # A year after the last activity: the record goes; the hosting ends once its
    # activity ended SIGNUP_RETENTION_DAYS ago.
    clock.advance(days(365 - 92 + 2))
    await nabo.run_job(RETENTION_JOB)
    await settle(nabo)
    assert await nabo.rows("SELECT first_name FROM offline_people") == [("Bo",)]
    assert await nabo.rows("SELECT user_id, ended_how FROM hosts") == [(None, "expired")]
    assert report_totals(nabo.config.database_path) == totals
    assert places_holding(nabo.config.database_path, ["Ada", "11111111"]) == []


async def test_retention_in_batches_erases_hosts_registrars_and_volunteers_alike(
    nabo: Nabo, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set-based retention leaves what /deleteme leaves, beyond the chat too.

    A host who also registered someone, and a volunteer whose offer staff were shown,
    both unseen for a year and warned, are erased in batches of two (with a third who is
    only a resident): no table holds them, the hosting keeps organisation and role, the
    registration keeps its role, /host leaves the former host's commands, and the staff's
    posts about the offer are edited through the team's outbox.
    """
    monkeypatch.setattr(bot.work.retention, "ERASE_AT_ONCE", 2)
    store, t0 = nabo.store, nabo.clock.now()
    volunteer, resident, kept = 97531864, 97531865, 97531866
    activity_id = await add_activity(store, t0, capacity=5)
    await add_residents(store, [HOST, volunteer, resident], t0 - timedelta(days=400))
    await add_residents(store, [kept], t0 - timedelta(days=3))
    await make_host(nabo, activity_id, "da")
    nabo.server.open_chat(HOST)
    await set_host_command_menu(
        nabo.application.bot, catalogs, HOST, "da", nabo.config.default_language
    )
    assert nabo.server.command_menu(HOST, "da")[-1]["command"] == "host"
    await PeopleRepository(store).sign_up_new(
        activity_id,
        NewPerson("Quirinus", "da", "Houlkær", None, "paper"),
        1,
        0,
        t0,
        waitlist=False,
        registered_by=HOST,
        role="host",
    )
    volunteers = VolunteerRepository(store)
    saved = await volunteers.save(
        volunteer, OfferDraft(("homework",), ("evenings",)), t0 - timedelta(days=400)
    )
    await volunteers.set_staff_message(saved.offer.id, 555, {STAFF_ID: 777})
    residents = ResidentRepository(store)
    for user in (HOST, volunteer, resident):
        await residents.mark_all_warned(
            [user], t0 - timedelta(days=14), inactive_since=t0 - timedelta(days=14)
        )
    totals = report_totals(nabo.config.database_path)

    await nabo.run_job(RETENTION_JOB)
    await settle(nabo)
    await team_outbox_idle(nabo)
    assert await nabo.rows("SELECT user_id FROM residents") == [(kept,)]
    gone = [str(HOST), "Zebulon", str(volunteer), str(resident)]
    assert places_holding(nabo.config.database_path, gone) == []
    assert await nabo.rows("SELECT organisation, ended_how FROM hosts") == [
        ("Afdelingsbestyrelsen Houlkær", "erased")
    ]
    assert await nabo.rows("SELECT registered_by, registered_role FROM offline_people") == [
        (None, "host")
    ]
    assert nabo.server.command_menu(HOST, "da")[-1]["command"] != "host"
    assert await nabo.rows(
        "SELECT kind, audience, chat_id, message_id, number FROM team_messages"
        " WHERE kind LIKE 'offer_%' ORDER BY id"
    ) == [
        ("offer_expired", "staff_chat", None, 555, saved.offer.id),
        ("offer_expired", "chat", STAFF_ID, 777, saved.offer.id),
    ]
    assert report_totals(nabo.config.database_path) == totals

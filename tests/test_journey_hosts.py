"""Activity hosts, end to end over the local Bot API: invited by link, seeing only their own.

Staff invite a host from the activity's view; the host opens the one-time link in their
language, accepts, and runs their activity in chat (roster, attendance, signing someone
up). Everything else is refused exactly as a forged button or an unknown command is:
other activities' buttons, staff's commands and buttons, and everything once removed.
Reused, expired, forged and someone else's invitations change nothing.
"""

from datetime import timedelta

import pytest

from bot.core.i18n import Catalogs, Translator
from bot.core.start_links import CheckIn, door_token, parse_payload
from bot.db.activities import ActivityRepository
from bot.db.hosts import HostRepository, Invitation
from bot.db.people import NewPerson, PeopleRepository
from bot.db.signups import SignupRepository
from bot.sandbox.botapi import BotApiServer
from bot.views import host as views
from bot.views.activity import party_text
from bot.views.on_behalf import not_on_telegram
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle
from tests.factories import add_activity, add_residents
from tests.printed import flat, pdf_text, qr_codes, render
from tests.test_journey_staff_activities import audit, press, press_in_place, say, staff_user

HOST = 4242
LANGUAGES = ["da", "ar", "en"]


def _(tr: Translator, text: str) -> str:
    return tr.gettext(text)


async def staff_invites(nabo: Nabo, activity_id: int, phone: str | None = None) -> str:
    """Staff invite a host for the activity in chat (a partner's volunteer leader); the token."""
    da = nabo.application.bot_data.services.catalogs.translator("da")
    server = nabo.server
    listing = await say(server, "/signups")
    server.reset_rate_limits()
    server.press_button(STAFF_ID, listing["message_id"], f"st:a:{activity_id}")
    view = await server.wait_for_edit(STAFF_ID, listing["message_id"])
    hosts = await press_in_place(server, view, _(da, "👤 Hosts"))
    ask_kind = await press(server, hosts, _(da, "➕ Invite a host"))
    ask_name = await press_in_place(server, ask_kind, _(da, "A partner organisation"))
    assert ask_name["text"] == views.ask_organisation(da, "partner")
    ask_role = await say(server, "Røde Kors Viborg")
    assert ask_role["text"] == views.ask_role(da)
    ask_phone = await say(server, "Frivillig leder")
    if phone is None:
        ready = await press(server, ask_phone, _(da, "🔓 Anyone with the link"))
    else:
        ready = await say(server, phone)
    username = server.bot_user["username"]
    assert f"https://t.me/{username}?start=host-" in ready["text"]
    return ready["text"].split("start=host-")[1].split()[0]


async def opens(server: BotApiServer, user: int, token: str, count: int = 1) -> list[dict]:
    server.reset_rate_limits()
    server.send_command(user, "start", f"host-{token}")
    return await server.wait_for_messages(user, count)


async def taps(server: BotApiServer, user: int, message: dict, label: str) -> list[dict]:
    server.reset_rate_limits()
    server.press(user, message, label)
    return await server.wait_for_messages(user)


async def refused_like_forged(
    nabo: Nabo,
    user: int,
    presses: list[str],
    commands: list[str] = [],  # noqa: B006
) -> None:
    """Each press gets what a forged button gets, each command what an unknown one gets."""
    server = nabo.server
    message_id = server.messages(user)[0]["message_id"]
    server.reset_rate_limits()
    query = server.press_button(user, message_id, "nope:1")
    unknown_answer = await server.wait_for_callback_answer(query)
    [unknown] = await server.wait_for_messages(user)
    for data in presses:
        server.reset_rate_limits()
        query = server.press_button(user, message_id, data)
        assert await server.wait_for_callback_answer(query) == unknown_answer, data
        [reply] = await server.wait_for_messages(user)
        assert (reply["text"], buttons(reply)) == (unknown["text"], buttons(unknown)), data
    server.reset_rate_limits()
    server.send_text(user, "/nosuchcommand")
    [unknown_command] = await server.wait_for_messages(user)
    for command in commands:
        server.reset_rate_limits()
        server.send_text(user, command)
        [reply] = await server.wait_for_messages(user)
        assert (reply["text"], buttons(reply)) == (
            unknown_command["text"],
            buttons(unknown_command),
        ), command


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_host_invited_by_link_runs_their_activity_and_nothing_else(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    mine = await add_activity(nabo.store, now, capacity=6, title_da="Lektiecafé")
    other = await add_activity(nabo.store, now, title_da="Sprogcafé")
    await add_residents(nabo.store, [1, 2], now)
    signups = SignupRepository(nabo.store)
    await signups.sign_up(mine, 1, 2, 1, now, waitlist=False, first_name="Amira")
    theirs = await signups.sign_up(other, 2, 1, 0, now, waitlist=False, first_name="Bo")
    assert theirs.signup is not None
    _r, fatima = await PeopleRepository(nabo.store).sign_up_new(
        mine,
        NewPerson("Fatima", "ar", "Houlkær", "+4512345678", "phone"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    assert fatima is not None
    token = await staff_invites(nabo, mine)

    server.user(HOST, first_name="Hanne", language_code=language)
    [invitation] = await opens(server, HOST, token)
    activity = await ActivityRepository(nabo.store).get(mine)
    assert activity is not None
    pending = await HostRepository(nabo.store).invitation_for(token, now)
    assert pending is not None
    assert (
        invitation["text"]
        == views.invitation_text(tr, pending, activity, tr.ltr("Røde Kors Viborg"), token)[0]
    )
    [welcome] = await taps(server, HOST, invitation, _(tr, "✅ I accept"))
    assert welcome["text"] == views.hosting_accepted(tr, activity, False)[0]
    # Their command list has /host, in their language.
    assert [c["command"] for c in server.command_menu(HOST, language)][-1] == "host"

    # Their activities, and the roster of theirs: names, parties, and whom to call.
    server.reset_rate_limits()
    server.press(HOST, welcome, _(tr, "🤝 Your activities"))
    menu = await server.wait_for_edit(HOST, welcome["message_id"])
    assert buttons(menu) == [
        "1. " + activity.title(language),
        _(tr, "💡 Propose an activity"),
        _(tr, "☰ Menu"),
    ]
    server.reset_rate_limits()
    server.press(HOST, menu, "1. " + activity.title(language))
    roster = await server.wait_for_edit(HOST, menu["message_id"])
    assert f"{tr.ltr(1)}. {tr.ltr('Amira')} – {party_text(tr, 2, 1)}" in roster["text"]
    assert not_on_telegram(tr, fatima) in roster["text"]
    assert "Bo" not in roster["text"]
    assert buttons(roster) == [
        _(tr, "➕ Sign up someone without Telegram"),
        _(tr, "📣 Message to the participants"),
        _(tr, "🚪 Door poster"),
        _(tr, "◀ Back"),
    ]
    assert (HOST, "host.roster", f"activity:{mine}", None) in await audit(nabo)

    # Nothing else: another activity's buttons, staff's, and the link again.
    before = await nabo.rows("SELECT * FROM signups ORDER BY id")
    await refused_like_forged(
        nabo,
        HOST,
        [
            f"h:a:{other}",
            f"h:att:{other}",
            f"h:at:{other}:{theirs.signup.id}:1",
            f"h:wi:{other}:p:0",
            f"h:ob:{other}",
            f"h:msg:{other}",
            f"h:door:{other}",
            f"st:a:{mine}",
            f"st:h:{mine}",
            f"st:hi:{mine}",
            f"st:ob:{mine}",
            "st:hl",
            f"st:jl:{fatima.id}",
            "st:acts:0",
            "st:export",
        ],
        ["/signups", "/hosts", "/export", "/report", "/volunteers", "/broadcast", "/newactivity"],
    )
    assert await nabo.rows("SELECT * FROM signups ORDER BY id") == before
    [again] = await opens(server, HOST, token)
    assert again["text"] == views.invitation_not_valid(tr)
    assert await nabo.rows("SELECT COUNT(*) FROM hosts") == [(1,)]


async def test_staff_list_hosts_when_there_are_none(nabo: Nabo, catalogs: Catalogs) -> None:
    """/hosts (and the staff menu's button) with nobody hosting: said so, with a way back."""
    da = catalogs.translator("da")
    staff_user(nabo.server)
    hosts = await say(nabo.server, "/hosts")
    assert hosts["text"] == _(da, "No one hosts an activity right now.")
    menu = await press(nabo.server, hosts, _(da, "🛠 Staff"))
    assert _(da, "👤 Hosts") in buttons(menu)


async def test_removing_a_host_takes_effect_at_once(nabo: Nabo, catalogs: Catalogs) -> None:
    da, en = catalogs.translator("da"), catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    activity_id = await add_activity(nabo.store, now)
    token = await staff_invites(nabo, activity_id)
    server.user(HOST, first_name="Hanne", language_code="en")
    [invitation] = await opens(server, HOST, token)
    [welcome] = await taps(server, HOST, invitation, _(en, "✅ I accept"))
    assert server.command_menu(HOST, "en")[-1]["command"] == "host"

    hosts = await say(server, "/hosts")
    assert "Hanne" in hosts["text"]
    sure = await press_in_place(server, hosts, _(da, "❌ Remove number {number}").format(number=1))
    cursor = server.cursor(HOST)
    done = await press_in_place(server, sure, _(da, "Yes, remove"))
    assert _(da, "No one hosts this activity yet.") in done["text"]
    [told] = await server.wait_for_messages(HOST, after=cursor)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert told["text"] == views.hosting_ended(en, activity)
    # At once: the very next tap and the command are refused, and /host left their menu.
    await refused_like_forged(
        nabo, HOST, ["h:menu", f"h:a:{activity_id}", f"h:ob:{activity_id}"], ["/host"]
    )
    assert [c["command"] for c in server.command_menu(HOST, "en")][-1] != "host"
    assert "host.remove" in [row[1] for row in await audit(nabo)]
    assert welcome


async def test_an_invitation_bound_to_a_number_is_only_for_that_number(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    activity_id = await add_activity(nabo.store, now)
    token = await staff_invites(nabo, activity_id, phone="22 33 44 55")
    stranger = 5151
    server.user(stranger, first_name="Sam", language_code="ar")
    [invitation] = await opens(server, stranger, token)
    [share] = await taps(server, stranger, invitation, _(ar, "✅ I accept"))
    assert share["text"] == views.share_phone_request(ar)
    server.reset_rate_limits()
    server.share_contact(stranger, "4522334455", own=False)  # someone else's card
    [not_own] = await server.wait_for_messages(stranger)
    assert not_own["text"] == views.not_own_number(ar)
    server.reset_rate_limits()
    server.share_contact(stranger, "4599999999")
    [wrong] = await server.wait_for_messages(stranger)
    assert wrong["text"] == views.someone_else(ar)
    assert await nabo.rows("SELECT COUNT(*) FROM hosts") == [(0,)]

    server.user(HOST, first_name="Hanne", language_code="ar")
    [invitation] = await opens(server, HOST, token)
    await taps(server, HOST, invitation, _(ar, "✅ I accept"))
    server.reset_rate_limits()
    server.share_contact(HOST, "+4522334455")
    [welcome] = await server.wait_for_messages(HOST)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert welcome["text"] == views.hosting_accepted(ar, activity, False)[0]
    assert await HostRepository(nabo.store).is_host(HOST, activity_id)
    assert await nabo.rows("SELECT phone FROM host_invitations") == [(None,)]


async def test_expired_and_forged_invitations_change_nothing(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=2),
    )
    token = await HostRepository(nabo.store).invite(
        Invitation(activity_id, False, "board", "Afdelingsbestyrelsen Houlkær", "Formand"),
        STAFF_ID,
        now,
    )
    server.user(HOST, first_name="Hanne", language_code="en")
    [invitation] = await opens(server, HOST, token)
    nabo.clock.advance(timedelta(days=7))
    [late] = await taps(server, HOST, invitation, _(en, "✅ I accept"))
    assert late["text"] == views.invitation_not_valid(en)
    [forged] = await opens(server, HOST, "A" * 22)
    assert forged["text"] == views.invitation_not_valid(en)
    # Not even a host-shaped payload: the plain /start answers.
    server.reset_rate_limits()
    server.send_command(HOST, "start", "host-tooshort")
    [plain] = await server.wait_for_messages(HOST)
    assert plain["text"] != views.invitation_not_valid(en)
    await settle(nabo)
    assert await nabo.rows("SELECT COUNT(*) FROM hosts") == [(0,)]


async def test_residents_get_nothing_from_host_commands_and_buttons(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    now = nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    await consented(nabo, 60, "ar")
    await refused_like_forged(
        nabo,
        60,
        [
            "h:menu",
            f"h:a:{activity_id}",
            f"h:att:{activity_id}",
            f"h:ob:{activity_id}",
            f"h:msg:{activity_id}",
            f"h:door:{activity_id}",
            "h:prop",
            "pn:all",
            "pn:ar",
        ],
        ["/host"],
    )
    await settle(nabo)
    assert await audit(nabo) == []


async def test_a_host_takes_attendance_and_signs_someone_up(nabo: Nabo, catalogs: Catalogs) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    started = await add_activity(
        nabo.store, now, starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=1)
    )
    coming = await add_activity(nabo.store, now, capacity=4)
    unhosted = await add_activity(nabo.store, now, title_da="Andet")
    await add_residents(nabo.store, [1], now - timedelta(days=1))
    came = await SignupRepository(nabo.store).sign_up(
        started, 1, 1, 1, now - timedelta(days=1), waitlist=False, first_name="Amira"
    )
    # Someone named Fatima on an activity this host does not host: not theirs to see.
    await PeopleRepository(nabo.store).sign_up_new(
        unhosted,
        NewPerson("Fatima", "da", "Houlkær", "+4599887766", "phone"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    hosts = HostRepository(nabo.store)
    for activity_id in (started, coming):
        token = await hosts.invite(
            Invitation(activity_id, False, "board", "Afdelingsbestyrelsen", "Medlem"), STAFF_ID, now
        )
        await hosts.accept(token, HOST, "Hanne", "ar", now)
    server.user(HOST, first_name="Hanne", language_code="ar")
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    assert came.signup is not None

    server.reset_rate_limits()
    server.press_button(HOST, menu["message_id"], f"h:att:{started}")
    attendance = await server.wait_for_edit(HOST, menu["message_id"])
    label = next(b for b in buttons(attendance) if "Amira" in b)
    server.reset_rate_limits()
    server.press(HOST, attendance, label)
    marked = await server.wait_for_edit(HOST, menu["message_id"])
    assert any(b.startswith("✅") and "Amira" in b for b in buttons(marked))
    server.reset_rate_limits()
    server.press(HOST, marked, "➕")
    counted = await server.wait_for_edit(HOST, menu["message_id"])
    assert "🚶 1" in buttons(counted)
    assert await nabo.rows(f"SELECT attended FROM signups WHERE id = {came.signup.id}") == [(1,)]
    assert await nabo.rows(f"SELECT walk_ins FROM activities WHERE id = {started}") == [(1,)]
    actions = [(row[0], row[1], row[3]) for row in await audit(nabo)]
    assert (HOST, "host.attendance", f"signup={came.signup.id},attended=1") in actions
    assert (HOST, "host.attendance", "walk_ins=1") in actions

    # Signing someone up for their coming activity: a namesake elsewhere is not offered.
    server.reset_rate_limits()
    server.press_button(HOST, menu["message_id"], f"h:ob:{coming}")
    [ask_name] = await server.wait_for_messages(HOST)
    server.reset_rate_limits()
    server.send_text(HOST, "Fatima")
    [ask_adults] = await server.wait_for_messages(HOST)
    assert _(ar, "➕ Someone new") not in buttons(ask_adults)
    for label in (
        "2",
        "0",
        "العربية",
        "Houlkær",
        _(ar, "🚫 No calls"),
        _(ar, "🗣 In person"),
        _(ar, "✅ Sign up"),
    ):
        server.reset_rate_limits()
        server.press(HOST, ask_adults, label)
        ask_adults = await server.wait_for_edit(HOST, ask_adults["message_id"])
    assert buttons(ask_adults) == [_(ar, "◀ Back")]
    rows = await nabo.rows(
        "SELECT p.first_name, p.registered_by, p.registered_role, s.activity_id, s.adults"
        " FROM offline_people p JOIN signups s ON s.person_id = p.id ORDER BY p.id"
    )
    assert rows[-1] == ("Fatima", HOST, "host", coming, 2)
    assert ask_name


async def test_a_host_prints_the_door_poster_and_sees_the_door_count(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """The host's view of their activity has the staff's door poster and live door count."""
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        title_en="Knitting for all",
    )
    hosts = HostRepository(nabo.store)
    token = await hosts.invite(
        Invitation(activity_id, False, "partner", "Røde Kors Viborg", "Frivillig leder"),
        STAFF_ID,
        now,
    )
    await hosts.accept(token, HOST, "Hanne", "en", now)
    server.user(HOST, first_name="Hanne", language_code="en")
    key = await nabo.store.fetch_one("SELECT value FROM secrets WHERE name = 'door_code'")
    door = CheckIn(activity_id, door_token(bytes(key[0]), activity_id))
    await consented(nabo, 601, "en", first_name="Pia")
    server.send_command(601, "start", door.pack())
    [question] = await server.wait_for_messages(601)
    server.press(601, question, "1")
    asked = await server.wait_for_edit(601, question["message_id"])
    server.press(601, asked, "0")
    await server.wait_for_messages(601)

    server.reset_rate_limits()
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    server.reset_rate_limits()
    server.press(HOST, menu, "1. Knitting for all")
    roster = await server.wait_for_edit(HOST, menu["message_id"])
    assert (
        en.gettext(
            "🚪 Checked in at the door: {total} (signed up {came}, got a place {placed}, "
            "without a place {no_place}, without Nabo {anonymous})"
        ).format(total=1, came=0, placed=1, no_place=0, anonymous=0)
        in roster["text"]
    )
    cursor = server.cursor(HOST)
    server.reset_rate_limits()
    server.press(HOST, roster, en.gettext("🚪 Door poster"))
    [sent] = await server.wait_for_messages(HOST, after=cursor, timeout=60)
    pdf = server.document_bytes(HOST, sent["message_id"])
    assert "Knitting for all" in flat(pdf_text(pdf))
    [code] = qr_codes(render(pdf))
    assert parse_payload(code.split("?start=")[1]) == door
    assert (HOST, "host.poster", f"activity:{activity_id}", "kind=door") in await audit(nabo)


async def test_a_host_prints_the_privacy_notice_for_someone_they_sign_up(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """Hosts sign people up too: the notice to hand on is theirs to print, audited."""
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    hosts = HostRepository(nabo.store)
    token = await hosts.invite(
        Invitation(activity_id, False, "board", "Afdelingsbestyrelsen", "Medlem"), STAFF_ID, now
    )
    await hosts.accept(token, HOST, "Hanne", "da", now)
    server.user(HOST, first_name="Hanne", language_code="da")
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    cursor = server.cursor(HOST)
    server.reset_rate_limits()
    server.press_button(HOST, menu["message_id"], "pn:en")
    [sent] = await server.wait_for_messages(HOST, after=cursor, timeout=60)
    assert sent["document"]["file_name"] == "nabo-privacy-en.pdf"
    assert (HOST, "notice.print", None, "language=en") in await audit(nabo)

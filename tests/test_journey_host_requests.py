"""A host writes to their participants and proposes an activity, end to end.

The message goes out durably to those signed up or waiting, in the host's words, after a
preview that counts them (and those without Telegram, to call instead). The proposal
reaches staff through the team's outbox; publishing makes it an activity with the
proposer as host, declining tells them so. Only staff decide, only hosts propose.
"""

from datetime import timedelta

from bot.core.i18n import Catalogs, Translator
from bot.db.activities import ActivityRepository
from bot.db.hosts import HostRepository, Invitation, ProposalDraft
from bot.db.mydata import PersonalDataRepository
from bot.db.people import NewPerson, PeopleRepository
from bot.db.signups import SignupRepository
from bot.views import host_requests as views
from tests.conftest import (
    STAFF_CHAT_ID,
    STAFF_ID,
    Nabo,
    buttons,
    consented,
    open_staff_chat,
    settle,
    team_outbox_idle,
)
from tests.factories import add_activity
from tests.printed import flat
from tests.test_journey_broadcast import wait_for_broadcast_end
from tests.test_journey_hosts import refused_like_forged
from tests.test_journey_staff_activities import audit
from tests.test_locked_database import BUSY, exclusive_lock

HOST = 7777


def _(tr: Translator, text: str) -> str:
    return tr.gettext(text)


async def host_of(nabo: Nabo, activity_id: int, language: str, kind: str = "partner") -> None:
    hosts = HostRepository(nabo.store)
    token = await hosts.invite(
        Invitation(activity_id, False, kind, "Røde Kors Viborg", "Frivillig leder"),
        STAFF_ID,
        nabo.clock.now(),
    )
    await hosts.accept(token, HOST, "Hanne", language, nabo.clock.now())
    nabo.server.user(HOST, first_name="Hanne", language_code=language)


async def says(nabo: Nabo, text: str, count: int = 1) -> list[dict]:
    nabo.server.reset_rate_limits()
    nabo.server.send_text(HOST, text)
    return await nabo.server.wait_for_messages(HOST, count)


async def presses(nabo: Nabo, message: dict, label: str) -> list[dict]:
    nabo.server.reset_rate_limits()
    nabo.server.press(HOST, message, label)
    return await nabo.server.wait_for_messages(HOST)


async def test_a_host_writes_to_their_participants(nabo: Nabo, catalogs: Catalogs) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    other = await add_activity(nabo.store, now, title_da="Andet")
    await host_of(nabo, activity_id, "ar")
    for user, language in ((21, "da"), (22, "en"), (23, "ar"), (24, "ar")):
        await consented(nabo, user, language)
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity_id, 21, 1, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 22, 2, 0, now, waitlist=True)
    await signups.sign_up(other, 23, 1, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 24, 1, 0, now, waitlist=False)
    await PeopleRepository(nabo.store).sign_up_new(
        activity_id,
        NewPerson("Omar", "da", "Houlkær", None, "paper"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    server.reset_rate_limits()
    server.press_button(HOST, menu["message_id"], f"h:msg:{activity_id}")
    [ask] = await server.wait_for_messages(HOST)
    assert ask["text"] == views.ask_message(ar, activity)
    text = "مرحبا! أحضروا أقلامكم <b>غدا</b>"
    [preview] = await says(nabo, text)
    # The host sees it as readers of Arabic will: from the host of the activity.
    assert views.message_for_reader(ar, activity, text, "ar") in preview["text"]
    assert (
        ar.ngettext(
            "It goes to {count} resident who signed up or is waiting. Send it?",
            "It goes to {count} residents who signed up or are waiting. Send it?",
            3,
        ).format(count=ar.ltr(3))
        in preview["text"]
    )
    # Two read another language: they get it as written, and are told what it is.
    assert views.other_readers(ar, 2, "ar") in preview["text"]
    # One without Telegram, to call instead.
    assert (
        ar.ngettext(
            "{count} participant is not on Telegram and does not get it: please call them "
            "(the roster has their number).",
            "{count} participants are not on Telegram and do not get it: please call them "
            "(the roster has their numbers).",
            1,
        ).format(count=ar.ltr(1))
        in preview["text"]
    )
    cursors = {user: server.cursor(user) for user in (21, 22, 23, 24)}
    server.reset_rate_limits()
    server.press(HOST, preview, _(ar, "✅ Send"))
    await wait_for_broadcast_end(nabo)
    # Each reader in their language: from the host of which activity, and, when the host
    # wrote another language than theirs, which one (the Arabic then set apart).
    for user, language in ((21, "da"), (22, "en"), (24, "ar")):
        [got] = await server.wait_for_messages(user, after=cursors[user])
        reader = catalogs.translator(language)
        assert got["text"] == views.message_for_reader(reader, activity, text, "ar")
        assert flat(text) in flat(got["text"])
        first = got["text"].splitlines()[0]
        title = reader.ltr(activity.title(language))
        if language == "ar":
            assert first == reader.gettext("✉️ From the host of {activity}:").format(activity=title)
        else:
            assert reader.gettext("Arabic") in first
    await settle(nabo)
    assert server.cursor(23) == cursors[23]
    [[broadcast_id]] = await nabo.rows("SELECT id FROM broadcasts")
    assert (HOST, "host.message", f"activity:{activity_id}", f"broadcast={broadcast_id}") in (
        await audit(nabo)
    )
    export = await PersonalDataRepository(nabo.store).export(HOST, nabo.clock.now())
    assert export is None or [row["id"] for row in export["broadcasts_by_you"]] == [broadcast_id]


async def test_a_message_is_not_sent_once_the_host_is_removed(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    await host_of(nabo, activity_id, "en")
    await consented(nabo, 21, "da")
    await SignupRepository(nabo.store).sign_up(activity_id, 21, 1, 0, now, waitlist=False)
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    server.reset_rate_limits()
    server.press_button(HOST, menu["message_id"], f"h:msg:{activity_id}")
    await server.wait_for_messages(HOST)
    [preview] = await says(nabo, "See you!")
    hosts = HostRepository(nabo.store)
    [hosting] = await hosts.assignments(HOST)
    await hosts.remove(hosting.id, now)
    cursor = server.cursor(21)
    server.reset_rate_limits()
    server.press(HOST, preview, _(en, "✅ Send"))
    refused = await server.wait_for_edit(HOST, preview["message_id"])
    assert refused["text"] == _(en, "This button no longer works.")
    await settle(nabo)
    assert server.cursor(21) == cursor
    assert await nabo.rows("SELECT COUNT(*) FROM broadcasts") == [(0,)]


async def test_a_hosts_proposal_published_by_staff_makes_them_its_host(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da, en = catalogs.translator("da"), catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    hosted = await add_activity(nabo.store, now)
    await host_of(nabo, hosted, "en")
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    [intro] = await presses(nabo, menu, _(en, "💡 Propose an activity"))
    assert intro["text"] == views.proposal_intro(en)
    [ask_description] = await says(nabo, "Knitting club")
    [ask_start] = await presses(nabo, ask_description, _(en, "Skip ⏭"))
    day = (now + timedelta(days=9)).astimezone(nabo.config.timezone)
    [ask_end] = await says(nabo, f"{day:%d.%m.%Y} 17:00")
    [ask_place] = await says(nabo, "2h")
    [ask_capacity] = await says(nabo, "Beboerhuset")
    assert ask_start["text"] == views.ask_start(en, now, nabo.config)
    assert ask_end["text"] == views.ask_end(en)
    assert ask_place["text"] == views.ask_place(en)
    assert ask_capacity["text"] == views.ask_capacity(en)[0]
    [ask_delaftale] = await says(nabo, "12")
    server.reset_rate_limits()
    server.press(HOST, ask_delaftale, en.gettext("Community and citizenship"))
    ask_area = await server.wait_for_edit(HOST, ask_delaftale["message_id"])
    server.reset_rate_limits()
    server.press(HOST, ask_area, "Houlkær")
    summary = await server.wait_for_edit(HOST, ask_area["message_id"])
    assert "Knitting club" in summary["text"]
    cursor = server.cursor(STAFF_CHAT_ID)
    server.reset_rate_limits()
    server.press(HOST, summary, _(en, "✅ Send to the team"))
    sent = await server.wait_for_edit(HOST, summary["message_id"])
    assert sent["text"] == views.proposal_sent(en)[0]

    [proposal] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    assert proposal["text"].startswith(_(da, "💡 A host proposes a new activity"))
    assert "Røde Kors Viborg" in proposal["text"]
    assert buttons(proposal) == [_(da, "✅ Publish"), _(da, "❌ Decline")]
    # Hosts and residents cannot decide it; staff can, once.
    [[proposal_id]] = await nabo.rows("SELECT id FROM activity_proposals")
    await consented(nabo, 31, "da")
    await refused_like_forged(
        nabo, HOST, [f"st:prop:ok:{proposal_id}", f"st:prop:no:{proposal_id}"]
    )
    await refused_like_forged(nabo, 31, [f"st:prop:ok:{proposal_id}"])
    host_cursor = server.cursor(HOST)
    server.reset_rate_limits()
    server.press(STAFF_ID, proposal, _(da, "✅ Publish"))
    published = await server.wait_for_edit(STAFF_CHAT_ID, proposal["message_id"])
    [[activity_id, title_da, title_en, capacity, kind, name]] = await nabo.rows(
        "SELECT id, title_da, title_en, capacity, organiser_kind, organiser_name FROM activities"
        " WHERE id != " + str(hosted)
    )
    # Written in English: staff are told its Danish texts are the host's words for now.
    assert (
        published["text"]
        == views.proposal_published_for_staff(da, "Knitting club", "en", activity_id)[0]
    )
    assert (title_da, title_en, capacity, kind, name) == (
        "Knitting club",
        "Knitting club",
        12,
        "partner",
        "Røde Kors Viborg",
    )
    assert await HostRepository(nabo.store).is_host(HOST, activity_id)
    [told] = await server.wait_for_messages(HOST, after=host_cursor)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert told["text"] == views.proposal_published(en, activity)
    server.reset_rate_limits()
    server.press_button(
        STAFF_ID, proposal["message_id"], f"st:prop:no:{proposal_id}", chat_id=STAFF_CHAT_ID
    )
    again = await server.wait_for_edit(STAFF_CHAT_ID, proposal["message_id"])
    assert again["text"] == _(da, "This proposal has been decided already.")
    actions = [row[1] for row in await audit(nabo)]
    assert "host.propose" in actions
    assert "proposal.publish" in actions


async def test_a_declined_proposal_is_told_to_its_author(nabo: Nabo, catalogs: Catalogs) -> None:
    ar = catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    hosted = await add_activity(nabo.store, now)
    await host_of(nabo, hosted, "ar")
    from bot.db.hosts import ProposalDraft

    proposal_id = await HostRepository(nabo.store).propose(
        HOST,
        ProposalDraft(
            "ar",
            "نادي الحياكة",
            "",
            now + timedelta(days=5),
            now + timedelta(days=5, hours=2),
            "Beboerhuset",
            None,
            "community",
            "Houlkær",
        ),
        now,
    )
    assert proposal_id is not None
    cursor = server.cursor(STAFF_CHAT_ID)
    nabo.application.bot_data.services.sender.wake()
    [proposal] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    server.open_chat(HOST)
    host_cursor = server.cursor(HOST)
    server.reset_rate_limits()
    server.press(STAFF_ID, proposal, "❌ Afvis")
    await server.wait_for_edit(STAFF_CHAT_ID, proposal["message_id"])
    [told] = await server.wait_for_messages(HOST, after=host_cursor)
    assert told["text"] == views.proposal_declined(ar, "نادي الحياكة")
    assert await nabo.rows("SELECT status FROM activity_proposals") == [("declined",)]
    assert await nabo.rows("SELECT COUNT(*) FROM activities") == [(1,)]


async def test_staff_ask_translators_for_a_danish_proposal_they_publish(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """A host who writes Danish: staff publish, then ask for the Arabic and English."""
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    hosted = await add_activity(nabo.store, now)
    await host_of(nabo, hosted, "da")
    draft = ProposalDraft(
        "da",
        "Strikkeklub",
        "Tag garn med",
        now + timedelta(days=9),
        now + timedelta(days=9, hours=2),
        "Beboerhuset",
        12,
        "community",
        "Houlkær",
    )
    cursor = server.cursor(STAFF_CHAT_ID)
    await HostRepository(nabo.store).propose(HOST, draft, now)
    await team_outbox_idle(nabo)
    [proposal] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    server.reset_rate_limits()
    server.press(STAFF_ID, proposal, _(da, "✅ Publish"))
    published = await server.wait_for_edit(STAFF_CHAT_ID, proposal["message_id"])
    [[activity_id]] = await nabo.rows(f"SELECT id FROM activities WHERE id != {hosted}")
    text, keyboard = views.proposal_published_for_staff(da, "Strikkeklub", "da", activity_id)
    assert published["text"] == text
    assert buttons(published) == [
        _(da, "🙋 Within 3 hours"),
        _(da, "🙋 Within a day"),
        _(da, "🙋 Within 3 days"),
        _(da, "👀 See the activity"),
    ]
    assert keyboard is not None
    # Hosts cannot ask; staff can.
    server.send_command(HOST, "host")
    await server.wait_for_messages(HOST)
    await refused_like_forged(nabo, HOST, [f"st:prop:tr:{activity_id}:24"])
    server.reset_rate_limits()
    server.press(STAFF_ID, published, _(da, "🙋 Within a day"))
    asked = await server.wait_for_edit(STAFF_CHAT_ID, proposal["message_id"])
    assert buttons(asked) == [_(da, "👀 See the activity")]
    await settle(nabo)
    assert await nabo.rows(
        "SELECT language, title_source, text_source FROM translation_requests"
        f" WHERE activity_id = {activity_id} ORDER BY language"
    ) == [("ar", "Strikkeklub", "Tag garn med"), ("en", "Strikkeklub", "Tag garn med")]
    actions = [row[1] for row in await audit(nabo)]
    assert "proposal.translators" in actions


async def test_a_proposal_in_another_language_tells_staff_its_danish_is_the_hosts(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    await open_staff_chat(nabo)
    hosted = await add_activity(nabo.store, now)
    await host_of(nabo, hosted, "ar")
    draft = ProposalDraft(
        "ar",
        "نادي الحياكة",
        "",
        now + timedelta(days=9),
        now + timedelta(days=9, hours=2),
        "Beboerhuset",
        None,
        "community",
        "Houlkær",
    )
    cursor = server.cursor(STAFF_CHAT_ID)
    await HostRepository(nabo.store).propose(HOST, draft, now)
    await team_outbox_idle(nabo)
    [proposal] = await server.wait_for_messages(STAFF_CHAT_ID, after=cursor)
    server.reset_rate_limits()
    server.press(STAFF_ID, proposal, _(da, "✅ Publish"))
    published = await server.wait_for_edit(STAFF_CHAT_ID, proposal["message_id"])
    [[activity_id]] = await nabo.rows(f"SELECT id FROM activities WHERE id != {hosted}")
    text, _keyboard = views.proposal_published_for_staff(da, "نادي الحياكة", "ar", activity_id)
    assert published["text"] == text
    assert _(da, "Arabic") in text
    assert buttons(published) == [_(da, "👀 See the activity")]
    assert await nabo.rows("SELECT COUNT(*) FROM translation_requests") == [(0,)]


async def test_a_hosts_message_is_kept_when_sending_finds_the_database_locked(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """The press that sends a host's message is refused while locked; pressed again, it sends."""
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    await host_of(nabo, activity_id, "en")
    await consented(nabo, 21, "da")
    await SignupRepository(nabo.store).sign_up(activity_id, 21, 1, 0, now, waitlist=False)
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    server.reset_rate_limits()
    server.press_button(HOST, menu["message_id"], f"h:msg:{activity_id}")
    await server.wait_for_messages(HOST)
    [preview] = await says(nabo, "See you at six!")
    async with exclusive_lock(nabo.config.database_path):
        server.reset_rate_limits()
        server.press(HOST, preview, _(en, "✅ Send"))
        [sorry] = await server.wait_for_messages(HOST)
        await settle(nabo)
    assert sorry["text"] == _(en, BUSY)
    assert await nabo.rows("SELECT COUNT(*) FROM broadcasts") == [(0,)]
    # The lock is gone: the same button sends what the host wrote.
    cursor = server.cursor(21)
    server.reset_rate_limits()
    server.press(HOST, preview, _(en, "✅ Send"))
    sending = await server.wait_for_edit(HOST, preview["message_id"])
    assert sending["text"] != _(en, "This button no longer works.")
    await wait_for_broadcast_end(nabo)
    [got] = await server.wait_for_messages(21, after=cursor)
    assert "See you at six!" in got["text"]


async def test_a_hosts_proposal_is_kept_when_sending_finds_the_database_locked(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """The press that sends a proposal is refused while locked; pressed again, it is sent."""
    en = catalogs.translator("en")
    server, now = nabo.server, nabo.clock.now()
    hosted = await add_activity(nabo.store, now)
    await host_of(nabo, hosted, "en")
    server.send_command(HOST, "host")
    [menu] = await server.wait_for_messages(HOST)
    await presses(nabo, menu, _(en, "💡 Propose an activity"))
    [ask_description] = await says(nabo, "Knitting club")
    await presses(nabo, ask_description, _(en, "Skip ⏭"))
    day = (now + timedelta(days=9)).astimezone(nabo.config.timezone)
    await says(nabo, f"{day:%d.%m.%Y} 17:00")
    await says(nabo, "2h")
    await says(nabo, "Beboerhuset")
    [ask_delaftale] = await says(nabo, "12")
    server.reset_rate_limits()
    server.press(HOST, ask_delaftale, en.gettext("Community and citizenship"))
    ask_area = await server.wait_for_edit(HOST, ask_delaftale["message_id"])
    server.reset_rate_limits()
    server.press(HOST, ask_area, "Houlkær")
    summary = await server.wait_for_edit(HOST, ask_area["message_id"])
    async with exclusive_lock(nabo.config.database_path):
        server.reset_rate_limits()
        server.press(HOST, summary, _(en, "✅ Send to the team"))
        [sorry] = await server.wait_for_messages(HOST)
        await settle(nabo)
    assert sorry["text"] == _(en, BUSY)
    assert await nabo.rows("SELECT COUNT(*) FROM activity_proposals") == [(0,)]
    # The lock is gone: the same button sends the proposal.
    server.reset_rate_limits()
    server.press(HOST, summary, _(en, "✅ Send to the team"))
    sent = await server.wait_for_edit(HOST, summary["message_id"])
    assert sent["text"] == views.proposal_sent(en)[0]
    assert await nabo.rows("SELECT title FROM activity_proposals") == [("Knitting club",)]

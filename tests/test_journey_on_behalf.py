"""Staff sign up someone who does not use Nabo, end to end over the local Bot API.

The person counts like anyone (places, waitlist), appears in the roster marked as not on
Telegram with their phone number, can be picked again for another activity, and staff can
give them a one-time joining link. Residents pressing the staff's buttons get nothing.
"""

from datetime import timedelta

from bot.core.i18n import Catalogs, Translator
from bot.db.activities import ActivityRepository
from bot.db.people import NewPerson, PeopleRepository
from bot.db.signups import SignupRepository
from bot.views import on_behalf as views
from bot.views.activity import party_text
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle
from tests.factories import add_activity, add_residents
from tests.printed import flat, pdf_pages, pdf_text, qr_codes, render, words
from tests.test_journey_staff_activities import (
    audit,
    press,
    press_in_place,
    say,
    staff_user,
)


def _(tr: Translator, text: str) -> str:
    return tr.gettext(text)


async def staff_view(nabo: Nabo, activity_id: int) -> dict:
    """Staff open the activity's staff view from /signups."""
    listing = await say(nabo.server, "/signups")
    nabo.server.reset_rate_limits()
    nabo.server.press_button(STAFF_ID, listing["message_id"], f"st:a:{activity_id}")
    return await nabo.server.wait_for_edit(STAFF_ID, listing["message_id"])


async def test_staff_sign_up_someone_new_without_telegram(nabo: Nabo, catalogs: Catalogs) -> None:
    da, ar = catalogs.translator("da"), catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    activity_id = await add_activity(nabo.store, now, capacity=5, title_da="Lektiecafé")
    await add_residents(nabo.store, [1], now)
    await SignupRepository(nabo.store).sign_up(activity_id, 1, 1, 0, now, waitlist=False)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None

    view = await staff_view(nabo, activity_id)
    assert _(da, "➕ Sign up someone without Telegram") in buttons(view)
    ask_name = await press(server, view, _(da, "➕ Sign up someone without Telegram"))
    assert ask_name["text"] == views.ask_name(da, activity)
    # A name with a number in it is not a first name.
    refused = await say(server, "Fatima 12345678")
    assert refused["text"] == views.bad_name(da)
    ask_adults = await say(server, "Fatima")
    assert ask_adults["text"] == views.ask_adults(da, "Fatima", 6)[0]
    ask_children = await press_in_place(server, ask_adults, "1")
    assert ask_children["text"] == views.ask_children(da, "Fatima", 1, 6)[0]
    ask_language = await press_in_place(server, ask_children, "2")
    assert buttons(ask_language) == ["Dansk", "العربية", "English", _(da, "✖ Stop")]
    ask_area = await press_in_place(server, ask_language, "العربية")
    ask_phone = await press_in_place(server, ask_area, "Houlkær")
    assert ask_phone["text"] == views.ask_phone(da, "Fatima", hosted=False)[0]
    wrong = await say(server, "ring efter kl. 16")
    assert wrong["text"] == views.bad_phone(da)
    ask_told = await say(server, "12 34 56 78")
    assert ask_told["text"] == views.ask_told(da, "Fatima", "ar")[0]
    # The privacy notice to hand her or read to her, in her language; the question waits.
    cursor = server.cursor(STAFF_ID)
    server.reset_rate_limits()
    server.press(STAFF_ID, ask_told, _(da, "🖨 Privacy notice to print"))
    [notice] = await server.wait_for_messages(STAFF_ID, after=cursor, timeout=60)
    assert notice["document"]["file_name"] == "nabo-privacy-ar.pdf"
    assert notice["caption"] == views.notice_caption(da)
    pdf = server.document_bytes(STAFF_ID, notice["message_id"])
    assert pdf_pages(pdf) == 1
    title = ar.gettext("If the team signed you up without Telegram")
    assert set(words(title).split()) - {"Telegram"} <= set(words(pdf_text(pdf)).split())
    summary = await press_in_place(server, ask_told, _(da, "🗣 In person"))
    details = views.new_person_details(da, "ar", "Houlkær", "+4512345678", "in_person")
    assert summary["text"].startswith(
        _(da, "Sign up {name} ({party})?").format(name="Fatima", party=party_text(da, 1, 2))
    )
    for line in details:
        assert line in summary["text"]
    done = await press_in_place(server, summary, _(da, "✅ Sign up"))
    assert done["text"] == views.signed_up(da, "Fatima", 1, 2)
    assert buttons(done) == [_(da, "🔗 Link to join in Telegram"), _(da, "◀ Back")]

    [person] = await nabo.rows(
        "SELECT id, first_name, language, area, phone, told_how, registered_by, registered_role"
        " FROM offline_people"
    )
    assert person[1:] == ("Fatima", "ar", "Houlkær", "+4512345678", "in_person", STAFF_ID, "staff")
    [signup] = await nabo.rows(
        "SELECT id, user_id, person_id, adults, children, status FROM signups WHERE person_id"
        " IS NOT NULL"
    )
    assert signup[1:] == (None, person[0], 1, 2, "confirmed")
    assert await audit(nabo) == [
        (STAFF_ID, "notice.print", None, "language=ar"),
        (
            STAFF_ID,
            "person.sign_up",
            f"activity:{activity_id}",
            f"person={person[0]},signup={signup[0]},new=1",
        ),
    ]
    # The roster marks her, with the number to call; she takes places like anyone.
    back = await press_in_place(server, done, _(da, "◀ Back"))
    line = f"2. Fatima – {party_text(da, 1, 2)} · " + _(da, "📵 not on Telegram, {phone}").format(
        phone="+45 12 34 56 78"
    )
    assert line in back["text"]
    listing = await ActivityRepository(nabo.store).listing(activity_id, 0)
    assert listing is not None
    assert listing.places_left == 1
    assert ar  # the Arabic texts are checked in the hosts' journey


async def test_someone_registered_before_is_picked_again(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    first = await add_activity(nabo.store, now, title_da="Lektiecafé")
    second = await add_activity(nabo.store, now, capacity=2, title_da="Sprogcafé")
    people = PeopleRepository(nabo.store)
    _r, fatima = await people.sign_up_new(
        first,
        NewPerson("Fatima", "ar", "Houlkær", None, "paper"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    _r, namesake = await people.sign_up_new(
        first,
        NewPerson("fatima", "da", "Ellekonebakken", None, "phone"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    assert fatima is not None
    assert namesake is not None
    await add_residents(nabo.store, [1], now)
    await SignupRepository(nabo.store).sign_up(second, 1, 1, 0, now, waitlist=False)

    view = await staff_view(nabo, second)
    await press(server, view, _(da, "➕ Sign up someone without Telegram"))
    pick = await say(server, "FATIMA")
    # Namesakes are told apart by area and since when they are registered.
    assert buttons(pick) == [
        views.person_label(da, namesake),
        views.person_label(da, fatima),
        _(da, "➕ Someone new"),
        _(da, "✖ Stop"),
    ]
    ask_adults = await press_in_place(server, pick, views.person_label(da, fatima))
    ask_children = await press_in_place(server, ask_adults, "2")
    summary = await press_in_place(server, ask_children, "0")
    for line in views.known_person_details(da, fatima):
        assert line in summary["text"]
    # One place left, two coming: she can go on the waitlist instead.
    full = await press_in_place(server, summary, _(da, "✅ Sign up"))
    assert full["text"] == views.no_room(da, 1, 2, 0, "00000000")[0]
    done = await press_in_place(server, full, _(da, "⏳ Put them on the waitlist"))
    assert done["text"] == views.waitlisted(da, "Fatima", 1)
    rows = await nabo.rows(
        f"SELECT person_id, status FROM signups WHERE activity_id = {second} AND person_id"
        " IS NOT NULL"
    )
    assert rows == [(fatima.id, "waitlisted")]
    assert await nabo.rows("SELECT COUNT(*) FROM offline_people") == [(2,)]


async def test_stopping_midway_saves_nothing(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    activity_id = await add_activity(nabo.store, now)
    view = await staff_view(nabo, activity_id)
    await press(server, view, _(da, "➕ Sign up someone without Telegram"))
    ask_adults = await say(server, "Omar")
    ask_children = await press_in_place(server, ask_adults, "2")
    await press(server, ask_children, _(da, "✖ Stop"))
    stopped = await say(server, "/cancel")
    assert stopped["text"] == _(da, "There is nothing to stop right now.")
    await settle(nabo)
    assert await nabo.rows("SELECT COUNT(*) FROM offline_people") == [(0,)]
    assert await nabo.rows("SELECT COUNT(*) FROM signups") == [(0,)]


async def test_a_joining_link_for_staff_to_hand_on(nabo: Nabo, catalogs: Catalogs) -> None:
    """The link to send in a text message, and a slip to print in the person's language."""
    da, ar = catalogs.translator("da"), catalogs.translator("ar")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    activity_id = await add_activity(nabo.store, now)
    _r, person = await PeopleRepository(nabo.store).sign_up_new(
        activity_id,
        NewPerson("Omar", "ar", "Houlkær", None, "paper"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    assert person is not None
    menu = await say(server, "/staff")
    server.press_button(STAFF_ID, menu["message_id"], f"st:jl:{person.id}")
    [link, slip] = await server.wait_for_messages(STAFF_ID, 2, timeout=60)
    username = server.bot_user["username"]
    assert f"https://t.me/{username}?start=join-" in link["text"]
    token = link["text"].split("start=join-")[1].split()[0]
    assert len(token) == 22
    stored = await PeopleRepository(nabo.store).join_target(token, now)
    assert stored is not None
    assert stored.id == person.id
    expires = now + timedelta(days=90)
    assert link["text"] == views.join_link_text(
        da, "Omar", f"https://t.me/{username}?start=join-{token}", da.date(expires)
    )
    # Only the digest is stored.
    assert token not in str(await nabo.rows("SELECT * FROM offline_people"))
    # The slip: an A6 page in Arabic, Omar's language, whose code is the same link.
    assert slip["document"]["file_name"] == f"nabo-slip-{person.id}-ar.pdf"
    assert slip["caption"] == views.slip_caption(da, "Omar", "ar")
    pdf = server.document_bytes(STAFF_ID, slip["message_id"])
    assert pdf_pages(pdf) == 1
    assert qr_codes(render(pdf, dpi=150)) == [f"https://t.me/{username}?start=join-{token}"]
    text = flat(pdf_text(pdf))
    # A Latin name in an Arabic line comes back from the PDF in visual order: each part.
    greeting = ar.gettext("Hello {name}!").split("{name}")[0].strip()
    assert {greeting, "Omar"} <= set(words(text).split())
    assert flat(ar.gettext("Scan the code with your phone's camera")) in text


async def test_residents_cannot_use_the_staff_buttons(nabo: Nabo, catalogs: Catalogs) -> None:
    server, now = nabo.server, nabo.clock.now()
    resident = 50
    await consented(nabo, resident, "da")
    activity_id = await add_activity(nabo.store, now)
    _r, person = await PeopleRepository(nabo.store).sign_up_new(
        activity_id,
        NewPerson("Omar", "da", "Houlkær", None, "paper"),
        1,
        0,
        now,
        waitlist=False,
        registered_by=STAFF_ID,
        role="staff",
    )
    assert person is not None
    before = await nabo.rows("SELECT * FROM offline_people")
    menu_id = server.messages(resident)[0]["message_id"]
    query = server.press_button(resident, menu_id, "nope:1")
    unknown_answer = await server.wait_for_callback_answer(query)
    [unknown] = await server.wait_for_messages(resident)
    for data in (f"st:ob:{activity_id}", f"st:jl:{person.id}", "ob:a:1", "ob:ok:00000000:0"):
        server.reset_rate_limits()
        query = server.press_button(resident, menu_id, data)
        assert await server.wait_for_callback_answer(query) == unknown_answer, data
        [reply] = await server.wait_for_messages(resident)
        assert (reply["text"], buttons(reply)) == (unknown["text"], buttons(unknown)), data
    await settle(nabo)
    assert await nabo.rows("SELECT * FROM offline_people") == before
    assert await audit(nabo) == []

"""Arriving by a link, end to end: posters' QR codes, shared invitations and the door code.

The real Application polls the local Bot API server; residents open links as Telegram
delivers them (``/start <payload>``), read the notice, sign up and check in.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.core.i18n import Catalogs, Translator
from bot.core.start_links import CheckIn, JoinNabo, OpenActivity, OpenSeries, door_token
from bot.db.activities import ActivityRepository
from bot.db.signups import SignupRepository
from bot.db.sources import SourceRepository
from bot.views.activity import party_text
from bot.views.arrivals import Refusal, refusal_text
from bot.views.notice import consent_request_text
from tests.conftest import Nabo, buttons, consented, settle
from tests.factories import add_activity, draft

LANGUAGES = ["da", "ar", "en"]


async def open_link(nabo: Nabo, user_id: int, payload: str, count: int = 1) -> list[dict]:
    nabo.server.send_command(user_id, "start", payload)
    return await nabo.server.wait_for_messages(user_id, count)


async def events(nabo: Nabo) -> list[tuple[object, ...]]:
    return await nabo.rows(
        "SELECT s.code, e.kind FROM source_events e JOIN sources s ON s.id = e.source_id"
        " ORDER BY e.rowid"
    )


async def key(nabo: Nabo) -> bytes:
    row = await nabo.store.fetch_one("SELECT value FROM secrets WHERE name = 'door_code'")
    return bytes(row[0])


async def sign_up_on(nabo: Nabo, user_id: int, card: dict, tr: Translator, adults: int) -> dict:
    server = nabo.server
    server.press(user_id, card, tr.gettext("✍️ Sign up"))
    [question] = await server.wait_for_messages(user_id)
    server.press(user_id, question, str(adults))
    asked = await server.wait_for_edit(user_id, question["message_id"])
    server.press(user_id, asked, "0")
    return await server.wait_for_edit(user_id, question["message_id"])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_newcomer_reads_the_notice_then_lands_on_the_card_and_signs_up(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server, now = nabo.server, nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    source = await SourceRepository(nabo.store).create("Opslag Houlkær opgang 12", now)
    server.user(201, first_name="Amal", language_code=language)

    [notice] = await open_link(nabo, 201, OpenActivity(activity_id, source.code).pack())
    assert notice["text"] == consent_request_text(tr)
    # Held in memory only: nothing stored until they accept.
    assert await nabo.rows("SELECT * FROM residents") == []
    assert await events(nabo) == []

    server.press(201, notice, tr.gettext("✅ Yes, that's fine"))
    [thanks, card] = await server.wait_for_messages(201, 2)
    assert thanks["text"] == tr.gettext("Thank you! You are all set.")
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert card["text"].startswith(tr.ltr(activity.title(language)))
    assert tr.when(activity.starts_at) in card["text"]
    resident = await nabo.resident(201)
    assert resident is not None
    assert resident.source_id == source.id

    done = await sign_up_on(nabo, 201, card, tr, 2)
    assert done["text"].startswith(
        tr.gettext("✅ You are signed up: {party}.").format(party=party_text(tr, 2, 0))
    )
    assert await events(nabo) == [(source.code, "resident"), (source.code, "signup")]


async def test_someone_who_uses_nabo_lands_on_the_card_at_once(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("ar")
    now = nabo.clock.now()
    await consented(nabo, 202, "ar")
    activity_id = await add_activity(nabo.store, now)
    source = await SourceRepository(nabo.store).create("Flyer Vestervang Skole", now)
    [card] = await open_link(nabo, 202, OpenActivity(activity_id, source.code).pack())
    assert card["text"].startswith(tr.ltr("مقهى الواجبات المدرسية"))
    assert tr.gettext("✍️ Sign up") in buttons(card)
    # Not a new resident for the source, but the sign-up through its link counts.
    await sign_up_on(nabo, 202, card, tr, 1)
    resident = await nabo.resident(202)
    assert resident is not None
    assert resident.source_id is None
    assert await events(nabo) == [(source.code, "signup")]


async def test_invite_a_neighbour_shares_the_link_with_the_title(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    await consented(nabo, 203, "en")
    activity_id = await add_activity(nabo.store, nabo.clock.now())
    [card] = await open_link(nabo, 203, OpenActivity(activity_id).pack())
    [share] = [
        button
        for row in card["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == tr.gettext("📣 Invite a neighbour")
    ]
    query = parse_qs(urlsplit(share["url"]).query)
    assert share["url"].startswith("https://t.me/share/url?")
    link = f"https://t.me/nabo_test_bot?start={OpenActivity(activity_id, 'invite').pack()}"
    assert query["url"] == [link]
    assert query["text"] == [tr.gettext("Join me: {title}").format(title="Homework café")]
    # The neighbour who opens it is a new resident by invitation.
    nabo.server.user(204, language_code="da")
    [notice] = await open_link(nabo, 204, OpenActivity(activity_id, "invite").pack())
    nabo.server.press(204, notice, catalogs.translator("da").gettext("✅ Yes, that's fine"))
    await nabo.server.wait_for_messages(204, 2)
    assert await events(nabo) == [("invite", "resident")]


async def test_declining_stores_nothing_and_a_second_start_is_plain(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("da")
    now = nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    source = await SourceRepository(nabo.store).create("Facebook Ellekonebakken", now)
    [notice] = await open_link(nabo, 205, OpenActivity(activity_id, source.code).pack())
    nabo.server.press(205, notice, tr.gettext("No thanks"))
    declined = await nabo.server.wait_for_edit(205, notice["message_id"])
    assert tr.gettext("We counted your visit") not in declined["text"]
    assert await nabo.rows("SELECT * FROM residents") == []
    assert await events(nabo) == []
    # The link was forgotten: accepting later is a plain start, no source.
    [again] = await open_link(nabo, 205, "")
    nabo.server.press(205, again, tr.gettext("✅ Yes, that's fine"))
    [menu] = await nabo.server.wait_for_messages(205)
    assert menu["text"].startswith(tr.gettext("Thank you! You are all set."))
    resident = await nabo.resident(205)
    assert resident is not None
    assert resident.source_id is None


@pytest.mark.parametrize("language", LANGUAGES)
async def test_links_that_do_not_work_get_a_kind_answer_and_the_normal_start(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    now = nabo.clock.now()
    activities = ActivityRepository(nabo.store)
    sources = SourceRepository(nabo.store)
    cancelled = await add_activity(nabo.store, now)
    await activities.cancel(cancelled)
    past = await add_activity(nabo.store, now - timedelta(days=5))
    gone = await sources.create("Opslag, taget ned", now)
    await sources.delete(gone.code, now)
    live = await add_activity(nabo.store, now)
    cases = {
        "a-999999": Refusal.NOT_FOUND,
        "x" * 65: Refusal.FORGED,
        "a-1-" + "Z" * 6: Refusal.FORGED,
        "hello": Refusal.FORGED,
        OpenActivity(cancelled).pack(): Refusal.CANCELLED,
        OpenActivity(past).pack(): Refusal.ENDED,
        OpenActivity(live, gone.code).pack(): Refusal.SOURCE_GONE,
        OpenActivity(live, "qqqqqq").pack(): Refusal.FORGED,
        CheckIn(live, "0" * 12).pack(): Refusal.FORGED,
        OpenSeries(424242).pack(): Refusal.NOT_FOUND,
    }
    # A newcomer: the answer, then the notice.
    for number, (payload, refusal) in enumerate(cases.items()):
        user = 300 + number
        nabo.server.user(user, language_code=language)
        [answer, notice] = await open_link(nabo, user, payload, 2)
        assert answer["text"] == refusal_text(tr, refusal), payload
        assert notice["text"] == consent_request_text(tr)
    assert await nabo.rows("SELECT * FROM residents") == []
    # Someone who uses Nabo: the answer, then the menu.
    await consented(nabo, 399, language)
    [answer, menu] = await open_link(nabo, 399, "a-999999", 2)
    assert answer["text"] == refusal_text(tr, Refusal.NOT_FOUND)
    assert tr.gettext("📅 Activities") in buttons(menu)
    [answer] = await open_link(nabo, 399, OpenActivity(past).pack())
    assert answer["text"] == refusal_text(tr, Refusal.ENDED)
    assert await events(nabo) == []
    assert await nabo.rows("SELECT COUNT(*) FROM signups") == [(0,)]


async def test_a_series_link_opens_its_next_date_and_nabos_link_the_menu(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    now = nabo.clock.now()
    weekly = [
        draft(
            now,
            starts_at=now + timedelta(days=-7 + 7 * week, hours=1),
            ends_at=now + timedelta(days=-7 + 7 * week, hours=3),
            title_en="Language café",
        )
        for week in range(3)
    ]
    [ids] = await ActivityRepository(nabo.store).add_series([weekly], now)
    await consented(nabo, 206, "en")
    [card] = await open_link(nabo, 206, OpenSeries(ids[0]).pack())
    second = await ActivityRepository(nabo.store).get(ids[1])
    assert second is not None
    assert tr.when(second.starts_at) in card["text"]
    source = await SourceRepository(nabo.store).create("Opslag vaskeriet", now)
    [menu] = await open_link(nabo, 206, JoinNabo(source.code).pack())
    assert tr.gettext("📅 Activities") in buttons(menu)


async def test_a_moved_activity_shows_its_new_time(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("da")
    now = nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    start = now + timedelta(days=4)
    moved = await ActivityRepository(nabo.store).reschedule(
        activity_id, start, start + timedelta(hours=2), now, nabo.config.timezone
    )
    assert moved is not None
    await consented(nabo, 207, "da")
    [card] = await open_link(nabo, 207, OpenActivity(activity_id).pack())
    assert tr.when(start) in card["text"]


# ------------------------------------------------------------------ check-in at the door


async def door_activity(nabo: Nabo, capacity: int | None = 10) -> tuple[int, str]:
    """An activity that starts in 20 minutes (check-in is open), and its door code."""
    now = nabo.clock.now()
    activity_id = await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(minutes=20),
        ends_at=now + timedelta(hours=2),
        capacity=capacity,
    )
    return activity_id, CheckIn(activity_id, door_token(await key(nabo), activity_id)).pack()


async def visits(nabo: Nabo, activity_id: int) -> int:
    [(attended, walk_ins)] = await nabo.rows(
        "SELECT COALESCE((SELECT SUM(adults + children) FROM signups WHERE activity_id = a.id"
        f" AND status = 'confirmed' AND attended = 1), 0), walk_ins FROM activities a"
        f" WHERE id = {activity_id}"
    )
    return int(attended) + int(walk_ins)  # type: ignore[call-overload]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_signed_up_residents_are_greeted_by_name_and_counted_once(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    activity_id, code = await door_activity(nabo)
    await consented(nabo, 210, language, first_name="Layla")
    await SignupRepository(nabo.store).sign_up(
        activity_id, 210, 2, 1, nabo.clock.now() - timedelta(days=1), waitlist=False
    )
    [hello] = await open_link(nabo, 210, code)
    assert hello["text"].startswith(
        tr.gettext("Welcome, {name}! 👋 You are checked in: {party}.").format(
            name=tr.ltr("Layla"), party=party_text(tr, 2, 1)
        )
    )
    assert await visits(nabo, activity_id) == 3
    [again] = await open_link(nabo, 210, code)
    assert again["text"].startswith(
        tr.gettext("✅ You are already checked in, {name}. Enjoy!").format(name=tr.ltr("Layla"))
    )
    assert await visits(nabo, activity_id) == 3


async def test_without_a_sign_up_they_say_who_came_and_get_a_place(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("ar")
    activity_id, code = await door_activity(nabo, capacity=3)
    await consented(nabo, 211, "ar", first_name="Omar")
    [question] = await open_link(nabo, 211, code)
    assert tr.ltr("Omar") in question["text"]
    nabo.server.press(211, question, "1")
    asked = await nabo.server.wait_for_edit(211, question["message_id"])
    nabo.server.press(211, asked, "1")
    [done] = await nabo.server.wait_for_messages(211)
    assert done["text"].startswith(
        tr.gettext("Welcome, {name}! 👋 You are checked in: {party}.").format(
            name=tr.ltr("Omar"), party=party_text(tr, 1, 1)
        )
    )
    # Signed up too, so the roster is right; the visit counts once.
    assert await nabo.rows(
        f"SELECT user_id, adults, children, status, attended FROM signups"
        f" WHERE activity_id = {activity_id}"
    ) == [(211, 1, 1, "confirmed", 1)]
    assert await visits(nabo, activity_id) == 2
    # A second person of the household: already counted, nothing added.
    await consented(nabo, 212, "ar", first_name="Huda")
    [question] = await open_link(nabo, 212, code)
    nabo.server.press(212, question, tr.gettext("👪 My household is checked in already"))
    said = await nabo.server.wait_for_edit(212, question["message_id"])
    assert said["text"] == tr.gettext("Good — then your household is counted already. Enjoy!")
    assert await visits(nabo, activity_id) == 2
    # The activity is full for the next party of two: a visit without a place, and staff see it.
    await consented(nabo, 213, "ar", first_name="Sami")
    [question] = await open_link(nabo, 213, code)
    nabo.server.press(213, question, "2")
    asked = await nabo.server.wait_for_edit(213, question["message_id"])
    nabo.server.press(213, asked, "0")
    [full] = await nabo.server.wait_for_messages(213)
    assert full["text"].startswith(
        tr.gettext(
            "Welcome, {name}! 👋 The activity is full, but you are welcome all the same: "
            "we counted your visit ({party}). The team knows."
        ).format(name=tr.ltr("Sami"), party=party_text(tr, 2, 0))
    )
    assert await visits(nabo, activity_id) == 4
    counts = await nabo.application.bot_data.services.checkins.door_count(activity_id)
    assert (counts.placed, counts.no_place) == (2, 2)
    # Scanning again counts once.
    [again] = await open_link(nabo, 213, code)
    assert again["text"].startswith(
        tr.gettext("✅ You are already checked in, {name}. Enjoy!").format(name=tr.ltr("Sami"))
    )
    assert await visits(nabo, activity_id) == 4


async def door_party(nabo: Nabo, user_id: int, code: str, adults: int) -> dict:
    """Scan the door code as someone not signed up, and say how many adults came."""
    [question] = await open_link(nabo, user_id, code)
    nabo.server.press(user_id, question, str(adults))
    asked = await nabo.server.wait_for_edit(user_id, question["message_id"])
    nabo.server.press(user_id, asked, "0")
    [answer] = await nabo.server.wait_for_messages(user_id)
    return answer


async def test_before_the_start_the_door_keeps_the_waitlist_first_come_first_served(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    activity_id, code = await door_activity(nabo, capacity=3)
    signups = SignupRepository(nabo.store)
    earlier = nabo.clock.now() - timedelta(days=1)
    for user_id, name in [(214, "Ann"), (215, "Ben"), (219, "Cai"), (220, "Dan")]:
        await consented(nabo, user_id, "en", first_name=name)
    await signups.sign_up(activity_id, 214, 2, 0, earlier, waitlist=False)
    # One place is free, but Ben's party of two waits at the head of the line, and Cai
    # behind him: promotion gives nobody that place ahead of Ben.
    ben = await signups.sign_up(activity_id, 215, 2, 0, earlier, waitlist=True)
    cai = await signups.sign_up(activity_id, 219, 1, 0, earlier, waitlist=True)
    assert ben.signup is not None
    assert cai.signup is not None
    assert (ben.outcome, cai.outcome) == ("waitlisted", "waitlisted")
    full = tr.gettext(
        "Welcome, {name}! 👋 The activity is full, but you are welcome all the same: "
        "we counted your visit ({party}). The team knows."
    )
    # Cai at the door does not jump the line: a visit, still waiting behind Ben.
    [at_door] = await open_link(nabo, 219, code)
    assert at_door["text"].startswith(full.format(name="Cai", party=party_text(tr, 1, 0)))
    still = await signups.get(cai.signup.id)
    assert still is not None
    assert still.status == "waitlisted"
    # Nor does someone who was not signed up.
    walk_in = await door_party(nabo, 220, code, 1)
    assert walk_in["text"].startswith(full.format(name="Dan", party=party_text(tr, 1, 0)))
    assert await nabo.rows(
        f"SELECT user_id, status FROM signups WHERE activity_id = {activity_id} ORDER BY id"
    ) == [(214, "confirmed"), (215, "waitlisted"), (219, "waitlisted")]
    assert await visits(nabo, activity_id) == 2
    # Staff add a place: the waitlist moves up in order, and Ben is expected at the door.
    await ActivityRepository(nabo.store).set_capacity(activity_id, 4, nabo.clock.now())
    promoted = await signups.promote(activity_id, nabo.clock.now())
    assert [recipient.signup.user_id for recipient in promoted] == [215]
    [welcome] = await open_link(nabo, 215, code)
    assert welcome["text"].startswith(
        tr.gettext("Welcome, {name}! 👋 You are checked in: {party}.").format(
            name="Ben", party=party_text(tr, 2, 0)
        )
    )
    assert await visits(nabo, activity_id) == 4


async def test_after_the_start_a_free_place_goes_to_whoever_is_at_the_door(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    activity_id, code = await door_activity(nabo, capacity=2)
    signups = SignupRepository(nabo.store)
    earlier = nabo.clock.now() - timedelta(days=1)
    for user_id, name in [(214, "Ann"), (215, "Ben"), (219, "Cai"), (220, "Dan")]:
        await consented(nabo, user_id, "en", first_name=name)
    await signups.sign_up(activity_id, 214, 2, 0, earlier, waitlist=False)
    await signups.sign_up(activity_id, 215, 1, 0, earlier, waitlist=True)
    cai = await signups.sign_up(activity_id, 219, 1, 0, earlier, waitlist=True)
    assert cai.signup is not None
    # Once it has started the waitlist no longer moves up: places staff add then are for
    # those who came, in the order they reach the door. Ben has not come.
    nabo.clock.advance(timedelta(minutes=30))
    await ActivityRepository(nabo.store).set_capacity(activity_id, 4, nabo.clock.now())
    assert await signups.promote(activity_id, nabo.clock.now()) == []
    [placed] = await open_link(nabo, 219, code)
    assert placed["text"].startswith(
        tr.gettext("Welcome, {name}! 👋 You are checked in: {party}.").format(
            name="Cai", party=party_text(tr, 1, 0)
        )
    )
    now_placed = await signups.get(cai.signup.id)
    assert now_placed is not None
    assert (now_placed.status, now_placed.attended) == ("confirmed", True)
    walk_in = await door_party(nabo, 220, code, 1)
    assert walk_in["text"].startswith(
        tr.gettext("Welcome, {name}! 👋 You are checked in: {party}.").format(
            name="Dan", party=party_text(tr, 1, 0)
        )
    )
    assert await visits(nabo, activity_id) == 2


async def test_a_newcomer_at_the_door_accepts_or_declines(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("da")
    activity_id, code = await door_activity(nabo)
    # Accepts: the check-in goes on.
    nabo.server.user(216, first_name="Karen", language_code="da")
    [notice] = await open_link(nabo, 216, code)
    nabo.server.press(216, notice, tr.gettext("✅ Yes, that's fine"))
    [_thanks, question] = await nabo.server.wait_for_messages(216, 2)
    assert "Karen" in question["text"]
    # Declines: one anonymous visit, nothing about them; scanning again counts again.
    for _ in range(2):
        nabo.server.user(217, first_name="Jens", language_code="da")
        [notice] = await open_link(nabo, 217, code)
        nabo.server.press(217, notice, tr.gettext("No thanks"))
        declined = await nabo.server.wait_for_edit(217, notice["message_id"])
        assert tr.gettext("Welcome! We counted your visit, without your name.") in declined["text"]
    await settle(nabo)
    assert await visits(nabo, activity_id) == 2
    assert await nabo.rows("SELECT user_id FROM residents") == [(216,)]
    assert await nabo.rows("SELECT user_id, how FROM door_checkins") == [
        (None, "anonymous"),
        (None, "anonymous"),
    ]


async def test_the_door_code_works_only_in_its_window(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    now = nabo.clock.now()
    activity_id = await add_activity(
        nabo.store, now, starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5)
    )
    code = CheckIn(activity_id, door_token(await key(nabo), activity_id)).pack()
    await consented(nabo, 218, "en")
    await SignupRepository(nabo.store).sign_up(activity_id, 218, 1, 0, now, waitlist=False)
    [early, _menu] = await open_link(nabo, 218, code, 2)
    opens = now + timedelta(hours=2, minutes=30)
    assert early["text"] == refusal_text(tr, Refusal.TOO_EARLY, opens)
    nabo.clock.advance(timedelta(hours=6))
    [late, _menu] = await open_link(nabo, 218, code, 2)
    assert late["text"] == refusal_text(tr, Refusal.DOOR_ENDED)
    # Another occurrence's code (a token made for a different id) does not work here.
    other = CheckIn(activity_id, door_token(await key(nabo), activity_id + 1)).pack()
    [forged, _menu] = await open_link(nabo, 218, other, 2)
    assert forged["text"] == refusal_text(tr, Refusal.FORGED)
    assert await visits(nabo, activity_id) == 0


@pytest.mark.parametrize("language", LANGUAGES)
async def test_mydata_shows_the_source_and_check_ins_and_deleteme_erases_them(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    from tests.test_privacy import places_holding

    tr = catalogs.translator(language)
    server = nabo.server
    user, name = 73310001, "Wilhelmina"
    activity_id, code = await door_activity(nabo)
    source = await SourceRepository(nabo.store).create("Opslag Houlkær opgang 12", nabo.clock.now())
    server.user(user, first_name=name, language_code=language)
    [notice] = await open_link(nabo, user, OpenActivity(activity_id, source.code).pack())
    server.press(user, notice, tr.gettext("✅ Yes, that's fine"))
    await server.wait_for_messages(user, 2)
    [question] = await open_link(nabo, user, code)
    server.press(user, question, "1")
    asked = await server.wait_for_edit(user, question["message_id"])
    server.press(user, asked, "0")
    await server.wait_for_messages(user)

    server.send_command(user, "mydata")
    [summary, file] = await server.wait_for_messages(user, 2)
    lines = summary["text"].splitlines()
    assert (
        tr.gettext("• You came to Nabo by: {source}").format(
            source=tr.ltr("Opslag Houlkær opgang 12")
        )
        in lines
    )
    assert tr.gettext("• Check-ins at the door: {count}").format(count=tr.ltr(1)) in lines
    export = server.document_bytes(user, file["message_id"]).decode("utf-8")
    assert source.code in export
    assert '"how": "placed"' in export

    server.send_command(user, "deleteme")
    [ask] = await server.wait_for_messages(user)
    server.press(user, ask, tr.gettext("🗑 Yes, delete my data"))
    await server.wait_for_edit(user, ask["message_id"])
    await settle(nabo)
    assert places_holding(nabo.config.database_path, [str(user), name]) == []
    # The counts stay: the visit, the check-in row without a person, the source's events.
    assert await visits(nabo, activity_id) == 1
    assert await nabo.rows("SELECT user_id, adults, how FROM door_checkins") == [
        (None, 1, "placed")
    ]
    # The door code carried no source: only the first start counts for the poster's.
    assert await events(nabo) == [(source.code, "resident")]


async def test_retention_unlinks_door_check_ins_with_the_sign_ups(nabo: Nabo) -> None:
    _activity_id, code = await door_activity(nabo)
    await consented(nabo, 230, "da", first_name="Bo")
    [question] = await open_link(nabo, 230, code)
    nabo.server.press(230, question, "1")
    asked = await nabo.server.wait_for_edit(230, question["message_id"])
    nabo.server.press(230, asked, "0")
    await nabo.server.wait_for_messages(230)
    signups = SignupRepository(nabo.store)
    assert await signups.unlink_ended_before(nabo.clock.now()) == 0
    assert await nabo.rows("SELECT user_id FROM door_checkins") == [(230,)]
    assert await signups.unlink_ended_before(nabo.clock.now() + timedelta(days=1)) == 1
    assert await nabo.rows("SELECT user_id FROM door_checkins") == [(None,)]

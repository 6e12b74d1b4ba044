"""Volunteer offers end to end, in three languages, over the local Bot API.

Residents offer help, share (or don't share) their number, change and withdraw the
offer; staff act on it in the staff chat and write to volunteers through Nabo.
"""

import pytest
from babel.lists import format_list

from bot.core.i18n import Catalogs, Translator
from bot.db.volunteers import VolunteerRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.volunteer import offer_lines, resident_offer_text, staff_card_text
from tests.conftest import (
    STAFF_CHAT_ID,
    STAFF_ID,
    Nabo,
    buttons,
    consented,
    open_staff_chat,
    refused,
    settle,
    team_outbox_idle,
)

LANGUAGES = ["da", "ar", "en"]
PHONE = "4512345678"


@pytest.fixture
def team(catalogs: Catalogs) -> Translator:
    """The staff chat reads the default language."""
    return catalogs.translator("da")


async def tap(server: BotApiServer, user_id: int, message: dict, label: str) -> dict:
    """Press a button that edits its own message; return the edited message."""
    server.press(user_id, message, label)
    return await server.wait_for_edit(user_id, message["message_id"])


async def tap_for_new(
    server: BotApiServer, user_id: int, message: dict, label: str, count: int = 1
) -> list[dict]:
    """Press a button that sends new messages; return them."""
    server.press(user_id, message, label)
    return await server.wait_for_messages(user_id, count)


async def say(server: BotApiServer, user_id: int, text: str, count: int = 1) -> list[dict]:
    server.send_text(user_id, text)
    return await server.wait_for_messages(user_id, count)


def toggle(tr: Translator, label: str, on: bool = False) -> str:
    return f"{'✅' if on else '◻️'} {tr.gettext(label)}"


async def offer_through_nabo(
    nabo: Nabo, tr: Translator, user_id: int, kinds: tuple[str, ...] = ("Homework help",)
) -> dict:
    """Go through the five steps: kinds, evenings, through Nabo, no note; send it."""
    server = nabo.server
    [step] = await say(server, user_id, "/volunteer")
    for label in kinds:
        step = await tap(server, user_id, step, toggle(tr, label))
    [step] = await tap_for_new(server, user_id, step, tr.gettext("Next ▶"))
    step = await tap(server, user_id, step, toggle(tr, "Evenings"))
    [step] = await tap_for_new(server, user_id, step, tr.gettext("Next ▶"))
    [step] = await tap_for_new(server, user_id, step, tr.gettext("💬 Through Nabo"))
    [step] = await tap_for_new(server, user_id, step, tr.gettext("Skip"))
    return await tap(server, user_id, step, tr.gettext("✅ Send my offer"))


async def staff_posts(nabo: Nabo) -> list[dict]:
    """The staff chat's messages after the greeting, as they read now."""
    return nabo.server.messages(STAFF_CHAT_ID)[1:]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_full_offer_with_a_shared_contact(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 1, language)

    [step1] = await say(server, 1, "/volunteer")
    assert step1["text"].startswith(
        tr.gettext(
            "🙋 Thank you for wanting to help your neighbours!\n\n"
            "It takes five short steps, and nothing is saved until you send it. "
            "You can stop at any time."
        )
    )
    assert toggle(tr, "Digital help (MitID, e-Boks, forms)") in buttons(step1)
    # Next with nothing ticked asks again.
    step1 = await tap(server, 1, step1, tr.gettext("Next ▶"))
    assert tr.gettext("Please choose at least one.") in step1["text"]
    step1 = await tap(server, 1, step1, toggle(tr, "Homework help"))
    assert toggle(tr, "Homework help", on=True) in buttons(step1)
    step1 = await tap(server, 1, step1, toggle(tr, "Something else"))
    [other] = await tap_for_new(server, 1, step1, tr.gettext("Next ▶"))
    assert other["text"] == tr.gettext(
        "What else would you like to help with? Write a few words (at most {limit} characters)."
    ).format(limit=tr.ltr(100))
    [step2] = await say(server, 1, "Cykler 🚲")
    step2 = await tap(server, 1, step2, toggle(tr, "Evenings"))
    step2 = await tap(server, 1, step2, toggle(tr, "Weekends"))
    [step3] = await tap_for_new(server, 1, step2, tr.gettext("Next ▶"))

    # The number is explained before it is asked for, and only the share button takes it.
    [explained] = await tap_for_new(server, 1, step3, tr.gettext("📞 By phone"))
    assert explained["text"] == tr.gettext(
        "📞 Your phone number is used for one thing only: so the team can call you "
        "about your offer of help. Only the team sees it, and it is deleted when you "
        "withdraw your offer or delete your data.\n\n"
        "Tap «📞 Share my number» below. Please don't type it: "
        "I only keep the number Telegram shares for you."
    )
    keyboard = explained["reply_keyboard"]["keyboard"]
    assert keyboard[0][0] == {"text": tr.gettext("📞 Share my number"), "request_contact": True}
    server.share_contact(1, PHONE)
    thanks, step4 = await server.wait_for_messages(1, 2)
    assert thanks["text"] == tr.gettext("📞 Thank you. The team can call you on this number.")
    assert thanks["reply_keyboard"] == {"remove_keyboard": True}

    # A note that looks like markup is kept and shown exactly as typed.
    note = "<b>Fri</b> *om* _aftenen_ [her](http://x.y) &amp; 🌙 مساء"
    [confirm] = await say(server, 1, note)
    assert tr.gettext("Note: {note}").format(note=tr.ltr(note)) in confirm["text"]
    assert confirm["parse_mode"] is None
    assert (
        tr.gettext("How the team reaches you: by phone, {phone}").format(phone=tr.ltr(f"+{PHONE}"))
        in confirm["text"]
    )
    assert buttons(confirm) == [tr.gettext("✅ Send my offer"), tr.gettext("✖ Stop")]
    assert step4["text"].startswith(
        tr.gettext("Step {step} of {steps}").format(step=tr.ltr(4), steps=tr.ltr(5))
    )

    done = await tap(server, 1, confirm, tr.gettext("✅ Send my offer"))
    assert done["text"] == tr.gettext(
        "🙌 Thank you! The team has your offer of help and will get in touch.\n\n"
        "Send /volunteer to see, change or withdraw it."
    )
    offer = await VolunteerRepository(nabo.store).get_for(1)
    assert offer is not None
    assert offer.kinds == ("homework", "other")
    assert offer.other_help == "Cykler 🚲"
    assert offer.times == ("evenings", "weekends")
    assert (offer.contact, offer.phone, offer.note) == ("phone", PHONE, note)
    assert offer.status == "new"

    [post] = await staff_posts(nabo)
    assert post["text"] == staff_card_text(team, offer, language, "new")
    assert f"+{PHONE}" in post["text"]
    assert note in post["text"]
    assert post["parse_mode"] is None
    assert buttons(post) == [
        team.gettext("📞 Contacted"),
        team.gettext("✅ Active"),
        team.gettext("⏸ Not now"),
        team.gettext("✍️ Write to them"),
    ]
    assert offer.staff_message_id == post["message_id"]

    # /volunteer now shows the offer, with a way to change or withdraw it.
    [shown] = await say(server, 1, "/volunteer")
    assert shown["text"] == resident_offer_text(tr, offer)
    assert buttons(shown) == [
        tr.gettext("✏️ Change my offer"),
        tr.gettext("🗑 Withdraw my offer"),
        tr.gettext("☰ Menu"),
    ]
    assert [r for r in refused(server) if "not modified" not in r[2]] == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_typed_number_is_never_stored(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await consented(nabo, 2, language)
    [step] = await say(server, 2, "/volunteer")
    step = await tap(server, 2, step, toggle(tr, "Practical help for neighbours"))
    [step] = await tap_for_new(server, 2, step, tr.gettext("Next ▶"))
    step = await tap(server, 2, step, toggle(tr, "Weekdays (daytime)"))
    [step] = await tap_for_new(server, 2, step, tr.gettext("Next ▶"))
    await tap_for_new(server, 2, step, tr.gettext("📞 By phone"))

    [refused] = await say(server, 2, "+45 87 65 43 21")
    assert refused["text"] == tr.gettext(
        "I don't keep numbers that are typed in, so I have not stored that. "
        "Please tap «📞 Share my number», or «💬 Through Nabo instead»."
    )
    # Someone else's contact card (from the attachment menu) is not the share button.
    server.share_contact(2, "4587654321", own=False)
    [not_own] = await server.wait_for_messages(2)
    assert not_own["text"] == tr.gettext(
        "That is not your own number, so I have not kept it. Tap «📞 Share my "
        "number» to share yours, or choose «💬 Through Nabo instead»."
    )
    fine, note_step = await say(server, 2, tr.gettext("💬 Through Nabo instead"), count=2)
    assert fine["reply_keyboard"] == {"remove_keyboard": True}
    # A number slipped into the note is refused too.
    [refused_note] = await say(server, 2, "Ring på 87 65 43 21")
    assert refused_note["text"] == tr.gettext(
        "Please leave out phone numbers: Nabo does not keep numbers that are typed "
        "in. Write it again without the number."
    )
    [confirm] = await say(server, 2, "Bedst om formiddagen")
    await tap(server, 2, confirm, tr.gettext("✅ Send my offer"))

    offer = await VolunteerRepository(nabo.store).get_for(2)
    assert offer is not None
    assert (offer.contact, offer.phone, offer.note) == ("nabo", None, "Bedst om formiddagen")
    assert note_step["text"].startswith(
        tr.gettext("Step {step} of {steps}").format(step=tr.ltr(4), steps=tr.ltr(5))
    )
    # The number is nowhere in the database.
    for table in ("volunteer_offers", "residents", "audit_log", "feedback", "signups"):
        for row in await nabo.rows(f"SELECT * FROM {table}"):
            assert not any("8765" in str(value) for value in row), table


@pytest.mark.parametrize("language", LANGUAGES)
async def test_change_and_withdraw_leave_no_contact_details(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 3, language)
    [step] = await say(server, 3, "/volunteer")
    step = await tap(server, 3, step, toggle(tr, "Homework help"))
    [step] = await tap_for_new(server, 3, step, tr.gettext("Next ▶"))
    step = await tap(server, 3, step, toggle(tr, "Weekends"))
    [step] = await tap_for_new(server, 3, step, tr.gettext("Next ▶"))
    await tap_for_new(server, 3, step, tr.gettext("📞 By phone"))
    server.share_contact(3, PHONE)
    await server.wait_for_messages(3, 2)
    [confirm] = await say(server, 3, "Kun i lige uger")
    await tap(server, 3, confirm, tr.gettext("✅ Send my offer"))
    [first_post] = await staff_posts(nabo)

    # Change: the choices come ticked; the number goes when Nabo is chosen instead.
    [shown] = await say(server, 3, "/volunteer")
    [step] = await tap_for_new(server, 3, shown, tr.gettext("✏️ Change my offer"))
    assert step["text"].startswith(tr.gettext("✏️ Change your offer of help."))
    assert toggle(tr, "Homework help", on=True) in buttons(step)
    step = await tap(server, 3, step, toggle(tr, "Language café"))
    [step] = await tap_for_new(server, 3, step, tr.gettext("Next ▶"))
    assert toggle(tr, "Weekends", on=True) in buttons(step)
    [step] = await tap_for_new(server, 3, step, tr.gettext("Next ▶"))
    [step] = await tap_for_new(server, 3, step, tr.gettext("💬 Through Nabo"))
    assert (
        tr.gettext("Your note now: {note}").format(note=tr.ltr("Kun i lige uger")) in step["text"]
    )
    [confirm] = await tap_for_new(server, 3, step, tr.gettext("Keep my note"))
    await tap(server, 3, confirm, tr.gettext("✅ Send my offer"))
    offer = await VolunteerRepository(nabo.store).get_for(3)
    assert offer is not None
    assert offer.kinds == ("homework", "language_cafe")
    assert (offer.contact, offer.phone, offer.note) == ("nabo", None, "Kun i lige uger")
    old_post, changed_post = await staff_posts(nabo)
    assert changed_post["text"] == staff_card_text(team, offer, language, "changed")
    # The older post no longer shows the number that was removed.
    assert old_post["message_id"] == first_post["message_id"]
    assert old_post["text"] == team.gettext(
        "✏️ Offer of help #{number} was changed: see the newer message."
    ).format(number=offer.id)
    assert buttons(old_post) == []

    # Withdraw, after a confirmation.
    [shown] = await say(server, 3, "/volunteer")
    [sure] = await tap_for_new(server, 3, shown, tr.gettext("🗑 Withdraw my offer"))
    done = await tap(server, 3, sure, tr.gettext("🗑 Yes, withdraw it"))
    assert done["text"] == tr.gettext(
        "Done — your offer of help is withdrawn, and your phone number and note are "
        "deleted. Thank you for offering! You are welcome back any time with /volunteer."
    )
    [row] = await nabo.rows(
        "SELECT status, phone, note, other_help, staff_message_id FROM volunteer_offers"
    )
    assert row == ("withdrawn", None, None, None, None)
    withdrawn = team.gettext("🙋 Offer of help #{number} was withdrawn.").format(number=offer.id)
    posts = await staff_posts(nabo)
    assert [post["text"] for post in posts[1:]] == [withdrawn, withdrawn]
    assert all(buttons(post) == [] for post in posts)
    assert not any(PHONE in post["text"] or "lige uger" in post["text"] for post in posts)

    [mydata, _file] = await say(server, 3, "/mydata", 2)
    assert (
        tr.gettext("• Offer of help as a volunteer: withdrawn, no contact details kept")
        in mydata["text"]
    )
    # /volunteer starts afresh.
    [again] = await say(server, 3, "/volunteer")
    assert toggle(tr, "Homework help") in buttons(again)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_staff_status_buttons_and_forged_presses(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 4, language)
    await consented(nabo, 5, language)  # a resident who is not staff
    await offer_through_nabo(nabo, tr, 4)
    [post] = await staff_posts(nabo)

    server.press(STAFF_ID, post, team.gettext("✅ Active"))
    active = await server.wait_for_edit(STAFF_CHAT_ID, post["message_id"])
    assert team.gettext("Status: {status}").format(status=team.gettext("Active")) in active["text"]
    assert buttons(active) == buttons(post)
    [row] = await nabo.rows("SELECT status FROM volunteer_offers")
    assert row == ("active",)
    audit = await nabo.rows("SELECT staff_user_id, action, subject, details FROM audit_log")
    assert audit == [(STAFF_ID, "volunteer.status", "volunteer:1", "status=active")]

    # A resident pressing the same buttons, in the staff chat or forged in their own
    # chat, gets the unknown-button answer; nothing changes, nothing is written.
    group_cursor = server.cursor(STAFF_CHAT_ID)
    for data in ("st:vol:s:1:n", "st:vol:w:1", "st:vol:o:1", "st:vol:list"):
        query = server.press_button(5, post["message_id"], data, chat_id=STAFF_CHAT_ID)
        answer = await server.wait_for_callback_answer(query)
        assert answer["text"] == tr.gettext("This button no longer works.")
    menu_id = server.messages(5)[0]["message_id"]
    for data in ("st:vol:s:1:n", "st:vol:s:1:x", "st:vol:w:1"):
        query = server.press_button(5, menu_id, data)
        answer = await server.wait_for_callback_answer(query)
        assert answer["text"] == tr.gettext("This button no longer works.")
        [reply] = await server.wait_for_messages(5)
        assert reply["text"] == tr.gettext("This button no longer works. Here is the menu:")
    await settle(nabo)
    assert server.cursor(STAFF_CHAT_ID) == group_cursor
    assert await nabo.rows("SELECT status FROM volunteer_offers") == [("active",)]
    assert len(await nabo.rows("SELECT * FROM audit_log")) == 1
    assert server.messages(STAFF_CHAT_ID)[-1]["text"] == active["text"]

    # /volunteers lists the offer by status and by kind, and opens its card.
    server.user(STAFF_ID, language_code=language)
    [listing] = await say(server, STAFF_ID, "/volunteers")
    assert (
        tr.gettext("{label}: {value}").format(label=tr.gettext("Active"), value=tr.ltr("#1"))
        in listing["text"]
    )
    assert (
        tr.gettext("{label}: {value}").format(label=tr.gettext("Homework help"), value=tr.ltr("#1"))
        in listing["text"]
    )
    [card] = await tap_for_new(server, STAFF_ID, listing, "#1")
    offer = await VolunteerRepository(nabo.store).get(1)
    assert offer is not None
    assert card["text"] == staff_card_text(tr, offer, language)
    not_now = await tap(server, STAFF_ID, card, tr.gettext("⏸ Not now"))
    assert tr.gettext("Status: {status}").format(status=tr.gettext("Not now")) in not_now["text"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_staff_write_to_a_volunteer_and_the_reply_reaches_the_staff_chat(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 6, language)
    server.user(STAFF_ID, language_code="da", first_name="Mette")
    await say(server, STAFF_ID, "/staff")  # the staff member has a private chat with Nabo
    await offer_through_nabo(nabo, tr, 6, kinds=("Digital help (MitID, e-Boks, forms)",))
    [post] = await staff_posts(nabo)
    assert team.gettext("Contact: through Nabo (use «Write to them»)") in post["text"]

    staff_cursor = server.cursor(STAFF_ID)
    server.press(STAFF_ID, post, team.gettext("✍️ Write to them"))
    [prompt] = await server.wait_for_messages(STAFF_ID, after=staff_cursor)
    assert prompt["text"] == team.gettext(
        "✍️ Write your message to volunteer #{number}. They get it from the team, exactly "
        "as you write it, and can reply. Send /cancel to stop."
    ).format(number=1)
    written = "Hej! Kan du hjælpe med MitID torsdag kl. 17? *Vi* har <kaffe>."
    volunteer_cursor = server.cursor(6)
    [sent] = await say(server, STAFF_ID, written)
    assert sent["text"] == team.gettext("✅ Sent to volunteer #{number}.").format(number=1)
    [message] = await server.wait_for_messages(6, after=volunteer_cursor)
    assert message["text"] == tr.gettext(
        "💬 A message from the team about your offer of help:\n\n{text}"
    ).format(text=tr.ltr(written))
    assert message["parse_mode"] is None
    assert buttons(message) == [tr.gettext("↩️ Reply to the team")]

    [ask] = await tap_for_new(server, 6, message, tr.gettext("↩️ Reply to the team"))
    assert ask["text"] == tr.gettext(
        "✍️ Write your reply to the team (at most {limit} characters). Send /cancel to stop."
    ).format(limit=tr.ltr(1000))
    reply = "Ja, gerne 🙂 نعم _klokken_ 17"
    group_cursor = server.cursor(STAFF_CHAT_ID)
    [thanks] = await say(server, 6, reply)
    assert thanks["text"] == tr.gettext("✅ Sent to the team. They will answer you here.")
    [relayed] = await server.wait_for_messages(STAFF_CHAT_ID, after=group_cursor)
    assert relayed["text"] == team.gettext("↩️ Reply from volunteer #{number}:\n\n{text}").format(
        number=1, text=reply
    )
    assert buttons(relayed) == [team.gettext("✍️ Write to them")]
    # Relayed as Nabo's own text, never forwarded: staff see no profile and no number.
    assert relayed["from"]["is_bot"]
    assert "forward_origin" not in relayed
    for text in [m["text"] for m in server.messages(STAFF_CHAT_ID)]:
        assert "R6" not in text
        assert "+" not in text
    mirrored = team.gettext("✉️ The team wrote to volunteer #{number}:\n\n{text}").format(
        number=1, text=written
    )
    assert mirrored in [m["text"] for m in server.messages(STAFF_CHAT_ID)]
    audit = await nabo.rows("SELECT action, subject, details FROM audit_log")
    assert audit == [("volunteer.message", "volunteer:1", "result=sent")]
    # Nothing anyone wrote is stored.
    assert await nabo.rows("SELECT note FROM volunteer_offers") == [(None,)]


async def test_over_long_texts_get_a_second_chance(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("ar")
    server = nabo.server
    await consented(nabo, 7, "ar")
    [step] = await say(server, 7, "/volunteer")
    step = await tap(server, 7, step, toggle(tr, "Something else"))
    await tap_for_new(server, 7, step, tr.gettext("Next ▶"))
    [too_long] = await say(server, 7, "ب" * 101)
    assert too_long["text"] == tr.gettext(
        "That is {count} characters; a message can have at most {limit}. "
        "Please shorten it and send it again."
    ).format(count=tr.ltr(101), limit=tr.ltr(100))
    [step] = await say(server, 7, "ب" * 100)
    step = await tap(server, 7, step, toggle(tr, "Weekends"))
    [step] = await tap_for_new(server, 7, step, tr.gettext("Next ▶"))
    [step] = await tap_for_new(server, 7, step, tr.gettext("💬 Through Nabo"))
    [too_long] = await say(server, 7, "🙂" * 501)
    assert too_long["text"] == tr.gettext(
        "That is {count} characters; a message can have at most {limit}. "
        "Please shorten it and send it again."
    ).format(count=tr.ltr(501), limit=tr.ltr(500))
    # 500 emoji are 1000 UTF-16 units, but 500 characters: within the limit.
    [confirm] = await say(server, 7, "🙂" * 500)
    assert confirm["text"].endswith(tr.gettext("Send it to the team?"))
    await tap(server, 7, confirm, tr.gettext("✅ Send my offer"))
    offer = await VolunteerRepository(nabo.store).get_for(7)
    assert offer is not None
    assert offer.note == "🙂" * 500
    assert "\n".join(offer_lines(tr, offer.draft())) in resident_offer_text(tr, offer)


async def test_stop_saves_nothing_and_removes_the_share_button(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    server = nabo.server
    await consented(nabo, 8, "en")
    [step] = await say(server, 8, "/volunteer")
    step = await tap(server, 8, step, toggle(tr, "Parties and events"))
    [step] = await tap_for_new(server, 8, step, tr.gettext("Next ▶"))
    step = await tap(server, 8, step, toggle(tr, "Evenings"))
    [step] = await tap_for_new(server, 8, step, tr.gettext("Next ▶"))
    await tap_for_new(server, 8, step, tr.gettext("📞 By phone"))
    [stopped] = await say(server, 8, "/cancel")
    assert stopped["text"] == tr.gettext("Stopped. Nothing was saved.")
    assert stopped["reply_keyboard"] == {"remove_keyboard": True}
    assert await nabo.rows("SELECT * FROM volunteer_offers") == []
    # A contact sent now, outside the conversation, is not kept either.
    server.share_contact(8, PHONE)
    await server.wait_for_messages(8)
    assert await nabo.rows("SELECT * FROM volunteer_offers") == []


async def test_deleteme_erases_the_offer_and_clears_the_staff_post(
    nabo: Nabo, catalogs: Catalogs, team: Translator
) -> None:
    tr = catalogs.translator("da")
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 9, "da")
    [step] = await say(server, 9, "/volunteer")
    step = await tap(server, 9, step, toggle(tr, "Sport and outdoor activities"))
    [step] = await tap_for_new(server, 9, step, tr.gettext("Next ▶"))
    step = await tap(server, 9, step, toggle(tr, "Weekends"))
    [step] = await tap_for_new(server, 9, step, tr.gettext("Next ▶"))
    await tap_for_new(server, 9, step, tr.gettext("📞 By phone"))
    server.share_contact(9, PHONE)
    await server.wait_for_messages(9, 2)
    [confirm] = await say(server, 9, "Fodbold")
    await tap(server, 9, confirm, tr.gettext("✅ Send my offer"))

    [mydata, _file] = await say(server, 9, "/mydata", 2)
    assert (
        tr.gettext("• Phone number, for your offer of help: {phone}").format(phone=f"+{PHONE}")
        in mydata["text"]
    )
    [sure] = await say(server, 9, "/deleteme")
    await tap(server, 9, sure, tr.gettext("🗑 Yes, delete my data"))
    assert await nabo.rows("SELECT * FROM volunteer_offers") == []
    await team_outbox_idle(nabo)  # the post's edit is durable, made by the team's outbox
    [post] = await staff_posts(nabo)
    assert post["text"] == team.gettext(
        "🙋 Offer of help #{number} was removed: the volunteer deleted their data."
    ).format(number=1)
    assert buttons(post) == []


async def test_broadcast_to_volunteers(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    for user_id in (10, 11):
        await consented(nabo, user_id, "da")
    await offer_through_nabo(nabo, da, 10)
    await say(server, STAFF_ID, "/broadcast")
    [arabic] = await say(server, STAFF_ID, "Vi mangler hjælpere til sommerfesten!")
    [english] = await tap_for_new(server, STAFF_ID, arabic, da.gettext("Skip"))
    [audience] = await tap_for_new(server, STAFF_ID, english, da.gettext("Skip"))
    label = da.gettext("Volunteers with an offer of help ({count})").format(count=1)
    assert label in buttons(audience)
    when = await tap(server, STAFF_ID, audience, label)
    preview = await tap_for_new(server, STAFF_ID, when, da.gettext("Send now"))
    assert preview[-1]["text"].split("\n\n")[-1] == da.ngettext(
        "It goes to {count} resident, {when}. Send it?",
        "It goes to {count} residents, {when}. Send it?",
        1,
    ).format(count=1, when=da.gettext("now"))
    cursor = {user_id: server.cursor(user_id) for user_id in (10, 11)}
    server.press(STAFF_ID, preview[-1], da.gettext("✅ Send"))
    [got] = await server.wait_for_messages(10, after=cursor[10])
    assert got["text"] == "Vi mangler hjælpere til sommerfesten!"
    await settle(nabo)
    assert server.cursor(11) == cursor[11]


def language_toggle(tr: Translator, code: str, on: bool = False) -> str:
    """A language button: Nabo's languages by their own names, any other in the reader's."""
    names = {"da": "Dansk", "ar": "العربية", "en": "English"}
    name = names.get(code) or tr.gettext("Another language")
    return f"{'✅' if on else '◻️'} {name}"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_translator_says_which_languages(
    nabo: Nabo, catalogs: Catalogs, team: Translator, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 4, language)
    [step1] = await say(server, 4, "/volunteer")
    step1 = await tap(server, 4, step1, toggle(tr, "Translating written texts"))
    [asked] = await tap_for_new(server, 4, step1, tr.gettext("Next ▶"))
    question = tr.gettext(
        "Which languages can you translate or interpret between? Tap at least two, "
        "then press Next. Another language? Say which in your note at step 4."
    )
    assert (
        asked["text"]
        == tr.gettext("Step {step} of {steps}").format(step=tr.ltr(1), steps=tr.ltr(5))
        + "\n"
        + question
    )
    assert buttons(asked)[:4] == [language_toggle(tr, code) for code in ("da", "ar", "en", "other")]
    # One language is not "between" languages.
    asked = await tap(server, 4, asked, language_toggle(tr, "ar"))
    asked = await tap(server, 4, asked, tr.gettext("Next ▶"))
    assert tr.gettext("Please choose at least two.") in asked["text"]
    asked = await tap(server, 4, asked, language_toggle(tr, "da"))
    assert language_toggle(tr, "da", on=True) in buttons(asked)
    [step2] = await tap_for_new(server, 4, asked, tr.gettext("Next ▶"))
    assert step2["text"].startswith(
        tr.gettext("Step {step} of {steps}").format(step=tr.ltr(2), steps=tr.ltr(5))
    )
    step2 = await tap(server, 4, step2, toggle(tr, "Weekends"))
    [step3] = await tap_for_new(server, 4, step2, tr.gettext("Next ▶"))
    [step4] = await tap_for_new(server, 4, step3, tr.gettext("💬 Through Nabo"))
    [confirm] = await tap_for_new(server, 4, step4, tr.gettext("Skip"))
    names = "Dansk" if language == "da" else tr.ltr("Dansk")
    assert (
        tr.gettext("Languages: {languages}").format(
            languages=format_list([names, "العربية"], locale=tr.locale)
        )
        in confirm["text"]
    )
    await tap(server, 4, confirm, tr.gettext("✅ Send my offer"))
    offer = await VolunteerRepository(nabo.store).get_for(4)
    assert offer is not None
    assert (offer.kinds, offer.languages) == (("translation",), ("da", "ar"))
    [post] = await staff_posts(nabo)
    assert post["text"] == staff_card_text(team, offer, language, "new")
    assert (
        team.gettext("Languages: {languages}").format(languages="Dansk og العربية") in post["text"]
    )

    # Changing the offer to other help drops the languages; the step is not asked.
    [shown] = await say(server, 4, "/volunteer")
    [change] = await tap_for_new(server, 4, shown, tr.gettext("✏️ Change my offer"))
    change = await tap(server, 4, change, toggle(tr, "Translating written texts", on=True))
    change = await tap(server, 4, change, toggle(tr, "Homework help"))
    [times] = await tap_for_new(server, 4, change, tr.gettext("Next ▶"))
    assert times["text"].startswith(
        tr.gettext("Step {step} of {steps}").format(step=tr.ltr(2), steps=tr.ltr(5))
    )
    [contact] = await tap_for_new(server, 4, times, tr.gettext("Next ▶"))
    [note] = await tap_for_new(server, 4, contact, tr.gettext("💬 Through Nabo"))
    [confirm] = await tap_for_new(server, 4, note, tr.gettext("Skip"))
    assert "العربية" not in confirm["text"]
    await tap(server, 4, confirm, tr.gettext("✅ Send my offer"))
    changed = await VolunteerRepository(nabo.store).get_for(4)
    assert changed is not None
    assert (changed.kinds, changed.languages) == (("homework",), ())

"""Arabic (and English) texts from volunteer translators, end to end over the local Bot API.

Staff write Danish. They ask volunteer translators for the Arabic of a message or an
activity; the first volunteer to press "I'll take it" gets it, writes it (in Arabic or in
Danish: the journeys run both ways), sends it; staff see it as residents will and use,
change or refuse it; nothing reaches residents before staff have seen it. Claims kept too
long go back, nobody answering in time asks staff what now, and a volunteer who withdraws,
blocks Nabo or deletes their data drops out.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.core.bidi import isolate_runs, set_apart
from bot.core.i18n import Catalogs, Translator
from bot.db.translations import TranslationRepository
from bot.db.volunteers import OfferDraft, VolunteerRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.activity import delaftale_name
from bot.views.activity_editor import translators_at_publish
from bot.views.broadcast import preview_parts
from bot.views.translation import ask_heading, source_text
from bot.work.translations import CLAIM_TIME, WAIT_MORE, ask_for_activity
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle
from tests.factories import add_activity
from tests.test_bidi import _line_problems
from tests.test_journey_broadcast import residents, wait_for_broadcast_end
from tests.test_journey_staff_activities import (
    ASK_START,
    CPH,
    in_days_at_17,
    press,
    presses,
    say,
    says,
    staff_user,
)
from tests.test_privacy import places_holding

DANISH = (
    "Husk fællesspisning i Houlkær i aften kl. 18. Tag MitID med, hvis du vil låne lokalet. "
    "Skriv /help, hvis du har spørgsmål."
)
ARABIC = (
    "تذكير: العشاء المشترك في Houlkær الليلة الساعة 18. أحضروا MitID إذا أردتم استعارة "
    "القاعة. اكتبوا /help إذا كانت لديكم أسئلة."
)
AMIRA, OMAR = 301, 302  # volunteer translators into Arabic
RESIDENT_AR, RESIDENT_DA = 311, 312


async def translator(
    nabo: Nabo, user_id: int, reads: str, languages: tuple[str, ...] = ("da", "ar")
) -> int:
    """A volunteer who translates: an active offer, contact through Nabo; its number."""
    await consented(nabo, user_id, reads)
    volunteers = VolunteerRepository(nabo.store)
    draft = OfferDraft(("translation",), ("evenings",), languages=languages)
    saved = await volunteers.save(user_id, draft, nabo.clock.now())
    await volunteers.set_status(saved.offer.id, "active", nabo.clock.now())
    return saved.offer.id


async def staff_says(server: BotApiServer, text: str, count: int = 1) -> list[dict]:
    server.send_text(STAFF_ID, text)
    return await server.wait_for_messages(STAFF_ID, count)


async def staff_presses(
    server: BotApiServer, message: dict, label: str, count: int = 1
) -> list[dict]:
    """Press a staff button that sends new messages; return them."""
    server.press(STAFF_ID, message, label)
    return await server.wait_for_messages(STAFF_ID, count)


async def edited(server: BotApiServer, user_id: int, message: dict, label: str) -> dict:
    """Press a button that changes its own message; return it changed."""
    server.press(user_id, message, label)
    return await server.wait_for_edit(user_id, message["message_id"])


def current(server: BotApiServer, chat_id: int, message: dict) -> dict:
    """A message as its reader sees it now (after edits)."""
    [now] = [m for m in server.messages(chat_id) if m["message_id"] == message["message_id"]]
    return now


async def message_asking_translators(
    nabo: Nabo, da: Translator, *, within: str = "🙋 Within 3 hours"
) -> list[dict]:
    """Staff write a message in Danish and keep it for an Arabic translation; return the
    staff's messages from the preview on."""
    server = nabo.server
    await staff_says(server, "/broadcast")
    [arabic] = await staff_says(server, DANISH)
    assert buttons(arabic) == [
        da.gettext("Skip"),
        da.gettext("🙋 Within 3 hours"),
        da.gettext("🙋 Within a day"),
        da.gettext("🙋 Within 3 days"),
    ]
    [english] = await staff_presses(server, arabic, da.gettext(within))
    hours = {"🙋 Within 3 hours": 3, "🙋 Within a day": 24, "🙋 Within 3 days": 72}[within]
    assert current(server, STAFF_ID, arabic)["text"] == da.ngettext(
        "🙋 Volunteer translators will be asked; the text is needed within {count} hour.",
        "🙋 Volunteer translators will be asked; the text is needed within {count} hours.",
        hours,
    ).format(count=hours)
    [audience] = await staff_presses(server, english, da.gettext("Skip"))
    when = await edited(server, STAFF_ID, audience, buttons(audience)[0])
    [preview] = await staff_presses(server, when, da.gettext("Send now"))
    needed_by = nabo.clock.now() + timedelta(hours=hours)
    count = len(await nabo.application.bot_data.services.broadcasts.audience("subscribers"))
    expected = preview_parts(da, {"da": DANISH}, count, None, {"ar": needed_by})
    assert preview["text"] == "\n\n".join("\n".join(part) for part in expected)
    assert buttons(preview) == [
        da.gettext("💾 Keep it and ask the translators"),
        da.gettext("🗑 Discard"),
    ]
    cursor = server.cursor(STAFF_ID)
    kept = await edited(server, STAFF_ID, preview, buttons(preview)[0])
    assert kept["text"] == da.gettext(
        "💾 Kept. The message waits for its translations: you will see each one here, "
        "and then the message to send."
    )
    return await server.wait_for_messages(STAFF_ID, after=cursor)


async def request_id(nabo: Nabo) -> int:
    [(newest,)] = await nabo.rows("SELECT MAX(id) FROM translation_requests")
    assert isinstance(newest, int)
    return newest


@pytest.mark.parametrize("reads", ["ar", "da"])
async def test_a_message_in_arabic_from_a_volunteer_translator(
    nabo: Nabo, catalogs: Catalogs, reads: str
) -> None:
    """The whole journey: asked, taken, checked, sent, seen, used, sent to residents."""
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await residents(nabo, {RESIDENT_AR: "ar", RESIDENT_DA: "da"})
    other_reads = "da" if reads == "ar" else "ar"
    amira_offer = await translator(nabo, AMIRA, reads)
    await translator(nabo, OMAR, other_reads)
    tr, other = catalogs.translator(reads), catalogs.translator(other_reads)
    cursors = {user: server.cursor(user) for user in (AMIRA, OMAR, RESIDENT_AR, RESIDENT_DA)}

    [asked] = await message_asking_translators(nabo, da)
    needed_by = nabo.clock.now() + timedelta(hours=3)
    assert asked["text"] == da.ngettext(
        "🙋 {count} volunteer translator was asked for the {language} text, needed by {when}. "
        "You will see it here before anything is used.",
        "🙋 {count} volunteer translators were asked for the {language} text, needed by {when}. "
        "You will see it here before anything is used.",
        2,
    ).format(count=2, language=da.gettext("Arabic"), when=da.when(needed_by))

    # Each translator is asked in the language they read Nabo in, with the Danish and the
    # time it is needed by; nothing has reached a resident.
    [ask] = await server.wait_for_messages(AMIRA, after=cursors[AMIRA])
    [ask_omar] = await server.wait_for_messages(OMAR, after=cursors[OMAR])
    request = await TranslationRepository(nabo.store).get(await request_id(nabo))
    assert request is not None
    assert ask["text"] == f"{ask_heading(tr, request)}\n\n{source_text(tr, request)}"
    assert tr.when(needed_by) in ask["text"]
    assert DANISH in ask["text"]
    assert buttons(ask) == [tr.gettext("🙋 I'll take it")]
    assert ask_omar["text"].startswith(ask_heading(other, request))
    for line in ask["text"].split("\n") if reads == "ar" else []:
        if line != DANISH:
            assert _line_problems(line) == [], line
    assert server.cursor(RESIDENT_AR) == cursors[RESIDENT_AR]

    # Amira takes it first; Omar, a moment later, is told it is taken.
    taken = await edited(server, AMIRA, ask, tr.gettext("🙋 I'll take it"))
    assert taken["text"].startswith(tr.gettext("✅ It is yours. Thank you!"))
    assert taken["text"].endswith(
        tr.ngettext(
            "✍️ Please send the text in {language} (at most {count} character).",
            "✍️ Please send the text in {language} (at most {count} characters).",
            4096,
        ).format(language=tr.gettext("Arabic"), count=tr.ltr(4096))
    )
    assert buttons(taken) == [tr.gettext("✍️ Write the translation"), tr.gettext("↩️ Give it back")]
    omar_sees = await edited(server, OMAR, ask_omar, other.gettext("🙋 I'll take it"))
    assert omar_sees["text"] == other.gettext(
        "🌐 Another volunteer has taken this translation. Thank you all the same!"
    )

    # What is not a translation into Arabic is refused, with the reason.
    async def amira_sends(text: str) -> str:
        server.send_text(AMIRA, text)
        [reply] = await server.wait_for_messages(AMIRA)
        return reply["text"]

    assert await amira_sends("Reminder: the shared dinner in Houlkær tonight at 6.") == (
        tr.gettext(
            "This does not look like {language}. Please write the translation in {language}; "
            "names such as {place} or {service} can stay as they are."
        ).format(language=tr.gettext("Arabic"), place=tr.ltr("Houlkær"), service=tr.ltr("MitID"))
    )
    assert await amira_sends(DANISH) == tr.gettext(
        "That is the Danish text. Please send it translated into {language}."
    ).format(language=tr.gettext("Arabic"))
    # Within Telegram's 4096 as typed, but not once every name is isolated.
    assert await amira_sends("كلمة Houlkær " * 300) == tr.ngettext(
        "That is too long: at most {count} character. Please shorten it and send it again.",
        "That is too long: at most {count} characters. Please shorten it and send it again.",
        4096,
    ).format(count=tr.ltr(4096))
    server.send_sticker(AMIRA)
    [sticker] = await server.wait_for_messages(AMIRA)
    assert sticker["text"] == tr.gettext("Please send the translation as a text message.")

    # A real one: she sees it as it will be sent, with the catalogs' isolates.
    server.send_text(AMIRA, ARABIC)
    [check] = await server.wait_for_messages(AMIRA)
    isolated = isolate_runs(ARABIC)
    assert isolated != ARABIC
    assert check["text"] == "\n\n".join(
        [
            tr.gettext("Please check your translation:"),
            # Set apart in a Danish message, so it reads right to left there too.
            set_apart(isolated, rtl_reader=tr.is_rtl),
            tr.gettext("Send it to the team?"),
        ]
    )
    staff_cursor = server.cursor(STAFF_ID)
    thanks = await edited(server, AMIRA, check, tr.gettext("✅ Send to the team"))
    assert thanks["text"] == tr.gettext(
        "🙏 Thank you! The team will look at your translation, and you will hear when it is used."
    )

    # Staff see it as residents who read Arabic will, from volunteer #n.
    [arrived] = await server.wait_for_messages(STAFF_ID, after=staff_cursor)
    subject = da.gettext("the message «{text}»").format(text=DANISH[:59] + "…")
    assert arrived["text"] == "\n\n".join(
        [
            da.gettext(
                "🌐 The {language} text for {subject} has come from volunteer #{number}."
            ).format(language=da.gettext("Arabic"), subject=subject, number=amira_offer),
            da.gettext("Residents who read {language} will see:").format(
                language=da.gettext("Arabic")
            ),
            set_apart(isolated, rtl_reader=False),
        ]
    )
    assert buttons(arrived) == [
        da.gettext("✅ Use it"),
        da.gettext("✏️ Change it first"),
        da.gettext("❌ Don't use it"),
    ]
    assert server.cursor(RESIDENT_AR) == cursors[RESIDENT_AR]  # still nothing

    # Used: Amira is thanked, and the whole message comes back to be sent.
    amira_cursor = server.cursor(AMIRA)
    server.press(STAFF_ID, arrived, da.gettext("✅ Use it"))
    used = await server.wait_for_edit(STAFF_ID, arrived["message_id"])
    assert used["text"] == da.gettext("✅ The {language} text for {subject} is used.").format(
        language=da.gettext("Arabic"), subject=subject
    )
    [ready] = await server.wait_for_messages(STAFF_ID)
    [thanked] = await server.wait_for_messages(AMIRA, after=amira_cursor)
    assert thanked["text"] == tr.gettext(
        "🙏 The team used your translation into {language}. Thank you for helping your neighbours!"
    ).format(language=tr.gettext("Arabic"))
    everyone = len(await nabo.application.bot_data.services.broadcasts.audience("subscribers"))
    parts = preview_parts(da, {"da": DANISH, "ar": isolated}, everyone, None)
    assert ready["text"] == "\n\n".join(
        [
            da.gettext("📣 Every translation of your message is decided. Here it is:"),
            *("\n".join(part) for part in parts),
        ]
    )
    assert buttons(ready) == [da.gettext("✅ Send"), da.gettext("🗑 Discard")]
    sending = await edited(server, STAFF_ID, ready, da.gettext("✅ Send"))
    assert sending["text"] == da.gettext("📤 Sending…")
    await wait_for_broadcast_end(nabo)

    [arabic] = await server.wait_for_messages(RESIDENT_AR, after=cursors[RESIDENT_AR])
    [danish] = await server.wait_for_messages(RESIDENT_DA, after=cursors[RESIDENT_DA])
    assert arabic["text"] == isolated
    assert danish["text"] == DANISH
    for line in arabic["text"].split("\n"):
        assert _line_problems(line) == [], line
    # The request keeps who did it and when, not the text (that is in the message now).
    assert await nabo.rows(
        "SELECT status, translator_id, title, text FROM translation_requests"
    ) == [("accepted", AMIRA, None, None)]
    assert await nabo.rows("SELECT COUNT(*) FROM broadcast_drafts") == [(0,)]
    # Sending it twice is not possible: the button no longer works.
    server.press_button(STAFF_ID, ready["message_id"], f"st:bc:ws:{request.draft_id}")
    await settle(nabo)
    assert await nabo.rows("SELECT COUNT(*) FROM broadcasts") == [(1,)]


async def asked_translators(nabo: Nabo, catalogs: Catalogs, *people: tuple[int, str]) -> list[dict]:
    """Translators (user, language read), staff keep a message for Arabic; the asks."""
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    cursors = {}
    for user_id, reads in people:
        await translator(nabo, user_id, reads)
        cursors[user_id] = server.cursor(user_id)
    await message_asking_translators(nabo, catalogs.translator("da"))
    return [
        (await server.wait_for_messages(user_id, after=cursors[user_id]))[-1]
        for user_id, _ in people
    ]


async def test_two_volunteers_pressing_at_once_give_one_text(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("da")
    server = nabo.server
    asks = await asked_translators(nabo, catalogs, (AMIRA, "da"), (OMAR, "da"))
    # Both press at the same moment: one gets the task, the other is told it is taken.
    for user_id, ask in zip((AMIRA, OMAR), asks, strict=True):
        server.press(user_id, ask, tr.gettext("🙋 I'll take it"))
    after = await asyncio.gather(
        *(
            server.wait_for_edit(user_id, ask["message_id"])
            for user_id, ask in zip((AMIRA, OMAR), asks, strict=True)
        )
    )
    await settle(nabo)
    texts = [
        current(server, user_id, ask)["text"]
        for user_id, ask in zip((AMIRA, OMAR), asks, strict=True)
    ]
    holders = [text.startswith(tr.gettext("✅ It is yours. Thank you!")) for text in texts]
    assert sorted(holders) == [False, True], after
    assert (
        tr.gettext("🌐 Another volunteer has taken this translation. Thank you all the same!")
        in texts
    )
    holder = (AMIRA, OMAR)[holders.index(True)]
    other = (AMIRA, OMAR)[holders.index(False)]
    [(status, translator_id)] = await nabo.rows(
        "SELECT status, translator_id FROM translation_requests"
    )
    assert (status, translator_id) == ("claimed", holder)
    # The other one's text is not taken.
    server.send_text(other, ARABIC)
    await settle(nabo)
    assert await nabo.rows("SELECT text FROM translation_requests") == [(None,)]
    # The holder sends it, and presses Send twice: staff get it once.
    server.send_text(holder, ARABIC)
    [check] = await server.wait_for_messages(holder)
    staff_cursor = server.cursor(STAFF_ID)
    server.press(holder, check, tr.gettext("✅ Send to the team"))
    server.press(holder, check, tr.gettext("✅ Send to the team"))
    await server.wait_for_messages(STAFF_ID, after=staff_cursor)
    await settle(nabo)
    assert server.cursor(STAFF_ID) == staff_cursor + 1
    assert await nabo.rows("SELECT status FROM translation_requests") == [("delivered",)]


async def test_a_task_kept_too_long_goes_back_to_the_others(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("da")
    server = nabo.server
    ask_amira, ask_omar = await asked_translators(nabo, catalogs, (AMIRA, "da"), (OMAR, "da"))
    await edited(server, AMIRA, ask_amira, tr.gettext("🙋 I'll take it"))
    await settle(nabo)
    assert current(server, OMAR, ask_omar)["text"] == tr.gettext(
        "🌐 Another volunteer has taken this translation. Thank you all the same!"
    )
    request = await request_id(nabo)
    # The job that gives it back is rebuilt from the database, after a restart too.
    await nabo.restart()
    nabo.clock.advance(CLAIM_TIME + timedelta(minutes=1))
    cursor = server.cursor(AMIRA)
    await nabo.run_job(f"translation:claim:{request}")
    [gone] = await server.wait_for_messages(AMIRA, after=cursor)
    assert gone["text"] == tr.ngettext(
        "⌛ The translation went back to the other volunteers, as we did not get it within "
        "{count} hour. Thank you all the same!",
        "⌛ The translation went back to the other volunteers, as we did not get it within "
        "{count} hours. Thank you all the same!",
        2,
    ).format(count=2)
    # Omar's ask has its button again, and he can take it; Amira's late text is not taken.
    await settle(nabo)
    again = current(server, OMAR, ask_omar)
    assert buttons(again) == [tr.gettext("🙋 I'll take it")]
    server.press_button(AMIRA, ask_amira["message_id"], f"tr:write:{request}")
    [not_hers] = await server.wait_for_messages(AMIRA)
    assert not_hers["text"] == tr.gettext(
        "This translation is no longer yours: it went back to the other volunteers or is no "
        "longer needed. Thank you all the same!"
    )
    taken = await edited(server, OMAR, again, tr.gettext("🙋 I'll take it"))
    assert taken["text"].startswith(tr.gettext("✅ It is yours. Thank you!"))


async def test_nobody_in_time_staff_wait_then_use_the_danish(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    await residents(nabo, {RESIDENT_AR: "ar"})
    [ask] = await asked_translators(nabo, catalogs, (AMIRA, "da"))
    request = await request_id(nabo)
    nabo.clock.advance(timedelta(hours=3))
    cursor = server.cursor(STAFF_ID)
    await nabo.run_job(f"translation:due:{request}")
    [overdue] = await server.wait_for_messages(STAFF_ID, after=cursor)
    subject = da.gettext("the message «{text}»").format(text=DANISH[:59] + "…")
    needed_by = nabo.clock.now()
    assert overdue["text"] == da.gettext(
        "⌛ The {language} text for {subject} has not come, and it was needed by {when}. What now?"
    ).format(language=da.gettext("Arabic"), subject=subject, when=da.when(needed_by))
    assert buttons(overdue) == [
        da.gettext("⏳ Wait one more day"),
        da.gettext("🇩🇰 Use the Danish"),
        da.gettext("✍️ I will write it myself"),
    ]
    waiting = await edited(server, STAFF_ID, overdue, da.gettext("⏳ Wait one more day"))
    assert waiting["text"] == da.gettext(
        "⏳ Fine: volunteers have until {when} for the {language} text."
    ).format(when=da.when(needed_by + WAIT_MORE), language=da.gettext("Arabic"))
    # A day later, still nothing: staff are told again, and send it with the Danish.
    nabo.clock.advance(WAIT_MORE)
    cursor = server.cursor(STAFF_ID)
    await nabo.run_job(f"translation:due:{request}")
    [overdue] = await server.wait_for_messages(STAFF_ID, after=cursor)
    server.press(STAFF_ID, overdue, da.gettext("🇩🇰 Use the Danish"))
    danish = await server.wait_for_edit(STAFF_ID, overdue["message_id"])
    assert danish["text"] == da.gettext(
        "🇩🇰 Fine: residents who read {language} get the Danish text of {subject}."
    ).format(language=da.gettext("Arabic"), subject=subject)
    [ready] = await server.wait_for_messages(STAFF_ID)
    assert (
        da.gettext("Residents who read {language} get the Danish text.").format(
            language=da.gettext("Arabic")
        )
        in ready["text"]
    )
    await settle(nabo)
    # Amira's ask says it is no longer needed.
    assert current(server, AMIRA, ask)["text"] == da.gettext(
        "🌐 This translation is no longer needed. Thank you all the same!"
    )
    cursor = server.cursor(RESIDENT_AR)
    await edited(server, STAFF_ID, ready, da.gettext("✅ Send"))
    await wait_for_broadcast_end(nabo)
    [arabic_reader] = await server.wait_for_messages(RESIDENT_AR, after=cursor)
    assert arabic_reader["text"] == DANISH
    assert await nabo.rows("SELECT status FROM translation_requests") == [("danish",)]


async def test_not_used_then_the_others_asked_or_staff_write_it(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    ask_amira, _ = await asked_translators(nabo, catalogs, (AMIRA, "da"), (OMAR, "da"))
    await edited(server, AMIRA, ask_amira, da.gettext("🙋 I'll take it"))
    server.send_text(AMIRA, "ترجمة سيئة")
    [check] = await server.wait_for_messages(AMIRA)
    staff_cursor = server.cursor(STAFF_ID)
    await edited(server, AMIRA, check, da.gettext("✅ Send to the team"))
    [arrived] = await server.wait_for_messages(STAFF_ID, after=staff_cursor)
    amira_cursor = server.cursor(AMIRA)
    refused = await edited(server, STAFF_ID, arrived, da.gettext("❌ Don't use it"))
    subject = da.gettext("the message «{text}»").format(text=DANISH[:59] + "…")
    assert refused["text"] == da.gettext(
        "❌ The {language} text for {subject} is not used. What now?"
    ).format(language=da.gettext("Arabic"), subject=subject)
    assert buttons(refused) == [
        da.gettext("🙋 Ask the other volunteers"),
        da.gettext("🇩🇰 Use the Danish"),
        da.gettext("✍️ I will write it myself"),
    ]
    [told] = await server.wait_for_messages(AMIRA, after=amira_cursor)
    assert told["text"] == da.gettext(
        "The team decided not to use your translation this time. Thank you for your help "
        "all the same!"
    )
    # Asked again: Omar, not Amira; his text is used.
    omar_cursor, amira_cursor = server.cursor(OMAR), server.cursor(AMIRA)
    [asked] = await staff_presses(server, refused, da.gettext("🙋 Ask the other volunteers"))
    assert asked["text"] == da.ngettext(
        "🙋 {count} volunteer translator was asked for the {language} text, needed by {when}. "
        "You will see it here before anything is used.",
        "🙋 {count} volunteer translators were asked for the {language} text, needed by {when}. "
        "You will see it here before anything is used.",
        1,
    ).format(count=1, language=da.gettext("Arabic"), when=da.when(nabo.clock.now() + WAIT_MORE))
    [new_ask] = await server.wait_for_messages(OMAR, after=omar_cursor)
    await edited(server, OMAR, new_ask, da.gettext("🙋 I'll take it"))
    await settle(nabo)
    assert server.cursor(AMIRA) == amira_cursor
    server.send_text(OMAR, ARABIC)
    [check] = await server.wait_for_messages(OMAR)
    staff_cursor = server.cursor(STAFF_ID)
    await edited(server, OMAR, check, da.gettext("✅ Send to the team"))
    [arrived] = await server.wait_for_messages(STAFF_ID, after=staff_cursor)
    assert isolate_runs(ARABIC) in arrived["text"]
    await edited(server, STAFF_ID, arrived, da.gettext("✅ Use it"))
    assert await nabo.rows(
        "SELECT status, translator_id FROM translation_requests ORDER BY id"
    ) == [
        ("retried", AMIRA),
        ("accepted", OMAR),
    ]


async def test_nobody_in_time_staff_write_it_themselves(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    [ask] = await asked_translators(nabo, catalogs, (AMIRA, "da"))
    await edited(server, AMIRA, ask, da.gettext("🙋 I'll take it"))  # and then nothing
    request = await request_id(nabo)
    nabo.clock.advance(timedelta(hours=3))
    cursor = server.cursor(STAFF_ID)
    await nabo.run_job(f"translation:due:{request}")
    [overdue] = await server.wait_for_messages(STAFF_ID, after=cursor)
    [prompt] = await staff_presses(server, overdue, da.gettext("✍️ I will write it myself"))
    assert prompt["text"] == "\n".join(
        [
            da.ngettext(
                "✍️ Write the text in {language} (at most {count} character).",
                "✍️ Write the text in {language} (at most {count} characters).",
                4096,
            ).format(language=da.gettext("Arabic"), count=4096),
            da.gettext("Send /cancel to stop."),
        ]
    )
    amira_cursor = server.cursor(AMIRA)
    used, ready = await staff_says(server, "مرحبا بالجميع في Houlkær", count=2)
    subject = da.gettext("the message «{text}»").format(text=DANISH[:59] + "…")
    assert used["text"] == da.gettext("✅ The {language} text for {subject} is used.").format(
        language=da.gettext("Arabic"), subject=subject
    )
    # Staff's Arabic gets the catalogs' isolates too.
    assert isolate_runs("مرحبا بالجميع في Houlkær") in ready["text"]
    # Amira, who held it, hears it is no longer needed.
    [told] = await server.wait_for_messages(AMIRA, after=amira_cursor)
    assert told["text"] == da.gettext(
        "🌐 This translation is no longer needed. Thank you all the same!"
    )
    assert await nabo.rows("SELECT status, translator_id FROM translation_requests") == [
        ("written", AMIRA)
    ]


ENZO = 303  # a volunteer translator into English
RESIDENT_EN = 313


async def test_an_activity_in_english_changed_by_staff_then_announced(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """From the activity editor: asked at publishing, changed and used, then announced."""
    da, en = catalogs.translator("da"), catalogs.translator("en")
    server = nabo.server
    staff_user(server)
    await residents(nabo, {RESIDENT_EN: "en"})
    await translator(nabo, ENZO, "en", ("da", "en"))
    enzo_cursor, resident_cursor = server.cursor(ENZO), server.cursor(RESIDENT_EN)

    await say(server, "/newactivity")
    arabic = await say(server, "Lektiecafé i Houlkær")
    english = await press(server, arabic, da.gettext("Skip ⏭"))
    assert english["text"].startswith(
        da.gettext(
            "And the title in {language}? Write it, press Skip (residents then see the Danish), "
            "or ask volunteer translators for the title and the description: choose by when "
            "you need them."
        ).format(language=da.gettext("English"))
    )
    description = await press(server, english, da.gettext("🙋 Within a day"))
    arabic_description = await say(server, "Vi hjælper med lektier. Tag MitID med.")
    assert arabic_description["text"].startswith(
        da.gettext("The description in Arabic? Press Skip if there is none.")
    )
    # The English description is left to the translators with the title: not asked.
    start = await press(server, arabic_description, da.gettext("Skip ⏭"))
    assert start["text"].startswith(da.gettext(ASK_START).split("{")[0])
    assert description["text"] != start["text"]
    starts = in_days_at_17(nabo.clock.now(), 5)
    await say(server, f"{starts.astimezone(CPH):%d.%m.%Y %H:%M}")
    await say(server, "19:00")
    await say(server, "Beboerhuset")
    question = await say(server, "20")
    question = await press(server, question, delaftale_name(da, "community"))
    question = await press(server, question, da.gettext("Other area"))
    question = await press(server, question, da.gettext("Skip ⏭"))
    *_, preview = await presses(server, question, da.gettext("No, just once"), count=4)
    assert translators_at_publish(da, "en", 24) in preview["text"]
    published, asked, later = await presses(
        server, preview, da.gettext("📣 Publish and announce"), count=3
    )
    assert published["text"] == da.ngettext(
        "✅ Published: {title}. {count} activity is now open for sign-up.",
        "✅ Published: {title}. {count} activities are now open for sign-up.",
        1,
    ).format(title="Lektiecafé i Houlkær", count=1)
    assert asked["text"].startswith("🙋")
    assert later["text"] == da.gettext(
        "📣 The announcement goes out once you have decided about the translations."
    )
    assert await nabo.rows("SELECT COUNT(*) FROM broadcasts") == [(0,)]  # it waits

    [ask] = await server.wait_for_messages(ENZO, after=enzo_cursor)
    assert ask["text"].endswith(
        "\n\n".join(
            [
                en.gettext("Title: {title}").format(title="Lektiecafé i Houlkær"),
                "Vi hjælper med lektier. Tag MitID med.",
            ]
        )
    )
    taken = await edited(server, ENZO, ask, en.gettext("🙋 I'll take it"))
    assert taken["text"].endswith(
        en.ngettext(
            "✍️ Please send the title in {language} (at most {count} character).",
            "✍️ Please send the title in {language} (at most {count} characters).",
            200,
        ).format(language=en.gettext("English"), count=200)
    )
    server.send_text(ENZO, "Homework café " * 18)
    [too_long] = await server.wait_for_messages(ENZO)
    assert too_long["text"].startswith("That is too long: at most 200 characters.")
    server.send_text(ENZO, "Homework café in Houlkær")
    [text_prompt] = await server.wait_for_messages(ENZO)
    assert text_prompt["text"].startswith("✍️ Please send the text in English")
    server.send_text(ENZO, "We help with homework. Bring MitID.")
    [check] = await server.wait_for_messages(ENZO)
    assert check["text"] == (
        "Please check your translation:\n\nTitle: Homework café in Houlkær\n\n"
        "We help with homework. Bring MitID.\n\nSend it to the team?"
    )
    staff_cursor = server.cursor(STAFF_ID)
    await edited(server, ENZO, check, en.gettext("✅ Send to the team"))
    [arrived] = await server.wait_for_messages(STAFF_ID, after=staff_cursor)
    subject = da.gettext("the activity «{title}»").format(title="Lektiecafé i Houlkær")
    assert subject in arrived["text"]

    # Staff keep the title and change the text; then the activity is announced.
    [title_prompt] = await presses(server, arrived, da.gettext("✏️ Change it first"))
    assert title_prompt["text"].endswith(
        da.gettext("Now it reads:") + "\n\nHomework café in Houlkær"
    )
    # A sticker is not a text: asked again, the question stays.
    server.send_sticker(STAFF_ID)
    [sticker] = await server.wait_for_messages(STAFF_ID)
    assert sticker["text"] == da.gettext("Please send the translation as a text message.")
    assert buttons(title_prompt) == [da.gettext("Keep it as it is")]
    [text_prompt] = await presses(server, title_prompt, da.gettext("Keep it as it is"))
    assert text_prompt["text"].endswith("We help with homework. Bring MitID.")
    used, announced = await says(server, "We help with homework every week. Bring MitID.", 2)
    assert used["text"] == da.gettext("✅ The {language} text for {subject} is used.").format(
        language=da.gettext("English"), subject=subject
    )
    assert announced["text"] == da.gettext(
        "📣 The activity «{title}» is announced now, as its translations are decided."
    ).format(title="Lektiecafé i Houlkær")
    [(title_en, description_en)] = await nabo.rows(
        "SELECT title_en, description_en FROM activities"
    )
    assert (title_en, description_en) == (
        "Homework café in Houlkær",
        "We help with homework every week. Bring MitID.",
    )
    await wait_for_broadcast_end(nabo)
    [announcement] = await server.wait_for_messages(RESIDENT_EN, after=resident_cursor)
    assert "Homework café in Houlkær" in announcement["text"]
    thanks = en.gettext(
        "🙏 The team used your translation into {language}. Thank you for helping your neighbours!"
    ).format(language=en.gettext("English"))
    assert thanks in [message["text"] for message in server.messages(ENZO)]


async def test_an_arabic_title_asked_for_from_the_edit_menu(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    activity = await add_activity(nabo.store, nabo.clock.now(), title_ar=None)
    await translator(nabo, AMIRA, "da")
    cursor = server.cursor(AMIRA)
    server.send_command(STAFF_ID, "staff")
    await server.wait_for_messages(STAFF_ID)
    server.press_button(
        STAFF_ID, server.messages(STAFF_ID)[-1]["message_id"], f"st:ef:{activity}:t_ar"
    )
    [prompt] = await server.wait_for_messages(STAFF_ID)
    assert buttons(prompt) == [
        da.gettext("🗑 Remove this text"),
        da.gettext("🙋 Within 3 hours"),
        da.gettext("🙋 Within a day"),
        da.gettext("🙋 Within 3 days"),
    ]
    [asked] = await presses(server, prompt, da.gettext("🙋 Within 3 days"))
    assert asked["text"].startswith("🙋")
    [ask] = await server.wait_for_messages(AMIRA, after=cursor)
    # The title only: the description has its own text in Arabic already, or is asked alone.
    assert ask["text"].endswith(da.gettext("Title: {title}").format(title="Lektiecafé"))
    # The editor's question is over: what staff type next is not the new title.
    await says(server, "مقهى")
    assert await nabo.rows(f"SELECT title_ar FROM activities WHERE id = {activity}") == [(None,)]


async def test_a_volunteer_who_withdraws_or_blocks_nabo_drops_out(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    ask_amira, ask_omar = await asked_translators(nabo, catalogs, (AMIRA, "da"), (OMAR, "da"))
    await edited(server, AMIRA, ask_amira, da.gettext("🙋 I'll take it"))
    await settle(nabo)
    assert buttons(current(server, OMAR, ask_omar)) == []
    # Amira withdraws her offer: the task goes back, Omar's ask has its button again.
    server.send_command(AMIRA, "volunteer")
    [shown] = await server.wait_for_messages(AMIRA)
    server.press(AMIRA, shown, da.gettext("🗑 Withdraw my offer"))
    [sure] = await server.wait_for_messages(AMIRA)
    await edited(server, AMIRA, sure, da.gettext("🗑 Yes, withdraw it"))
    await settle(nabo)
    assert buttons(current(server, OMAR, ask_omar)) == [da.gettext("🙋 I'll take it")]
    assert await nabo.rows("SELECT status, translator_id FROM translation_requests") == [
        ("open", None)
    ]
    # She can no longer take it (her offer is withdrawn).
    server.press_button(AMIRA, ask_amira["message_id"], f"tr:take:{await request_id(nabo)}")
    [refused] = await server.wait_for_messages(AMIRA)
    assert refused["text"] == da.gettext(
        "This task is for volunteers who translate from Danish into {language} and whose "
        "offer of help the team has marked active. You can change your offer with /volunteer."
    ).format(language=da.gettext("Arabic"))
    # Omar takes it, then blocks Nabo: it is open again.
    await edited(server, OMAR, current(server, OMAR, ask_omar), da.gettext("🙋 I'll take it"))
    server.block(OMAR)
    await settle(nabo)
    assert await nabo.rows("SELECT status, translator_id FROM translation_requests") == [
        ("open", None)
    ]


async def test_a_translator_s_data_and_its_erasure(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    ask_amira, ask_omar = await asked_translators(nabo, catalogs, (AMIRA, "da"), (OMAR, "da"))
    await edited(server, AMIRA, ask_amira, da.gettext("🙋 I'll take it"))
    server.send_text(AMIRA, "نص لم يكتمل بعد")  # written, not sent yet
    await server.wait_for_messages(AMIRA)
    server.send_command(AMIRA, "mydata")
    summary, file = await server.wait_for_messages(AMIRA, 2)
    assert (
        da.gettext("• Translations you took on as a volunteer: {count}").format(count=1)
        in summary["text"].splitlines()
    )
    assert (
        da.gettext("• Languages you translate or interpret between: {languages}").format(
            languages="Dansk og العربية"
        )
        in summary["text"].splitlines()
    )
    export = json.loads(server.document_bytes(AMIRA, file["message_id"]).decode("utf-8"))
    [task] = export["translations_by_you"]
    assert (task["status"], task["text"]) == ("claimed", "نص لم يكتمل بعد")
    assert export["volunteer_offer"]["languages"] == "da,ar"
    assert len(export["translation_tasks_offered_to_you"]) == 1
    # Erased: her unfinished work goes back to the others, and nothing of her is left.
    server.send_command(AMIRA, "deleteme")
    [ask] = await server.wait_for_messages(AMIRA)
    server.press(AMIRA, ask, da.gettext("🗑 Yes, delete my data"))
    await server.wait_for_edit(AMIRA, ask["message_id"])
    await settle(nabo)
    assert places_holding(nabo.config.database_path, [str(AMIRA), "نص لم يكتمل"]) == []
    assert await nabo.rows("SELECT status, translator_id FROM translation_requests") == [
        ("open", None)
    ]
    assert buttons(current(server, OMAR, ask_omar)) == [da.gettext("🙋 I'll take it")]


async def test_no_translator_yet_then_one_joins(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    [asked] = await message_asking_translators(nabo, da)
    assert asked["text"] == da.gettext(
        "No volunteer translates from Danish into {language} just now. Volunteers who "
        "join will be asked until {when}, or you choose below."
    ).format(language=da.gettext("Arabic"), when=da.when(nabo.clock.now() + timedelta(hours=3)))
    assert buttons(asked) == [
        da.gettext("🇩🇰 Use the Danish"),
        da.gettext("✍️ I will write it myself"),
    ]
    # A volunteer's offer is marked active: at the next rebuild of the jobs, they are asked.
    await translator(nabo, AMIRA, "da")
    cursor = server.cursor(AMIRA)
    await nabo.run_job("jobs:sync")
    [ask] = await server.wait_for_messages(AMIRA, after=cursor)
    assert buttons(ask) == [da.gettext("🙋 I'll take it")]


async def test_a_cancelled_activity_needs_no_translation(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    activity = await add_activity(nabo.store, nabo.clock.now(), title_ar=None)
    await translator(nabo, AMIRA, "da")
    cursor = server.cursor(AMIRA)
    server.send_command(STAFF_ID, "staff")
    await server.wait_for_messages(STAFF_ID)
    server.press_button(
        STAFF_ID, server.messages(STAFF_ID)[-1]["message_id"], f"st:ef:{activity}:t_ar"
    )
    [prompt] = await server.wait_for_messages(STAFF_ID)
    await presses(server, prompt, da.gettext("🙋 Within a day"))
    [ask] = await server.wait_for_messages(AMIRA, after=cursor)
    await edited(server, AMIRA, ask, da.gettext("🙋 I'll take it"))
    cursor = server.cursor(AMIRA)
    server.press_button(STAFF_ID, prompt["message_id"], f"st:cy:{activity}")
    [told] = await server.wait_for_messages(AMIRA, after=cursor)
    assert told["text"] == da.gettext(
        "🌐 This translation is no longer needed. Thank you all the same!"
    )
    assert await nabo.rows("SELECT status FROM translation_requests") == [("cancelled",)]


async def edit_prompt(nabo: Nabo, activity: int, field: str) -> list[dict]:
    """Staff open the prompt for a new text of an activity (its edit menu's button)."""
    server = nabo.server
    server.send_command(STAFF_ID, "staff")
    [menu] = await server.wait_for_messages(STAFF_ID)
    server.press_button(STAFF_ID, menu["message_id"], f"st:ef:{activity}:{field}")
    return await server.wait_for_messages(STAFF_ID)


async def test_what_a_volunteer_wrote_survives_a_restart(nabo: Nabo, catalogs: Catalogs) -> None:
    """The title is kept as it comes; after a restart the button takes up the text."""
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    activity = await add_activity(
        nabo.store, nabo.clock.now(), title_ar=None, description_da="Vi hjælper med lektier."
    )
    await translator(nabo, AMIRA, "da")
    cursor = server.cursor(AMIRA)
    # Title and description, as the new activity's editor asks (here without its questions).
    await ask_for_activity(nabo.application, activity, "ar", hours=24, staff_user_id=STAFF_ID)
    [ask] = await server.wait_for_messages(AMIRA, after=cursor)
    taken = await edited(server, AMIRA, ask, da.gettext("🙋 I'll take it"))
    server.send_text(AMIRA, "مقهى الواجبات")
    [text_prompt] = await server.wait_for_messages(AMIRA)
    assert text_prompt["text"].startswith("✍️")
    await nabo.restart()
    # The conversation was in memory; the button on her message brings it back.
    server.press(AMIRA, taken, da.gettext("✍️ Write the translation"))
    [again] = await server.wait_for_messages(AMIRA)
    assert again["text"] == text_prompt["text"]
    server.send_text(AMIRA, "نساعد في الواجبات.")
    [check] = await server.wait_for_messages(AMIRA)
    assert set_apart("مقهى الواجبات", rtl_reader=False) in check["text"]
    assert set_apart("نساعد في الواجبات.", rtl_reader=False) in check["text"]


async def test_a_message_sent_after_its_translations_is_recorded_as_one_sent_at_once(
    nabo: Nabo, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    """Sent from the preview or after its translations: the same audit entry and log line."""
    da = catalogs.translator("da")
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    await residents(nabo, {RESIDENT_AR: "ar"})
    [asked] = await message_asking_translators(nabo, da)  # nobody translates yet
    [ready] = await staff_presses(server, asked, da.gettext("🇩🇰 Use the Danish"))
    caplog.set_level("INFO", logger="handlers.broadcast")
    sending = await edited(server, STAFF_ID, ready, da.gettext("✅ Send"))
    assert sending["text"] == da.gettext("📤 Sending…")
    await wait_for_broadcast_end(nabo)
    [(broadcast,)] = await nabo.rows("SELECT id FROM broadcasts")
    assert await nabo.rows(
        "SELECT staff_user_id, subject, details FROM audit_log WHERE action = 'broadcast.create'"
    ) == [
        (
            STAFF_ID,
            f"broadcast:{broadcast}",
            f"audience=subscribers send_at={nabo.clock.now().isoformat()}",
        )
    ]
    assert f"broadcast {broadcast} created by staff" in caplog.messages

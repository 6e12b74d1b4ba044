"""A message as long as Telegram allows, translated by a volunteer: every screen reaches its reader.

The Danish quoted to a volunteer, and the translation quoted back to staff, come with a
heading and a question, and with isolates on each line written the other way round from
the reader's language. However long the text, each message stays within Telegram's 4096
characters: what does not fit goes on in the next message, the buttons under the last.
"""

from __future__ import annotations

import re

import pytest

from bot.core.bidi import isolate_runs
from bot.core.i18n import Catalogs, Translator
from bot.db.translations import TranslationRepository
from bot.sandbox.botapi import BotApiServer
from bot.views.activity import MAX_MESSAGE
from bot.views.staff_texts import utf16_len
from bot.views.translation import ask_heading
from tests.conftest import STAFF_ID, Nabo, buttons, settle
from tests.test_journey_broadcast import residents, wait_for_broadcast_end
from tests.test_journey_translation import (
    AMIRA,
    RESIDENT_AR,
    current,
    edited,
    request_id,
    staff_presses,
    staff_says,
    translator,
)

_MARKS = re.compile("[\u2066-\u2069\u200e\u200f]")


def _long(line: str, fits: int) -> str:
    """Lines of ``line`` up to ``fits`` UTF-16 units, the last filled up with dots."""
    lines: list[str] = []
    while utf16_len("\n".join([*lines, line])) <= fits:
        lines.append(line)
    text = "\n".join(lines)
    return text + "." * (fits - utf16_len(text))


# Staff's Danish at Telegram's limit, in many lines (each is set apart for an Arabic reader).
DANISH = _long("Husk fællesspisning i Houlkær i aften kl. 18, og tag MitID med til lokalet.", 4096)
_ARABIC_LINE = "تذكير: العشاء المشترك في Houlkær الليلة الساعة 18، وأحضروا MitID للقاعة."


def _arabic() -> str:
    """An Arabic translation as long as residents can get once its names are isolated."""
    lines: list[str] = []
    while utf16_len(isolate_runs("\n".join([*lines, _ARABIC_LINE]))) <= MAX_MESSAGE:
        lines.append(_ARABIC_LINE)
    return "\n".join(lines)


ARABIC = _arabic()


def plain(messages: list[dict]) -> str:
    """What a set of messages says, without direction marks and isolates."""
    return _MARKS.sub("", "\n".join(message["text"] for message in messages))


def shows_whole(messages: list[dict], text: str) -> bool:
    """Whether every line of ``text`` is in the messages, in order."""
    said = plain(messages)
    position = 0
    for line in _MARKS.sub("", text).split("\n"):
        found = said.find(line, position)
        if found < 0:
            return False
        position = found + len(line)
    return True


async def new_messages(nabo: Nabo, user_id: int, cursor: int) -> list[dict]:
    """The messages a person got since ``cursor``, once Nabo has finished."""
    await settle(nabo)
    return nabo.server.messages(user_id)[cursor:]


def within_limit(server: BotApiServer) -> None:
    """Nothing was refused as too long, and every message sent fits."""
    assert [r for r in server.rejected if "too long" in r[2].lower()] == []


async def keep_for_arabic(nabo: Nabo, da: Translator) -> None:
    """Staff write the long Danish and keep it for volunteer translators into Arabic."""
    server = nabo.server
    await staff_says(server, "/broadcast")
    [arabic] = await staff_says(server, DANISH)
    [english] = await staff_presses(server, arabic, da.gettext("🙋 Within 3 hours"))
    [audience] = await staff_presses(server, english, da.gettext("Skip"))
    when = await edited(server, STAFF_ID, audience, buttons(audience)[0])
    cursor = server.cursor(STAFF_ID)
    server.press(STAFF_ID, when, da.gettext("Send now"))
    preview = (await new_messages(nabo, STAFF_ID, cursor))[-1]
    await edited(server, STAFF_ID, preview, da.gettext("💾 Keep it and ask the translators"))
    await settle(nabo)


@pytest.mark.parametrize("reads", ["ar", "da"])
async def test_a_message_at_telegram_s_limit_is_asked_written_checked_and_used(
    nabo: Nabo, catalogs: Catalogs, reads: str
) -> None:
    da, tr = catalogs.translator("da"), catalogs.translator(reads)
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    assert utf16_len(DANISH) == MAX_MESSAGE
    assert MAX_MESSAGE - 100 < utf16_len(isolate_runs(ARABIC)) <= MAX_MESSAGE
    await residents(nabo, {RESIDENT_AR: "ar"})
    await translator(nabo, AMIRA, reads)
    cursor = server.cursor(AMIRA)
    await keep_for_arabic(nabo, da)

    # Asked: the heading and the whole Danish, the button under the last message.
    asks = await new_messages(nabo, AMIRA, cursor)
    request = await TranslationRepository(nabo.store).get(await request_id(nabo))
    assert request is not None
    assert asks, "the volunteer was not asked"
    assert asks[0]["text"].startswith(ask_heading(tr, request))
    assert shows_whole(asks, DANISH)
    assert buttons(asks[-1]) == [tr.gettext("🙋 I'll take it")]
    assert [button for ask in asks[:-1] for button in buttons(ask)] == []
    within_limit(server)

    # Taken: the pressed message says so; the Danish again, then the question and buttons.
    cursor = server.cursor(AMIRA)
    server.press(AMIRA, asks[-1], tr.gettext("🙋 I'll take it"))
    followed = await new_messages(nabo, AMIRA, cursor)
    taken = [current(server, AMIRA, asks[-1]), *followed]
    assert taken[0]["text"].startswith(tr.gettext("✅ It is yours. Thank you!"))
    assert shows_whole(taken, DANISH)
    assert taken[-1]["text"].endswith(
        tr.ngettext(
            "✍️ Please send the text in {language} (at most {count} character).",
            "✍️ Please send the text in {language} (at most {count} characters).",
            MAX_MESSAGE,
        ).format(language=tr.gettext("Arabic"), count=tr.ltr(MAX_MESSAGE))
    )
    assert buttons(taken[-1]) == [
        tr.gettext("✍️ Write the translation"),
        tr.gettext("↩️ Give it back"),
    ]
    within_limit(server)

    # Her translation, as long as residents can get it: she sees the whole of it to check.
    cursor = server.cursor(AMIRA)
    server.send_text(AMIRA, ARABIC)
    check = await new_messages(nabo, AMIRA, cursor)
    assert check[0]["text"].startswith(tr.gettext("Please check your translation:"))
    assert shows_whole(check, ARABIC)
    assert check[-1]["text"].endswith(tr.gettext("Send it to the team?"))
    assert buttons(check[-1]) == [tr.gettext("✅ Send to the team"), tr.gettext("✏️ Write it again")]
    within_limit(server)

    # Staff see all of it as residents will, with their choices under the last message.
    staff_cursor = server.cursor(STAFF_ID)
    await edited(server, AMIRA, check[-1], tr.gettext("✅ Send to the team"))
    arrived = await new_messages(nabo, STAFF_ID, staff_cursor)
    assert arrived, "staff never saw the translation"
    assert shows_whole(arrived, ARABIC)
    assert buttons(arrived[-1]) == [
        da.gettext("✅ Use it"),
        da.gettext("✏️ Change it first"),
        da.gettext("❌ Don't use it"),
    ]
    within_limit(server)

    # Changing it first: the volunteer's text to copy, whole; kept as it is.
    staff_cursor = server.cursor(STAFF_ID)
    server.press(STAFF_ID, arrived[-1], da.gettext("✏️ Change it first"))
    prompt = await new_messages(nabo, STAFF_ID, staff_cursor)
    assert shows_whole(prompt, ARABIC)
    assert buttons(prompt[-1]) == [da.gettext("Keep it as it is")]
    staff_cursor = server.cursor(STAFF_ID)
    server.press(STAFF_ID, prompt[-1], da.gettext("Keep it as it is"))
    ready = await new_messages(nabo, STAFF_ID, staff_cursor)
    assert buttons(ready[-1]) == [da.gettext("✅ Send"), da.gettext("🗑 Discard")]
    within_limit(server)

    # Sent: the resident who reads Arabic gets the translation, exactly.
    resident_cursor = server.cursor(RESIDENT_AR)
    await edited(server, STAFF_ID, ready[-1], da.gettext("✅ Send"))
    await wait_for_broadcast_end(nabo)
    [message] = await server.wait_for_messages(RESIDENT_AR, after=resident_cursor)
    assert message["text"] == isolate_runs(ARABIC)
    within_limit(server)

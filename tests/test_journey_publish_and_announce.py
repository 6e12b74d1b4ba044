"""'Publish and announce' keeps its promise even when Nabo stops right after publishing.

Publishing saves the activity, the translations staff asked for and the announcement
together. Whatever happens after (Telegram failing, Nabo stopping) the next rebuild of
the jobs asks the translators and sends the announcement, once.
"""

from __future__ import annotations

from bot.core.i18n import Catalogs
from bot.views.activity import delaftale_name
from tests.conftest import STAFF_ID, Nabo, buttons, settle
from tests.test_journey_broadcast import residents, wait_for_broadcast_end
from tests.test_journey_staff_activities import (
    CPH,
    fill_in,
    in_days_at_17,
    press,
    presses,
    say,
    staff_user,
)
from tests.test_journey_translation import AMIRA, RESIDENT_AR, current, edited, translator

RESIDENT_DA = 312


def fails_after_saving(nabo: Nabo) -> None:
    """Telegram fails the staff member's next message: the press stops right after saving."""
    nabo.server.fail_next("sendMessage", 502, "Bad Gateway", chat_id=STAFF_ID)


async def test_an_announcement_stopped_after_publishing_goes_out_at_the_next_rebuild(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    await residents(nabo, {RESIDENT_DA: "da"})
    cursor = server.cursor(RESIDENT_DA)
    starts = in_days_at_17(nabo.clock.now(), 5)
    summary = await fill_in(server, da, start=f"{starts.astimezone(CPH):%d.%m.%Y %H:%M}")
    fails_after_saving(nabo)
    server.press(STAFF_ID, summary, da.gettext("📣 Publish and announce"))
    await settle(nabo)
    [(activity_id,)] = await nabo.rows("SELECT id FROM activities WHERE status = 'published'")

    await nabo.run_job("jobs:sync")
    await wait_for_broadcast_end(nabo)
    [announcement] = await server.wait_for_messages(RESIDENT_DA, after=cursor)
    assert announcement["text"].startswith(
        da.gettext("📣 New activity!\n\n{activity}\n{availability}").split("\n")[0]
    )
    assert "Fællesspisning" in announcement["text"]
    # Once: a later rebuild sends nothing more.
    await nabo.run_job("jobs:sync")
    await settle(nabo)
    assert server.cursor(RESIDENT_DA) == cursor + 1
    assert await nabo.rows(
        "SELECT COUNT(*) FROM broadcasts WHERE kind = 'announcement'"
        f" AND activity_id = {activity_id}"
    ) == [(1,)]


async def test_translations_asked_at_publishing_survive_a_stop_and_then_it_is_announced(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    await residents(nabo, {RESIDENT_AR: "ar"})
    await translator(nabo, AMIRA, "da")
    amira, resident = server.cursor(AMIRA), server.cursor(RESIDENT_AR)

    await say(server, "/newactivity")
    question = await say(server, "Lektiecafé i Houlkær")
    # The Arabic title and description are left to the translators; no English.
    question = await press(server, question, da.gettext("🙋 Within 3 hours"))
    while da.gettext("Skip ⏭") in buttons(question):
        question = await press(server, question, da.gettext("Skip ⏭"))
    starts = in_days_at_17(nabo.clock.now(), 5)
    await say(server, f"{starts.astimezone(CPH):%d.%m.%Y %H:%M}")
    await say(server, "19:00")
    await say(server, "Beboerhuset")
    question = await say(server, "20")
    question = await press(server, question, delaftale_name(da, "community"))
    question = await press(server, question, da.gettext("Other area"))
    question = await press(server, question, da.gettext("Skip ⏭"))
    *_, preview = await presses(server, question, da.gettext("No, just once"), count=4)
    fails_after_saving(nabo)
    server.press(STAFF_ID, preview, da.gettext("📣 Publish and announce"))
    await settle(nabo)
    [(activity_id,)] = await nabo.rows("SELECT id FROM activities WHERE status = 'published'")

    # The next rebuild asks the translator; the announcement waits for the translation.
    await nabo.run_job("jobs:sync")
    await settle(nabo)
    [ask] = await server.wait_for_messages(AMIRA, after=amira)
    assert await nabo.rows("SELECT COUNT(*) FROM broadcasts") == [(0,)]
    await edited(server, AMIRA, ask, da.gettext("🙋 I'll take it"))
    server.send_text(AMIRA, "مقهى الواجبات في Houlkær")
    [check] = await server.wait_for_messages(AMIRA)
    staff = server.cursor(STAFF_ID)
    await edited(server, AMIRA, check, da.gettext("✅ Send to the team"))
    [arrived] = await server.wait_for_messages(STAFF_ID, after=staff)
    # Used: the activity is announced now, in Arabic to the resident who reads it.
    server.press(STAFF_ID, arrived, da.gettext("✅ Use it"))
    await server.wait_for_edit(STAFF_ID, arrived["message_id"])
    await settle(nabo)
    await wait_for_broadcast_end(nabo)
    [announcement] = await server.wait_for_messages(RESIDENT_AR, after=resident)
    assert "مقهى الواجبات" in announcement["text"]
    assert await nabo.rows(
        "SELECT COUNT(*) FROM broadcasts WHERE kind = 'announcement'"
        f" AND activity_id = {activity_id}"
    ) == [(1,)]
    assert current(server, AMIRA, ask)["text"] != ask["text"]

"""Without a staff chat, each staff member gets the team's notifications in their own chat.

Offers of help, low ratings and comments, and volunteers' replies reach every staff
member who has a chat with Nabo, in the language they chose; the buttons work there,
for staff only; and withdrawal, erasure and retention edit every copy.
"""

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.config import Config
from bot.core.i18n import Catalogs
from bot.db.residents import ResidentRepository
from bot.db.volunteers import VolunteerRepository
from bot.views.volunteer import staff_card_text
from bot.work.retention import RETENTION_JOB
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle, team_outbox_idle
from tests.test_journey_volunteer import offer_through_nabo, say, tap, tap_for_new, toggle

OTHER_STAFF = 901  # reads English in Nabo (Telegram says Arabic)
NEVER_WROTE = 902  # on the team, but has never opened a chat with Nabo
PHONE = "4512345678"


@pytest.fixture
def config(config: Config) -> Config:
    return replace(
        config, staff_chat_id=None, staff_user_ids=frozenset({STAFF_ID, OTHER_STAFF, NEVER_WROTE})
    )


async def open_staff_chats(nabo: Nabo) -> None:
    """Both staff members press Start; the second chooses English in Nabo."""
    server = nabo.server
    server.user(STAFF_ID, language_code="da")
    server.user(OTHER_STAFF, language_code="ar")
    server.user(NEVER_WROTE, language_code="da")
    for user_id in (STAFF_ID, OTHER_STAFF):
        await say(server, user_id, "/start")
    await ResidentRepository(nabo.store).set_language(STAFF_ID, STAFF_ID, "da", nabo.clock.now())
    await ResidentRepository(nabo.store).set_language(
        OTHER_STAFF, OTHER_STAFF, "en", nabo.clock.now()
    )


async def copies(nabo: Nabo) -> dict[object, object]:
    """The stored message id of each staff member's copy of the one offer."""
    return dict(await nabo.rows("SELECT staff_user_id, message_id FROM offer_staff_messages"))


def message(nabo: Nabo, chat_id: int, message_id: int) -> dict:
    [found] = [m for m in nabo.server.messages(chat_id) if m["message_id"] == message_id]
    return found


async def test_offer_cards_reach_each_staff_member_and_every_copy_is_edited(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da, en, ar = (catalogs.translator(code) for code in ("da", "en", "ar"))
    server = nabo.server
    await open_staff_chats(nabo)
    await consented(nabo, 1, "ar")
    await consented(nabo, 5, "da")  # a resident, not staff
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}

    # A new offer: a card for each staff member, in their language, with the buttons.
    await offer_through_nabo(nabo, ar, 1)
    [card_da] = await server.wait_for_messages(STAFF_ID, after=cursors[STAFF_ID])
    [card_en] = await server.wait_for_messages(OTHER_STAFF, after=cursors[OTHER_STAFF])
    offer = await VolunteerRepository(nabo.store).get_for(1)
    assert offer is not None
    assert card_da["text"] == staff_card_text(da, offer, "ar", "new")
    assert card_en["text"] == staff_card_text(en, offer, "ar", "new")
    assert buttons(card_en) == [
        en.gettext("📞 Contacted"),
        en.gettext("✅ Active"),
        en.gettext("⏸ Not now"),
        en.gettext("✍️ Write to them"),
    ]
    assert await copies(nabo) == {
        STAFF_ID: card_da["message_id"],
        OTHER_STAFF: card_en["message_id"],
    }
    assert server.messages(NEVER_WROTE) == []

    # A status button works in a private chat, and every copy shows the new status.
    active = await tap(server, OTHER_STAFF, card_en, en.gettext("✅ Active"))
    assert en.gettext("Status: {status}").format(status=en.gettext("Active")) in active["text"]
    edited = await server.wait_for_edit(STAFF_ID, card_da["message_id"])
    now_active = await VolunteerRepository(nabo.store).get(offer.id)
    assert now_active is not None
    assert edited["text"] == staff_card_text(da, now_active, "ar")
    assert buttons(edited) == buttons(card_da)
    assert da.gettext("Status: {status}").format(status=da.gettext("Active")) in edited["text"]
    assert await nabo.rows("SELECT staff_user_id, action FROM audit_log") == [
        (OTHER_STAFF, "volunteer.status")
    ]
    # The same button, forged by a resident in their own chat, is refused on the server.
    query = server.press_button(5, server.messages(5)[0]["message_id"], f"st:vol:s:{offer.id}:n")
    answer = await server.wait_for_callback_answer(query)
    assert answer["text"] == da.gettext("This button no longer works.")
    await settle(nabo)
    assert await nabo.rows("SELECT status FROM volunteer_offers") == [("active",)]

    # A changed offer: new cards, and the old copies lose their details.
    [shown] = await say(server, 1, "/volunteer")
    [step] = await tap_for_new(server, 1, shown, ar.gettext("✏️ Change my offer"))
    step = await tap(server, 1, step, toggle(ar, "Language café"))
    [step] = await tap_for_new(server, 1, step, ar.gettext("Next ▶"))
    [step] = await tap_for_new(server, 1, step, ar.gettext("Next ▶"))
    await tap_for_new(server, 1, step, ar.gettext("📞 By phone"))
    server.share_contact(1, PHONE)
    await server.wait_for_messages(1, 2)
    [confirm] = await say(server, 1, "Bedst om aftenen")
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}
    await tap(server, 1, confirm, ar.gettext("✅ Send my offer"))
    [changed_da] = await server.wait_for_messages(STAFF_ID, after=cursors[STAFF_ID])
    [changed_en] = await server.wait_for_messages(OTHER_STAFF, after=cursors[OTHER_STAFF])
    changed = await VolunteerRepository(nabo.store).get(offer.id)
    assert changed is not None
    assert changed_da["text"] == staff_card_text(da, changed, "ar", "changed")
    assert changed_en["text"] == staff_card_text(en, changed, "ar", "changed")
    assert f"+{PHONE}" in changed_en["text"]
    await settle(nabo)
    for user_id, tr, old in ((STAFF_ID, da, card_da), (OTHER_STAFF, en, card_en)):
        stale = message(nabo, user_id, old["message_id"])
        assert stale["text"] == tr.gettext(
            "✏️ Offer of help #{number} was changed: see the newer message."
        ).format(number=tr.ltr(offer.id))
        assert buttons(stale) == []
    assert await copies(nabo) == {
        STAFF_ID: changed_da["message_id"],
        OTHER_STAFF: changed_en["message_id"],
    }

    # Withdrawn: the number goes from every copy, and each staff member is told.
    [shown] = await say(server, 1, "/volunteer")
    [sure] = await tap_for_new(server, 1, shown, ar.gettext("🗑 Withdraw my offer"))
    await tap(server, 1, sure, ar.gettext("🗑 Yes, withdraw it"))
    await settle(nabo)
    for user_id, tr, card in ((STAFF_ID, da, changed_da), (OTHER_STAFF, en, changed_en)):
        withdrawn = tr.gettext("🙋 Offer of help #{number} was withdrawn.").format(
            number=tr.ltr(offer.id)
        )
        assert message(nabo, user_id, card["message_id"])["text"] == withdrawn
        assert server.messages(user_id)[-1]["text"] == withdrawn
        assert not any(PHONE in m["text"] for m in server.messages(user_id))
    assert await copies(nabo) == {}

    # Offered again, then erased: every copy says so, and no message id stays behind.
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}
    await offer_through_nabo(nabo, ar, 1)
    [again_da] = await server.wait_for_messages(STAFF_ID, after=cursors[STAFF_ID])
    [again_en] = await server.wait_for_messages(OTHER_STAFF, after=cursors[OTHER_STAFF])
    [sure] = await say(server, 1, "/deleteme")
    await tap(server, 1, sure, ar.gettext("🗑 Yes, delete my data"))
    await settle(nabo)
    await team_outbox_idle(nabo)  # the edits are durable, made by the team's outbox
    for user_id, tr, card in ((STAFF_ID, da, again_da), (OTHER_STAFF, en, again_en)):
        removed = message(nabo, user_id, card["message_id"])
        assert removed["text"] == tr.gettext(
            "🙋 Offer of help #{number} was removed: the volunteer deleted their data."
        ).format(number=tr.ltr(offer.id))
        assert buttons(removed) == []
    assert await nabo.rows("SELECT * FROM offer_staff_messages") == []
    assert await nabo.rows("SELECT * FROM volunteer_offers") == []


async def test_retention_edits_every_copy(nabo: Nabo, catalogs: Catalogs) -> None:
    da, en = catalogs.translator("da"), catalogs.translator("en")
    server = nabo.server
    await open_staff_chats(nabo)
    await consented(nabo, 2, "en")
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}
    await offer_through_nabo(nabo, en, 2)
    [card_da] = await server.wait_for_messages(STAFF_ID, after=cursors[STAFF_ID])
    [card_en] = await server.wait_for_messages(OTHER_STAFF, after=cursors[OTHER_STAFF])
    await tap(server, STAFF_ID, card_da, da.gettext("⏸ Not now"))
    await settle(nabo)

    # A year and a day of "not now", while the volunteer keeps using Nabo.
    nabo.clock.advance(timedelta(days=366))
    await say(server, 2, "/menu")
    await nabo.run_job(RETENTION_JOB)
    await settle(nabo)
    for user_id, tr, card in ((STAFF_ID, da, card_da), (OTHER_STAFF, en, card_en)):
        deleted = message(nabo, user_id, card["message_id"])
        assert deleted["text"] == tr.gettext(
            "🙋 Offer of help #{number} was deleted: it had been inactive for a year."
        ).format(number=tr.ltr(1))
        assert buttons(deleted) == []
    assert await nabo.rows("SELECT * FROM offer_staff_messages") == []


async def test_feedback_and_replies_reach_each_staff_member(nabo: Nabo, catalogs: Catalogs) -> None:
    da, en = catalogs.translator("da"), catalogs.translator("en")
    server = nabo.server
    await open_staff_chats(nabo)
    await consented(nabo, 3, "da", "Navn3")
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}

    # A low rating with a comment, not linked.
    [subjects] = await say(server, 3, "/feedback")
    server.press_button(3, subjects["message_id"], "fb:s:area")
    rating = await server.wait_for_edit(3, subjects["message_id"])
    server.press_button(3, rating["message_id"], "fb:v:1")
    await server.wait_for_messages(3)
    [linking] = await say(server, 3, "Trappen er mørk")
    server.press_button(3, linking["message_id"], "fb:l:0")
    await server.wait_for_edit(3, linking["message_id"])
    [post_da] = await server.wait_for_messages(STAFF_ID, after=cursors[STAFF_ID])
    [post_en] = await server.wait_for_messages(OTHER_STAFF, after=cursors[OTHER_STAFF])
    for tr, post in ((da, post_da), (en, post_en)):
        lines = post["text"].splitlines()
        assert lines[0] == tr.gettext("💬 Feedback about {subject}").format(
            subject=tr.gettext("the resident's area")
        )
        assert (
            tr.gettext("Rating: {face} {rating} of {top}").format(
                face="😞", rating=tr.ltr(1), top=tr.ltr(5)
            )
            in lines
        )
        assert tr.ltr("Trappen er mørk") in lines
        assert lines[-1] == tr.gettext("Not linked to anyone.")

    # A volunteer's reply to the team reaches both, with the button to write back.
    await offer_through_nabo(nabo, da, 3)
    [card] = server.messages(STAFF_ID)[-1:]
    [prompt] = await tap_for_new(server, STAFF_ID, card, da.gettext("✍️ Write to them"))
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}
    [sent] = await say(server, STAFF_ID, "Hej, kan du torsdag?")
    assert sent["text"] == da.gettext("✅ Sent to volunteer #{number}.").format(number=1)
    # The other staff member sees what was written; the writer is not told twice.
    [mirrored] = await server.wait_for_messages(OTHER_STAFF, after=cursors[OTHER_STAFF])
    assert mirrored["text"] == en.gettext(
        "✉️ The team wrote to volunteer #{number}:\n\n{text}"
    ).format(number=en.ltr(1), text=en.ltr("Hej, kan du torsdag?"))
    [message_to_volunteer] = server.messages(3)[-1:]
    await tap_for_new(server, 3, message_to_volunteer, da.gettext("↩️ Reply to the team"))
    cursors = {user: server.cursor(user) for user in (STAFF_ID, OTHER_STAFF)}
    [thanks] = await say(server, 3, "Ja tak")
    assert thanks["text"] == da.gettext("✅ Sent to the team. They will answer you here.")
    for user_id, tr in ((STAFF_ID, da), (OTHER_STAFF, en)):
        [relayed] = await server.wait_for_messages(user_id, after=cursors[user_id])
        assert relayed["text"] == tr.gettext("↩️ Reply from volunteer #{number}:\n\n{text}").format(
            number=tr.ltr(1), text=tr.ltr("Ja tak")
        )
        assert buttons(relayed) == [tr.gettext("✍️ Write to them")]
    assert prompt["text"].startswith("✍️")

"""When Telegram refuses or drops a reply: late presses and lost confirmations, end to end."""

from __future__ import annotations

import logging

import pytest

from bot.core.i18n import Catalogs, Translator
from bot.sandbox.botapi import BotApiServer
from bot.views.activity import party_text
from tests.conftest import STAFF_CHAT_ID, Nabo, buttons, consented, open_staff_chat, settle
from tests.factories import add_activity

LATE = 0.05  # seconds a press can wait for its answer here (Telegram: about 15)


async def ask_for_children(server: BotApiServer, user_id: int, tr: Translator) -> dict:
    """Open the first activity, press sign up and choose one adult; return the question."""
    server.send_command(user_id, "activities")
    [listing] = await server.wait_for_messages(user_id)
    server.press(user_id, listing, next(b for b in buttons(listing) if b.startswith("1. ")))
    [detail] = await server.wait_for_messages(user_id)
    server.press(user_id, detail, tr.gettext("✍️ Sign up"))
    [question] = await server.wait_for_messages(user_id)
    server.press(user_id, question, "1")
    return await server.wait_for_edit(user_id, question["message_id"])


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines at ERROR or with a traceback: what staff would take for a bug."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.exc_info
    ]


def refused_answers(server: BotApiServer) -> list[str]:
    return [
        description
        for method, _, description in server.rejected
        if method == "answerCallbackQuery" and "query is too old" in description
    ]


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_the_last_place_pressed_while_nabo_was_down_is_taken_and_told(
    nabo: Nabo, catalogs: Catalogs, caplog: pytest.LogCaptureFixture, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 1, language)
    await add_activity(nabo.store, nabo.clock.now(), capacity=1, max_per_signup=1)
    question = await ask_for_children(server, 1, tr)
    staff_reports = len(server.messages(STAFF_CHAT_ID))
    caplog.set_level(logging.INFO)

    await nabo.stop()
    server.callback_answer_timeout = LATE
    query = server.press(1, question, "0")
    await server.wait_until_too_old(query)
    await nabo.start()

    confirmation = await server.wait_for_edit(1, question["message_id"])
    assert confirmation["text"].startswith(
        tr.gettext("✅ You are signed up: {party}.").format(party=party_text(tr, 1, 0))
    )
    assert await nabo.rows("SELECT user_id, adults, status FROM signups") == [(1, 1, "confirmed")]
    await settle(nabo)
    # Telegram refused the late answer; that is all: no apology, no report, no traceback.
    assert refused_answers(server) != []
    assert [m["text"] for m in server.messages(1) if m["message_id"] > question["message_id"]] == []
    assert len(server.messages(STAFF_CHAT_ID)) == staff_reports
    assert errors_logged(caplog) == []


async def test_a_late_press_on_a_deleted_message_is_told_in_a_new_one(
    nabo: Nabo, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    tr = catalogs.translator("ar")
    server = nabo.server
    await consented(nabo, 2, "ar")
    await add_activity(nabo.store, nabo.clock.now(), capacity=1, max_per_signup=1)
    question = await ask_for_children(server, 2, tr)
    caplog.set_level(logging.INFO)

    await nabo.stop()
    server.callback_answer_timeout = LATE
    query = server.press(2, question, "0")
    await server.wait_until_too_old(query)
    # The resident deleted the question meanwhile: it cannot be edited any more.
    server.fail_next("editMessageText", 400, "Bad Request: message to edit not found", chat_id=2)
    await nabo.start()

    [confirmation] = await server.wait_for_messages(2)
    assert confirmation["text"].startswith(
        tr.gettext("✅ You are signed up: {party}.").format(party=party_text(tr, 1, 0))
    )
    assert tr.gettext("❌ Cancel my sign-up") in buttons(confirmation)
    assert await nabo.rows("SELECT user_id, status FROM signups") == [(2, "confirmed")]
    await settle(nabo)
    assert refused_answers(server) != []
    assert errors_logged(caplog) == []


async def test_a_late_yes_to_a_deleted_notice_still_opens_the_menu(
    nabo: Nabo, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    tr = catalogs.translator("en")
    server = nabo.server
    server.user(3, language_code="en")
    server.send_command(3, "start")
    [notice] = await server.wait_for_messages(3)
    caplog.set_level(logging.INFO)

    await nabo.stop()
    server.callback_answer_timeout = LATE
    query = server.press(3, notice, tr.gettext("✅ Yes, that's fine"))
    await server.wait_until_too_old(query)
    server.fail_next(
        "editMessageReplyMarkup", 400, "Bad Request: message to edit not found", chat_id=3
    )
    await nabo.start()

    [menu] = await server.wait_for_messages(3)
    assert menu["text"].startswith(tr.gettext("Thank you! You are all set."))
    resident = await nabo.resident(3)
    assert resident is not None
    assert resident.has_consented
    await settle(nabo)
    assert refused_answers(server) != []
    assert errors_logged(caplog) == []


async def test_a_confirmation_lost_on_the_network_is_followed_by_an_apology(
    nabo: Nabo, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    tr = catalogs.translator("ar")
    server = nabo.server
    await open_staff_chat(nabo)
    await consented(nabo, 4, "ar")
    await add_activity(nabo.store, nabo.clock.now(), capacity=1, max_per_signup=1)
    question = await ask_for_children(server, 4, tr)
    staff_reports = len(server.messages(STAFF_CHAT_ID))
    caplog.set_level(logging.INFO)

    # The sign-up is saved, then the edit that confirms it fails on the way (PTB does
    # not send it again).
    server.fail_next("editMessageText", 502, "Bad Gateway", chat_id=4)
    server.press(4, question, "0")

    [apology] = await server.wait_for_messages(4)
    assert apology["text"] == tr.gettext(
        "Sorry, a connection problem stopped Nabo's answer from reaching you. "
        "Open the menu to check what was saved."
    )
    assert buttons(apology) == [tr.gettext("☰ Menu")]
    assert await nabo.rows("SELECT user_id, status FROM signups") == [(4, "confirmed")]
    await settle(nabo)
    assert len(server.messages(STAFF_CHAT_ID)) == staff_reports
    assert errors_logged(caplog) == []

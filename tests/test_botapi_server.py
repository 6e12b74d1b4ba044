"""The local Bot API server, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import warnings
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.sandbox.botapi import BotApiServer, Upload, utf16_len

USER = 42
OTHER = 43


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    """A started server with default limits."""
    async with BotApiServer() as srv:
        yield srv
        # Every test doubles as a check that the server itself never crashed.
        assert srv.errors == []


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the server."""
    async with Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url) as b:
        yield b


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    """One-column inline keyboard from (text, callback_data) pairs."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons]
    )


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after of a RetryAfter in seconds."""
    # PTB 22 warns when retry_after is read as int; normalise either representation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def raw_post(server: BotApiServer, method: str, **kwargs: object) -> tuple[int, dict]:
    """POST to a Bot API method without PTB; return (HTTP status, JSON body)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}{server.token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


# ---------------------------------------------------------------- basics


async def test_get_me_returns_configured_bot(bot: Bot, server: BotApiServer) -> None:
    me = await bot.get_me()
    assert me.username == "nabo_test_bot"
    assert me.is_bot
    assert me.id == 123456
    assert server.count("getMe") >= 1


async def test_wrong_token_is_unauthorized(server: BotApiServer) -> None:
    with pytest.raises(InvalidToken, match="rejected"):
        async with Bot("123456:WRONG-TOKEN", base_url=server.base_url) as wrong:
            await wrong.get_me()
    assert (("getMe", 401, "Unauthorized")) in server.rejected


async def test_unknown_method_and_path_are_404(server: BotApiServer) -> None:
    status, body = await raw_post(server, "fooBar")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.url}/nonsense") as response,
    ):
        assert response.status == 404
        assert (await response.json())["ok"] is False


async def test_method_names_are_case_insensitive(server: BotApiServer) -> None:
    status, body = await raw_post(server, "GETME")
    assert status == 200
    assert body["result"]["username"] == "nabo_test_bot"


# ---------------------------------------------------------------- updates


async def test_get_updates_returns_text_with_command_entity(bot: Bot, server: BotApiServer) -> None:
    sent = server.send_text(USER, "/start@nabo_test_bot hej")
    updates = await bot.get_updates(timeout=5)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.text == "/start@nabo_test_bot hej"
    assert message.from_user is not None
    assert (message.from_user.id, message.from_user.language_code) == (USER, "da")
    assert message.chat.type == "private"
    assert message.chat.id == USER
    assert message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 20),)
    assert message.parse_entities([MessageEntity.BOT_COMMAND]) == {
        message.entities[0]: "/start@nabo_test_bot"
    }
    assert Update.de_json(sent, bot) == updates[0]


async def test_command_entity_offsets_count_utf16_units(server: BotApiServer) -> None:
    update = server.send_text(USER, "😀 /help")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert utf16_len("😀") == 2


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, server: BotApiServer
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await server.wait_for_request("getUpdates")
    assert not poll.done()
    server.send_command(USER, "start")
    # The hang guard is far below the 30 s long-poll timeout, so passing proves the early return.
    updates = await asyncio.wait_for(poll, 10)
    assert [u.message.text for u in updates if u.message] == ["/start"]


async def test_long_poll_times_out_empty(bot: Bot, server: BotApiServer) -> None:
    assert await bot.get_updates(timeout=1) == ()


async def test_offset_confirms_updates(bot: Bot, server: BotApiServer) -> None:
    for text in ("a", "b", "c"):
        server.send_text(USER, text)
    first = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["a", "b", "c"]
    # Unconfirmed updates are delivered again, exactly like Telegram.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    after = await bot.get_updates(offset=first[1].update_id + 1, timeout=0)
    assert [u.message.text for u in after if u.message] == ["c"]
    await bot.get_updates(offset=first[2].update_id + 1, timeout=0)
    await server.wait_until_idle(timeout=1)
    assert server.pending_updates == []


async def test_limit_and_negative_offset(bot: Bot, server: BotApiServer) -> None:
    for text in ("a", "b", "c", "d"):
        server.send_text(USER, text)
    assert [u.message.text for u in await bot.get_updates(limit=2) if u.message] == ["a", "b"]
    assert [u.message.text for u in await bot.get_updates(offset=-1) if u.message] == ["d"]
    assert len(server.pending_updates) == 1


async def test_second_poller_terminates_first_with_conflict(server: BotApiServer) -> None:
    first = asyncio.create_task(raw_post(server, "getUpdates", json={"timeout": 30}))
    await server.wait_for_request("getUpdates")
    second = asyncio.create_task(raw_post(server, "getUpdates", json={"timeout": 30}))
    status, body = await asyncio.wait_for(first, 10)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    server.send_text(USER, "hi")
    status, body = await asyncio.wait_for(second, 10)
    assert status == 200
    assert body["result"][0]["message"]["text"] == "hi"


async def test_stop_releases_long_poll(server: BotApiServer) -> None:
    poll = asyncio.create_task(raw_post(server, "getUpdates", json={"timeout": 50}))
    await server.wait_for_request("getUpdates")
    await server.stop()
    status, body = await asyncio.wait_for(poll, 10)
    assert (status, body) == (200, {"ok": True, "result": []})


async def test_allowed_updates_filters_and_drops(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hi")
    message_id = server.send_text(USER, "second")["message"]["message_id"]
    query_id = server.press_button(USER, message_id, "x")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.id for u in updates if u.callback_query] == [query_id]
    assert len(updates) == 1


async def test_user_media_and_contact_parse_in_ptb(bot: Bot, server: BotApiServer) -> None:
    server.share_contact(USER, "+4512345678")
    server.share_contact(USER, "+4587654321", own=False)
    server.send_sticker(USER)
    server.send_photo(USER, caption="billede")
    server.send_voice(USER)
    server.send_location(USER)
    server.send_document(USER, "brev.pdf", b"%PDF data")
    messages = [u.message for u in await bot.get_updates() if u.message]
    assert len(messages) == 7
    own, other, sticker, photo, voice, location, document = messages
    assert own.contact is not None
    assert (own.contact.phone_number, own.contact.user_id) == ("+4512345678", USER)
    assert other.contact is not None
    assert other.contact.user_id is None
    assert sticker.sticker is not None
    assert sticker.sticker.type == "regular"
    assert photo.photo[-1].width == 800
    assert photo.caption == "billede"
    assert voice.voice is not None
    assert voice.voice.mime_type == "audio/ogg"
    assert location.location is not None
    assert location.location.latitude == pytest.approx(55.6761)
    assert document.document is not None
    assert document.document.file_name == "brev.pdf"
    file = await bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF data"


async def test_user_edit_becomes_edited_message(bot: Bot, server: BotApiServer) -> None:
    message_id = server.send_text(USER, "hej")["message"]["message_id"]
    server.edit_text(USER, message_id, "/hej igen")
    updates = await bot.get_updates()
    edited = updates[1].edited_message
    assert edited is not None
    assert (edited.message_id, edited.text, edited.edit_date is not None) == (
        message_id,
        "/hej igen",
        True,
    )
    assert edited.entities[0].type == MessageEntity.BOT_COMMAND


async def test_send_raw_update_fills_update_id(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "first")
    raw = server.send_raw_update(
        {
            "message": {
                "message_id": 99,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "raw",
            }
        }
    )
    assert raw["update_id"] == 2
    updates = await bot.get_updates()
    assert updates[-1].message is not None
    assert updates[-1].message.text == "raw"


# ---------------------------------------------------------------- sending and editing


async def test_send_message_is_stored_with_shared_message_ids(
    bot: Bot, server: BotApiServer
) -> None:
    user_message = server.send_text(USER, "hej")["message"]
    sent = await bot.send_message(
        USER, "<b>Velkommen</b>", parse_mode="HTML", reply_markup=keyboard(("Ja", "yes"))
    )
    assert sent.message_id == user_message["message_id"] + 1
    assert sent.from_user is not None
    assert sent.from_user.username == "nabo_test_bot"
    stored = server.messages(USER)
    assert len(stored) == 1
    assert stored[0]["text"] == "<b>Velkommen</b>"
    assert stored[0]["parse_mode"] == "HTML"
    assert stored[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]
    }
    assert stored[0]["edit_count"] == 0
    assert server.requests[-1][0] == "sendMessage"
    assert server.requests[-1][1]["reply_markup"] == stored[0]["reply_markup"]


async def test_reply_keyboard_is_kept_for_tests_but_not_echoed(
    bot: Bot, server: BotApiServer
) -> None:
    server.send_text(USER, "hej")
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("Del nummer", request_contact=True)]], one_time_keyboard=True
    )
    sent = await bot.send_message(USER, "Del dit nummer", reply_markup=markup)
    assert sent.reply_markup is None
    stored = server.messages(USER)[0]
    assert "reply_markup" not in stored
    assert stored["reply_keyboard"]["keyboard"] == [
        [{"text": "Del nummer", "request_contact": True}]
    ]


async def test_reply_to_message(bot: Bot, server: BotApiServer) -> None:
    message_id = server.send_text(USER, "spørgsmål")["message"]["message_id"]
    sent = await bot.send_message(USER, "svar", reply_to_message_id=message_id)
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "spørgsmål"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "svar", reply_to_message_id=999)


async def test_edit_message_text_and_not_modified(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    sent = await bot.send_message(USER, "Vælg", reply_markup=keyboard(("A", "a")))
    server.press_button(USER, sent.message_id, "a")
    edited = await bot.edit_message_text("Valgt: A", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "Valgt: A"
    assert edited.reply_markup is None  # omitting reply_markup removes the keyboard, as on Telegram
    seen = await server.wait_for_edit(USER, sent.message_id, timeout=1)
    assert (seen["text"], seen["edit_count"]) == ("Valgt: A", 1)
    assert "reply_markup" not in server.messages(USER)[0]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Valgt: A", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard(("B", "b")))
    assert server.messages(USER)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "B"
    assert server.messages(USER)[0]["edit_count"] == 2


async def test_wait_for_edit_ignores_edits_before_the_last_action(
    bot: Bot, server: BotApiServer
) -> None:
    server.send_text(USER, "hej")
    sent = await bot.send_message(USER, "v1")
    await bot.edit_message_text("v2", chat_id=USER, message_id=sent.message_id)
    server.send_text(USER, "næste")
    with pytest.raises(AssertionError, match="was not edited"):
        await server.wait_for_edit(USER, sent.message_id, timeout=0.05)


async def test_delete_message(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    sent = await bot.send_message(USER, "midlertidig")
    assert await bot.delete_message(USER, sent.message_id)
    assert server.messages(USER) == []
    assert server.messages(USER, include_deleted=True)[0]["deleted"] is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_text_length_limits_count_utf16(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    await bot.send_message(USER, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    # 2049 emoji are 2049 code points but 4098 UTF-16 units.
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "😀" * 2049)
    # Markup does not count towards the limit.
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert [m["text"][:3] for m in server.messages(USER)] == ["aaa", "<b>"]


async def test_empty_text_rejected(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")


async def test_markup_errors_like_telegram(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(USER, "<b>fed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)character '.' is reserved"):
        await bot.send_message(USER, "Hej.", parse_mode="MarkdownV2")
    await bot.send_message(USER, "1 &lt; 2 &amp; <i>ok</i>", parse_mode="HTML")
    await bot.send_message(
        USER, "*Hej* \\. [link](https://example.com/a.b) `x.y` ||s||", parse_mode="MarkdownV2"
    )
    assert len(server.messages(USER)) == 2


async def test_callback_data_limit_is_64_bytes(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    await bot.send_message(USER, "ok", reply_markup=keyboard(("A", "x" * 64)))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "nej", reply_markup=keyboard(("A", "x" * 65)))
    # 33 × "æ" is 33 characters but 66 UTF-8 bytes.
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "nej", reply_markup=keyboard(("A", "æ" * 33)))
    assert len(server.messages(USER)) == 1


async def test_unknown_chat_and_uncontacted_user(bot: Bot, server: BotApiServer) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hej")
    server.user(OTHER, first_name="Ida")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(OTHER, "hej")


async def test_get_chat_and_leave_group(bot: Bot, server: BotApiServer) -> None:
    server.user(USER, first_name="Anna", last_name="Hansen", username="anna")
    server.send_text(USER, "hej")
    chat = await bot.get_chat(USER)
    assert (chat.first_name, chat.last_name, chat.username) == ("Anna", "Hansen", "anna")
    server.add_bot_to_group(USER, -500, "Beboere")
    assert await bot.leave_chat(-500)
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(-500, "hej")
    updates = await bot.get_updates()
    assert [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member] == [
        "member",
        "left",
    ]


async def test_send_chat_action(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")
    server.block(USER)
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER, "typing")
    assert [params["action"] for name, params in server.requests if name == "sendChatAction"] == [
        "typing",
        "dancing",
        "typing",
    ]


# ---------------------------------------------------------------- callback queries


async def test_press_and_answer_callback(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    sent = await bot.send_message(
        USER, "Er du sikker?", reply_markup=keyboard(("Ja", "yes"), ("Nej", "no"))
    )
    query_id = server.press(USER, server.messages(USER)[0], "Nej")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None
    assert (query.id, query.data, query.from_user.id) == (query_id, "no", USER)
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == sent.reply_markup
    await bot.answer_callback_query(query_id, text="Annulleret")
    answer = await server.wait_for_callback_answer(query_id, timeout=1)
    assert answer == {"text": "Annulleret", "show_alert": False, "url": None, "cache_time": None}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_a_press_answered_too_late_is_refused(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    sent = await bot.send_message(USER, "Vælg", reply_markup=keyboard(("Ja", "yes")))
    in_time = server.press_button(USER, sent.message_id, "yes")
    assert server.callback_query_expired(in_time) is False
    server.callback_answer_timeout = 0.05
    late = server.press_button(USER, sent.message_id, "yes")
    await server.wait_until_too_old(late)
    assert server.callback_query_expired(late)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(late)
    assert late not in server.callback_answers
    # The age counts from the press, not from when the bot fetched it: the first press
    # waited as long, so it is too old now as well.
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(in_time)


async def test_press_unknown_button_lists_available(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    await bot.send_message(USER, "Vælg", reply_markup=keyboard(("Ja", "yes"), ("Nej", "no")))
    with pytest.raises(AssertionError, match=r"available: \['Ja', 'Nej'\]"):
        server.press(USER, server.messages(USER)[0], "Måske")


async def test_forged_press_on_unknown_message(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    query_id = server.press_button(USER, 777, "forged")
    query = (await bot.get_updates())[-1].callback_query
    assert query is not None
    assert (query.id, query.data, query.message.message_id) == (query_id, "forged", 777)


async def test_callback_answer_text_limit(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    sent = await bot.send_message(USER, "x", reply_markup=keyboard(("A", "a")))
    query_id = server.press_button(USER, sent.message_id, "a")
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    await bot.answer_callback_query(query_id, text="x" * 200, show_alert=True)
    assert server.callback_answers[query_id]["show_alert"] is True


# ---------------------------------------------------------------- membership


async def test_blocked_user_is_forbidden_until_unblocked(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    server.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "hallo?")
    with pytest.raises(AssertionError, match="blocked the bot"):
        server.send_text(USER, "kan ikke")
    server.unblock(USER)
    await bot.send_message(USER, "velkommen tilbage")
    updates = [u.my_chat_member for u in await bot.get_updates() if u.my_chat_member]
    assert [(m.old_chat_member.status, m.new_chat_member.status) for m in updates] == [
        (ChatMember.MEMBER, ChatMember.BANNED),
        (ChatMember.BANNED, ChatMember.MEMBER),
    ]
    assert updates[0].new_chat_member.user.username == "nabo_test_bot"
    assert [m["text"] for m in server.messages(USER)] == ["velkommen tilbage"]


async def test_group_add_message_and_remove(bot: Bot, server: BotApiServer) -> None:
    server.add_bot_to_group(USER, -100123456789012, title="Beboere")
    server.send_text(USER, "/status@nabo_test_bot", chat_id=-100123456789012)
    await bot.send_message(-100123456789012, "Alt kører")
    server.remove_bot_from_group(USER, -100123456789012)
    with pytest.raises(Forbidden, match=r"(?i)kicked from the supergroup"):
        await bot.send_message(-100123456789012, "hej")
    updates = await bot.get_updates()
    member = updates[0].my_chat_member
    assert member is not None
    assert (member.chat.type, member.chat.title, member.new_chat_member.status) == (
        "supergroup",
        "Beboere",
        "member",
    )
    assert updates[1].message is not None
    assert updates[1].message.chat.id == -100123456789012
    assert updates[2].my_chat_member is not None
    assert updates[2].my_chat_member.new_chat_member.status == ChatMember.BANNED


# ---------------------------------------------------------------- rate limits and faults


async def test_global_rate_limit_returns_retry_after() -> None:
    async with BotApiServer(global_rate=0.1, global_burst=5, chat_rate=None) as server:
        async with Bot(server.token, base_url=server.base_url) as bot:
            for user in range(1, 7):
                server.send_text(user, "hej")
            for user in range(1, 6):
                await bot.send_message(user, "ok")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(6, "for meget")
        assert 1 <= retry_seconds(caught.value) <= 10
        assert server.rejected[-1][:2] == ("sendMessage", 429)
        assert server.rejected[-1][2].startswith("Too Many Requests: retry after ")
        assert server.messages(6) == []


async def test_per_chat_burst_and_runtime_adjustment(bot: Bot, server: BotApiServer) -> None:
    server.chat_rate, server.chat_burst = 0.01, 3
    server.send_text(USER, "hej")
    server.send_text(OTHER, "hej")
    for _ in range(3):
        await bot.send_message(USER, "ok")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "for meget")
    await bot.send_message(OTHER, "anden chat er upåvirket")
    # Rejected calls cost no token, and edits are not rate limited.
    await bot.edit_message_text(
        "rettet", chat_id=USER, message_id=server.messages(USER)[0]["message_id"]
    )
    server.chat_rate = None
    await bot.send_message(USER, "grænse slået fra")
    assert len(server.messages(USER)) == 4


async def test_chat_limit_can_be_switched_off() -> None:
    async with BotApiServer(chat_limit=False) as unlimited:
        unlimited.send_text(USER, "hej")
        async with Bot(
            unlimited.token, base_url=unlimited.base_url, base_file_url=unlimited.base_file_url
        ) as fast:
            # Past the default burst of 10 in one chat, under the overall limit of 30.
            for number in range(20):
                await fast.send_message(USER, f"{number}")
        assert len(unlimited.messages(USER)) == 20
        assert unlimited.rejected == []


async def test_raw_429_body_shape(server: BotApiServer) -> None:
    server.global_rate, server.global_burst = 0.001, 1
    server.send_text(USER, "hej")
    assert (await raw_post(server, "sendMessage", json={"chat_id": USER, "text": "1"}))[0] == 200
    status, body = await raw_post(server, "sendMessage", json={"chat_id": USER, "text": "2"})
    assert status == 429
    assert body["ok"] is False
    assert body["error_code"] == 429
    assert isinstance(body["parameters"]["retry_after"], int)
    assert body["parameters"]["retry_after"] >= 1
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )


async def test_fail_next_injects_errors(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    server.send_text(OTHER, "hej")
    server.fail_next("sendMessage", 400, "Bad Request: injected")
    with pytest.raises(BadRequest, match="Injected"):
        await bot.send_message(USER, "1")
    server.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 7",
        retry_after=7,
        chat_id=OTHER,
        count=2,
    )
    await bot.send_message(USER, "2")  # other chat: fault does not apply
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(OTHER, "x")
        assert retry_seconds(caught.value) == 7
    await bot.send_message(OTHER, "3")
    assert [m["text"] for m in server.messages(USER)] == ["2"]
    assert [m["text"] for m in server.messages(OTHER)] == ["3"]


async def test_delay_next_causes_client_timeout_but_still_delivers(server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    server.delay_next("sendMessage", 0.5)
    request = HTTPXRequest(read_timeout=0.1)
    async with Bot(server.token, base_url=server.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "langsom")
        # Like Telegram, a timed-out call may still have been carried out.
        messages = await server.wait_for_messages(USER, timeout=5)
        assert [m["text"] for m in messages] == ["langsom"]
        await bot.send_message(USER, "hurtig")


# ---------------------------------------------------------------- commands, documents, webhooks


async def test_my_commands_per_language_and_scope(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands(
        [BotCommand("start", "Begin"), BotCommand("help", "Help")], language_code="en"
    )
    await bot.set_my_commands(
        [BotCommand("admin", "Personale")], scope=BotCommandScopeChat(USER), language_code="da"
    )
    assert server.commands() == [{"command": "start", "description": "Start"}]
    assert [c["command"] for c in server.commands("en")] == ["start", "help"]
    assert server.commands("da") == []
    assert server.commands("da", scope=BotCommandScopeChat(USER)) == [
        {"command": "admin", "description": "Personale"}
    ]
    assert server.commands("da", scope={"type": "chat", "chat_id": str(USER)}) == server.commands(
        "da", scope=BotCommandScopeChat(USER)
    )
    fetched = await bot.get_my_commands(scope=BotCommandScopeChat(USER), language_code="da")
    assert fetched == (BotCommand("admin", "Personale"),)
    await bot.delete_my_commands(language_code="en")
    assert server.commands("en") == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "x")])
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("x", "x")], scope=BotCommandScopeChat(999))


async def test_command_menu_resolves_scopes_like_telegram(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Begin")], language_code="en")
    await bot.set_my_commands([BotCommand("help", "Hjælp")], scope=BotCommandScopeAllPrivateChats())
    # No private-chat list in English: the private-chat list for all languages comes first.
    assert server.command_menu(USER, "en") == [{"command": "help", "description": "Hjælp"}]
    await bot.set_my_commands([BotCommand("admin", "Personale")], scope=BotCommandScopeChat(USER))
    assert server.command_menu(USER, "da") == [{"command": "admin", "description": "Personale"}]
    # A group sees the group and default lists, in its user's language first.
    server.add_bot_to_group(USER, -100123, "Gruppe")
    assert server.command_menu(-100123, "en") == [{"command": "start", "description": "Begin"}]
    assert server.command_menu(-100123, "ar") == [{"command": "start", "description": "Start"}]


async def test_send_document_multipart_round_trip(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    payload = bytes(range(256)) * 10
    sent = await bot.send_document(USER, payload, filename="rapport.pdf", caption="Rapport")
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type, sent.document.file_size) == (
        "rapport.pdf",
        "application/pdf",
        2560,
    )
    stored = server.messages(USER)[0]
    assert stored["document"]["file_name"] == "rapport.pdf"
    assert stored["caption"] == "Rapport"
    assert server.document_bytes(USER, sent.message_id) == payload
    upload = server.requests[-1][1]["document"]
    assert isinstance(upload, Upload)
    assert upload.data == payload
    # Re-sending by file_id works without an upload, as on Telegram.
    again = await bot.send_document(USER, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload


async def test_form_encoded_and_query_parameters(server: BotApiServer) -> None:
    server.send_text(USER, "hej")
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    status, body = await raw_post(
        server, "sendMessage", data={"chat_id": str(USER), "text": "[1]", "reply_markup": markup}
    )
    assert status == 200
    assert body["result"]["text"] == "[1]"
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    async with aiohttp.ClientSession() as session:
        url = f"{server.base_url}{server.token}/sendMessage"
        async with session.get(url, params={"chat_id": str(USER), "text": "via query"}) as response:
            assert (await response.json())["result"]["text"] == "via query"
    status, body = await raw_post(
        server, "sendMessage", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert body["description"].startswith("Bad Request")
    status, body = await raw_post(
        server, "sendMessage", data={"chat_id": str(USER), "text": "x", "reply_markup": "{oops"}
    )
    assert status == 400


async def test_webhook_delivery_and_conflict(bot: Bot, server: BotApiServer) -> None:
    received: asyncio.Queue[tuple[str | None, dict]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        await received.put(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        server.send_text(USER, "via webhook")
        secret, update = await asyncio.wait_for(received.get(), 10)
        assert secret == "s3cret"
        assert update["message"]["text"] == "via webhook"
        await server.wait_until_idle(timeout=5)
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (f"http://127.0.0.1:{port}/hook", 0)
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await bot.delete_webhook()
        server.send_text(USER, "via polling")
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["via polling"]
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------- waiting helpers


async def test_wait_for_messages_cursor_is_last_user_action(bot: Bot, server: BotApiServer) -> None:
    server.send_text(USER, "første")
    await bot.send_message(USER, "svar 1")
    server.send_text(USER, "anden")
    with pytest.raises(AssertionError, match="svar 1"):
        await server.wait_for_messages(USER, timeout=0.05)
    mark = server.cursor(USER)
    await bot.send_message(USER, "svar 2")
    await bot.send_message(USER, "svar 3")
    assert [m["text"] for m in await server.wait_for_messages(USER, 2, timeout=1)] == [
        "svar 2",
        "svar 3",
    ]
    assert [m["text"] for m in await server.wait_for_messages(USER, after=0, timeout=1)] == [
        "svar 1",
        "svar 2",
        "svar 3",
    ]
    assert mark == 1


async def test_real_application_echoes_start(server: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo {' '.join(context.args or [])}")

    application = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
    application.add_handler(CommandHandler("start", start))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    try:
        server.send_command(USER, "start", "hej med dig")
        replies = await server.wait_for_messages(USER, timeout=10)
        assert [m["text"] for m in replies] == ["echo hej med dig"]
        await server.wait_until_idle(timeout=10)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert server.count("deleteWebhook") == 1
    assert server.rejected == []

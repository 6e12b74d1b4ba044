"""Small helpers for replying that tolerate what residents do with old messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot.core.i18n import Translator
from bot.db.volunteers import has_phone_number
from bot.telegram.context import NaboContext
from bot.views.activity import MAX_MESSAGE
from bot.views.staff_texts import pack_messages

log = logging.getLogger(__name__)
T = TypeVar("T")


# What Telegram says when the message a button was on cannot be edited any more: the
# resident deleted it, or it is not a text message.
_GONE = ("message to edit not found", "message can't be edited", "no text in the message")


async def edit_query_message(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show the outcome of a press in the message it belongs to, or else in a new one.

    A double tap that changes nothing is fine. A message that can no longer be edited
    (deleted while the press waited) gets the outcome as a new message, so the resident
    is told either way.
    """
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason:
            return
        if not any(gone in reason for gone in _GONE) or query.message is None:
            raise
        log.info("the pressed message could not be edited; sending the outcome anew")
        await query.get_bot().send_message(query.message.chat.id, text, reply_markup=reply_markup)


async def send_messages(
    bot: Bot, chat_id: int, parts: list[str], reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send parts (a heading, a quoted text, a question) in as few messages as fit.

    Joined by blank lines within Telegram's 4096 characters, a long text split across
    messages (``pack_messages``); the buttons go under the last message.
    """
    return await _send_all(bot, chat_id, _packed(parts), reply_markup)


def _packed(parts: list[str]) -> list[str]:
    return pack_messages([[part] for part in parts if part], MAX_MESSAGE)


async def _send_all(
    bot: Bot, chat_id: int, texts: list[str], reply_markup: InlineKeyboardMarkup | None
) -> Message:
    *before, last = texts
    for text in before:
        await bot.send_message(chat_id, text)
    return await bot.send_message(chat_id, last, reply_markup=reply_markup)


async def edit_query_messages(
    query: CallbackQuery, parts: list[str], reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show parts in the pressed message as edit_query_message does, as far as they fit.

    What does not fit in one message follows in new ones (as send_messages sends them),
    the buttons under the last.
    """
    first, *rest = _packed(parts)
    if not rest:
        await edit_query_message(query, first, reply_markup)
        return
    await edit_query_message(query, first)
    assert query.message is not None
    await _send_all(query.get_bot(), query.message.chat.id, rest, reply_markup)


async def remove_query_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message a button belongs to (idempotent).

    A message that is gone has no buttons left to take off.
    """
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" not in reason and not any(gone in reason for gone in _GONE):
            raise


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A button press in a private chat, already answered (or too late to answer)."""

    query: CallbackQuery
    data: str
    user_id: int
    chat_id: int


async def answer_press(update: Update) -> ButtonPress:
    """Answer a button press at once (so the client stops spinning) and unpack it.

    A press that waited too long for its answer is carried out all the same
    (``bot.telegram.client.NaboBot``): its outcome goes in the message, not in the answer.
    """
    query = update.callback_query
    if query is None or update.effective_user is None or update.effective_chat is None:
        raise ValueError("not a button press from a user in a chat")
    await query.answer()
    return ButtonPress(query, query.data or "", update.effective_user.id, update.effective_chat.id)


async def remind_to_answer(update: Update, context: NaboContext) -> None:
    """Answer anything but an answer mid-conversation with the way forward; the question stays.

    Every conversation's fallback for a message it does not expect.
    """
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        context.tr.gettext("Please answer the question above, or write /cancel to stop.")
    )


async def too_long(message: Message, tr: Translator, text: str, limit: int) -> None:
    """Tell the resident a text is over ``limit`` characters, and by how much."""
    await message.reply_text(
        tr.gettext(
            "That is {count} characters; a message can have at most {limit}. "
            "Please shorten it and send it again."
        ).format(count=tr.ltr(len(text)), limit=tr.ltr(limit))
    )


async def acceptable_text(message: Message, tr: Translator, text: str, limit: int) -> bool:
    """Check a typed text before storing it: not empty, within ``limit``, no typed number.

    When it is not acceptable, the resident is told why and may send it again.
    """
    if len(text) > limit:
        await too_long(message, tr, text, limit)
        return False
    if not text:
        await message.reply_text(tr.gettext("Please write it as a text message."))
        return False
    if has_phone_number(text):
        await message.reply_text(
            tr.gettext(
                "Please leave out phone numbers: Nabo does not keep numbers that are typed "
                "in. Write it again without the number."
            )
        )
        return False
    return True


async def showing_upload(bot: Bot, chat_id: int, work: Awaitable[T], *, every: float = 4) -> T:
    """Await the work (a file being made) while Telegram shows "sending a file…".

    An action shows for 5 seconds, so it is sent again ``every`` seconds until the work is
    done. A chat that refuses it still gets the work's result; the work's error is raised;
    giving up the wait stops the work.
    """
    task = asyncio.ensure_future(work)
    try:
        while True:
            try:
                await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
            except TelegramError as error:
                log.debug("could not show the upload action: %s", type(error).__name__)
            done, _ = await asyncio.wait({task}, timeout=every)
            if done:
                return task.result()
    finally:
        task.cancel()  # nothing if it is done; else the wait was given up

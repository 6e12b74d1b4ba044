"""The guards before any journey: repeated updates dropped, floods paused.

Their services (``bot.db.processed_updates.ProcessedUpdates``, ``bot.telegram.flood.FloodGuard``)
know nothing of PTB; these are the callbacks that put them in front of every update.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.telegram.context import NaboContext
from bot.telegram.flood import Verdict
from bot.telegram.session import translator_for_error

log = logging.getLogger(__name__)


async def drop_repeated_update(update: Update, context: NaboContext) -> None:
    """Stop an update that was handled before, so it has no second effect or reply."""
    # Its id is written with the update's own first write (bot/db/processed_updates.py).
    if not await context.bot_data.services.processed_updates.begin(update.update_id):
        log.info("update %s dropped: handled before", update.update_id)
        raise ApplicationHandlerStop


async def throttle_floods(update: Update, context: NaboContext) -> None:
    """Drop a private chat's update when its sender is over the limit; tell them once."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != Chat.PRIVATE:
        return  # group chatter is dropped by the session step anyway
    if update.my_chat_member is not None or context.config.is_staff(user.id):
        # Blocking and unblocking must always be recorded; staff tap through
        # attendance lists fast and are known people.
        return
    verdict = context.bot_data.flood.check(user.id, press=update.callback_query is not None)
    if verdict is Verdict.ALLOW:
        return
    if update.callback_query is not None:
        # Always answer a press, or the client keeps spinning.
        with suppress(TelegramError):
            await update.callback_query.answer()
    if verdict is Verdict.WARN:
        log.info("update %s dropped: sender over the flood limit (told once)", update.update_id)
        tr = await translator_for_error(update, context)
        await context.bot.send_message(
            chat.id,
            tr.gettext(
                "You are sending messages very fast, so Nabo is taking a short break. "
                "Please wait a few seconds, then try again."
            ),
        )
    raise ApplicationHandlerStop

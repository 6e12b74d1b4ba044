"""Per-update groundwork before any journey: who is writing, in which language, and where."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop

from bot.core.i18n import Translator, resolve_language
from bot.db.processed_updates import bookkeeping
from bot.telegram.context import NaboContext
from bot.views.buttons import STAFF_CHAT_BUTTONS
from bot.views.notice import send_consent_request

log = logging.getLogger(__name__)


async def load_resident(update: Update, context: NaboContext) -> None:
    """Load the resident and their translator; drop updates Nabo must not act on.

    Nabo works in private chats only. Updates from groups and channels are dropped
    here (their members are never stored), except the bot's own membership changes,
    which ``handlers/membership.py`` answers once.
    """
    user = update.effective_user
    chat = update.effective_chat
    if update.my_chat_member is not None:
        await _resolve(update, context)
        return
    if user is None or user.is_bot or chat is None:
        log.debug("update %s dropped: no human sender", update.update_id)
        raise ApplicationHandlerStop
    if chat.type != Chat.PRIVATE:
        if _staff_chat_button(update, context):
            # A button on one of Nabo's own posts in the staff chat: the staff-only
            # handlers take it (anyone else's press is answered by the fallback).
            await _resolve(update, context)
            return
        if update.callback_query is not None:
            # Always answer a button press, even one Nabo ignores, or the client spins.
            await update.callback_query.answer()
        log.debug("update %s dropped: %s chat", update.update_id, chat.type)
        raise ApplicationHandlerStop
    await _resolve(update, context)
    await _record_interaction(context)


async def _record_interaction(context: NaboContext) -> None:
    """Note that the resident used Nabo, for retention: one cheap write a day at most.

    Any interaction also cancels a warning that their data would be erased.
    """
    resident = context.resident
    now = context.clock.now()
    if resident is not None and resident.needs_touch(now):
        with bookkeeping():
            await context.residents.touch(resident.user_id, now)
        context.resident = replace(resident, last_seen_at=now, retention_warned_at=None)


def _staff_chat_button(update: Update, context: NaboContext) -> bool:
    query = update.callback_query
    chat = update.effective_chat
    return (
        query is not None
        and chat is not None
        and chat.id == context.config.staff_chat_id
        and (query.data or "").startswith(STAFF_CHAT_BUTTONS)
    )


async def _resolve(update: Update, context: NaboContext) -> None:
    user = update.effective_user
    if user is None:
        return
    resident = await context.residents.get(user.id)
    context.resident = resident
    language = resolve_language(
        resident.language if resident else None,
        user.language_code,
        context.config.default_language,
    )
    context.tr = context.bot_data.services.catalogs.translator(language)


async def translator_for_error(update: Update, context: NaboContext) -> Translator:
    """Find the reader's translator for an error reply, even when the database is failing."""
    user = update.effective_user
    stored = None
    if user is not None:
        try:
            resident = await context.residents.get(user.id)
            stored = resident.language if resident else None
        except Exception:
            log.warning("could not read the resident's language for an error reply")
    code = user.language_code if user else None
    language = resolve_language(stored, code, context.config.default_language)
    return context.bot_data.services.catalogs.translator(language)


async def require_consent(update: Update, context: NaboContext) -> bool:
    """Return True if the resident has consented; otherwise show the notice and return False.

    Callers answer a button press themselves before calling this.
    """
    resident = context.resident
    if resident is not None and resident.has_consented:
        return True
    chat = update.effective_chat
    if chat is not None:
        await send_consent_request(chat.id, context.bot, context.tr)
    return False

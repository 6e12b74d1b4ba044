"""The error handler: log first (without personal data), tell the resident, report to staff."""

from __future__ import annotations

import contextlib
import logging
from typing import Literal

from telegram import Chat, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.db.processed_updates import UpdateHandledBefore
from bot.db.store import is_busy
from bot.telegram.context import NaboContext
from bot.telegram.session import translator_for_error
from bot.views.menu import back_to_menu_keyboard

log = logging.getLogger(__name__)


async def handle_error(update: object, context: NaboContext) -> None:
    """Log an error from a callback, apologise to the resident and report it to staff."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # A request to Telegram failed on the way or timed out (TimedOut is one). PTB
        # does not send it again, and the handler stopped there: what it saved stays
        # saved, but the resident may not have been told. Not a bug: no traceback, no
        # report; a short apology that points to where they can see it.
        log.warning("network error while handling update %s: %s", update_id, type(error).__name__)
        if isinstance(update, Update):
            await _apologise(update, context, "lost")
        return
    if isinstance(error, UpdateHandledBefore):
        # Its first write found its id already recorded (by a run before a restart): the
        # effect happened then, and this second one was rolled back. Nothing to tell.
        log.info("update %s dropped at its first write: handled before", update_id)
        return
    if is_busy(error):
        # Another process (a backup, an export) held the database longer than the busy
        # timeout; the write was rolled back whole. Not a bug to report: ask to retry.
        log.warning("database busy while handling update %s; asked to try again", update_id)
        if isinstance(update, Update):
            await _apologise(update, context, "busy")
        return
    # Only the update id and the exception: never the update itself, which holds message text.
    log.error("error while handling update %s", update_id, exc_info=error)
    if isinstance(update, Update) and not isinstance(error, Forbidden):
        await _apologise(update, context)
    await _report_to_staff(update_id, error, context)


# Why Nabo apologises: a bug, a database another process held too long, or an answer
# that a network error kept from the resident.
Apology = Literal["bug", "busy", "lost"]


async def _apologise(update: Update, context: NaboContext, why: Apology = "bug") -> None:
    chat = update.effective_chat
    try:
        # The error handler gets a fresh context, without the resident's translator.
        context.tr = await translator_for_error(update, context)
        _ = context.tr.gettext
        if update.callback_query is not None:
            # The handler has usually answered the press already; a second answer fails.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        if chat is not None and chat.type == Chat.PRIVATE:
            if why == "busy":
                text = _("Nabo is very busy right now and could not save that. Please try again.")
            elif why == "lost":
                text = _(
                    "Sorry, a connection problem stopped Nabo's answer from reaching you. "
                    "Open the menu to check what was saved."
                )
            else:
                text = _("Sorry, something went wrong on our side. Please try again in a moment.")
            await context.bot.send_message(
                chat.id,
                text,
                reply_markup=back_to_menu_keyboard(context.tr),
            )
    except TelegramError as error:
        log.warning("could not tell chat about the error: %s", type(error).__name__)


async def _report_to_staff(
    update_id: int | None, error: BaseException | None, context: NaboContext
) -> None:
    chat_id = context.config.staff_chat_id
    if chat_id is None:
        return
    # The staff chat reads the default language (usually Danish); the report names
    # the kind of error and the update, never the resident or what they wrote.
    tr = context.bot_data.services.catalogs.translator(context.config.default_language)
    text = tr.gettext(
        "⚠️ Nabo hit an error ({error}) while handling update {update_id}. See the log."
    )
    try:
        await context.bot.send_message(
            chat_id,
            text.format(
                error=tr.ltr(type(error).__name__ if error else "?"), update_id=tr.ltr(update_id)
            ),
        )
    except TelegramError as report_error:
        log.warning("could not report the error to staff: %s", type(report_error).__name__)

"""Joining slips in chat: the one-time link printed as a code, for staff to hand on.

Staff's "🔗" (after signing someone up, and in /person) makes a new joining link and
sends it as text (for a text message); then this makes the slip, an A6 sheet in the
person's language with the link as a QR code (bot/offline/printing), in another process
so the bot never stalls on drawing it, and sends it as a document to print.
"""

from __future__ import annotations

import io
import logging

from bot.offline.printing.request import SheetError, SlipRequest
from bot.offline.worker import slip_in_process
from bot.telegram.context import NaboContext
from bot.telegram.replies import showing_upload
from bot.views.on_behalf import slip_caption, slip_problem

log = logging.getLogger(__name__)


async def send_joining_slip(
    context: NaboContext, chat_id: int, person_id: int, token: str, name: str, language: str
) -> None:
    """Make the slip of a person's joining link (``token``) and send it to ``chat_id``."""
    config = context.config
    try:
        printed = await showing_upload(
            context.bot,
            chat_id,
            slip_in_process(
                config.database_path,
                SlipRequest(person_id, token),
                config.timezone,
                context.bot.username,
                context.clock.now(),
            ),
        )
    except SheetError as error:
        # The link was replaced (or the record erased) in the moment between.
        log.info("no joining slip: %s", error.problem)
        await context.bot.send_message(chat_id, slip_problem(context.tr))
        return
    await context.bot.send_document(
        chat_id,
        document=io.BytesIO(printed.data),
        filename=printed.filename,
        caption=slip_caption(context.tr, name, language),
    )

"""The privacy notice on paper, for staff and hosts who sign people up without Telegram.

Offered where it is needed: on staff's /poster list (all three languages), and at the
question of how someone signed up on their behalf was told about their data (in that
person's language). The PDF is the chat's notice with what Nabo keeps about someone
without Telegram (bot/core/notice.py), made in another process (bot/offline/worker.py)
and sent as a document. For staff, and for anyone who hosts an activity now (hosts sign
people up too); everyone else gets what a forged button gets. Written to the audit log.
"""

from __future__ import annotations

import io

from telegram import Update

from bot.core.config import LANGUAGES
from bot.offline.worker import notice_in_process
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, showing_upload
from bot.telegram.roles import HostCallbackQueryHandler
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.views.buttons import PrintNotice
from bot.views.on_behalf import notice_caption


async def send_notice(update: Update, context: NaboContext) -> None:
    """Make the privacy notice to print, in the language the button names, and send it."""
    press = await answer_press(update)
    language = PrintNotice.parse(press.data).language
    languages = LANGUAGES if language == "all" else (language,)
    config, now = context.config, context.clock.now()
    printed = await showing_upload(
        context.bot,
        press.chat_id,
        notice_in_process(tuple(languages), config.timezone, config.offline_retention_days, now),
    )
    await context.bot_data.services.audit.record(
        press.user_id, "notice.print", now, details=f"language={language}"
    )
    await context.bot.send_document(
        press.chat_id,
        document=io.BytesIO(printed.data),
        filename=printed.filename,
        caption=notice_caption(context.tr),
    )


def register(application: NaboApplication) -> None:
    """Add the button, for staff and for hosts."""
    staff = application.bot_data.config.staff_user_ids
    application.add_handler(StaffCallbackQueryHandler(staff, send_notice, PrintNotice.pattern()))
    application.add_handler(HostCallbackQueryHandler(PrintNotice, send_notice))

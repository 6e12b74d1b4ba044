"""A host writes to everyone signed up for, or waiting on, their activity.

From the host's view of the activity: they write the message in their own language, see
it as readers of their language will, with the number of residents who will get it, how
many read another language, and how many without Telegram will not (to call instead),
and send it. It goes out at once as a broadcast like staff's (bot/work/broadcasting.py):
one durable delivery per resident, exactly once, with the tally in the host's chat.
Each reader gets a line in their own language saying it is from the host of that
activity, and in which language it is written when not theirs (bot/views/host_requests.py).
Not through volunteer translators: a host's message is usually about today, and a
translation waits hours for a volunteer and a staff member's decision. Only the
activity's host may write (checked at the start and again at the send); it is audited.
"""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.config import LANGUAGES
from bot.db.broadcasts import ACTIVITY_PREFIX
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message, remind_to_answer, too_long
from bot.telegram.roles import HostCallbackQueryHandler, may_host
from bot.telegram.staff_screens import update_chat_id
from bot.views import host_requests as views
from bot.views.buttons import HostDiscardMessage, HostSendMessage, HostWriteMessage
from bot.work.broadcasting import start_broadcast

log = logging.getLogger(__name__)

TEXT, CONFIRM = range(2)
END = ConversationHandler.END
DRAFT = "host_message.draft"


async def start(update: Update, context: NaboContext) -> int:
    """Ask the host for their message (the handler checked they host the activity)."""
    press = await answer_press(update)
    activity = await context.activities.get(HostWriteMessage.parse(press.data).activity_id)
    if (
        activity is None
        or activity.status != "published"
        or activity.ends_at <= context.clock.now()
    ):
        await context.bot.send_message(
            press.chat_id, context.tr.gettext("This button no longer works.")
        )
        return END
    context.user_data[DRAFT] = {"activity_id": activity.id, "token": secrets.token_hex(4)}
    await context.bot.send_message(press.chat_id, views.ask_message(context.tr, activity))
    return TEXT


async def take_text(update: Update, context: NaboContext) -> int:
    """Take the message and show the preview, with who gets it."""
    message = update.effective_message
    assert message is not None
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, dict):
        return END
    text = message.text or ""
    if len(text) > views.MESSAGE_LIMIT:
        await too_long(message, context.tr, text, views.MESSAGE_LIMIT)
        return TEXT
    draft["text"] = text
    activity_id = draft["activity_id"]
    activity = await context.activities.get(activity_id)
    if activity is None:
        context.user_data.pop(DRAFT, None)
        await context.bot.send_message(
            update_chat_id(update), context.tr.gettext("This button no longer works.")
        )
        return END
    readers = await context.bot_data.services.broadcasts.count_audience_by_language(
        f"{ACTIVITY_PREFIX}{activity_id}"
    )
    count = sum(readers.values())
    others = count - readers.get(context.tr.language, 0)
    offline = len(await context.people.on_activity(activity_id))
    shown = views.message_for_reader(context.tr, activity, text, context.tr.language)
    for part, keyboard in views.message_preview(
        context.tr, shown, count, others, offline, draft["token"]
    ):
        await context.bot.send_message(update_chat_id(update), part, reply_markup=keyboard)
    return CONFIRM


async def send(update: Update, context: NaboContext) -> int:
    """Send the message durably, if this is the preview's draft and they still host it."""
    press = await answer_press(update)
    draft = context.user_data.get(DRAFT)
    tr = context.tr
    if not isinstance(draft, dict) or HostSendMessage.parse(press.data).token != draft.get("token"):
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return CONFIRM if isinstance(draft, dict) else END
    activity_id = draft["activity_id"]
    activity = await context.activities.get(activity_id)
    if activity is None or not await may_host(context, activity_id):
        context.user_data.pop(DRAFT, None)
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return END
    now = context.clock.now()
    repo = context.bot_data.services.broadcasts
    # Written in the host's language; each reader gets it with a line in theirs.
    catalogs = context.bot_data.services.catalogs
    texts: dict[str, str | None] = {
        language: views.message_for_reader(
            catalogs.translator(language), activity, draft["text"], tr.language
        )
        for language in LANGUAGES
    }
    broadcast_id = await repo.create(
        kind="message",
        audience=f"{ACTIVITY_PREFIX}{activity_id}",
        send_at=now,
        now=now,
        staff_user_id=press.user_id,
        texts=texts,
        activity_id=activity_id,
    )
    assert broadcast_id is not None
    # Stored before the draft leaves the conversation: a write the database refuses (busy)
    # gets "try again", and the same button then sends what the host wrote.
    context.user_data.pop(DRAFT, None)
    await context.bot_data.services.audit.record(
        press.user_id,
        "host.message",
        now,
        subject=f"activity:{activity_id}",
        details=f"broadcast={broadcast_id}",
    )
    await edit_query_message(press.query, tr.gettext("📤 Sending…"))
    assert press.query.message is not None
    await repo.set_progress_message(broadcast_id, press.chat_id, press.query.message.message_id)
    await start_broadcast(context.application, broadcast_id)
    log.info("a host sent a message about activity %s", activity_id)
    return END


async def discard(update: Update, context: NaboContext) -> int:
    """Throw the message away."""
    press = await answer_press(update)
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, dict) or HostDiscardMessage.parse(press.data).token != draft.get(
        "token"
    ):
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return CONFIRM if isinstance(draft, dict) else END
    context.user_data.pop(DRAFT, None)
    await edit_query_message(press.query, context.tr.gettext("Discarded. Nothing was sent."))
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop; nothing is sent."""
    context.user_data.pop(DRAFT, None)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Drop a message left for half an hour."""
    context.user_data.pop(DRAFT, None)
    if update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id,
            context.tr.gettext(
                "The message draft was left for 30 minutes, so it is stopped. Nothing was sent."
            ),
        )


def register(application: NaboApplication) -> None:
    """Add the host's message conversation."""
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[HostCallbackQueryHandler(HostWriteMessage, start)],
            states={
                TEXT: [MessageHandler(text, take_text)],
                CONFIRM: [
                    CallbackQueryHandler(send, pattern=HostSendMessage.pattern()),
                    CallbackQueryHandler(discard, pattern=HostDiscardMessage.pattern()),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", stop),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, remind_to_answer
                ),
            ],
            name="host_message",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )

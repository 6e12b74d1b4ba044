"""Staff broadcasts: write, choose the audience, preview, send now or schedule; list, cancel."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.dates import DateError, parse_start
from bot.core.i18n import LANGUAGE_NAMES
from bot.db.broadcasts import (
    ACTIVITY_PREFIX,
    LANGUAGE_PREFIX,
    SUBSCRIBERS,
    VOLUNTEERS,
)
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import ButtonPress, answer_press, edit_query_message, remind_to_answer
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.views.activity import MAX_MESSAGE, fit_message, shorten
from bot.views.broadcast import preview_parts
from bot.views.buttons import (
    BroadcastActivity,
    BroadcastAudience,
    BroadcastTranslator,
    CancelScheduled,
    DiscardBroadcast,
    DiscardWaitingBroadcast,
    NewBroadcast,
    SaveWaitingBroadcast,
    ScheduledList,
    SendBroadcast,
    SendLater,
    SendNow,
    SendWaitingBroadcast,
    SkipBroadcastText,
)
from bot.views.staff_texts import (
    date_examples,
    date_problem,
    language_name,
    pack_messages,
    utf16_len,
)
from bot.views.translation import translator_asked, translator_row
from bot.work.broadcasting import start_broadcast, sync_broadcast_jobs
from bot.work.translations import ask_for, closed, sync_translation_jobs

log = logging.getLogger(__name__)

# Conversation states.
TEXT_DA, TEXT_AR, TEXT_EN, AUDIENCE, WHEN, SCHEDULE_AT, CONFIRM = range(7)

MAX_LISTED = 20  # scheduled messages shown at once; well within Telegram's button limit
DRAFT = "broadcast_draft"  # key in user_data; the draft lives only for the conversation


def _skip_keyboard(context: NaboContext, language: str) -> InlineKeyboardMarkup:
    """Skip a version, or ask volunteer translators for it (by when it is needed)."""
    skip = InlineKeyboardButton(
        context.tr.gettext("Skip"), callback_data=SkipBroadcastText().pack()
    )
    translators = translator_row(context.tr, lambda hours: BroadcastTranslator(language, hours))
    return InlineKeyboardMarkup([[skip], translators])


async def _translator_chosen(update: Update, context: NaboContext) -> bool:
    """Take a press of "ask translators" (noted for the preview); False for another button."""
    query = update.callback_query
    if query is None or not BroadcastTranslator.pattern().match(query.data or ""):
        return False
    press = await answer_press(update)
    button = BroadcastTranslator.parse(press.data)
    context.user_data[DRAFT].setdefault("translate", {})[button.language] = button.hours
    await edit_query_message(press.query, translator_asked(context.tr, button.hours))
    return True


async def start(update: Update, context: NaboContext) -> int:
    """Begin a broadcast: ask for the Danish text."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    context.user_data[DRAFT] = {"texts": {}, "token": secrets.token_hex(4)}
    await update.effective_chat.send_message(
        context.tr.gettext(
            "📣 New message to residents.\n\n"
            "Write the message in Danish. It is sent exactly as you write it. "
            "Send /cancel to stop."
        )
    )
    return TEXT_DA


async def _take_text(update: Update, context: NaboContext, language: str) -> bool:
    """Store a typed version of the message; say so if it is too long."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if utf16_len(message.text) > MAX_MESSAGE:
        await message.reply_text(
            context.tr.gettext(
                "That is {count} characters; a message can have at most {limit}. "
                "Please shorten it and send it again."
            ).format(
                count=context.tr.ltr(utf16_len(message.text)), limit=context.tr.ltr(MAX_MESSAGE)
            )
        )
        return False
    context.user_data[DRAFT]["texts"][language] = message.text
    return True


async def danish_text(update: Update, context: NaboContext) -> int:
    """Take the Danish text; offer an Arabic version."""
    if not await _take_text(update, context, "da"):
        return TEXT_DA
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        context.tr.gettext(
            "Add an Arabic version? Write it, press Skip, or ask volunteer translators: "
            "choose by when you need the text."
        ),
        reply_markup=_skip_keyboard(context, "ar"),
    )
    return TEXT_AR


async def arabic_text(update: Update, context: NaboContext) -> int:
    """Take (or skip, or leave to translators) the Arabic text; offer an English version."""
    if await _translator_chosen(update, context):
        pass
    elif update.callback_query is not None:
        await update.callback_query.answer()
    elif not await _take_text(update, context, "ar"):
        return TEXT_AR
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        context.tr.gettext(
            "Add an English version? Write it, press Skip, or ask volunteer translators: "
            "choose by when you need the text."
        ),
        reply_markup=_skip_keyboard(context, "en"),
    )
    return TEXT_EN


async def english_text(update: Update, context: NaboContext) -> int:
    """Take (or skip, or leave to translators) the English text; ask who should get it."""
    if await _translator_chosen(update, context):
        pass
    elif update.callback_query is not None:
        await update.callback_query.answer()
    elif not await _take_text(update, context, "en"):
        return TEXT_EN
    assert update.effective_chat is not None
    repo = context.bot_data.services.broadcasts
    _ = context.tr.gettext
    counts = {
        "all": await repo.count_audience(SUBSCRIBERS),
        **{code: await repo.count_audience(LANGUAGE_PREFIX + code) for code in LANGUAGE_NAMES},
        "vol": await repo.count_audience(VOLUNTEERS),
    }
    rows = [
        [
            InlineKeyboardButton(
                _("Everyone who gets messages ({count})").format(
                    count=context.tr.ltr(counts["all"])
                ),
                callback_data=BroadcastAudience("all").pack(),
            )
        ],
        *[
            [
                InlineKeyboardButton(
                    _("Residents who read {language} ({count})").format(
                        language=language_name(context.tr, code),
                        count=context.tr.ltr(counts[code]),
                    ),
                    callback_data=BroadcastAudience(code).pack(),
                )
            ]
            for code, name in LANGUAGE_NAMES.items()
        ],
        [
            InlineKeyboardButton(
                _("Volunteers with an offer of help ({count})").format(
                    count=context.tr.ltr(counts["vol"])
                ),
                callback_data=BroadcastAudience("vol").pack(),
            )
        ],
        [
            InlineKeyboardButton(
                _("Those signed up for an activity…"),
                callback_data=BroadcastAudience("acts").pack(),
            )
        ],
    ]
    await update.effective_chat.send_message(
        _("Who should get the message?"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return AUDIENCE


async def choose_audience(update: Update, context: NaboContext) -> int:
    """Take the audience; for an activity, list the activities to choose from."""
    press = await answer_press(update)
    choice = BroadcastAudience.parse(press.data).audience
    if choice == "acts":
        listings, _total = await context.activities.upcoming(
            context.clock.now(), press.user_id, limit=20
        )
        rows = [
            [
                InlineKeyboardButton(
                    f"{context.tr.when(item.activity.starts_at)} · "
                    f"{shorten(item.activity.title(context.tr.language), 30)}",
                    callback_data=BroadcastActivity(item.activity.id).pack(),
                )
            ]
            for item in listings
        ]
        if not rows:
            await edit_query_message(
                press.query, context.tr.gettext("There are no coming activities. Send /cancel.")
            )
            return AUDIENCE
        await edit_query_message(
            press.query, context.tr.gettext("Which activity?"), InlineKeyboardMarkup(rows)
        )
        return AUDIENCE
    if choice == "vol":
        return await _ask_when(press.query, context, VOLUNTEERS)
    audience = SUBSCRIBERS if choice == "all" else LANGUAGE_PREFIX + choice
    return await _ask_when(press.query, context, audience)


async def choose_activity(update: Update, context: NaboContext) -> int:
    """Take an activity as the audience: those signed up or waiting."""
    press = await answer_press(update)
    button = BroadcastActivity.parse(press.data)
    activity = await context.activities.get(button.activity_id)
    if activity is None:
        await edit_query_message(
            press.query, context.tr.gettext("Sorry, we could not find that activity.")
        )
        return AUDIENCE
    context.user_data[DRAFT]["activity_title"] = activity.title(context.tr.language)
    return await _ask_when(press.query, context, f"{ACTIVITY_PREFIX}{activity.id}")


async def _ask_when(query: CallbackQuery, context: NaboContext, audience: str) -> int:
    context.user_data[DRAFT]["audience"] = audience
    _ = context.tr.gettext
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Send now"), callback_data=SendNow().pack())],
            [InlineKeyboardButton(_("Choose a later time"), callback_data=SendLater().pack())],
        ]
    )
    await edit_query_message(query, _("When should it go out?"), keyboard)
    return WHEN


async def send_now(update: Update, context: NaboContext) -> int:
    """Send as soon as it is confirmed."""
    press = await answer_press(update)
    context.user_data[DRAFT]["send_at"] = None
    return await _preview(press.chat_id, context)


async def ask_time(update: Update, context: NaboContext) -> int:
    """Ask for the date and time to send at."""
    press = await answer_press(update)
    await edit_query_message(
        press.query,
        context.tr.gettext("Please write the date and time, for example {examples}.").format(
            examples=date_examples(context.tr, context.clock.now(), context.config.timezone)
        ),
    )
    return SCHEDULE_AT


async def take_time(update: Update, context: NaboContext) -> int:
    """Read the date and time; it must lie in the future."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    _ = context.tr.gettext
    try:
        send_at = parse_start(message.text, context.clock.now(), context.config.timezone)
    except DateError as error:
        await message.reply_text(
            date_problem(context.tr, error.problem, None)
            + "\n"
            + _("Please write the date and time, for example {examples}.").format(
                examples=date_examples(context.tr, context.clock.now(), context.config.timezone)
            )
        )
        return SCHEDULE_AT
    context.user_data[DRAFT]["send_at"] = send_at
    assert update.effective_chat is not None
    return await _preview(update.effective_chat.id, context)


async def _preview(chat_id: int, context: NaboContext) -> int:
    """Show the message as residents will get it, the audience, the count and the time.

    All in one message when it fits (the buttons under it), else in as few as fit.
    """
    draft = context.user_data[DRAFT]
    tr = context.tr
    _ = tr.gettext
    count = await context.bot_data.services.broadcasts.count_audience(draft["audience"])
    send_at: datetime | None = draft["send_at"]
    waiting = _needed_by(context, draft)
    parts = preview_parts(tr, draft["texts"], count, send_at, waiting)
    # The preview's buttons name their draft, so an old preview cannot send a newer draft.
    first = (
        InlineKeyboardButton(
            _("💾 Keep it and ask the translators"),
            callback_data=SaveWaitingBroadcast(draft["token"]).pack(),
        )
        if waiting
        else InlineKeyboardButton(_("✅ Send"), callback_data=SendBroadcast(draft["token"]).pack())
    )
    keyboard = InlineKeyboardMarkup(
        [
            [first],
            [
                InlineKeyboardButton(
                    _("🗑 Discard"), callback_data=DiscardBroadcast(draft["token"]).pack()
                )
            ],
        ]
    )
    *before, last = pack_messages(parts, MAX_MESSAGE)
    for text in before:
        await context.bot.send_message(chat_id, text)
    await context.bot.send_message(chat_id, last, reply_markup=keyboard)
    return CONFIRM


def _needed_by(context: NaboContext, draft: dict[str, Any]) -> dict[str, datetime]:
    """By when each language the translators are asked for is needed (from now)."""
    now = context.clock.now()
    return {
        language: now + timedelta(hours=hours)
        for language, hours in draft.get("translate", {}).items()
        if language not in draft["texts"]
    }


async def save_waiting(update: Update, context: NaboContext) -> int:
    """Keep the message until its translations are decided, and ask the translators."""
    press = await answer_press(update)
    _ = context.tr.gettext
    draft = context.user_data.get(DRAFT)
    if draft is None or SaveWaitingBroadcast.parse(press.data).token != draft.get("token"):
        await edit_query_message(press.query, _("This button no longer works."))
        return CONFIRM if draft is not None else ConversationHandler.END
    # Saved before the draft leaves the conversation: a write the database refuses (busy)
    # gets "try again", and the same button then saves what staff typed.
    draft_id, request_ids = await context.translations.save_draft(
        staff_user_id=press.user_id,
        texts=draft["texts"],
        audience=draft["audience"],
        send_at=draft["send_at"],
        needed_by=_needed_by(context, draft),
        now=context.clock.now(),
    )
    context.user_data.pop(DRAFT, None)
    await context.bot_data.services.audit.record(
        press.user_id,
        "broadcast.wait",
        context.clock.now(),
        subject=f"broadcast_draft:{draft_id}",
        details=f"audience={draft['audience']}",
    )
    await edit_query_message(
        press.query,
        _(
            "💾 Kept. The message waits for its translations: you will see each one here, "
            "and then the message to send."
        ),
    )
    await ask_for(context.application, request_ids)
    return ConversationHandler.END


async def confirm(update: Update, context: NaboContext) -> int:
    """Store the broadcast; send it now (with a progress message) or at its time."""
    press = await answer_press(update)
    _ = context.tr.gettext
    button = SendBroadcast.parse(press.data)
    draft = context.user_data.get(DRAFT)
    if draft is None or button.token != draft.get("token"):
        await edit_query_message(press.query, _("This button no longer works."))
        return CONFIRM if draft is not None else ConversationHandler.END
    now = context.clock.now()
    broadcast_id = await context.bot_data.services.broadcasts.create(
        kind="message",
        audience=draft["audience"],
        send_at=draft["send_at"] or now,
        now=now,
        staff_user_id=press.user_id,
        texts=draft["texts"],
    )
    assert broadcast_id is not None
    # Only once it is stored: a busy database gets "try again", and the draft stays.
    context.user_data.pop(DRAFT, None)
    await _started(context, press, broadcast_id, now)
    return ConversationHandler.END


async def discard(update: Update, context: NaboContext) -> int:
    """Throw the draft away."""
    press = await answer_press(update)
    button = DiscardBroadcast.parse(press.data)
    draft = context.user_data.get(DRAFT)
    if draft is None or button.token != draft.get("token"):
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return CONFIRM if draft is not None else ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await edit_query_message(press.query, context.tr.gettext("Discarded. Nothing was sent."))
    return ConversationHandler.END


async def cancel(update: Update, context: NaboContext) -> int:
    """Stop at any step; nothing is saved."""
    context.user_data.pop(DRAFT, None)
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return ConversationHandler.END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Say that a draft left alone for 30 minutes was dropped."""
    context.user_data.pop(DRAFT, None)
    if update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id,
            context.tr.gettext(
                "The message draft was left for 30 minutes, so it is stopped. Nothing was sent."
            ),
        )


async def send_waiting(update: Update, context: NaboContext) -> None:
    """Send a message whose translations are all decided (staff saw every text)."""
    press = await answer_press(update)
    _ = context.tr.gettext
    draft_id = SendWaitingBroadcast.parse(press.data).draft_id
    now = context.clock.now()
    sent = await context.translations.send_draft(draft_id, now, press.user_id)
    if sent is None:
        await edit_query_message(press.query, _("This button no longer works."))
        return
    broadcast_id, _when = sent  # _started reads the time from the broadcast itself
    await _started(context, press, broadcast_id, now)


async def _started(
    context: NaboContext, press: ButtonPress, broadcast_id: int, now: datetime
) -> None:
    """Start a stored broadcast now (its progress in the pressed message) or at its time.

    For every message staff send: from the preview, or once its translations are decided.
    """
    _ = context.tr.gettext
    repo = context.bot_data.services.broadcasts
    broadcast = await repo.get(broadcast_id)
    assert broadcast is not None
    send_at = broadcast.send_at
    await context.bot_data.services.audit.record(
        press.user_id,
        "broadcast.create",
        now,
        subject=f"broadcast:{broadcast_id}",
        details=f"audience={broadcast.audience} send_at={send_at.isoformat()}",
    )
    log.info("broadcast %s created by staff", broadcast_id)
    if send_at <= now:
        await edit_query_message(press.query, _("📤 Sending…"))
        assert press.query.message is not None
        await repo.set_progress_message(broadcast_id, press.chat_id, press.query.message.message_id)
        await start_broadcast(context.application, broadcast_id)
        return
    # It goes out later, maybe days later: the tally then comes as a new message, not as
    # an edit of this one that nobody is looking at any more.
    await repo.set_progress_message(broadcast_id, press.chat_id, None)
    await sync_broadcast_jobs(context.application)
    await edit_query_message(
        press.query,
        _("🗓 Scheduled for {when}. See /scheduled to cancel it.").format(
            when=context.tr.when(send_at)
        ),
    )


async def discard_waiting(update: Update, context: NaboContext) -> None:
    """Throw away a message that waited for translations (and what still waits for it)."""
    press = await answer_press(update)
    draft_id = DiscardWaitingBroadcast.parse(press.data).draft_id
    if await context.translations.get_draft(draft_id) is None:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return
    for request in await context.translations.discard_draft(draft_id, context.clock.now()):
        await closed(context.application, request)
    await sync_translation_jobs(context.application)
    await edit_query_message(press.query, context.tr.gettext("Discarded. Nothing was sent."))


async def list_scheduled(update: Update, context: NaboContext) -> None:
    """List scheduled broadcasts with a button to cancel each."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    tr = context.tr
    scheduled = await context.bot_data.services.broadcasts.scheduled()
    if not scheduled:
        await update.effective_chat.send_message(tr.gettext("No messages are scheduled."))
        return
    lines = [tr.gettext("🗓 Scheduled messages:")]
    rows = []
    for number, broadcast in enumerate(scheduled[:MAX_LISTED], start=1):
        preview = tr.ltr(broadcast.text("da").replace("\n", " ")[:60])
        lines.append(f"\n{tr.ltr(number)}. {tr.when(broadcast.send_at)}\n{preview}")
        rows.append(
            [
                InlineKeyboardButton(
                    tr.gettext("❌ Cancel number {number}").format(number=tr.ltr(number)),
                    callback_data=CancelScheduled(broadcast.id).pack(),
                )
            ]
        )
    await update.effective_chat.send_message(
        fit_message("\n".join(lines)), reply_markup=InlineKeyboardMarkup(rows[:MAX_LISTED])
    )


async def cancel_scheduled(update: Update, context: NaboContext) -> None:
    """Cancel a scheduled broadcast that has not gone out yet."""
    press = await answer_press(update)
    broadcast_id = CancelScheduled.parse(press.data).broadcast_id
    _ = context.tr.gettext
    if await context.bot_data.services.broadcasts.cancel(broadcast_id):
        await context.bot_data.services.audit.record(
            press.user_id,
            "broadcast.cancel",
            context.clock.now(),
            subject=f"broadcast:{broadcast_id}",
        )
        await sync_broadcast_jobs(context.application)
        await edit_query_message(press.query, _("The scheduled message is cancelled."))
    else:
        await edit_query_message(press.query, _("That message is no longer scheduled."))


def register(application: NaboApplication) -> None:
    """Add the staff broadcast handlers."""
    staff = application.bot_data.config.staff_user_ids
    # New messages only: an edited earlier answer must not count as the next one.
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    def button(callback: object, pattern: str | re.Pattern[str]) -> StaffCallbackQueryHandler:
        return StaffCallbackQueryHandler(staff, callback, pattern)

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                staff_command(staff, "broadcast", start),
                button(start, NewBroadcast.pattern()),
            ],
            states={
                TEXT_DA: [MessageHandler(text, danish_text)],
                TEXT_AR: [
                    MessageHandler(text, arabic_text),
                    button(arabic_text, SkipBroadcastText.pattern()),
                    button(arabic_text, BroadcastTranslator.pattern(language="ar")),
                ],
                TEXT_EN: [
                    MessageHandler(text, english_text),
                    button(english_text, SkipBroadcastText.pattern()),
                    button(english_text, BroadcastTranslator.pattern(language="en")),
                ],
                AUDIENCE: [
                    button(choose_audience, BroadcastAudience.pattern()),
                    button(choose_activity, BroadcastActivity.pattern()),
                ],
                WHEN: [button(send_now, SendNow.pattern()), button(ask_time, SendLater.pattern())],
                SCHEDULE_AT: [MessageHandler(text, take_time)],
                CONFIRM: [
                    button(confirm, SendBroadcast.pattern()),
                    button(save_waiting, SaveWaitingBroadcast.pattern()),
                    button(discard, DiscardBroadcast.pattern()),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, remind_to_answer
                ),
            ],
            name="broadcast",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )
    application.add_handler(staff_command(staff, "scheduled", list_scheduled))
    application.add_handler(button(list_scheduled, ScheduledList.pattern()))
    application.add_handler(button(cancel_scheduled, CancelScheduled.pattern()))
    # A message that waited for its translations, once they are all decided.
    application.add_handler(button(send_waiting, SendWaitingBroadcast.pattern()))
    application.add_handler(button(discard_waiting, DiscardWaitingBroadcast.pattern()))

"""Staff in chat: describe a new activity (/newactivity) or type a new value for one.

One conversation ("staff_activities"): a new activity and a changed field share its states,
/cancel and timeout. Commands and buttons are staff-only (bot.telegram.staff); every effect is
checked again against the database. The draft is bot.views.activity_draft, the messages
bot.views.activity_editor; list, cancel and attendance are handlers.staff_roster,
staff_cancel_activity and staff_attendance; translators are asked through bot.work.translations.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler, TypeHandler, filters

from bot.core import dates
from bot.db.activities import OTHER_AREA
from bot.db.signups import PromotionNotice
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, remind_to_answer, remove_query_buttons
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.staff_screens import (
    audit_activity,
    changeable_activity,
    send_activity_screen,
    update_chat_id,
    update_user_id,
)
from bot.views import activity_editor as views
from bot.views.activity_draft import (
    EDIT_TEXTS,
    TEXT_FIELDS,
    Draft,
    Edit,
    TextProblem,
    unlimited_words,
)
from bot.views.buttons import (
    DiscardDraft,
    DraftArea,
    DraftDelaftale,
    DraftRepeat,
    DraftTranslator,
    DraftUnlimited,
    EditField,
    EditUnlimited,
    KeepLength,
    NewActivity,
    PublishDraft,
    RemoveText,
    SkipQuestion,
)
from bot.views.staff_texts import date_problem
from bot.work.broadcasting import notify_change, start_broadcast
from bot.work.reminders import sync_reminder_jobs
from bot.work.translations import ask_for

log = logging.getLogger(__name__)

CONVERSATION_TIMEOUT = timedelta(minutes=30)

# The conversation's states: the new activity's questions in order, its preview, then the edits.
TITLE_DA, TITLE_AR, TITLE_EN, DESCRIPTION_DA, DESCRIPTION_AR, DESCRIPTION_EN = range(6)
STARTS, ENDS, PLACE, CAPACITY, DELAFTALE, AREA, DEADLINE, REPEAT, PREVIEW = range(6, 15)
EDIT_TEXT, EDIT_CAPACITY, EDIT_STARTS, EDIT_ENDS = range(15, 19)
# The new activity's questions in the order they are asked, each with the draft field it fills.
_FIELDS = """title_da title_ar title_en description_da description_ar description_en
starts_at ends_at place capacity delaftale area signup_deadline weeks"""
QUESTIONS: dict[int, str] = dict(enumerate(_FIELDS.split()))
END = ConversationHandler.END

# The conversation's own entries in user_data (one each, typed below).
DRAFT_KEY = "staff_activities.draft"
EDIT_KEY = "staff_activities.edit"

Callback = Callable[[Update, NaboContext], Coroutine[Any, Any, int]]


# ---------------------------------------------------------------- small helpers


def _typed(update: Update) -> str:
    assert update.effective_message is not None
    return update.effective_message.text or ""


def _draft(context: NaboContext) -> Draft | None:
    draft = context.user_data.get(DRAFT_KEY)
    return draft if isinstance(draft, Draft) else None


def _edit(context: NaboContext) -> Edit | None:
    edit = context.user_data.get(EDIT_KEY)
    return edit if isinstance(edit, Edit) else None


def _forget(context: NaboContext) -> bool:
    """Drop any unfinished draft or edit; return True if a draft was dropped."""
    context.user_data.pop(EDIT_KEY, None)
    return context.user_data.pop(DRAFT_KEY, None) is not None


def _remember(context: NaboContext, key: str, value: Draft | Edit) -> None:
    context.user_data[key] = value


def _unlimited_words(context: NaboContext) -> set[str]:
    return unlimited_words(context.bot_data.services.catalogs)


# ---------------------------------------------------------------- the new activity's questions


async def _ask(context: NaboContext, chat_id: int, state: int, before: str = "") -> int:
    """Ask the question for ``state`` (after ``before``, e.g. what was wrong); return it."""
    draft = _draft(context)
    while draft is not None and draft.is_translated(QUESTIONS[state]):
        state = _after(state)  # a description translators are asked for with its title
    question, keyboard = views.question(
        context.tr, QUESTIONS[state], SkipQuestion(state), context.clock.now(), context.config
    )
    text = f"{before}\n\n{question}" if before else question
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    return state


def _after(state: int) -> int:
    order = list(QUESTIONS)
    return order[order.index(state) + 1] if state != REPEAT else PREVIEW


async def _lost(update: Update, context: NaboContext) -> int:
    """Say the conversation lost its draft (it should not happen) and end it."""
    _forget(context)
    await context.bot.send_message(update_chat_id(update), views.lost(context.tr))
    return END


async def _stale_button(context: NaboContext, chat_id: int, state: int) -> int:
    """Say a button from an earlier question no longer works; the open question stays."""
    await context.bot.send_message(chat_id, context.tr.gettext("This button no longer works."))
    return state


async def _cancelled(context: NaboContext, chat_id: int) -> int:
    """Say the activity was cancelled in the meantime, and end the conversation."""
    await context.bot.send_message(chat_id, views.cancelled_meanwhile(context.tr))
    return END


async def start_new(update: Update, context: NaboContext) -> int:
    """Start describing a new activity (from /newactivity or the staff menu)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    dropped = _forget(context)
    _remember(context, DRAFT_KEY, Draft())
    intro = views.new_activity_intro(context.tr, dropped)
    return await _ask(context, update_chat_id(update), TITLE_DA, intro)


def _text_answer(state: int) -> Callback:
    """Build the callback that takes the typed answer to one of the text questions."""
    spec = TEXT_FIELDS[QUESTIONS[state]]

    async def take_text(update: Update, context: NaboContext) -> int:
        """Store the text exactly as typed and ask the next question."""
        draft = _draft(context)
        if draft is None:
            return await _lost(update, context)
        text = _typed(update)
        problem = spec.problem(text)
        if problem is TextProblem.EMPTY:
            return await _ask(context, update_chat_id(update), state)
        if problem is TextProblem.TOO_LONG:
            too_long = views.too_long(context.tr, spec.limit)
            return await _ask(context, update_chat_id(update), state, too_long)
        setattr(draft, spec.field, text)
        return await _ask(context, update_chat_id(update), _after(state))

    return take_text


async def skip_question(update: Update, context: NaboContext) -> int:
    """Leave an optional answer out (or to volunteer translators); ask the next question."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    # The patterns only let through the question the conversation is at.
    if DraftTranslator.pattern().match(press.data):
        translators = DraftTranslator.parse(press.data)
        state = translators.state
        draft.ask_translators(QUESTIONS[state], translators.hours)
    else:
        state = SkipQuestion.parse(press.data).state
        draft.leave_out(QUESTIONS[state])
    await remove_query_buttons(press.query)
    return await _ask(context, press.chat_id, _after(state))


async def take_start(update: Update, context: NaboContext) -> int:
    """Read when the activity starts (in the future) and ask when it ends."""
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    try:
        draft.starts_at = dates.parse_start(
            _typed(update), context.clock.now(), context.config.timezone
        )
    except dates.DateError as error:
        problem = date_problem(context.tr, error.problem, None)
        return await _ask(context, update_chat_id(update), STARTS, problem)
    return await _ask(context, update_chat_id(update), ENDS)


async def take_end(update: Update, context: NaboContext) -> int:
    """Read when the activity ends (a time or a length) and ask where it is."""
    draft = _draft(context)
    if draft is None or draft.starts_at is None:
        return await _lost(update, context)
    try:
        draft.ends_at = dates.parse_end(_typed(update), draft.starts_at, context.config.timezone)
    except dates.DateError as error:
        problem = date_problem(context.tr, error.problem, draft.starts_at)
        return await _ask(context, update_chat_id(update), ENDS, problem)
    return await _ask(context, update_chat_id(update), PLACE)


async def take_capacity(update: Update, context: NaboContext) -> int:
    """Read the number of places (or the word for unlimited) and ask for the delaftale."""
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    try:
        draft.capacity = dates.parse_capacity(_typed(update), _unlimited_words(context))
    except dates.CapacityError:
        problem = views.capacity_problem(context.tr)
        return await _ask(context, update_chat_id(update), CAPACITY, problem)
    return await _ask(context, update_chat_id(update), DELAFTALE)


async def take_unlimited(update: Update, context: NaboContext) -> int:
    """Leave the number of places open and ask for the delaftale."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    draft.capacity = None
    await remove_query_buttons(press.query)
    return await _ask(context, press.chat_id, DELAFTALE)


async def take_delaftale(update: Update, context: NaboContext) -> int:
    """Store the chosen delaftale and ask for the housing area."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    draft.delaftale = DraftDelaftale.parse(press.data).delaftale
    await remove_query_buttons(press.query)
    return await _ask(context, press.chat_id, AREA)


async def take_area(update: Update, context: NaboContext) -> int:
    """Store the chosen housing area and ask for a sign-up deadline."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    area = DraftArea.parse(press.data).area
    areas = context.config.areas
    if area != "o" and int(area) >= len(areas):
        return await _ask(context, press.chat_id, AREA)  # a forged index: ask again
    draft.area = OTHER_AREA if area == "o" else areas[int(area)]
    await remove_query_buttons(press.query)
    return await _ask(context, press.chat_id, DEADLINE)


async def take_deadline(update: Update, context: NaboContext) -> int:
    """Read the sign-up deadline (future, not after the start) and ask about repeating."""
    draft = _draft(context)
    if draft is None or draft.starts_at is None:
        return await _lost(update, context)
    try:
        draft.signup_deadline = dates.parse_deadline(
            _typed(update), context.clock.now(), draft.starts_at, context.config.timezone
        )
    except dates.DateError as error:
        problem = date_problem(context.tr, error.problem, draft.starts_at)
        return await _ask(context, update_chat_id(update), DEADLINE, problem)
    return await _ask(context, update_chat_id(update), REPEAT)


async def take_repeat(update: Update, context: NaboContext) -> int:
    """Store how many more weeks it repeats and show the preview."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    draft.weeks = DraftRepeat.parse(press.data).weeks
    await remove_query_buttons(press.query)
    await _send_preview(context, press.chat_id, draft)
    return PREVIEW


async def _send_preview(context: NaboContext, chat_id: int, draft: Draft) -> None:
    """Show the activity as residents will see it in each language, then the buttons."""
    listing = draft.preview(context.clock.now())
    for text in views.preview_texts(context.tr, context.bot_data.services.catalogs, listing):
        await context.bot.send_message(chat_id, text)
    text, keyboard = views.preview_question(context.tr, draft, context.config.timezone)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def publish(update: Update, context: NaboContext) -> int:
    """Save the activity (a weekly series: one each week), schedule reminders, maybe announce."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None or draft.starts_at is None:
        return await _lost(update, context)
    tr = context.tr
    now = context.clock.now()
    await remove_query_buttons(press.query)
    if draft.starts_at <= now:
        _forget(context)
        await context.bot.send_message(press.chat_id, views.too_late(tr))
        return END
    announce = PublishDraft.parse(press.data).how == "ann"
    # The activities, the translations asked for and the announcement, all at once: a stop
    # after this is made good by the jobs' rebuild (it asks and announces what waits).
    published = await context.activities.publish(
        draft.activity_drafts(context.config.timezone),
        now,
        staff_user_id=press.user_id,
        translate={language: timedelta(hours=hours) for language, hours in draft.translate.items()},
        announce=announce,
    )
    _forget(context)
    ids = list(published.ids)
    for activity_id in ids:
        details = [f"series={ids[0]}"] if len(ids) > 1 else []
        if announce and activity_id == ids[0]:
            details.append("announce")
        await audit_activity(
            context, press.user_id, "activity.create", activity_id, ",".join(details) or None
        )
    log.info("staff published %d activit(ies) from %s", len(ids), ids[0])
    await sync_reminder_jobs(context.application)
    title = draft.preview(now).activity.title(tr.language)
    text, keyboard = views.published(tr, title, ids)
    await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)
    if published.requests:  # for the first of a series: its texts go to the others with it
        await ask_for(context.application, published.requests)
    if announce and published.requests:  # announced once the translations are decided
        await context.bot.send_message(press.chat_id, views.announce_later(tr))
    elif published.announcement is not None:
        await start_broadcast(context.application, published.announcement)
        await context.bot.send_message(press.chat_id, views.announcing(tr))
    return END


async def discard(update: Update, context: NaboContext) -> int:
    """Throw the draft away."""
    press = await answer_press(update)
    _forget(context)
    await remove_query_buttons(press.query)
    await context.bot.send_message(
        press.chat_id, context.tr.gettext("🗑 Discarded. Nothing was saved.")
    )
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """End the conversation on /cancel, saving nothing."""
    _forget(context)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("Stopped. Nothing was saved.")
    )
    return END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Say the unfinished activity or change was dropped after a long silence."""
    _forget(context)
    minutes = int(CONVERSATION_TIMEOUT.total_seconds() // 60)
    await context.bot.send_message(update_chat_id(update), views.timed_out(context.tr, minutes))


# ---------------------------------------------------------------- editing


async def start_edit(update: Update, context: NaboContext) -> int:
    """Ask for the new value of one of an activity's fields."""
    press = await answer_press(update)
    button = EditField.parse(press.data)
    activity = await changeable_activity(press, context, button.activity_id)
    if activity is None:
        return END
    tr = context.tr
    dropped = _forget(context)
    code = button.field
    _remember(context, EDIT_KEY, Edit(activity.id, code))
    note = views.not_saved(tr) + "\n\n" if dropped else ""
    if code == "time":
        now, zone = context.clock.now(), context.config.timezone
        await context.bot.send_message(
            press.chat_id, note + views.time_prompt(tr, activity, now, zone)
        )
        return EDIT_STARTS
    if code == "cap":
        listing = await context.activities.listing(activity.id, 0)
        assert listing is not None
        text, keyboard = views.capacity_prompt(tr, activity, listing.confirmed_people)
        await context.bot.send_message(press.chat_id, note + text, reply_markup=keyboard)
        return EDIT_CAPACITY
    text, keyboard = views.text_prompt(tr, activity, code)
    await context.bot.send_message(press.chat_id, note + text, reply_markup=keyboard)
    return EDIT_TEXT


async def take_edit_text(update: Update, context: NaboContext) -> int:
    """Save a new title, description or place, exactly as typed."""
    edit = _edit(context)
    if edit is None or edit.field not in EDIT_TEXTS:
        return await _lost(update, context)
    spec = EDIT_TEXTS[edit.field]
    text = _typed(update)
    problem = spec.problem(text)
    if problem is TextProblem.EMPTY:
        await remind_to_answer(update, context)
        return EDIT_TEXT
    if problem is TextProblem.TOO_LONG:
        too_long = views.too_long(context.tr, spec.limit)
        await context.bot.send_message(update_chat_id(update), too_long)
        return EDIT_TEXT
    return await _save_details(update, context, edit, {spec.field: text})


async def remove_text(update: Update, context: NaboContext) -> int:
    """Remove an optional title or description."""
    press = await answer_press(update)
    edit = _edit(context)
    button = RemoveText.parse(press.data)
    if edit is None or (edit.activity_id, edit.field) != (button.activity_id, button.field):
        # A button from an earlier question: this one is still open.
        return await _stale_button(context, press.chat_id, EDIT_TEXT)
    await remove_query_buttons(press.query)
    spec = EDIT_TEXTS[edit.field]
    return await _save_details(update, context, edit, {spec.field: spec.left_out})


async def _save_details(
    update: Update, context: NaboContext, edit: Edit, changes: dict[str, str | None]
) -> int:
    """Store changed texts; after a new place, tell everyone signed up or waiting."""
    chat_id = update_chat_id(update)
    before = await context.activities.get(edit.activity_id)
    activity = await context.activities.update_details(
        edit.activity_id, changes, context.clock.now()
    )
    _forget(context)
    if before is None or activity is None:
        return await _cancelled(context, chat_id)
    [column] = changes
    staff_id = update_user_id(update)
    await audit_activity(context, staff_id, "activity.edit", activity.id, f"field={column}")
    told = None
    if column == "place" and activity.place != before.place:
        told = await notify_change(context.application, activity, before, "place", staff_id)
        await sync_reminder_jobs(context.application)
    await _saved(context, chat_id, activity.id, told)
    return END


async def _saved(context: NaboContext, chat_id: int, activity_id: int, told: int | None) -> None:
    """Confirm a change (and how many residents heard of it), then show the activity."""
    await context.bot.send_message(chat_id, views.saved(context.tr, told))
    await send_activity_screen(context, chat_id, activity_id)


async def take_edit_capacity(update: Update, context: NaboContext) -> int:
    """Read the new number of places and apply it."""
    edit = _edit(context)
    if edit is None:
        return await _lost(update, context)
    try:
        capacity = dates.parse_capacity(_typed(update), _unlimited_words(context))
    except dates.CapacityError:
        await context.bot.send_message(update_chat_id(update), views.capacity_problem(context.tr))
        return EDIT_CAPACITY
    return await _save_capacity(update, context, edit, capacity)


async def edit_unlimited(update: Update, context: NaboContext) -> int:
    """Remove the limit on places."""
    press = await answer_press(update)
    edit = _edit(context)
    button = EditUnlimited.parse(press.data)
    if edit is None or edit.activity_id != button.activity_id:
        return await _stale_button(context, press.chat_id, EDIT_CAPACITY)
    await remove_query_buttons(press.query)
    return await _save_capacity(update, context, edit, None)


async def _save_capacity(
    update: Update, context: NaboContext, edit: Edit, capacity: int | None
) -> int:
    """Change the places (never below those signed up) and move the waitlist up."""
    tr = context.tr
    chat_id = update_chat_id(update)
    now = context.clock.now()
    change = await context.activities.set_capacity(edit.activity_id, capacity, now)
    if change is None:
        _forget(context)
        return await _cancelled(context, chat_id)
    if not change.changed:
        await context.bot.send_message(chat_id, views.too_few_places(tr, change.confirmed_people))
        return EDIT_CAPACITY
    _forget(context)
    promoted = await context.signups.promote(
        edit.activity_id, now, PromotionNotice(update_user_id(update), chat_id)
    )
    # Also when only people without Telegram moved up: the team is told to call them.
    context.bot_data.services.sender.wake()
    activity = await context.activities.get(edit.activity_id)
    assert activity is not None
    details = f"field=capacity,promoted={len(promoted)}"
    await audit_activity(context, update_user_id(update), "activity.edit", activity.id, details)
    await context.bot.send_message(chat_id, views.saved(tr, promoted=len(promoted)))
    await send_activity_screen(context, chat_id, activity.id)
    return END


async def take_edit_start(update: Update, context: NaboContext) -> int:
    """Read the new start and ask for the new end."""
    edit = _edit(context)
    if edit is None:
        return await _lost(update, context)
    tr = context.tr
    try:
        starts_at = dates.parse_start(_typed(update), context.clock.now(), context.config.timezone)
    except dates.DateError as error:
        now, zone = context.clock.now(), context.config.timezone
        problem = views.start_problem(tr, error.problem, now, zone)
        await context.bot.send_message(update_chat_id(update), problem)
        return EDIT_STARTS
    activity = await context.activities.get(edit.activity_id)
    if activity is None:
        return await _lost(update, context)
    _remember(context, EDIT_KEY, replace(edit, starts_at=starts_at))
    text, keyboard = views.keep_length_question(tr, activity, starts_at)
    await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)
    return EDIT_ENDS


async def take_edit_end(update: Update, context: NaboContext) -> int:
    """Read the new end and move the activity."""
    edit = _edit(context)
    if edit is None or edit.starts_at is None:
        return await _lost(update, context)
    try:
        ends_at = dates.parse_end(_typed(update), edit.starts_at, context.config.timezone)
    except dates.DateError as error:
        await context.bot.send_message(
            update_chat_id(update), date_problem(context.tr, error.problem, edit.starts_at)
        )
        return EDIT_ENDS
    return await _save_time(update, context, edit, edit.starts_at, ends_at)


async def keep_length(update: Update, context: NaboContext) -> int:
    """Move the activity and keep how long it lasts."""
    press = await answer_press(update)
    edit = _edit(context)
    button = KeepLength.parse(press.data)
    if edit is None or edit.starts_at is None or edit.activity_id != button.activity_id:
        return await _stale_button(context, press.chat_id, EDIT_ENDS)
    activity = await context.activities.get(edit.activity_id)
    if activity is None:
        return await _lost(update, context)
    await remove_query_buttons(press.query)
    length = activity.ends_at - activity.starts_at
    return await _save_time(update, context, edit, edit.starts_at, edit.starts_at + length)


async def _save_time(
    update: Update, context: NaboContext, edit: Edit, starts_at: datetime, ends_at: datetime
) -> int:
    """Move the activity, tell everyone signed up or waiting, and reschedule reminders."""
    chat_id = update_chat_id(update)
    _forget(context)
    before = await context.activities.get(edit.activity_id)
    activity = await context.activities.reschedule(
        edit.activity_id, starts_at, ends_at, context.clock.now(), context.config.timezone
    )
    if before is None or activity is None:
        return await _cancelled(context, chat_id)
    staff_id = update_user_id(update)
    await audit_activity(context, staff_id, "activity.edit", activity.id, "field=time")
    told = await notify_change(context.application, activity, before, "time", staff_id)
    await sync_reminder_jobs(context.application)
    await _saved(context, chat_id, activity.id, told)
    return END


# ---------------------------------------------------------------- registration


def register(application: NaboApplication) -> None:
    """Add the conversation that describes a new activity or changes one of its values."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    # Only a fresh message is an answer; an edit of an earlier answer is not.
    typed = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND

    def button(
        callback: Callable[..., Awaitable[object]], pattern: str | re.Pattern[str]
    ) -> StaffCallbackQueryHandler:
        return StaffCallbackQueryHandler(staff, callback, pattern)

    def answer(state: int) -> MessageHandler[NaboContext, int]:
        return MessageHandler(typed, _text_answer(state))

    def skip(state: int) -> StaffCallbackQueryHandler:
        return button(skip_question, SkipQuestion.pattern(state=state))

    def translators(state: int) -> StaffCallbackQueryHandler:
        return button(skip_question, DraftTranslator.pattern(state=state))

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                staff_command(staff, "newactivity", start_new),
                button(start_new, NewActivity.pattern()),
                button(start_edit, EditField.pattern()),
            ],
            states={
                TITLE_DA: [answer(TITLE_DA)],
                TITLE_AR: [answer(TITLE_AR), skip(TITLE_AR), translators(TITLE_AR)],
                TITLE_EN: [answer(TITLE_EN), skip(TITLE_EN), translators(TITLE_EN)],
                DESCRIPTION_DA: [answer(DESCRIPTION_DA), skip(DESCRIPTION_DA)],
                DESCRIPTION_AR: [answer(DESCRIPTION_AR), skip(DESCRIPTION_AR)],
                DESCRIPTION_EN: [answer(DESCRIPTION_EN), skip(DESCRIPTION_EN)],
                STARTS: [MessageHandler(typed, take_start)],
                ENDS: [MessageHandler(typed, take_end)],
                PLACE: [answer(PLACE)],
                CAPACITY: [
                    MessageHandler(typed, take_capacity),
                    button(take_unlimited, DraftUnlimited.pattern()),
                ],
                DELAFTALE: [button(take_delaftale, DraftDelaftale.pattern())],
                AREA: [button(take_area, DraftArea.pattern())],
                DEADLINE: [MessageHandler(typed, take_deadline), skip(DEADLINE)],
                REPEAT: [button(take_repeat, DraftRepeat.pattern())],
                PREVIEW: [
                    button(publish, PublishDraft.pattern()),
                    button(discard, DiscardDraft.pattern()),
                ],
                EDIT_TEXT: [
                    MessageHandler(typed, take_edit_text),
                    button(remove_text, RemoveText.pattern()),
                ],
                EDIT_CAPACITY: [
                    MessageHandler(typed, take_edit_capacity),
                    button(edit_unlimited, EditUnlimited.pattern()),
                ],
                EDIT_STARTS: [MessageHandler(typed, take_edit_start)],
                EDIT_ENDS: [
                    MessageHandler(typed, take_edit_end),
                    button(keep_length, KeepLength.pattern()),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                staff_command(staff, "cancel", stop),
                MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, remind_to_answer),
            ],
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            name="staff_activities",
        )
    )

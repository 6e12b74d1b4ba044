"""Staff in chat: describe a new activity (/newactivity) or type a new value for one.

Both are one conversation (the one literal in ``register``), because a new activity and a
changed field share its states, its /cancel, its timeout and its name ("staff_activities",
kept from before the split so conversation state and tests still find it). Every command
and button is built with bot.telegram.staff's staff-only helpers, so for anyone else it is
an unknown command or a forged button, which the fallback answers. Buttons carry what they act
on in their callback data (the kinds in bot.views.buttons), and every effect is checked again
against the database. The list, the staff view, cancelling and attendance are in
handlers.staff_roster, handlers.staff_cancel_activity and handlers.staff_attendance.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.config import LANGUAGES
from bot.core.dates import (
    CapacityError,
    DateError,
    parse_capacity,
    parse_deadline,
    parse_end,
    parse_start,
    weekly,
)
from bot.core.i18n import Translator
from bot.db.activities import (
    DEFAULT_MAX_PER_SIGNUP,
    DELAFTALER,
    OTHER_AREA,
    Activity,
    ActivityDraft,
    ActivityListing,
)
from bot.db.signups import PromotionNotice
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, remove_query_buttons
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.staff_screens import (
    audit_activity,
    changeable_activity,
    send_activity_screen,
    update_chat_id,
    update_user_id,
)
from bot.views.activity import (
    activity_detail,
    activity_title_when,
    area_name,
    delaftale_name,
    fit_message,
)
from bot.views.buttons import (
    REPEAT_WEEKS,
    DiscardDraft,
    DraftArea,
    DraftDelaftale,
    DraftRepeat,
    DraftUnlimited,
    EditField,
    EditUnlimited,
    KeepLength,
    NewActivity,
    PublishDraft,
    RemoveText,
    SkipQuestion,
    StaffActivity,
    StaffMenu,
)
from bot.views.staff_activity import people_text
from bot.views.staff_texts import date_examples, date_problem, language_name
from bot.work.broadcasting import announce_activity, notify_activity
from bot.work.reminders import sync_reminder_jobs

log = logging.getLogger(__name__)

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 3000
PLACE_LIMIT = 200
CONVERSATION_TIMEOUT = timedelta(minutes=30)

# The conversation's states: the new activity's questions in order, then the edits.
(
    TITLE_DA,
    TITLE_AR,
    TITLE_EN,
    DESCRIPTION_DA,
    DESCRIPTION_AR,
    DESCRIPTION_EN,
    STARTS,
    ENDS,
    PLACE,
    CAPACITY,
    DELAFTALE,
    AREA,
    DEADLINE,
    REPEAT,
    PREVIEW,
    EDIT_TEXT,
    EDIT_CAPACITY,
    EDIT_STARTS,
    EDIT_ENDS,
) = range(19)
QUESTIONS = tuple(range(TITLE_DA, REPEAT + 1))  # the new activity's, in order
END = ConversationHandler.END

# The conversation's own entries in user_data (one each, typed below).
DRAFT_KEY = "staff_activities.draft"
EDIT_KEY = "staff_activities.edit"


@dataclass(frozen=True, slots=True)
class TextField:
    """A text staff type: which field, how long it may be, whether it may be left out."""

    field: str
    limit: int
    optional: bool


TEXT_QUESTIONS: dict[int, TextField] = {
    TITLE_DA: TextField("title_da", TITLE_LIMIT, optional=False),
    TITLE_AR: TextField("title_ar", TITLE_LIMIT, optional=True),
    TITLE_EN: TextField("title_en", TITLE_LIMIT, optional=True),
    DESCRIPTION_DA: TextField("description_da", DESCRIPTION_LIMIT, optional=True),
    DESCRIPTION_AR: TextField("description_ar", DESCRIPTION_LIMIT, optional=True),
    DESCRIPTION_EN: TextField("description_en", DESCRIPTION_LIMIT, optional=True),
    PLACE: TextField("place", PLACE_LIMIT, optional=False),
}
# Fields of an existing activity that are edited as text: code in callback data → field.
EDIT_TEXTS: dict[str, TextField] = {
    "t_da": TEXT_QUESTIONS[TITLE_DA],
    "t_ar": TEXT_QUESTIONS[TITLE_AR],
    "t_en": TEXT_QUESTIONS[TITLE_EN],
    "d_da": TEXT_QUESTIONS[DESCRIPTION_DA],
    "d_ar": TEXT_QUESTIONS[DESCRIPTION_AR],
    "d_en": TEXT_QUESTIONS[DESCRIPTION_EN],
    "place": TEXT_QUESTIONS[PLACE],
}


@dataclass(slots=True)
class Draft:
    """A new activity while staff describe it; nothing is saved until it is published."""

    title_da: str = ""
    title_ar: str | None = None
    title_en: str | None = None
    description_da: str = ""
    description_ar: str | None = None
    description_en: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    capacity: int | None = None
    delaftale: str = ""
    area: str = ""
    signup_deadline: datetime | None = None
    weeks: int = 0  # how many more weeks it repeats

    def activity_drafts(self, context: NaboContext) -> list[ActivityDraft]:
        """Return one ActivityDraft per week, at the same local wall-clock time."""
        assert self.starts_at is not None
        assert self.ends_at is not None
        zone = context.config.timezone
        deadline = self.signup_deadline
        return [
            ActivityDraft(
                title_da=self.title_da,
                title_ar=self.title_ar,
                title_en=self.title_en,
                description_da=self.description_da,
                description_ar=self.description_ar,
                description_en=self.description_en,
                starts_at=weekly(self.starts_at, week, zone),
                ends_at=weekly(self.ends_at, week, zone),
                place=self.place,
                delaftale=self.delaftale,
                area=self.area,
                capacity=self.capacity,
                signup_deadline=weekly(deadline, week, zone) if deadline else None,
            )
            for week in range(self.weeks + 1)
        ]

    def preview(self, now: datetime) -> ActivityListing:
        """Return the first activity as residents will see it once published."""
        assert self.starts_at is not None
        assert self.ends_at is not None
        activity = Activity(
            id=0,
            title_da=self.title_da,
            title_ar=self.title_ar,
            title_en=self.title_en,
            description_da=self.description_da,
            description_ar=self.description_ar,
            description_en=self.description_en,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            capacity=self.capacity,
            delaftale=self.delaftale,
            area=self.area,
            signup_deadline=self.signup_deadline,
            max_per_signup=DEFAULT_MAX_PER_SIGNUP,
            status="published",
            series_id=None,
            created_at=now,
        )
        return ActivityListing(activity, confirmed_people=0, waitlisted_parties=0, my_status=None)


@dataclass(frozen=True, slots=True)
class Edit:
    """Which value of which activity staff are typing anew (and a new start, for times)."""

    activity_id: int
    field: str  # a key of EDIT_TEXTS, or "time" or "cap"
    starts_at: datetime | None = None


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
    """Return the word for "unlimited" in every language (staff may type any of them)."""
    catalogs = context.bot_data.services.catalogs
    return {"unlimited"} | {
        catalogs.translator(language).gettext("unlimited") for language in LANGUAGES
    }


def _limit_note(tr: Translator, limit: int) -> str:
    return tr.ngettext(
        "(At most {count} character.)", "(At most {count} characters.)", limit
    ).format(count=tr.ltr(limit))


def _too_long(tr: Translator, limit: int) -> str:
    return tr.ngettext(
        "That is too long. Please use at most {count} character.",
        "That is too long. Please use at most {count} characters.",
        limit,
    ).format(count=tr.ltr(limit))


def _end_examples(tr: Translator) -> tuple[str, str]:
    durations = format_list(
        [tr.ltr(example) for example in ("2h", "90m", "1h30m")], style="or", locale=tr.locale
    )
    return tr.ltr("19:00"), durations


# ---------------------------------------------------------------- the new activity's questions


def _skip_button(tr: Translator, state: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(tr.gettext("Skip ⏭"), callback_data=SkipQuestion(state).pack())


def _question(context: NaboContext, state: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and buttons that ask the new activity's question for ``state``."""
    tr = context.tr
    _ = tr.gettext
    skip = InlineKeyboardMarkup([[_skip_button(tr, state)]])
    if state == TITLE_DA:
        return (
            " ".join([_("What is the activity called, in Danish?"), _limit_note(tr, TITLE_LIMIT)]),
            None,
        )
    if state == TITLE_AR:
        return _(
            "And the title in Arabic? Press Skip if there is none: residents then see the "
            "Danish title."
        ), skip
    if state == TITLE_EN:
        return _(
            "And the title in English? Press Skip if there is none: residents then see the "
            "Danish title."
        ), skip
    if state == DESCRIPTION_DA:
        question = _(
            "A short description in Danish: what happens, for whom, and what to bring. "
            "Press Skip if you would rather not."
        )
        return f"{question} {_limit_note(tr, DESCRIPTION_LIMIT)}", skip
    if state == DESCRIPTION_AR:
        return _("The description in Arabic? Press Skip if there is none."), skip
    if state == DESCRIPTION_EN:
        return _("The description in English? Press Skip if there is none."), skip
    if state == STARTS:
        return _("When does it start? Write the date and time, for example {examples}.").format(
            examples=date_examples(context.tr, context.clock.now(), context.config.timezone)
        ), None
    if state == ENDS:
        time, durations = _end_examples(tr)
        return _(
            "When does it end? Write the time, for example {time}, or how long it lasts, "
            "for example {durations}."
        ).format(time=time, durations=durations), None
    if state == PLACE:
        return " ".join([_("Where is it?"), _limit_note(tr, PLACE_LIMIT)]), None
    if state == CAPACITY:
        return _(
            "How many places are there? Write a number, or press Unlimited if there is no limit."
        ), InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("♾ Unlimited"), callback_data=DraftUnlimited().pack())]]
        )
    if state == DELAFTALE:
        rows = [
            [
                InlineKeyboardButton(
                    delaftale_name(tr, code), callback_data=DraftDelaftale(code).pack()
                )
            ]
            for code in DELAFTALER
        ]
        return _("Which delaftale does it belong to?"), InlineKeyboardMarkup(rows)
    if state == AREA:
        rows = [
            [InlineKeyboardButton(area_name(tr, area), callback_data=DraftArea(str(index)).pack())]
            for index, area in enumerate(context.config.areas)
        ]
        rows.append(
            [InlineKeyboardButton(area_name(tr, OTHER_AREA), callback_data=DraftArea("o").pack())]
        )
        return _("Which housing area?"), InlineKeyboardMarkup(rows)
    if state == DEADLINE:
        return _(
            "Is there a deadline for signing up? Write the date and time, or press Skip: then "
            "residents can sign up until it starts."
        ), skip
    assert state == REPEAT
    weeks = [
        InlineKeyboardButton(
            tr.ngettext("+{count} week", "+{count} weeks", count).format(count=tr.ltr(count)),
            callback_data=DraftRepeat(count).pack(),
        )
        for count in REPEAT_WEEKS
    ]
    rows = [[InlineKeyboardButton(_("No, just once"), callback_data=DraftRepeat(0).pack())]]
    rows += [weeks[index : index + 3] for index in range(0, len(weeks), 3)]
    return _(
        "Should it repeat every week at the same time? Choose how many more weeks."
    ), InlineKeyboardMarkup(rows)


async def _ask(context: NaboContext, chat_id: int, state: int, before: str = "") -> int:
    """Ask the question for ``state`` (after ``before``, e.g. what was wrong); return it."""
    question, keyboard = _question(context, state)
    text = f"{before}\n\n{question}" if before else question
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    return state


def _after(state: int) -> int:
    return QUESTIONS[QUESTIONS.index(state) + 1] if state != REPEAT else PREVIEW


async def _lost(update: Update, context: NaboContext) -> int:
    """Say the conversation lost its draft (it should not happen) and end it."""
    _forget(context)
    await context.bot.send_message(
        update_chat_id(update),
        context.tr.gettext(
            "Sorry, I lost track of what we were doing. Nothing was saved; please start again."
        ),
    )
    return END


async def start_new(update: Update, context: NaboContext) -> int:
    """Start describing a new activity (from /newactivity or the staff menu)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    _ = context.tr.gettext
    dropped = _forget(context)
    _remember(context, DRAFT_KEY, Draft())
    intro = _("➕ New activity. I will ask a few questions; you can stop at any time with /cancel.")
    if dropped:
        intro = "\n\n".join([_("The activity you started before was not saved."), intro])
    return await _ask(context, update_chat_id(update), TITLE_DA, intro)


def _text_answer(state: int) -> Callback:
    """Build the callback that takes the typed answer to one of the text questions."""
    spec = TEXT_QUESTIONS[state]

    async def take_text(update: Update, context: NaboContext) -> int:
        """Store the text exactly as typed and ask the next question."""
        draft = _draft(context)
        if draft is None:
            return await _lost(update, context)
        text = _typed(update)
        if not text.strip():
            return await _ask(context, update_chat_id(update), state)
        if len(text) > spec.limit:
            return await _ask(
                context, update_chat_id(update), state, _too_long(context.tr, spec.limit)
            )
        setattr(draft, spec.field, text)
        return await _ask(context, update_chat_id(update), _after(state))

    return take_text


async def skip_question(update: Update, context: NaboContext) -> int:
    """Leave an optional answer out and ask the next question."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    # The pattern only lets through the question the conversation is at.
    state = SkipQuestion.parse(press.data).state
    if state == DEADLINE:
        draft.signup_deadline = None
    else:
        spec = TEXT_QUESTIONS[state]
        assert spec.optional
        setattr(draft, spec.field, "" if spec.field == "description_da" else None)
    await remove_query_buttons(press.query)
    return await _ask(context, press.chat_id, _after(state))


async def take_start(update: Update, context: NaboContext) -> int:
    """Read when the activity starts (in the future) and ask when it ends."""
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    try:
        draft.starts_at = parse_start(_typed(update), context.clock.now(), context.config.timezone)
    except DateError as error:
        problem = date_problem(context.tr, error.problem, None)
        return await _ask(context, update_chat_id(update), STARTS, problem)
    return await _ask(context, update_chat_id(update), ENDS)


async def take_end(update: Update, context: NaboContext) -> int:
    """Read when the activity ends (a time or a length) and ask where it is."""
    draft = _draft(context)
    if draft is None or draft.starts_at is None:
        return await _lost(update, context)
    try:
        draft.ends_at = parse_end(_typed(update), draft.starts_at, context.config.timezone)
    except DateError as error:
        problem = date_problem(context.tr, error.problem, draft.starts_at)
        return await _ask(context, update_chat_id(update), ENDS, problem)
    return await _ask(context, update_chat_id(update), PLACE)


def _capacity_problem(tr: Translator) -> str:
    return tr.gettext(
        "Please write the number of places as a whole number, 1 or more, for example {example}."
    ).format(example=tr.ltr(20))


async def take_capacity(update: Update, context: NaboContext) -> int:
    """Read the number of places (or the word for unlimited) and ask for the delaftale."""
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    try:
        draft.capacity = parse_capacity(_typed(update), _unlimited_words(context))
    except CapacityError:
        return await _ask(context, update_chat_id(update), CAPACITY, _capacity_problem(context.tr))
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
        draft.signup_deadline = parse_deadline(
            _typed(update), context.clock.now(), draft.starts_at, context.config.timezone
        )
    except DateError as error:
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
    tr = context.tr
    _ = tr.gettext
    listing = draft.preview(context.clock.now())
    for language in LANGUAGES:
        reader = context.bot_data.services.catalogs.translator(language)
        heading = _("👀 Preview: what residents see in {language}").format(
            language=language_name(tr, language)
        )
        text = fit_message(f"{heading}\n\n{activity_detail(reader, listing)}")
        await context.bot.send_message(chat_id, text)
    lines = [_("Does it look right?")]
    if draft.weeks:
        lines.append(
            tr.ngettext(
                "It repeats every week: {count} time in all.",
                "It repeats every week: {count} times in all.",
                draft.weeks + 1,
            ).format(count=tr.ltr(draft.weeks + 1))
        )
        lines += [f"• {tr.when(one.starts_at)}" for one in draft.activity_drafts(context)]
    lines += ["", _("“Publish and announce” also tells residents who want news about it.")]
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Publish"), callback_data=PublishDraft("pub").pack())],
            [
                InlineKeyboardButton(
                    _("📣 Publish and announce"), callback_data=PublishDraft("ann").pack()
                )
            ],
            [InlineKeyboardButton(_("🗑 Discard"), callback_data=DiscardDraft().pack())],
        ]
    )
    await context.bot.send_message(chat_id, fit_message("\n".join(lines)), reply_markup=keyboard)


async def publish(update: Update, context: NaboContext) -> int:
    """Save the activity (a weekly series: one each week), schedule reminders, maybe announce."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None or draft.starts_at is None:
        return await _lost(update, context)
    tr = context.tr
    _ = tr.gettext
    now = context.clock.now()
    await remove_query_buttons(press.query)
    if draft.starts_at <= now:
        _forget(context)
        await context.bot.send_message(
            press.chat_id,
            _("The start time has passed in the meantime, so nothing was saved."),
        )
        return END
    [ids] = await context.activities.add_series([draft.activity_drafts(context)], now)
    _forget(context)
    announce = PublishDraft.parse(press.data).how == "ann"
    for activity_id in ids:
        details = [f"series={ids[0]}"] if len(ids) > 1 else []
        if announce and activity_id == ids[0]:
            details.append("announce")
        await audit_activity(
            context, press.user_id, "activity.create", activity_id, ",".join(details) or None
        )
    log.info("staff published %d activit(ies) from %s", len(ids), ids[0])
    await sync_reminder_jobs(context.application)
    text = tr.ngettext(
        "✅ Published: {title}. {count} activity is now open for sign-up.",
        "✅ Published: {title}. {count} activities are now open for sign-up.",
        len(ids),
    ).format(title=draft.preview(now).activity.title(tr.language), count=tr.ltr(len(ids)))
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("📋 Sign-ups"), callback_data=StaffActivity(ids[0]).pack())],
            [InlineKeyboardButton(_("🛠 Staff menu"), callback_data=StaffMenu().pack())],
        ]
    )
    await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)
    if announce:
        await announce_activity(context, ids[0], press.user_id)
        await context.bot.send_message(
            press.chat_id, _("📣 The announcement is on its way to residents.")
        )
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


async def remind(update: Update, context: NaboContext) -> None:
    """Answer something that is not an answer to the open question; the question stays."""
    await context.bot.send_message(
        update_chat_id(update),
        context.tr.gettext("Please answer the question above, or write /cancel to stop."),
    )


async def timed_out(update: Update, context: NaboContext) -> None:
    """Say the unfinished activity or change was dropped after a long silence."""
    _forget(context)
    minutes = int(CONVERSATION_TIMEOUT.total_seconds() // 60)
    await context.bot.send_message(
        update_chat_id(update),
        context.tr.ngettext(
            "⌛ I stopped waiting after {count} minute without an answer, so nothing was saved.",
            "⌛ I stopped waiting after {count} minutes without an answer, so nothing was saved.",
            minutes,
        ).format(count=context.tr.ltr(minutes)),
    )


# ---------------------------------------------------------------- editing


async def start_edit(update: Update, context: NaboContext) -> int:
    """Ask for the new value of one of an activity's fields."""
    press = await answer_press(update)
    button = EditField.parse(press.data)
    activity = await changeable_activity(press, context, button.activity_id)
    if activity is None:
        return END
    tr = context.tr
    _ = tr.gettext
    dropped = _forget(context)
    code = button.field
    _remember(context, EDIT_KEY, Edit(activity.id, code))
    note = _("The activity you started before was not saved.") + "\n\n" if dropped else ""
    if code == "time":
        now_text = f"{tr.when(activity.starts_at)} – {tr.ltr(tr.time(activity.ends_at))}"
        text = _(
            "When does it start now? Write the date and time, for example {examples}.\n\n"
            "Now: {current}"
        ).format(
            examples=date_examples(context.tr, context.clock.now(), context.config.timezone),
            current=now_text,
        )
        await context.bot.send_message(press.chat_id, note + text)
        return EDIT_STARTS
    if code == "cap":
        listing = await context.activities.listing(activity.id, 0)
        assert listing is not None
        current = _("unlimited") if activity.capacity is None else tr.ltr(activity.capacity)
        text = _(
            "How many places should there be? Write a number, or press Unlimited.\n\n"
            "Now: {current}. Signed up: {people}."
        ).format(current=current, people=people_text(tr, listing.confirmed_people))
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("♾ Unlimited"), callback_data=EditUnlimited(activity.id).pack()
                    )
                ]
            ]
        )
        await context.bot.send_message(press.chat_id, note + text, reply_markup=keyboard)
        return EDIT_CAPACITY
    await context.bot.send_message(
        press.chat_id,
        note + _edit_text_prompt(tr, activity, code),
        reply_markup=_remove_keyboard(tr, activity.id, code),
    )
    return EDIT_TEXT


def _edit_text_prompt(tr: Translator, activity: Activity, code: str) -> str:
    _ = tr.gettext
    spec = EDIT_TEXTS[code]
    current = getattr(activity, spec.field) or _("(none)")
    if code == "place":
        prompt = _("Where is it now? Write the new place.")
    elif code.startswith("t_"):
        prompt = _("Write the new title in {language}.").format(
            language=language_name(tr, code[2:])
        )
    else:
        prompt = _("Write the new description in {language}.").format(
            language=language_name(tr, code[2:])
        )
    text = f"{prompt} {_limit_note(tr, spec.limit)}\n\n" + _("Now: {current}").format(
        current=current
    )
    return fit_message(text)


def _remove_keyboard(tr: Translator, activity_id: int, code: str) -> InlineKeyboardMarkup | None:
    if not EDIT_TEXTS[code].optional:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("🗑 Remove this text"),
                    callback_data=RemoveText(activity_id, code).pack(),
                )
            ]
        ]
    )


async def take_edit_text(update: Update, context: NaboContext) -> int:
    """Save a new title, description or place, exactly as typed."""
    edit = _edit(context)
    if edit is None or edit.field not in EDIT_TEXTS:
        return await _lost(update, context)
    spec = EDIT_TEXTS[edit.field]
    text = _typed(update)
    if not text.strip():
        await remind(update, context)
        return EDIT_TEXT
    if len(text) > spec.limit:
        await context.bot.send_message(update_chat_id(update), _too_long(context.tr, spec.limit))
        return EDIT_TEXT
    return await _save_details(update, context, edit, {spec.field: text})


async def remove_text(update: Update, context: NaboContext) -> int:
    """Remove an optional title or description."""
    press = await answer_press(update)
    edit = _edit(context)
    button = RemoveText.parse(press.data)
    if edit is None or (edit.activity_id, edit.field) != (button.activity_id, button.field):
        # A button from an earlier question: this one is still open.
        await context.bot.send_message(
            press.chat_id, context.tr.gettext("This button no longer works.")
        )
        return EDIT_TEXT
    await remove_query_buttons(press.query)
    spec = EDIT_TEXTS[edit.field]
    return await _save_details(
        update, context, edit, {spec.field: "" if spec.field == "description_da" else None}
    )


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
        await context.bot.send_message(
            chat_id,
            context.tr.gettext("This activity is cancelled, so it can no longer be changed."),
        )
        return END
    [column] = changes
    await audit_activity(
        context, update_user_id(update), "activity.edit", activity.id, f"field={column}"
    )
    told = None
    if column == "place" and activity.place != before.place:
        told = await _tell_change(context, activity, before, "place")
        await sync_reminder_jobs(context.application)
    await _saved(context, chat_id, activity.id, told)
    return END


async def _saved(context: NaboContext, chat_id: int, activity_id: int, told: int | None) -> None:
    """Confirm a change (and how many residents heard of it), then show the activity."""
    tr = context.tr
    text = tr.gettext("✅ Saved.")
    if told is not None:
        text += " " + tr.ngettext(
            "{count} resident is being told about the change.",
            "{count} residents are being told about the change.",
            told,
        ).format(count=tr.ltr(told))
    await context.bot.send_message(chat_id, text)
    await send_activity_screen(context, chat_id, activity_id)


async def _tell_change(
    context: NaboContext, activity: Activity, before: Activity, what: str
) -> int:
    """Tell everyone signed up or waiting, in their language, that the time or place changed."""
    texts: dict[str, str | None] = {}
    catalogs = context.bot_data.services.catalogs
    for language in LANGUAGES:
        reader = catalogs.translator(language)
        if what == "time":
            text = reader.gettext(
                "🕒 Please note: the time has changed.\n\n{activity}\n\nBefore: {before}"
            ).format(
                activity=activity_title_when(reader, activity), before=reader.when(before.starts_at)
            )
        else:
            text = reader.gettext(
                "📍 Please note: the place has changed.\n\n{activity}\n\nBefore: {before}"
            ).format(
                activity=activity_title_when(reader, activity), before=reader.ltr(before.place)
            )
        texts[language] = text
    staff_id = context.user_id
    assert staff_id is not None
    # Staff talk to Nabo in private chats, so the report goes to the same id.
    return await notify_activity(context.application, activity.id, texts, staff_id, staff_id)


async def take_edit_capacity(update: Update, context: NaboContext) -> int:
    """Read the new number of places and apply it."""
    edit = _edit(context)
    if edit is None:
        return await _lost(update, context)
    try:
        capacity = parse_capacity(_typed(update), _unlimited_words(context))
    except CapacityError:
        await context.bot.send_message(update_chat_id(update), _capacity_problem(context.tr))
        return EDIT_CAPACITY
    return await _save_capacity(update, context, edit, capacity)


async def edit_unlimited(update: Update, context: NaboContext) -> int:
    """Remove the limit on places."""
    press = await answer_press(update)
    edit = _edit(context)
    button = EditUnlimited.parse(press.data)
    if edit is None or edit.activity_id != button.activity_id:
        await context.bot.send_message(
            press.chat_id, context.tr.gettext("This button no longer works.")
        )
        return EDIT_CAPACITY
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
        await context.bot.send_message(
            chat_id, tr.gettext("This activity is cancelled, so it can no longer be changed.")
        )
        return END
    if not change.changed:
        await context.bot.send_message(
            chat_id,
            tr.ngettext(
                "{count} person is already signed up, so there must be at least {count} place. "
                "Please write a bigger number, or /cancel.",
                "{count} people are already signed up, so there must be at least {count} places. "
                "Please write a bigger number, or /cancel.",
                change.confirmed_people,
            ).format(count=tr.ltr(change.confirmed_people)),
        )
        return EDIT_CAPACITY
    _forget(context)
    promoted = await context.signups.promote(
        edit.activity_id, now, PromotionNotice(update_user_id(update), chat_id)
    )
    if promoted:
        context.bot_data.services.sender.wake()
    activity = await context.activities.get(edit.activity_id)
    assert activity is not None
    await audit_activity(
        context,
        update_user_id(update),
        "activity.edit",
        activity.id,
        f"field=capacity,promoted={len(promoted)}",
    )
    text = tr.gettext("✅ Saved.")
    if promoted:
        # How many were told comes later, counted from their deliveries.
        text += " " + tr.ngettext(
            "{count} sign-up moved up from the waitlist. You will get a message when they "
            "have been told.",
            "{count} sign-ups moved up from the waitlist. You will get a message when they "
            "have been told.",
            len(promoted),
        ).format(count=tr.ltr(len(promoted)))
    await context.bot.send_message(chat_id, text)
    await send_activity_screen(context, chat_id, activity.id)
    return END


async def take_edit_start(update: Update, context: NaboContext) -> int:
    """Read the new start and ask for the new end."""
    edit = _edit(context)
    if edit is None:
        return await _lost(update, context)
    tr = context.tr
    try:
        starts_at = parse_start(_typed(update), context.clock.now(), context.config.timezone)
    except DateError as error:
        await context.bot.send_message(
            update_chat_id(update),
            date_problem(tr, error.problem, None)
            + "\n\n"
            + tr.gettext("Please write the date and time, for example {examples}.").format(
                examples=date_examples(context.tr, context.clock.now(), context.config.timezone)
            ),
        )
        return EDIT_STARTS
    activity = await context.activities.get(edit.activity_id)
    if activity is None:
        return await _lost(update, context)
    _remember(context, EDIT_KEY, replace(edit, starts_at=starts_at))
    time, durations = _end_examples(tr)
    length = activity.ends_at - activity.starts_at
    keep = InlineKeyboardButton(
        tr.gettext("Keep the length (ends {time})").format(
            time=tr.ltr(tr.time(starts_at + length))
        ),
        callback_data=KeepLength(activity.id).pack(),
    )
    await context.bot.send_message(
        update_chat_id(update),
        tr.gettext(
            "When does it end? Write the time, for example {time}, or how long it lasts, "
            "for example {durations}."
        ).format(time=time, durations=durations),
        reply_markup=InlineKeyboardMarkup([[keep]]),
    )
    return EDIT_ENDS


async def take_edit_end(update: Update, context: NaboContext) -> int:
    """Read the new end and move the activity."""
    edit = _edit(context)
    if edit is None or edit.starts_at is None:
        return await _lost(update, context)
    try:
        ends_at = parse_end(_typed(update), edit.starts_at, context.config.timezone)
    except DateError as error:
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
        await context.bot.send_message(
            press.chat_id, context.tr.gettext("This button no longer works.")
        )
        return EDIT_ENDS
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
        await context.bot.send_message(
            chat_id,
            context.tr.gettext("This activity is cancelled, so it can no longer be changed."),
        )
        return END
    await audit_activity(
        context, update_user_id(update), "activity.edit", activity.id, "field=time"
    )
    told = await _tell_change(context, activity, before, "time")
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
                TITLE_AR: [answer(TITLE_AR), skip(TITLE_AR)],
                TITLE_EN: [answer(TITLE_EN), skip(TITLE_EN)],
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
                MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, remind),
            ],
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            name="staff_activities",
        )
    )

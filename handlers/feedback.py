"""Feedback: /feedback at any time, and the answer to "how was it?" after an activity.

Feedback is linked to the resident only if they choose it, each time, with two buttons
of which neither is pre-selected; otherwise it is stored with no user id, chat id or
message id and with the date only. Nothing is saved until that choice is made, except
a tap on a face after an activity, which is saved at once and never linked by itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.i18n import N_, Translator
from bot.db.activities import Activity
from bot.db.feedback import FACES, LOW_RATING, MAX_TEXT, SUBJECTS, RateOutcome
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import acceptable_text, answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.telegram.team import Team
from bot.views.activity import shorten
from bot.views.buttons import (
    FeedbackActivity,
    FeedbackLink,
    FeedbackRating,
    FeedbackSkipText,
    FeedbackStop,
    FeedbackSubject,
    MenuFeedback,
    RateActivity,
    SkipComment,
)
from bot.views.menu import back_to_menu_keyboard

log = logging.getLogger(__name__)

# Conversation states: /feedback, then the comment after a post-activity rating.
SUBJECT, ACTIVITY, RATING, TEXT, LINK, COMMENT, COMMENT_LINK = range(7)
CONVERSATION_TIMEOUT = timedelta(minutes=30)

DRAFT = "feedback_draft"  # user_data: /feedback being written
COMMENT_ON = "feedback_comment"  # user_data: the rating a comment is being added to

# How the staff chat names what feedback is about (activities by their title).
STAFF_SUBJECTS = {
    "area": N_("the resident's area"),
    "nabo": N_("Nabo itself"),
    "other": N_("something else"),
}


def _stop_button(tr: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(tr.gettext("✖ Stop"), callback_data=FeedbackStop().pack())


def _subject_keyboard(tr: Translator, *, activity: bool = True) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(tr.gettext(label), callback_data=FeedbackSubject(code).pack())]
        for code, label in SUBJECTS.items()
        if activity or code != "activity"
    ]
    rows.append([_stop_button(tr)])
    return InlineKeyboardMarkup(rows)


def _faces() -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(face, callback_data=FeedbackRating(rating).pack())
        for rating, face in FACES.items()
    ]


def _link_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    # Two equal choices, neither pre-selected: linking is never assumed.
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🙋 Link it to me"), callback_data=FeedbackLink(True).pack())],
            [
                InlineKeyboardButton(
                    _("🕶 Don't link it to me"), callback_data=FeedbackLink(False).pack()
                )
            ],
        ]
    )


def _link_question(tr: Translator, text: str | None, *, with_rating: bool = False) -> str:
    _ = tr.gettext
    question = _(
        "Should the team know this is from you?\n\n"
        "🙋 Linked: saved with your Telegram user number, so the team knows who wrote it.\n"
        "🕶 Not linked: saved without your user number or chat, and with the date only. "
        "Nothing in it points to you."
    )
    if with_rating:
        # A comment after a face is stored with that rating: one choice covers both.
        question += "\n\n" + _(
            "Your rating of the activity is saved the same way as your comment: "
            "linked to you or not."
        )
    if text is None:
        return question
    return _("You wrote:\n\n{text}").format(text=tr.ltr(text)) + "\n\n" + question


def _thanks(tr: Translator, linked: bool) -> str:
    _ = tr.gettext
    if linked:
        return _(
            "✅ Thank you! Your feedback is saved and linked to you. "
            "You can delete it at any time with /deleteme."
        )
    return _(
        "✅ Thank you! Your feedback is saved without your name, user number or chat, "
        "and with the date only. It is not linked to you."
    )


# ---------------------------------------------------------------- /feedback


async def start(update: Update, context: NaboContext) -> int:
    """Ask what the feedback is about."""
    if update.callback_query is not None:
        await answer_press(update)
    if not await require_consent(update, context):
        return ConversationHandler.END
    assert update.effective_chat is not None
    context.user_data.pop(COMMENT_ON, None)
    context.user_data[DRAFT] = {"subject": None, "activity_id": None, "rating": None}
    tr = context.tr
    await update.effective_chat.send_message(
        tr.gettext("💬 We would like to hear what you think. What is it about?"),
        reply_markup=_subject_keyboard(tr),
    )
    return SUBJECT


async def choose_subject(update: Update, context: NaboContext) -> int:
    """Take the subject; for an activity, list the ones the resident took part in."""
    press = await answer_press(update)
    draft = context.user_data.get(DRAFT)
    subject = FeedbackSubject.parse(press.data).subject
    if draft is None:
        return await _no_longer(update, context)
    tr = context.tr
    _ = tr.gettext
    if subject != "activity":
        draft["subject"] = subject
        return await _ask_rating(update, context)
    activities = await context.feedback.taken_part(press.user_id, context.clock.now())
    if not activities:
        await edit_query_message(
            press.query,
            _("I can't find an activity you took part in lately. Please choose another subject:"),
            _subject_keyboard(tr, activity=False),
        )
        return SUBJECT
    rows = [
        [
            InlineKeyboardButton(
                f"{tr.date(activity.starts_at)} · {shorten(activity.title(tr.language), 30)}",
                callback_data=FeedbackActivity(activity.id).pack(),
            )
        ]
        for activity in activities
    ]
    rows.append([_stop_button(tr)])
    await edit_query_message(press.query, _("Which activity?"), InlineKeyboardMarkup(rows))
    return ACTIVITY


async def choose_activity(update: Update, context: NaboContext) -> int:
    """Take the activity, if the resident really took part in it."""
    press = await answer_press(update)
    draft = context.user_data.get(DRAFT)
    activity_id = FeedbackActivity.parse(press.data).activity_id
    if draft is None:
        return await _no_longer(update, context)
    if not await context.feedback.took_part(press.user_id, activity_id, context.clock.now()):
        await edit_query_message(
            press.query,
            context.tr.gettext("Sorry, we could not find that activity."),
            _subject_keyboard(context.tr, activity=False),
        )
        return SUBJECT
    draft["subject"], draft["activity_id"] = "activity", activity_id
    return await _ask_rating(update, context)


async def _about(context: NaboContext, subject: str, activity_id: int | None) -> str:
    tr = context.tr
    if subject == "activity" and activity_id is not None:
        activity = await context.activities.get(activity_id)
        if activity is not None:
            return tr.ltr(activity.title(tr.language))
    return tr.gettext(SUBJECTS[subject])


async def _ask_rating(update: Update, context: NaboContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = context.user_data[DRAFT]
    tr = context.tr
    _ = tr.gettext
    about = await _about(context, draft["subject"], draft["activity_id"])
    keyboard = InlineKeyboardMarkup(
        [
            _faces(),
            [
                InlineKeyboardButton(_("Skip"), callback_data=FeedbackRating(0).pack()),
                _stop_button(tr),
            ],
        ]
    )
    await edit_query_message(
        query,
        _("About: {subject}").format(subject=about)
        + "\n\n"
        + _("How would you rate it? Tap a face, or press Skip."),
        keyboard,
    )
    return RATING


async def choose_rating(update: Update, context: NaboContext) -> int:
    """Take the rating (or none), then ask for the text."""
    press = await answer_press(update)
    draft = context.user_data.get(DRAFT)
    rating = FeedbackRating.parse(press.data).rating or None
    if draft is None:
        return await _no_longer(update, context)
    draft["rating"] = rating
    tr = context.tr
    _ = tr.gettext
    about = _("About: {subject}").format(
        subject=await _about(context, draft["subject"], draft["activity_id"])
    )
    await edit_query_message(press.query, about + "\n\n" + (FACES[rating] if rating else _("Skip")))
    ask = _("Now write what you want to tell us (at most {limit} characters).").format(
        limit=tr.ltr(MAX_TEXT)
    )
    rows = [[_stop_button(tr)]]
    if rating is not None:
        # With a rating, the words are optional.
        ask += " " + _("Or press Skip.")
        rows.insert(0, [InlineKeyboardButton(_("Skip"), callback_data=FeedbackSkipText().pack())])
    await context.bot.send_message(press.chat_id, ask, reply_markup=InlineKeyboardMarkup(rows))
    return TEXT


async def take_text(update: Update, context: NaboContext) -> int:
    """Take the feedback text, within its length; then ask whether to link it."""
    draft = context.user_data.get(DRAFT)
    assert draft is not None
    return LINK if await _take_words(update, context, draft, with_rating=False) else TEXT


async def _take_words(
    update: Update, context: NaboContext, draft: dict[str, Any], *, with_rating: bool
) -> bool:
    """Keep the typed words in ``draft`` and ask whether to link them; False if too long."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    text = message.text.strip()
    if not await acceptable_text(message, context.tr, text, MAX_TEXT):
        return False
    draft["text"] = text
    await message.reply_text(
        _link_question(context.tr, text, with_rating=with_rating),
        reply_markup=_link_keyboard(context.tr),
    )
    return True


async def skip_text(update: Update, context: NaboContext) -> int:
    """Go on with the rating alone."""
    press = await answer_press(update)
    draft = context.user_data.get(DRAFT)
    if draft is None or draft["rating"] is None:
        return await _no_longer(update, context)
    draft["text"] = None
    await edit_query_message(
        press.query, _link_question(context.tr, None), _link_keyboard(context.tr)
    )
    return LINK


async def choose_link(update: Update, context: NaboContext) -> int:
    """Save the feedback, linked or not as the resident chose; tell the team if it matters."""
    press = await answer_press(update)
    draft = context.user_data.pop(DRAFT, None)
    linked = FeedbackLink.parse(press.data).linked
    if draft is None or (draft["rating"] is None and not draft.get("text")):
        return await _no_longer(update, context)
    feedback_id = await context.feedback.add(
        subject=draft["subject"],
        now=context.clock.now(),
        user_id=press.user_id if linked else None,
        rating=draft["rating"],
        text=draft.get("text"),
        activity_id=draft["activity_id"],
    )
    # Nothing that could pin unlinked feedback down: no id, no activity.
    log.info("feedback saved (%s)", "linked" if linked else "not linked")
    await _tell_team(update, context, feedback_id, linked)
    await edit_query_message(
        press.query, _thanks(context.tr, linked), back_to_menu_keyboard(context.tr)
    )
    return ConversationHandler.END


# ---------------------------------------------------------------- after an activity


async def rate(update: Update, context: NaboContext) -> int | None:
    """Record a face tapped under "how was it?"; once per sign-up, never linked by itself."""
    press = await answer_press(update)
    button = RateActivity.parse(press.data)
    rating = button.rating
    result = await context.feedback.rate_after_activity(button.token, rating, context.clock.now())
    tr = context.tr
    if result.outcome is RateOutcome.ALREADY:
        return None  # a second tap: the first one counted; the conversation stays as it is
    if result.outcome is RateOutcome.NOT_FOUND or result.feedback_id is None:
        await edit_query_message(
            press.query, tr.gettext("This button no longer works."), back_to_menu_keyboard(tr)
        )
        return None
    log.info("post-activity rating saved")
    context.user_data.pop(DRAFT, None)
    context.user_data[COMMENT_ON] = {"feedback_id": result.feedback_id}
    if rating <= LOW_RATING:
        await _tell_team(update, context, result.feedback_id, linked=False)
    _ = tr.gettext
    text = (
        _("Thank you! {face}").format(face=FACES[rating])
        + "\n"
        + _("Your rating is saved, and it is not linked to you.")
        + "\n\n"
        + _(
            "Would you like to add a comment? Write it here (at most {limit} characters), "
            "or press Skip."
        ).format(limit=tr.ltr(MAX_TEXT))
    )
    await edit_query_message(
        press.query,
        text,
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("Skip"), callback_data=SkipComment().pack())]]
        ),
    )
    return COMMENT


async def take_comment(update: Update, context: NaboContext) -> int:
    """Take the comment; then ask whether to link it (and the rating) to the resident."""
    comment_on = context.user_data.get(COMMENT_ON)
    assert comment_on is not None
    taken = await _take_words(update, context, comment_on, with_rating=True)
    return COMMENT_LINK if taken else COMMENT


async def skip_comment(update: Update, context: NaboContext) -> int:
    """End with the rating alone."""
    press = await answer_press(update)
    context.user_data.pop(COMMENT_ON, None)
    await edit_query_message(
        press.query, context.tr.gettext("Thank you! 🙏"), back_to_menu_keyboard(context.tr)
    )
    return ConversationHandler.END


async def choose_comment_link(update: Update, context: NaboContext) -> int:
    """Save the comment, linked or not as the resident chose; tell the team."""
    press = await answer_press(update)
    comment_on = context.user_data.pop(COMMENT_ON, None)
    linked = FeedbackLink.parse(press.data).linked
    if comment_on is None or "text" not in comment_on:
        return await _no_longer(update, context)
    saved = await context.feedback.add_comment(
        comment_on["feedback_id"],
        comment_on["text"],
        context.clock.now(),
        link_to=press.user_id if linked else None,
    )
    if saved is None:
        return await _no_longer(update, context)
    log.info("comment added to feedback (%s)", "linked" if linked else "not linked")
    await _tell_team(update, context, saved.id, linked)
    await edit_query_message(
        press.query, _thanks(context.tr, linked), back_to_menu_keyboard(context.tr)
    )
    return ConversationHandler.END


# ---------------------------------------------------------------- the team, checks, stopping


async def _tell_team(update: Update, context: NaboContext, feedback_id: int, linked: bool) -> None:
    """Tell the team about a low rating or a comment; a name only if linked."""
    feedback = await context.feedback.get(feedback_id)
    if feedback is None:
        return
    if feedback.text is None and (feedback.rating or 0) > LOW_RATING:
        return
    activity = (
        await context.activities.get(feedback.activity_id)
        if feedback.activity_id is not None
        else None
    )
    user = update.effective_user
    name = user.first_name if linked and user is not None else None

    def post(tr: Translator) -> tuple[str, None]:
        _ = tr.gettext
        lines = [
            _("💬 Feedback about {subject}").format(
                subject=_staff_subject(tr, feedback.subject, activity)
            )
        ]
        if feedback.rating is not None:
            lines.append(
                _("Rating: {face} {rating} of {top}").format(
                    face=FACES[feedback.rating],
                    rating=tr.ltr(feedback.rating),
                    top=tr.ltr(len(FACES)),
                )
            )
        if feedback.text is not None:
            lines += ["", tr.ltr(feedback.text), ""]
        if name is not None:
            lines.append(_("From: {name} (linked to them)").format(name=tr.ltr(name)))
        else:
            lines.append(_("Not linked to anyone."))
        return "\n".join(lines), None

    await Team.of(context.application).notify(post)


def _staff_subject(tr: Translator, subject: str, activity: Activity | None) -> str:
    if activity is not None:
        return tr.gettext("the activity {title} ({date})").format(
            title=tr.ltr(activity.title(tr.language)), date=tr.date(activity.starts_at)
        )
    return tr.gettext(STAFF_SUBJECTS.get(subject, STAFF_SUBJECTS["other"]))


async def text_please(update: Update, context: NaboContext) -> None:
    """Ask for text when the resident sent something else (the question stays)."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(context.tr.gettext("Please write it as a text message."))


async def _no_longer(update: Update, context: NaboContext) -> int:
    query = update.callback_query
    assert query is not None
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(COMMENT_ON, None)
    await edit_query_message(
        query, context.tr.gettext("This button no longer works."), back_to_menu_keyboard(context.tr)
    )
    return ConversationHandler.END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop /feedback from a button; nothing is saved."""
    press = await answer_press(update)
    context.user_data.pop(DRAFT, None)
    await edit_query_message(
        press.query,
        context.tr.gettext("Stopped. Nothing was saved."),
        back_to_menu_keyboard(context.tr),
    )
    return ConversationHandler.END


async def cancel(update: Update, context: NaboContext) -> int:
    """Stop with /cancel; what was not saved yet stays unsaved."""
    assert update.effective_chat is not None
    context.user_data.pop(DRAFT, None)
    tr = context.tr
    text = (
        tr.gettext("Stopped. Your rating is kept; no comment was saved.")
        if context.user_data.pop(COMMENT_ON, None) is not None
        else tr.gettext("Stopped. Nothing was saved.")
    )
    await update.effective_chat.send_message(text, reply_markup=back_to_menu_keyboard(tr))
    return ConversationHandler.END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Forget an unfinished draft after a long silence."""
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(COMMENT_ON, None)


def register(application: NaboApplication) -> None:
    """Add the feedback handlers."""
    private = filters.ChatType.PRIVATE
    typed = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private
    not_text = filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.COMMAND & private
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                CommandHandler("feedback", start, filters=private),
                CallbackQueryHandler(start, pattern=MenuFeedback.pattern()),
                CallbackQueryHandler(rate, pattern=RateActivity.pattern()),
            ],
            states={
                SUBJECT: [CallbackQueryHandler(choose_subject, pattern=FeedbackSubject.pattern())],
                ACTIVITY: [
                    CallbackQueryHandler(choose_activity, pattern=FeedbackActivity.pattern())
                ],
                RATING: [CallbackQueryHandler(choose_rating, pattern=FeedbackRating.pattern())],
                TEXT: [
                    MessageHandler(typed, take_text),
                    CallbackQueryHandler(skip_text, pattern=FeedbackSkipText.pattern()),
                    MessageHandler(not_text, text_please),
                ],
                LINK: [CallbackQueryHandler(choose_link, pattern=FeedbackLink.pattern())],
                COMMENT: [
                    MessageHandler(typed, take_comment),
                    CallbackQueryHandler(skip_comment, pattern=SkipComment.pattern()),
                    MessageHandler(not_text, text_please),
                ],
                COMMENT_LINK: [
                    CallbackQueryHandler(choose_comment_link, pattern=FeedbackLink.pattern())
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel, filters=private),
                CallbackQueryHandler(stop, pattern=FeedbackStop.pattern()),
            ],
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            name="feedback",
        )
    )

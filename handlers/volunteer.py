"""Volunteering: offer help in five short steps; see or change it; reply to the team.

Withdrawing an offer is handlers/volunteer_withdraw.py.

The draft lives in ``user_data`` for the conversation only; nothing is stored until the
resident presses Send. A phone number is taken only from Telegram's "share my contact"
button, and only the resident's own; typed numbers are never kept.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.db.volunteers import MAX_NOTE, MAX_OTHER, Offer, OfferDraft
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import acceptable_text, answer_press, edit_query_message, too_long
from bot.telegram.session import require_consent
from bot.telegram.team import StaffPosts, Team
from bot.views.buttons import (
    MenuVolunteer,
    ReplyToTeam,
    VolunteerChange,
    VolunteerContact,
    VolunteerKind,
    VolunteerLanguage,
    VolunteerNext,
    VolunteerNote,
    VolunteerSend,
    VolunteerStop,
    VolunteerTime,
)
from bot.views.menu import back_to_menu_keyboard
from bot.views.volunteer import (
    changed_card_text,
    relayed_reply,
    resident_offer_text,
    staff_card_keyboard,
    staff_card_text,
)
from bot.views.volunteer_steps import (
    change_text,
    choose_one_please,
    choose_two_please,
    confirm_question,
    contact_question,
    current_offer_keyboard,
    instead_label,
    kinds_answered,
    kinds_keyboard,
    kinds_question,
    languages_answered,
    languages_keyboard,
    languages_question,
    not_own_number_text,
    note_question,
    offer_sent_text,
    other_question,
    phone_question,
    reply_question,
    times_answered,
    times_keyboard,
    times_question,
    typed_number_text,
    welcome_text,
)
from bot.work.translations import drop_translator

log = logging.getLogger(__name__)

# Conversation states (the languages belong to step 1, as "something else" does).
KINDS_STEP, OTHER_STEP, TIMES_STEP, CONTACT_STEP, PHONE_STEP, NOTE_STEP, CONFIRM_STEP, REPLY = (
    range(8)
)
LANGUAGES_STEP = 8
CONVERSATION_TIMEOUT = timedelta(minutes=30)
# A reply to the team is relayed, never stored; this keeps it well inside one message.
MAX_REPLY = 1000

DRAFT = "volunteer_draft"  # user_data: the offer being written
REPLYING = "volunteer_reply"  # user_data: the offer whose volunteer is replying


def _draft(context: NaboContext) -> dict[str, Any] | None:
    return context.user_data.get(DRAFT)


def _new_draft(offer: Offer | None) -> dict[str, Any]:
    """Start a draft: empty, or with the current offer's choices (to change it)."""
    return {
        "kinds": list(offer.kinds) if offer else [],
        "times": list(offer.times) if offer else [],
        "contact": offer.contact if offer else "nabo",
        "phone": offer.phone if offer else None,
        "other_help": offer.other_help if offer else None,
        "note": offer.note if offer else None,
        "languages": list(offer.languages) if offer else [],
        "keyboard": False,  # whether the share-my-number keyboard is showing
    }


def _as_offer(draft: dict[str, Any]) -> OfferDraft:
    offer = OfferDraft(
        kinds=tuple(draft["kinds"]),
        times=tuple(draft["times"]),
        contact=draft["contact"],
        phone=draft["phone"],
        other_help=draft["other_help"] if "other" in draft["kinds"] else None,
        note=draft["note"],
    )
    # Languages only go with translating or interpreting (chosen again if taken off).
    return replace(offer, languages=tuple(draft["languages"]) if offer.between_languages else ())


async def _no_longer(update: Update, context: NaboContext) -> int:
    """Say a button of a conversation that has ended no longer works."""
    query = update.callback_query
    assert query is not None
    await edit_query_message(
        query,
        context.tr.gettext("This button no longer works."),
        back_to_menu_keyboard(context.tr),
    )
    return ConversationHandler.END


# ---------------------------------------------------------------- starting, and the offer now


async def start(update: Update, context: NaboContext) -> int:
    """Show the current offer, or begin a new one at step 1."""
    if update.callback_query is not None:
        await answer_press(update)
    if not await require_consent(update, context):
        return ConversationHandler.END
    assert update.effective_user is not None
    assert update.effective_chat is not None
    tr = context.tr
    offer = await context.volunteers.get_for(update.effective_user.id)
    if offer is not None and offer.is_open:
        await update.effective_chat.send_message(
            resident_offer_text(tr, offer), reply_markup=current_offer_keyboard(tr)
        )
        return ConversationHandler.END
    context.user_data[DRAFT] = _new_draft(None)
    await update.effective_chat.send_message(welcome_text(tr), reply_markup=kinds_keyboard(tr, []))
    return KINDS_STEP


async def change(update: Update, context: NaboContext) -> int:
    """Begin changing the current offer, with its choices ticked."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return ConversationHandler.END
    tr = context.tr
    offer = await context.volunteers.get_for(press.user_id)
    if offer is None or not offer.is_open:
        await edit_query_message(
            press.query,
            tr.gettext("You have no offer of help at the moment."),
            back_to_menu_keyboard(tr),
        )
        return ConversationHandler.END
    context.user_data[DRAFT] = _new_draft(offer)
    await context.bot.send_message(
        press.chat_id, change_text(tr), reply_markup=kinds_keyboard(tr, list(offer.kinds))
    )
    return KINDS_STEP


# ---------------------------------------------------------------- steps 1 and 2: what and when


async def toggle_kind(update: Update, context: NaboContext) -> int:
    """Tick or untick one kind of help."""
    return await _toggle(update, context, VolunteerKind.parse(_data(update)).kind, KINDS_STEP)


async def toggle_language(update: Update, context: NaboContext) -> int:
    """Tick or untick one language the volunteer goes between."""
    code = VolunteerLanguage.parse(_data(update)).code
    return await _toggle(update, context, code, LANGUAGES_STEP)


async def toggle_time(update: Update, context: NaboContext) -> int:
    """Tick or untick one time of the week."""
    return await _toggle(update, context, VolunteerTime.parse(_data(update)).time, TIMES_STEP)


def _data(update: Update) -> str:
    assert update.callback_query is not None
    return update.callback_query.data or ""


# The steps of ticks: what each fills in the draft, its question and its buttons.
_TICKS = {
    KINDS_STEP: ("kinds", kinds_question, kinds_keyboard),
    LANGUAGES_STEP: ("languages", languages_question, languages_keyboard),
    TIMES_STEP: ("times", times_question, times_keyboard),
}


async def _toggle(update: Update, context: NaboContext, value: str, state: int) -> int:
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _no_longer(update, context)
    key, question, keyboard = _TICKS[state]
    _tick(draft[key], value)
    await edit_query_message(press.query, question(context.tr), keyboard(context.tr, draft[key]))
    return state


def _tick(chosen: list[str], value: str) -> None:
    """Tick ``value``, or untick it if it was ticked."""
    if value in chosen:
        chosen.remove(value)
    else:
        chosen.append(value)


async def kinds_done(update: Update, context: NaboContext) -> int:
    """Go on from step 1: ask about "something else", or when they can help."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _no_longer(update, context)
    tr = context.tr
    if not draft["kinds"]:
        await edit_query_message(
            press.query,
            choose_one_please(tr, kinds_question(tr)),
            kinds_keyboard(tr, draft["kinds"]),
        )
        return KINDS_STEP
    await edit_query_message(press.query, kinds_answered(tr, draft["kinds"]))
    if _as_offer(draft).between_languages:
        keyboard = languages_keyboard(tr, draft["languages"])
        await context.bot.send_message(press.chat_id, languages_question(tr), reply_markup=keyboard)
        return LANGUAGES_STEP
    return await _after_kinds(press.chat_id, context, draft)


async def languages_done(update: Update, context: NaboContext) -> int:
    """Go on from the languages: at least two, since the help goes between them."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _no_longer(update, context)
    tr = context.tr
    if len(draft["languages"]) < 2:
        keyboard = languages_keyboard(tr, draft["languages"])
        await edit_query_message(press.query, choose_two_please(tr), keyboard)
        return LANGUAGES_STEP
    await edit_query_message(press.query, languages_answered(tr, draft["languages"]))
    return await _after_kinds(press.chat_id, context, draft)


async def _after_kinds(chat_id: int, context: NaboContext, draft: dict[str, Any]) -> int:
    if "other" in draft["kinds"]:
        await context.bot.send_message(chat_id, other_question(context.tr))
        return OTHER_STEP
    return await _ask_times(chat_id, context)


async def take_other(update: Update, context: NaboContext) -> int:
    """Take the resident's own words for "something else"."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    draft = _draft(context)
    assert draft is not None
    text = message.text.strip()
    if not await acceptable_text(message, context.tr, text, MAX_OTHER):
        return OTHER_STEP
    draft["other_help"] = text
    return await _ask_times(message.chat_id, context)


async def _ask_times(chat_id: int, context: NaboContext) -> int:
    draft = _draft(context)
    assert draft is not None
    await context.bot.send_message(
        chat_id,
        times_question(context.tr),
        reply_markup=times_keyboard(context.tr, draft["times"]),
    )
    return TIMES_STEP


async def times_done(update: Update, context: NaboContext) -> int:
    """Go on from step 2: ask how the team may reach them."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _no_longer(update, context)
    tr = context.tr
    if not draft["times"]:
        await edit_query_message(
            press.query,
            choose_one_please(tr, times_question(tr)),
            times_keyboard(tr, draft["times"]),
        )
        return TIMES_STEP
    await edit_query_message(press.query, times_answered(tr, draft["times"]))
    question, keyboard = contact_question(tr)
    await context.bot.send_message(press.chat_id, question, reply_markup=keyboard)
    return CONTACT_STEP


# ---------------------------------------------------------------- step 3: how to reach them


async def choose_contact(update: Update, context: NaboContext) -> int:
    """Take "through Nabo", or explain the phone number and offer the share button."""
    press = await answer_press(update)
    draft = _draft(context)
    how = VolunteerContact.parse(press.data).how
    if draft is None:
        return await _no_longer(update, context)
    tr = context.tr
    _ = tr.gettext
    await edit_query_message(
        press.query,
        _("✅ Through Nabo") if how == "nabo" else _("📞 By phone"),
    )
    if how == "nabo":
        draft["contact"], draft["phone"] = "nabo", None
        return await _ask_note(press.chat_id, context)
    # Say what the number is for before asking for it; only the share button is taken.
    text, keyboard = phone_question(tr)
    draft["keyboard"] = True
    await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)
    return PHONE_STEP


async def take_contact(update: Update, context: NaboContext) -> int:
    """Keep the number from the share button, if it is the resident's own."""
    message = update.effective_message
    assert message is not None
    assert message.contact is not None
    assert update.effective_user is not None
    draft = _draft(context)
    assert draft is not None
    tr = context.tr
    contact = message.contact
    number = (contact.phone_number or "").strip()
    if contact.user_id != update.effective_user.id or not 0 < len(number) <= 32:
        # Someone else's card (from the attachment menu), not the share button: not kept.
        await message.reply_text(not_own_number_text(tr))
        return PHONE_STEP
    draft["contact"], draft["phone"], draft["keyboard"] = "phone", number, False
    await message.reply_text(
        tr.gettext("📞 Thank you. The team can call you on this number."),
        reply_markup=ReplyKeyboardRemove(),
    )
    return await _ask_note(message.chat_id, context)


async def phone_other(update: Update, context: NaboContext) -> int:
    """Take "through Nabo instead"; anything else (a typed number too) is not kept."""
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    assert draft is not None
    tr = context.tr
    if message.text is not None and message.text.strip() == instead_label(tr):
        draft["contact"], draft["phone"], draft["keyboard"] = "nabo", None, False
        await message.reply_text(
            tr.gettext("Fine — the team will reach you through Nabo."),
            reply_markup=ReplyKeyboardRemove(),
        )
        return await _ask_note(message.chat_id, context)
    await message.reply_text(typed_number_text(tr))
    return PHONE_STEP


# ---------------------------------------------------------------- step 4: a note; 5: confirm


async def _ask_note(chat_id: int, context: NaboContext) -> int:
    draft = _draft(context)
    assert draft is not None
    question, keyboard = note_question(context.tr, draft["note"])
    await context.bot.send_message(chat_id, question, reply_markup=keyboard)
    return NOTE_STEP


async def take_note(update: Update, context: NaboContext) -> int:
    """Take the note, within its length."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    draft = _draft(context)
    assert draft is not None
    text = message.text.strip()
    if not await acceptable_text(message, context.tr, text, MAX_NOTE):
        return NOTE_STEP
    draft["note"] = text
    return await _confirm(message.chat_id, context)


async def note_button(update: Update, context: NaboContext) -> int:
    """Go on without a note, or keep the one there is."""
    press = await answer_press(update)
    draft = _draft(context)
    choice = VolunteerNote.parse(press.data).choice
    if draft is None:
        return await _no_longer(update, context)
    if choice == "skip":
        draft["note"] = None
    _ = context.tr.gettext
    label = _("Keep my note") if choice == "keep" else _("Skip")
    await edit_query_message(press.query, f"✅ {label}")
    return await _confirm(press.chat_id, context)


async def _confirm(chat_id: int, context: NaboContext) -> int:
    draft = _draft(context)
    assert draft is not None
    question, keyboard = confirm_question(context.tr, _as_offer(draft))
    await context.bot.send_message(chat_id, question, reply_markup=keyboard)
    return CONFIRM_STEP


async def send_offer(update: Update, context: NaboContext) -> int:
    """Save the offer and post it to the staff chat."""
    press = await answer_press(update)
    draft = context.user_data.pop(DRAFT, None)
    if draft is None or not await require_consent(update, context):
        return await _no_longer(update, context)
    offer_draft = _as_offer(draft)
    if offer_draft.problems():
        return await _no_longer(update, context)
    result = await context.volunteers.save(press.user_id, offer_draft, context.clock.now())
    offer = result.offer
    log.info("volunteer offer %s saved (%s)", offer.id, "new" if result.is_new else "changed")
    language = context.resident.language if context.resident else None
    heading = "new" if result.is_new else "changed"
    team = Team.of(context.application)
    posts = await team.notify(
        lambda tr: (staff_card_text(tr, offer, language, heading), staff_card_keyboard(tr, offer))
    )
    before = StaffPosts(result.previous_staff_message_id, result.previous_staff_copies)
    # Where the new post did not arrive, the old one is still the one to edit later.
    stored = before.updated_by(posts)
    await context.volunteers.set_staff_message(offer.id, stored.group, stored.copies)
    # The older posts would keep the old details (a number since removed, say).
    await team.edit(
        before.replaced_by(posts),
        lambda tr: (changed_card_text(tr, offer.id), None),
    )
    await edit_query_message(
        press.query, offer_sent_text(context.tr), back_to_menu_keyboard(context.tr)
    )
    # A changed offer that no longer translates into a language gives back such a task.
    await drop_translator(context.application, press.user_id)
    return ConversationHandler.END


# ---------------------------------------------------------------- replying to the team


async def reply_to_team(update: Update, context: NaboContext) -> int:
    """Begin a reply to a message from the team."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return ConversationHandler.END
    offer = await context.volunteers.get_for(press.user_id)
    tr = context.tr
    if offer is None or not offer.is_open:
        await context.bot.send_message(
            press.chat_id,
            tr.gettext("You have no offer of help at the moment."),
            reply_markup=back_to_menu_keyboard(tr),
        )
        return ConversationHandler.END
    context.user_data[REPLYING] = offer.id
    await context.bot.send_message(press.chat_id, reply_question(tr, MAX_REPLY))
    return REPLY


async def take_reply(update: Update, context: NaboContext) -> int:
    """Pass the reply on to the team (it is not stored)."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    assert update.effective_user is not None
    tr = context.tr
    text = message.text.strip()
    if len(text) > MAX_REPLY:
        await too_long(message, context.tr, text, MAX_REPLY)
        return REPLY
    offer = await context.volunteers.get_for(update.effective_user.id)
    context.user_data.pop(REPLYING, None)
    if offer is None or not offer.is_open:
        await message.reply_text(
            tr.gettext("You have no offer of help at the moment."),
            reply_markup=back_to_menu_keyboard(tr),
        )
        return ConversationHandler.END

    told = (
        await Team.of(context.application).notify(
            lambda staff_tr: relayed_reply(staff_tr, offer.id, text)
        )
    ).count
    log.info(
        "volunteer %s replied to the team (%s)", offer.id, "passed on" if told else "not passed on"
    )
    await message.reply_text(
        tr.gettext("✅ Sent to the team. They will answer you here.")
        if told
        else tr.gettext("Sorry, we could not reach the team just now. Please try again later."),
        reply_markup=back_to_menu_keyboard(tr),
    )
    return ConversationHandler.END


# ---------------------------------------------------------------- text checks and stopping


async def text_please(update: Update, context: NaboContext) -> None:
    """Ask for text when the resident sent something else (the question stays)."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(context.tr.gettext("Please write it as a text message."))


async def stop(update: Update, context: NaboContext) -> int:
    """Stop from a button; nothing is saved."""
    press = await answer_press(update)
    draft = context.user_data.pop(DRAFT, None)
    context.user_data.pop(REPLYING, None)
    tr = context.tr
    await edit_query_message(
        press.query, tr.gettext("Stopped. Nothing was saved."), back_to_menu_keyboard(tr)
    )
    if draft is not None and draft.get("keyboard"):
        await _remove_keyboard(press.chat_id, context)
    return ConversationHandler.END


async def cancel(update: Update, context: NaboContext) -> int:
    """Stop with /cancel; nothing is saved."""
    assert update.effective_chat is not None
    draft = context.user_data.pop(DRAFT, None)
    context.user_data.pop(REPLYING, None)
    tr = context.tr
    if draft is not None and draft.get("keyboard"):
        await update.effective_chat.send_message(
            tr.gettext("Stopped. Nothing was saved."), reply_markup=ReplyKeyboardRemove()
        )
    else:
        await update.effective_chat.send_message(
            tr.gettext("Stopped. Nothing was saved."), reply_markup=back_to_menu_keyboard(tr)
        )
    return ConversationHandler.END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Drop an unfinished offer after a long silence; take the share button away."""
    draft = context.user_data.pop(DRAFT, None)
    context.user_data.pop(REPLYING, None)
    chat = update.effective_chat
    if draft is not None and draft.get("keyboard") and chat is not None:
        await _remove_keyboard(chat.id, context)


async def _remove_keyboard(chat_id: int, context: NaboContext) -> None:
    # Only a new message can take a reply keyboard (the share button) away.
    await context.bot.send_message(
        chat_id,
        context.tr.gettext("Your offer of help was not sent, and nothing was saved."),
        reply_markup=ReplyKeyboardRemove(),
    )


def register(application: NaboApplication) -> None:
    """Add the volunteer handlers."""
    private = filters.ChatType.PRIVATE
    typed = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private
    not_text = filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.COMMAND & private
    anything = filters.UpdateType.MESSAGE & ~filters.COMMAND & private
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                CommandHandler("volunteer", start, filters=private),
                CallbackQueryHandler(start, pattern=MenuVolunteer.pattern()),
                CallbackQueryHandler(change, pattern=VolunteerChange.pattern()),
                CallbackQueryHandler(reply_to_team, pattern=ReplyToTeam.pattern()),
            ],
            states={
                KINDS_STEP: [
                    CallbackQueryHandler(toggle_kind, pattern=VolunteerKind.pattern()),
                    CallbackQueryHandler(kinds_done, pattern=VolunteerNext.pattern()),
                ],
                LANGUAGES_STEP: [
                    CallbackQueryHandler(toggle_language, pattern=VolunteerLanguage.pattern()),
                    CallbackQueryHandler(languages_done, pattern=VolunteerNext.pattern()),
                ],
                OTHER_STEP: [
                    MessageHandler(typed, take_other),
                    MessageHandler(not_text, text_please),
                ],
                TIMES_STEP: [
                    CallbackQueryHandler(toggle_time, pattern=VolunteerTime.pattern()),
                    CallbackQueryHandler(times_done, pattern=VolunteerNext.pattern()),
                ],
                CONTACT_STEP: [
                    CallbackQueryHandler(choose_contact, pattern=VolunteerContact.pattern())
                ],
                PHONE_STEP: [
                    MessageHandler(filters.CONTACT & anything, take_contact),
                    MessageHandler(anything, phone_other),
                ],
                NOTE_STEP: [
                    MessageHandler(typed, take_note),
                    CallbackQueryHandler(note_button, pattern=VolunteerNote.pattern()),
                    MessageHandler(not_text, text_please),
                ],
                CONFIRM_STEP: [CallbackQueryHandler(send_offer, pattern=VolunteerSend.pattern())],
                REPLY: [MessageHandler(typed, take_reply), MessageHandler(not_text, text_please)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel, filters=private),
                CallbackQueryHandler(stop, pattern=VolunteerStop.pattern()),
            ],
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            name="volunteer",
        )
    )

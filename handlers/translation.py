"""Translations by volunteers: take a task, write it, send it; staff use, change or refuse it.

Two conversations. A volunteer's: "I'll take it" (the first press gets the task), then the
title and/or the text, each checked (not empty, not too long, mostly in the language's
script, not the Danish sent back) and given the catalogs' isolates, then a look at the
whole and "Send to the team". What they wrote is kept on the request as they go, so the
buttons on their messages work after a restart too. A staff member's: change a
translation part by part, or write the text themselves. Staff's other choices are
buttons: use it, don't use it, ask the others again, use the Danish, wait a day longer.
Every button is checked again against the database: who holds the task, whether it is
still waiting. The work around this (asking, the clock, what waits for a decision) is
bot/work/translations.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.ext import ConversationHandler as Conversation

from bot.core.bidi import isolate_runs, translation_problem
from bot.core.i18n import Translator
from bot.db.translations import (
    CLAIMED,
    DANISH,
    DELIVERED,
    WAITING,
    WRITTEN,
    Decided,
    TranslationRequest,
)
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import (
    ButtonPress,
    answer_press,
    edit_query_message,
    edit_query_messages,
    send_messages,
)
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.team import Team
from bot.views import translation as views
from bot.views.buttons import (
    AcceptTranslation,
    AskTranslatorsAgain,
    ChangeTranslation,
    EditTranslator,
    GiveTranslationBack,
    KeepTranslationPart,
    RedoTranslation,
    RejectTranslation,
    SendTranslation,
    TakeTranslation,
    UseDanish,
    WaitForTranslator,
    WriteTranslation,
    WriteTranslationMyself,
)
from bot.views.staff_texts import utf16_len
from bot.work import translations as work

log = logging.getLogger(__name__)

WRITING = 0  # the volunteer's conversation: parts of the translation
STAFF_WRITING = 1  # the staff member's: their own text, or the volunteer's changed
HOLDING = "translation.holding"  # user_data: the request a volunteer is writing
EDITING = "translation.editing"  # user_data: the request, mode and parts a staff member writes
END = Conversation.END


def _typed(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message is not None else ""


async def _request(context: NaboContext, request_id: int) -> TranslationRequest | None:
    return await context.translations.get(request_id)


# ---------------------------------------------------------------- the volunteer's side


async def take(update: Update, context: NaboContext) -> int:
    """Take a task if no one was first, and ask for its first part."""
    press = await answer_press(update)
    request_id = TakeTranslation.parse(press.data).request_id
    request = await _request(context, request_id)
    tr = context.tr
    if request is None or request.status not in WAITING:
        await edit_query_message(press.query, views.no_longer_needed(tr))
        return END
    if request.translator_id == press.user_id and request.status == CLAIMED:
        return await _prompt(context, press, request, edit=True)  # pressed twice
    if await context.volunteers.translator(press.user_id, request.language) is None:
        await context.bot.send_message(press.chat_id, views.not_a_translator(tr, request.language))
        return END
    if not await context.translations.claim(request_id, press.user_id, context.clock.now()):
        await edit_query_message(press.query, views.taken_by_another(tr))
        return END
    log.info("translation %s taken", request_id)
    request = await _request(context, request_id)
    assert request is not None
    context.user_data[HOLDING] = request_id
    await edit_query_messages(
        press.query,
        views.taken_text(tr, request, _limit(request)),
        views.working_keyboard(tr, request_id),
    )
    await work.close_asks(context.application, request, taken=True, skip=press.user_id)
    await work.sync_translation_jobs(context.application)
    return WRITING


def _limit(request: TranslationRequest) -> int:
    return work.part_limit(request, request.next_part or request.parts[0])


async def _held(context: NaboContext, user_id: int, request_id: int) -> TranslationRequest | None:
    """Return the request if this volunteer still holds it."""
    request = await _request(context, request_id)
    if request is None or request.status != CLAIMED or request.translator_id != user_id:
        return None
    return request


async def resume(update: Update, context: NaboContext) -> int:
    """Go on writing a task one holds (after a pause, or a restart)."""
    press = await answer_press(update)
    request = await _held(context, press.user_id, WriteTranslation.parse(press.data).request_id)
    if request is None:
        await context.bot.send_message(press.chat_id, views.not_yours_any_more(context.tr))
        return END
    return await _prompt(context, press, request, edit=False)


async def _prompt(
    context: NaboContext, press: ButtonPress, request: TranslationRequest, *, edit: bool
) -> int:
    """Ask for the next part, or show the whole translation when every part is there."""
    context.user_data[HOLDING] = request.id
    tr = context.tr
    part = request.next_part
    if part is None:
        parts, keyboard = views.check_screen(tr, request, request.title, request.text)
        await send_messages(context.bot, press.chat_id, parts, keyboard)
        return WRITING
    prompt = views.part_prompt(tr, request, part, work.part_limit(request, part))
    if edit:
        await edit_query_message(press.query, prompt, views.working_keyboard(tr, request.id))
    else:
        await context.bot.send_message(press.chat_id, prompt)
    return WRITING


async def take_part(update: Update, context: NaboContext) -> int:
    """Check one typed part; keep it with the catalogs' isolates; ask for the next."""
    message = update.effective_message
    assert message is not None
    assert update.effective_user is not None
    tr = context.tr
    request_id = context.user_data.get(HOLDING)
    held = await _held(context, update.effective_user.id, request_id) if request_id else None
    if held is None or held.next_part is None:
        if held is None:
            context.user_data.pop(HOLDING, None)
            await message.reply_text(views.not_yours_any_more(tr))
            return END
        parts, keyboard = views.check_screen(tr, held, held.title, held.text)
        await send_messages(context.bot, message.chat_id, parts, keyboard)
        return WRITING
    part = held.next_part
    limit = work.part_limit(held, part)
    typed = _typed(update)
    problem = translation_problem(typed, held.source(part) or "", held.language)
    written = isolate_runs(typed) if held.language == "ar" else typed
    if problem is None and utf16_len(written) > limit:
        problem = "too long"
    if problem is not None:
        await message.reply_text(views.refusal(tr, problem, held.language, limit))
        return WRITING
    if not await context.translations.save_part(held.id, update.effective_user.id, part, written):
        await message.reply_text(views.not_yours_any_more(tr))
        return END
    request = await _request(context, held.id)
    assert request is not None
    if request.next_part is not None:
        limit = work.part_limit(request, request.next_part)
        await message.reply_text(views.part_prompt(tr, request, request.next_part, limit))
        return WRITING
    parts, keyboard = views.check_screen(tr, request, request.title, request.text)
    await send_messages(context.bot, message.chat_id, parts, keyboard)
    return WRITING


async def text_please(update: Update, context: NaboContext) -> int:
    """Ask for text when the volunteer sent something else (a photo, a sticker)."""
    message = update.effective_message
    assert message is not None
    request_id = context.user_data.get(HOLDING)
    request = await _request(context, request_id) if request_id else None
    language = request.language if request else "ar"
    await message.reply_text(views.refusal(context.tr, "not text", language, 0))
    return WRITING


async def send(update: Update, context: NaboContext) -> int:
    """Hand the finished translation to staff; only the one who holds it, once."""
    press = await answer_press(update)
    request_id = SendTranslation.parse(press.data).request_id
    request = await context.translations.deliver(request_id, press.user_id, context.clock.now())
    tr = context.tr
    if request is None:
        held = await _held(context, press.user_id, request_id)
        if held is not None:  # a part is missing (written again meanwhile)
            return await _prompt(context, press, held, edit=False)
        await edit_query_message(press.query, views.not_yours_any_more(tr))
        return END
    context.user_data.pop(HOLDING, None)
    log.info("translation %s sent to staff", request_id)
    await edit_query_message(press.query, views.sent_thanks(tr))
    await _tell_staff_arrived(context, request)
    await work.sync_translation_jobs(context.application)
    return END


async def _tell_staff_arrived(context: NaboContext, request: TranslationRequest) -> None:
    """Show the staff member who asked the translation, as residents will read it."""
    if request.staff_user_id is None:
        return
    staff_tr = await _staff_translator(context, request.staff_user_id)
    subject = await work.subject_of(context.application, staff_tr, request)
    offer = await context.volunteers.get_for(request.translator_id or 0)
    parts, keyboard = views.arrived_screen(
        staff_tr, request, subject, offer.id if offer is not None else None
    )
    await work.send_parts(context.application, request.staff_user_id, parts, keyboard)


async def redo(update: Update, context: NaboContext) -> int:
    """Write the translation again from its first part."""
    press = await answer_press(update)
    request_id = RedoTranslation.parse(press.data).request_id
    if not await context.translations.clear_parts(request_id, press.user_id):
        await edit_query_message(press.query, views.not_yours_any_more(context.tr))
        return END
    request = await _held(context, press.user_id, request_id)
    assert request is not None
    await remove_buttons(press)
    return await _prompt(context, press, request, edit=False)


async def remove_buttons(press: ButtonPress) -> None:
    """Take the buttons off the pressed message, keeping its text."""
    message = press.query.message
    text = getattr(message, "text", None)
    if text:
        await edit_query_message(press.query, text)


async def give_back(update: Update, context: NaboContext) -> int:
    """Give a held task back to the others (the button, or /cancel while writing)."""
    tr = context.tr
    if update.callback_query is not None:
        press = await answer_press(update)
        user_id, request_id = press.user_id, GiveTranslationBack.parse(press.data).request_id
    else:
        assert update.effective_user is not None
        user_id, request_id = update.effective_user.id, context.user_data.get(HOLDING, 0)
    context.user_data.pop(HOLDING, None)
    released = await context.translations.release(request_id, user_id=user_id)
    text = views.given_back(tr) if released is not None else views.not_yours_any_more(tr)
    if update.callback_query is not None:
        await edit_query_message(update.callback_query, text)
    else:
        assert update.effective_chat is not None
        await update.effective_chat.send_message(text)
    if released is not None:
        log.info("translation %s given back", request_id)
        await work.reopen(context.application, request_id, skip=user_id)
    return END


# ---------------------------------------------------------------- the staff's side


async def _staff_translator(context: NaboContext, user_id: int) -> Translator:
    return await Team.of(context.application).translator_for(user_id)


# How staff hear what became of their decision: the pressed message changes, or (after
# typing the text) a new message comes.
Reply = Callable[[str], Awaitable[object]]


def _edit_reply(press: ButtonPress) -> Reply:
    return lambda text: edit_query_message(press.query, text)


async def accept(update: Update, context: NaboContext) -> None:
    """Use a translation as it came."""
    press = await answer_press(update)
    request_id = AcceptTranslation.parse(press.data).request_id
    decided = await context.translations.accept(request_id, context.clock.now())
    await _decided(context, press.user_id, decided, "translation.accept", _edit_reply(press))


async def _decided(
    context: NaboContext, staff_id: int, decided: Decided | None, action: str, reply: Reply
) -> None:
    """Say what became of a decision, tell the volunteer, finish what waited for it."""
    tr = context.tr
    if decided is None:
        await reply(tr.gettext("This button no longer works."))
        return
    request = decided.request
    subject = await work.subject_of(context.application, tr, request)
    await context.bot_data.services.audit.record(
        staff_id, action, context.clock.now(), subject=f"translation:{request.id}"
    )
    holder = request.translator_id if request.status in (CLAIMED, DELIVERED) else None
    if action == "translation.danish":
        await reply(views.danish_text(tr, request, subject))
        await work.tell_volunteer(context.application, holder, views.no_longer_needed)
    elif not decided.applied:
        await reply(views.gone_text(tr))
        await work.closed(context.application, request)
    elif request.status == DELIVERED:  # the volunteer's text, as it was or changed
        await reply(views.used_text(tr, request, subject))
        language = request.language
        await work.tell_volunteer(
            context.application, holder, lambda reader: views.used_thanks(reader, language)
        )
    else:  # staff wrote it while a volunteer held the task
        await reply(views.used_text(tr, request, subject))
        await work.tell_volunteer(context.application, holder, views.no_longer_needed)
    await work.after_decision(context.application, request)


async def reject(update: Update, context: NaboContext) -> None:
    """Do not use a translation; the volunteer is thanked; staff choose what next."""
    press = await answer_press(update)
    request = await context.translations.reject(
        RejectTranslation.parse(press.data).request_id, context.clock.now()
    )
    tr = context.tr
    if request is None:
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return
    await context.bot_data.services.audit.record(
        press.user_id,
        "translation.reject",
        context.clock.now(),
        subject=f"translation:{request.id}",
    )
    subject = await work.subject_of(context.application, tr, request)
    await edit_query_message(
        press.query,
        views.rejected_text(tr, request, subject),
        views.choices_keyboard(tr, request.id, again=True),
    )
    await work.tell_volunteer(context.application, request.translator_id, views.not_used)


async def ask_again(update: Update, context: NaboContext) -> None:
    """After a rejection, ask the other volunteers (not the one whose text was not used)."""
    press = await answer_press(update)
    request_id = AskTranslatorsAgain.parse(press.data).request_id
    request = await _request(context, request_id)
    now = context.clock.now()
    new_id = None
    if request is not None:
        needed_by = max(request.needed_by, now + work.WAIT_MORE)
        new_id = await context.translations.ask_again(request_id, now, needed_by)
    if new_id is None:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return
    await remove_buttons(press)
    asked = await work.ask_translators(context.application, new_id)
    await work.tell_staff_asked(context.application, new_id, asked)
    await work.sync_translation_jobs(context.application)


async def use_danish(update: Update, context: NaboContext) -> None:
    """Give up on the translation: residents who read the language get the Danish."""
    press = await answer_press(update)
    request_id = UseDanish.parse(press.data).request_id
    decided = await context.translations.decide(request_id, DANISH, context.clock.now())
    await _decided(context, press.user_id, decided, "translation.danish", _edit_reply(press))


async def wait_longer(update: Update, context: NaboContext) -> None:
    """Give volunteers one more day."""
    press = await answer_press(update)
    request = await _request(context, WaitForTranslator.parse(press.data).request_id)
    tr = context.tr
    now = context.clock.now()
    if request is not None:
        until = max(request.needed_by, now) + work.WAIT_MORE
        if await context.translations.wait_longer(request.id, until):
            await edit_query_message(press.query, views.waiting_text(tr, request, until))
            await work.ask_translators(context.application, request.id)
            await work.sync_translation_jobs(context.application)
            return
    await edit_query_message(press.query, tr.gettext("This button no longer works."))


async def ask_for_activity_text(update: Update, context: NaboContext) -> int:
    """Ask translators for one Arabic or English text of an activity (from its edit menu)."""
    press = await answer_press(update)
    button = EditTranslator.parse(press.data)
    language, part = button.field[-2:], "title" if button.field.startswith("t") else "text"
    await remove_buttons(press)
    request_id = await work.ask_for_activity(
        context.application,
        button.activity_id,
        language,
        hours=button.hours,
        staff_user_id=press.user_id,
        parts=(part,),
    )
    if request_id is None:
        await context.bot.send_message(
            press.chat_id,
            context.tr.gettext(
                "There is no Danish text to translate, or the activity is no longer open."
            ),
        )
    return END


# ---------------------------------------------------------------- staff write or change it


async def start_change(update: Update, context: NaboContext) -> int:
    """Begin changing a volunteer's translation, part by part (each may be kept)."""
    press = await answer_press(update)
    return await _start_writing(context, press, ChangeTranslation.parse(press.data).request_id)


async def start_own(update: Update, context: NaboContext) -> int:
    """Begin the staff member's own text in the language, part by part."""
    press = await answer_press(update)
    request_id = WriteTranslationMyself.parse(press.data).request_id
    return await _start_writing(context, press, request_id, changing=False)


async def _start_writing(
    context: NaboContext, press: ButtonPress, request_id: int, *, changing: bool = True
) -> int:
    request = await _request(context, request_id)
    allowed = (DELIVERED,) if changing else WAITING
    if request is None or request.status not in allowed:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return END
    await remove_buttons(press)
    context.user_data[EDITING] = {"id": request.id, "change": changing, "parts": {}}
    return await _ask_staff(context, press.chat_id, request)


async def _ask_staff(context: NaboContext, chat_id: int, request: TranslationRequest) -> int:
    """Ask for the next part the staff member has not written; finish when all are there."""
    editing = context.user_data.get(EDITING)
    if not editing:
        return END
    missing = [part for part in request.parts if part not in editing["parts"]]
    if not missing:
        return await _finish_staff(context, chat_id, request)
    part = missing[0]
    current = request.translation(part) if editing["change"] else None
    parts, keyboard = views.write_prompt(
        context.tr, request, part, work.part_limit(request, part), current
    )
    await send_messages(context.bot, chat_id, parts, keyboard)
    return STAFF_WRITING


async def take_staff_part(update: Update, context: NaboContext) -> int:
    """Take one part the staff member typed (isolated as the catalogs are, in Arabic)."""
    message = update.effective_message
    assert message is not None
    editing = context.user_data.get(EDITING)
    request = await _request(context, editing["id"]) if editing else None
    if editing is None or request is None:
        return END
    part = next(part for part in request.parts if part not in editing["parts"])
    limit = work.part_limit(request, part)
    typed = _typed(update)
    written = isolate_runs(typed) if request.language == "ar" else typed
    if not typed or utf16_len(written) > limit:
        problem = "too long" if typed else "not text"
        await message.reply_text(views.refusal(context.tr, problem, request.language, limit))
        return STAFF_WRITING
    editing["parts"][part] = written
    return await _ask_staff(context, message.chat_id, request)


async def staff_text_please(update: Update, context: NaboContext) -> int:
    """Ask staff for text when they sent something else (the question stays)."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(views.refusal(context.tr, "not text", "ar", 0))
    return STAFF_WRITING


async def keep_part(update: Update, context: NaboContext) -> int:
    """Keep the volunteer's text of this part as it is."""
    press = await answer_press(update)
    editing = context.user_data.get(EDITING)
    request = await _request(context, editing["id"]) if editing else None
    if (
        editing is None
        or request is None
        or request.id != KeepTranslationPart.parse(press.data).request_id
    ):
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return STAFF_WRITING if editing else END
    part = next(part for part in request.parts if part not in editing["parts"])
    editing["parts"][part] = request.translation(part)
    await remove_buttons(press)
    return await _ask_staff(context, press.chat_id, request)


async def _finish_staff(context: NaboContext, chat_id: int, request: TranslationRequest) -> int:
    editing = context.user_data.pop(EDITING)
    parts, now = editing["parts"], context.clock.now()
    repo = context.translations
    if editing["change"]:
        decided = await repo.accept(
            request.id, now, title=parts.get("title"), text=parts.get("text")
        )
        action = "translation.change"
    else:
        decided = await repo.decide(
            request.id, WRITTEN, now, title=parts.get("title"), text=parts.get("text")
        )
        action = "translation.write"

    async def reply(text: str) -> None:
        await context.bot.send_message(chat_id, text)

    await _decided(context, context.user_id or 0, decided, action, reply)
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop writing (staff); nothing is used."""
    context.user_data.pop(EDITING, None)
    assert update.effective_chat is not None
    await update.effective_chat.send_message(context.tr.gettext("Stopped. Nothing was saved."))
    return END


def register(application: NaboApplication) -> None:
    """Add the volunteers' and the staff's translation handlers."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    typed = private & filters.TEXT & ~filters.COMMAND
    other = private & ~filters.TEXT & ~filters.COMMAND

    def button(
        callback: Callable[..., Awaitable[object]], pattern: str | re.Pattern[str]
    ) -> StaffCallbackQueryHandler:
        return StaffCallbackQueryHandler(staff, callback, pattern)

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                CallbackQueryHandler(take, pattern=TakeTranslation.pattern()),
                CallbackQueryHandler(resume, pattern=WriteTranslation.pattern()),
                CallbackQueryHandler(redo, pattern=RedoTranslation.pattern()),
                CallbackQueryHandler(send, pattern=SendTranslation.pattern()),
                CallbackQueryHandler(give_back, pattern=GiveTranslationBack.pattern()),
            ],
            states={
                WRITING: [MessageHandler(typed, take_part), MessageHandler(other, text_please)]
            },
            fallbacks=[CommandHandler("cancel", give_back, filters=filters.ChatType.PRIVATE)],
            allow_reentry=True,
            conversation_timeout=work.CLAIM_TIME,
            name="translation",
        )
    )
    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                button(start_change, ChangeTranslation.pattern()),
                button(start_own, WriteTranslationMyself.pattern()),
                button(ask_for_activity_text, EditTranslator.pattern()),
            ],
            states={
                STAFF_WRITING: [
                    MessageHandler(typed, take_staff_part),
                    MessageHandler(other, staff_text_please),
                    button(keep_part, KeepTranslationPart.pattern()),
                ]
            },
            fallbacks=[staff_command(staff, "cancel", stop)],
            allow_reentry=True,
            conversation_timeout=work.CLAIM_TIME,
            name="translation_staff",
        )
    )
    application.add_handler(button(accept, AcceptTranslation.pattern()))
    application.add_handler(button(reject, RejectTranslation.pattern()))
    application.add_handler(button(ask_again, AskTranslatorsAgain.pattern()))
    application.add_handler(button(use_danish, UseDanish.pattern()))
    application.add_handler(button(wait_longer, WaitForTranslator.pattern()))

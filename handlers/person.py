"""Data requests by phone or at the desk: staff find a person, check who asks, then act.

/person (or the staff menu's "Find a person") asks for a phone number, a first name or a
Telegram user number and lists the matches with what tells namesakes apart (bot/db/
lookup.py). Before anything is shown, staff confirm who is asking: for someone who uses
the chat, Nabo can send a one-time code to their chat for the caller to read back;
otherwise staff say how they checked (their ID, a call back on their own number, or in
their own words). Then staff see a summary and may, each after a confirmation, send
themselves the same file a resident gets from /mydata, or erase the person exactly as
/deleteme does (places go to the waitlist, reports still add up). For someone without
Telegram they can also keep the record another period or make a joining link.

Staff only (bot/telegram/staff.py); every step that touches a person is audited with the
staff member, how they checked, and never the person's Telegram number.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, TypeHandler, filters

from bot.core.callback_data import ButtonData
from bot.core.start_links import JoinLink, start_link
from bot.db.lookup import Found, PersonLookup
from bot.db.mydata import PersonalDataRepository
from bot.db.volunteers import has_phone_number
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message, remind_to_answer
from bot.telegram.slips import send_joining_slip
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.staff_screens import update_chat_id, update_user_id
from bot.telegram.tell import Told, tell_resident
from bot.views import person as views
from bot.views.buttons import (
    CheckedBy,
    FindPerson,
    PersonAction,
    PersonCancelSignup,
    PersonSure,
    PickFound,
)
from bot.views.mydata import export_file
from bot.views.on_behalf import join_link_text
from bot.work.erasure import erase_resident

log = logging.getLogger(__name__)

QUERY, PICK, CHECK, CODE, HOW, ACTIONS = range(6)
END = ConversationHandler.END
REQUEST = "person.request"
CODE_TRIES = 3
MAX_HOW = 200


def _request(context: NaboContext) -> dict[str, Any] | None:
    request = context.user_data.get(REQUEST)
    return request if isinstance(request, dict) else None


def _subject(found: Found) -> str:
    """Name the person in the audit log without their Telegram number (it outlives them)."""
    return "resident" if found.kind == "resident" else f"person:{found.id}"


async def _audit(context: NaboContext, action: str, found: Found, details: str) -> None:
    await context.bot_data.services.audit.record(
        context.user_id or 0, action, context.clock.now(), subject=_subject(found), details=details
    )


async def start(update: Update, context: NaboContext) -> int:
    """Ask how to find the person."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    context.user_data[REQUEST] = {"token": secrets.token_hex(4)}
    await context.bot.send_message(update_chat_id(update), views.ask_query(context.tr))
    return QUERY


async def take_query(update: Update, context: NaboContext) -> int:
    """Find people by what was typed; list them (never what is stored about them)."""
    message = update.effective_message
    assert message is not None
    request = _request(context)
    if request is None:
        return END
    query = (message.text or "").strip()
    found = await PersonLookup(context.store).find(query, context.clock.now())
    how = "phone_or_id" if query.replace(" ", "").lstrip("+").isdigit() else "name"
    await context.bot_data.services.audit.record(
        update_user_id(update),
        "person.find",
        context.clock.now(),
        details=f"by={how},found={len(found)}",
    )
    if not found:
        await message.reply_text(views.nothing_found(context.tr))
        return QUERY
    text, keyboard = views.found_list(context.tr, found)
    await message.reply_text(text, reply_markup=keyboard)
    return PICK


async def _found(context: NaboContext, kind: str, key: int) -> Found | None:
    lookup = PersonLookup(context.store)
    now = context.clock.now()
    return await (lookup.resident(key, now) if kind == "r" else lookup.offline(key, now))


async def pick(update: Update, context: NaboContext) -> int:
    """Take the person; ask how staff know who is asking."""
    press = await answer_press(update)
    request = _request(context)
    button = PickFound.parse(press.data)
    found = await _found(context, button.kind, button.key)
    if request is None or found is None:
        await edit_query_message(press.query, views.nothing_found(context.tr))
        return QUERY if request is not None else END
    request["found"] = found
    text, keyboard = views.ask_check(context.tr, found)
    await edit_query_message(press.query, text, keyboard)
    return CHECK


async def checked_by(update: Update, context: NaboContext) -> int:
    """Take how staff checked; send a code to the resident's chat, or ask in their words."""
    press = await answer_press(update)
    request = _request(context)
    if request is None or not isinstance(request.get("found"), Found):
        return END
    found: Found = request["found"]
    method = CheckedBy.parse(press.data).method
    if method == "code":
        if not found.reachable:
            return CHECK
        code = f"{secrets.randbelow(1_000_000):06d}"
        resident = await context.residents.get(found.id)
        assert resident is not None
        reader = context.bot_data.services.catalogs.translator(
            resident.language or context.config.default_language
        )
        told = await tell_resident(
            context.bot,
            context.residents,
            found.id,
            resident.chat_id,
            views.code_for_resident(reader, code),
        )
        if told is not Told.SENT:
            await edit_query_message(press.query, *views.ask_check(context.tr, found))
            return CHECK
        # Only its digest is kept, and only in memory for this conversation.
        request["code"] = hashlib.sha256(code.encode()).hexdigest()
        request["tries"] = 0
        await edit_query_message(press.query, views.ask_code(context.tr))
        return CODE
    if method == "other":
        await edit_query_message(press.query, views.ask_how(context.tr))
        return HOW
    return await _verified(update, context, request, method)


async def take_code(update: Update, context: NaboContext) -> int:
    """Compare the code the caller read back with the one sent to their chat."""
    message = update.effective_message
    assert message is not None
    request = _request(context)
    if request is None or "code" not in request:
        return END
    typed = "".join(c for c in (message.text or "") if c.isdigit())
    if hashlib.sha256(typed.encode()).hexdigest() != request["code"]:
        request["tries"] += 1
        left = CODE_TRIES - request["tries"]
        await message.reply_text(views.wrong_code(context.tr, left))
        if left <= 0:
            await _audit(context, "person.verify_failed", request["found"], "method=chat_code")
            context.user_data.pop(REQUEST, None)
            return END
        return CODE
    request.pop("code")
    return await _verified(update, context, request, "chat_code")


async def take_how(update: Update, context: NaboContext) -> int:
    """Take staff's own words for how they checked."""
    message = update.effective_message
    assert message is not None
    request = _request(context)
    if request is None:
        return END
    how = (message.text or "").strip()
    if not how or len(how) > MAX_HOW or has_phone_number(how):
        await message.reply_text(views.ask_how(context.tr))
        return HOW
    return await _verified(update, context, request, f"other:{how}")


async def _verified(
    update: Update, context: NaboContext, request: dict[str, Any], method: str
) -> int:
    found: Found = request["found"]
    request["verified"] = method
    await _audit(context, "person.verify", found, f"method={method}")
    await _show(update, context, found)
    return ACTIONS


async def _export(context: NaboContext, found: Found) -> dict[str, Any] | None:
    repo = PersonalDataRepository(context.store)
    now = context.clock.now()
    if found.kind == "resident":
        return await repo.export(found.id, now)
    return await repo.export_offline(found.id, now)


async def _summary(context: NaboContext, found: Found) -> tuple[str, Any] | None:
    export = await _export(context, found)
    if export is None:
        return None
    cancellable = []
    if found.kind == "offline":
        now = context.clock.now()
        for signup in await context.people.signups_of(found.id):
            activity = await context.activities.get(signup.activity_id)
            if (
                activity is not None
                and signup.status.value != "cancelled"
                and activity.starts_at > now
            ):
                title = activity.title(context.tr.language)
                cancellable.append((signup.id, title, activity.starts_at))
    return views.summary(
        context.tr, found, export, context.config.offline_retention_days, tuple(cancellable)
    )


async def _show(update: Update, context: NaboContext, found: Found) -> None:
    shown = await _summary(context, found)
    chat_id = update_chat_id(update)
    if shown is None:
        await context.bot.send_message(chat_id, views.nothing_found(context.tr))
        return
    await context.bot.send_message(chat_id, shown[0], reply_markup=shown[1])


async def act(update: Update, context: NaboContext) -> int:
    """Ask before sending or erasing; keep a record or make a joining link at once."""
    press = await answer_press(update)
    request = _request(context)
    action = PersonAction.parse(press.data).action
    if action == "done" or request is None or "verified" not in request:
        context.user_data.pop(REQUEST, None)
        await edit_query_message(press.query, context.tr.gettext("✔ Done"))
        return END
    found: Found = request["found"]
    name = found.name or "?"
    if action == "export":
        await edit_query_message(
            press.query, *views.confirm_export(context.tr, name, request["token"])
        )
    elif action == "erase":
        await edit_query_message(
            press.query, *views.confirm_erase(context.tr, name, request["token"])
        )
    elif action == "renew" and found.kind == "offline":
        await context.people.renew(found.id, context.clock.now())
        await _audit(context, "person.renew", found, f"checked={request['verified']}")
        shown = await _summary(context, found)
        if shown is not None:
            await edit_query_message(press.query, *shown)
    elif action == "link" and found.kind == "offline":
        token = await context.people.new_join_link(found.id, context.clock.now())
        person = await context.people.get(found.id)
        if token is None or person is None or person.join_expires_at is None:
            return ACTIONS
        await _audit(context, "person.join_link", found, f"checked={request['verified']}")
        link = start_link(context.bot.username, JoinLink(token))
        await context.bot.send_message(
            press.chat_id,
            join_link_text(context.tr, name, link, context.tr.date(person.join_expires_at)),
        )
        await send_joining_slip(
            context, press.chat_id, found.id, token, person.first_name, person.language
        )
    return ACTIONS


async def cancel_signup(update: Update, context: NaboContext) -> int:
    """Cancel a coming sign-up of the person (without Telegram), as they asked."""
    press = await answer_press(update)
    request = _request(context)
    if request is None or "verified" not in request:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return END
    found: Found = request["found"]
    signup = await context.signups.get(PersonCancelSignup.parse(press.data).signup_id)
    if found.kind == "offline" and signup is not None and signup.person_id == found.id:
        result = await context.signups.cancel(signup.id, None, context.clock.now())
        if result.signup is not None:
            await _audit(context, "person.cancel_signup", found, f"signup={signup.id}")
            context.bot_data.services.sender.wake()  # whoever moved up is told
    fresh = await PersonLookup(context.store).offline(found.id, context.clock.now())
    if fresh is not None:
        request["found"] = fresh
        shown = await _summary(context, fresh)
        if shown is not None:
            await edit_query_message(press.query, *shown)
    return ACTIONS


async def sure(update: Update, context: NaboContext) -> int:
    """Send the file, or erase the person, after the confirmation."""
    press = await answer_press(update)
    request = _request(context)
    button = PersonSure.parse(press.data)
    tr = context.tr
    if request is None or "verified" not in request or button.token != request["token"]:
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return ACTIONS if request is not None else END
    found: Found = request["found"]
    name = found.name or "?"
    checked = f"checked={request['verified']}"
    if button.action == "export":
        export = await _export(context, found)
        if export is None:
            await edit_query_message(press.query, views.nothing_found(tr))
            return END
        await _audit(context, "person.export", found, checked)
        await edit_query_message(press.query, tr.gettext("✔ Done"))
        await context.bot.send_document(
            press.chat_id,
            export_file(export),
            filename=views.PERSON_FILE_NAME,
            caption=views.file_caption(tr, name),
        )
        context.user_data.pop(REQUEST, None)
        return END
    now = context.clock.now()
    if found.kind == "resident":
        gone = await erase_resident(context.application, found.id, now)
    else:
        gone = (await context.people.forget(found.id, now)).found
        context.bot_data.services.sender.wake()  # whoever moved up is told
    if gone:
        await _audit(context, "person.erase", found, checked)
        log.info("staff erased a person on request (%s)", found.kind)
    context.user_data.pop(REQUEST, None)
    await edit_query_message(
        press.query, views.erased(tr, name) if gone else views.nothing_found(tr)
    )
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop; nothing is shown or changed."""
    context.user_data.pop(REQUEST, None)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Forget a request left for half an hour (a code with it)."""
    context.user_data.pop(REQUEST, None)


def register(application: NaboApplication) -> None:
    """Add /person and its steps, for staff only."""
    staff = application.bot_data.config.staff_user_ids
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    def button(callback: Any, kind: type[ButtonData]) -> StaffCallbackQueryHandler:
        return StaffCallbackQueryHandler(staff, callback, kind.pattern())

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[staff_command(staff, "person", start), button(start, FindPerson)],
            states={
                QUERY: [MessageHandler(text, take_query)],
                PICK: [button(pick, PickFound), MessageHandler(text, take_query)],
                CHECK: [button(checked_by, CheckedBy)],
                CODE: [MessageHandler(text, take_code)],
                HOW: [MessageHandler(text, take_how)],
                ACTIONS: [
                    button(act, PersonAction),
                    button(sure, PersonSure),
                    button(cancel_signup, PersonCancelSignup),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", stop),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, remind_to_answer
                ),
            ],
            name="person",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )

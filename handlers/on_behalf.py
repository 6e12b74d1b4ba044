"""Signing up someone who does not use Nabo, from the activity's staff or host view.

Staff (for any activity) and an activity's host (for theirs) answer a few questions: the
person's first name (someone registered before can be picked again), how many adults and
children, and for someone new their language, area, a phone number only if they agree to
be called about it, and how they were told about privacy. The sign-up follows the same
rules as anyone's (bot/db/people.py); what Nabo would have told them reaches the team
(bot/work/team_outbox.py). Staff can then make the person a one-time joining link.

Who may start it is checked on the server (a staff-only button, or a host's button for
the activity it names, bot/telegram/roles.py), and again when the sign-up is saved.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
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

from bot.core.callback_data import ButtonData
from bot.core.i18n import Translator
from bot.core.phones import normalise_phone
from bot.core.start_links import JoinLink, start_link
from bot.db.activities import OTHER_AREA, Activity
from bot.db.people import MAX_NAME, NewPerson
from bot.db.signups import Outcome, SignupResult
from bot.db.volunteers import has_phone_number
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message, remind_to_answer
from bot.telegram.roles import HostCallbackQueryHandler, may_host
from bot.telegram.slips import send_joining_slip
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.telegram.staff_screens import update_chat_id, update_user_id
from bot.views import on_behalf as views
from bot.views.buttons import (
    ConfirmOnBehalf,
    HostActivity,
    HostSignUpFor,
    JoinLinkFor,
    NoCalls,
    PartyAdults,
    PartyChildren,
    PersonArea,
    PersonLanguage,
    PickPerson,
    SomeoneNew,
    StaffActivity,
    StaffSignUpFor,
    StopOnBehalf,
    ToldHow,
)

log = logging.getLogger(__name__)

NAME, PICK, ADULTS, CHILDREN, LANGUAGE, AREA, PHONE, TOLD, CONFIRM = range(9)
END = ConversationHandler.END
DRAFT = "on_behalf.draft"
TIMEOUT_SECONDS = 30 * 60


@dataclass
class Draft:
    """Who is being signed up, as the answers come in (kept for the conversation only)."""

    activity_id: int
    role: str  # "staff" or "host": who is signing them up, checked again at the end
    token: str
    name: str = ""
    person_id: int | None = None  # someone registered before
    adults: int = 0
    children: int = 0
    language: str = ""
    area: str = ""
    phone: str | None = None
    told_how: str = ""


def _draft(context: NaboContext) -> Draft | None:
    draft = context.user_data.get(DRAFT)
    return draft if isinstance(draft, Draft) else None


async def _open_activity(context: NaboContext, activity_id: int) -> Activity | None:
    activity = await context.activities.get(activity_id)
    if activity is None or not activity.is_open_for_signup(context.clock.now()):
        return None
    return activity


async def _begin(update: Update, context: NaboContext, activity_id: int, role: str) -> int:
    press = await answer_press(update)
    activity = await _open_activity(context, activity_id)
    _ = context.tr.gettext
    if activity is None:
        await context.bot.send_message(
            press.chat_id, _("Sorry, sign-up for this activity is closed.")
        )
        return END
    context.user_data[DRAFT] = Draft(activity_id, role, secrets.token_hex(4))
    await context.bot.send_message(press.chat_id, views.ask_name(context.tr, activity))
    return NAME


async def start_staff(update: Update, context: NaboContext) -> int:
    """Staff begin signing someone up for an activity."""
    assert update.callback_query is not None
    return await _begin(
        update, context, StaffSignUpFor.parse(update.callback_query.data).activity_id, "staff"
    )


async def start_host(update: Update, context: NaboContext) -> int:
    """Begin, as a host, signing someone up for their activity (the handler checked it)."""
    assert update.callback_query is not None
    return await _begin(
        update, context, HostSignUpFor.parse(update.callback_query.data).activity_id, "host"
    )


async def take_name(update: Update, context: NaboContext) -> int:
    """Take the first name; offer people registered before with that name."""
    draft = _draft(context)
    message = update.effective_message
    assert message is not None
    if draft is None:
        return await _lost(update, context)
    name = (message.text or "").strip()
    if not name or len(name) > MAX_NAME or has_phone_number(name) or any(c.isdigit() for c in name):
        await message.reply_text(views.bad_name(context.tr))
        return NAME
    draft.name = name
    known = await context.people.named(
        name, host_user_id=None if draft.role == "staff" else update_user_id(update)
    )
    if known:
        text, keyboard = views.pick_person(context.tr, known)
        await message.reply_text(text, reply_markup=keyboard)
        return PICK
    return await _ask_adults(context, update_chat_id(update), draft)


async def _ask_adults(context: NaboContext, chat_id: int, draft: Draft) -> int:
    activity = await context.activities.get(draft.activity_id)
    if activity is None:
        return END
    text, keyboard = views.ask_adults(context.tr, draft.name, activity.max_per_signup)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    return ADULTS


async def pick(update: Update, context: NaboContext) -> int:
    """Take someone registered before (whom this person may sign up), or someone new."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    if SomeoneNew.pattern().match(press.data):
        draft.person_id = None
    else:
        person_id = PickPerson.parse(press.data).person_id
        allowed = await context.people.named(
            draft.name, host_user_id=None if draft.role == "staff" else press.user_id
        )
        chosen = [person for person in allowed if person.id == person_id]
        if not chosen:
            await edit_query_message(
                press.query, context.tr.gettext("This button no longer works.")
            )
            return PICK
        draft.person_id = person_id
        draft.name = chosen[0].first_name  # as registered, not as typed now
    activity = await context.activities.get(draft.activity_id)
    if activity is None:
        return END
    text, keyboard = views.ask_adults(context.tr, draft.name, activity.max_per_signup)
    await edit_query_message(press.query, text, keyboard)
    return ADULTS


async def take_adults(update: Update, context: NaboContext) -> int:
    """Take the number of adults; ask for children."""
    press = await answer_press(update)
    draft = _draft(context)
    activity = await context.activities.get(draft.activity_id) if draft else None
    if draft is None or activity is None:
        return await _lost(update, context)
    adults = PartyAdults.parse(press.data).adults
    if adults > activity.max_per_signup:
        return ADULTS
    draft.adults = adults
    text, keyboard = views.ask_children(context.tr, draft.name, adults, activity.max_per_signup)
    await edit_query_message(press.query, text, keyboard)
    return CHILDREN


async def take_children(update: Update, context: NaboContext) -> int:
    """Take the number of children; ask the rest about someone new, else sum up."""
    press = await answer_press(update)
    draft = _draft(context)
    activity = await context.activities.get(draft.activity_id) if draft else None
    if draft is None or activity is None:
        return await _lost(update, context)
    children = PartyChildren.parse(press.data).children
    if not 0 < draft.adults + children <= activity.max_per_signup:
        return CHILDREN
    draft.children = children
    if draft.person_id is not None:
        return await _summary(update, context, draft, activity)
    text, keyboard = views.ask_language(context.tr, draft.name)
    await edit_query_message(press.query, text, keyboard)
    return LANGUAGE


async def take_language(update: Update, context: NaboContext) -> int:
    """Take the person's language; ask their area."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    draft.language = PersonLanguage.parse(press.data).language
    text, keyboard = views.ask_area(context.tr, draft.name, context.config.areas)
    await edit_query_message(press.query, text, keyboard)
    return AREA


async def take_area(update: Update, context: NaboContext) -> int:
    """Take the person's area; ask whether they may be called."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    key = PersonArea.parse(press.data).area
    areas = context.config.areas
    if key == "o":
        draft.area = OTHER_AREA
    elif int(key) < len(areas):
        draft.area = areas[int(key)]
    else:
        return AREA
    hosted = bool(await context.hosts.hosts_of(draft.activity_id)) or draft.role == "host"
    text, keyboard = views.ask_phone(context.tr, draft.name, hosted)
    await edit_query_message(press.query, text, keyboard)
    return PHONE


async def take_phone(update: Update, context: NaboContext) -> int:
    """Take a typed phone number (they agreed to be called); ask how they were told."""
    draft = _draft(context)
    message = update.effective_message
    assert message is not None
    if draft is None:
        return await _lost(update, context)
    phone = normalise_phone(message.text or "")
    if phone is None:
        await message.reply_text(views.bad_phone(context.tr))
        return PHONE
    draft.phone = phone
    text, keyboard = views.ask_told(context.tr, draft.name, draft.language)
    await message.reply_text(text, reply_markup=keyboard)
    return TOLD


async def no_calls(update: Update, context: NaboContext) -> int:
    """Keep no phone number; ask how they were told."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return await _lost(update, context)
    draft.phone = None
    text, keyboard = views.ask_told(context.tr, draft.name, draft.language)
    await edit_query_message(press.query, text, keyboard)
    return TOLD


async def take_told(update: Update, context: NaboContext) -> int:
    """Take how they were told about privacy; sum up."""
    await answer_press(update)
    draft = _draft(context)
    activity = await context.activities.get(draft.activity_id) if draft else None
    if draft is None or activity is None:
        return await _lost(update, context)
    assert update.callback_query is not None
    draft.told_how = ToldHow.parse(update.callback_query.data).how
    return await _summary(update, context, draft, activity)


async def _summary(update: Update, context: NaboContext, draft: Draft, activity: Activity) -> int:
    tr = context.tr
    if draft.person_id is not None:
        person = await context.people.get(draft.person_id)
        if person is None:
            return await _lost(update, context)
        details = views.known_person_details(tr, person)
    else:
        details = views.new_person_details(
            tr, draft.language, draft.area, draft.phone, draft.told_how
        )
    text, keyboard = views.summary(
        tr, activity, draft.name, draft.adults, draft.children, details, draft.token
    )
    query = update.callback_query
    assert query is not None
    await edit_query_message(query, text, keyboard)
    return CONFIRM


async def confirm(update: Update, context: NaboContext) -> int:
    """Sign them up (or put them on the waitlist), checking who may do it once more."""
    press = await answer_press(update)
    draft = _draft(context)
    button = ConfirmOnBehalf.parse(press.data)
    tr = context.tr
    if draft is None or button.token != draft.token:
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return CONFIRM if draft is not None else END
    allowed = (
        context.is_staff if draft.role == "staff" else await may_host(context, draft.activity_id)
    )
    if not allowed:
        # Removed as host a moment ago: nothing is saved.
        context.user_data.pop(DRAFT, None)
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return END
    now = context.clock.now()
    if draft.person_id is None:
        result, person = await context.people.sign_up_new(
            draft.activity_id,
            NewPerson(draft.name, draft.language, draft.area, draft.phone, draft.told_how),
            draft.adults,
            draft.children,
            now,
            waitlist=button.waitlist,
            registered_by=press.user_id,
            role=draft.role,
        )
        person_id = person.id if person is not None else None
    else:
        result = await context.people.sign_up(
            draft.activity_id,
            draft.person_id,
            draft.adults,
            draft.children,
            now,
            waitlist=button.waitlist,
        )
        person_id = draft.person_id
    return await _outcome(update, context, draft, result, person_id)


async def _outcome(
    update: Update, context: NaboContext, draft: Draft, result: SignupResult, person_id: int | None
) -> int:
    tr = context.tr
    query = update.callback_query
    assert query is not None
    if result.outcome is Outcome.NO_ROOM:
        text, keyboard = views.no_room(
            tr, result.places_left or 0, draft.adults, draft.children, draft.token
        )
        await edit_query_message(query, text, keyboard)
        return CONFIRM
    context.user_data.pop(DRAFT, None)
    signup = result.signup
    if result.outcome in (Outcome.CONFIRMED, Outcome.WAITLISTED) and signup is not None:
        assert person_id is not None
        await context.bot_data.services.audit.record(
            update_user_id(update),
            "person.sign_up" if draft.role == "staff" else "host.sign_up",
            context.clock.now(),
            subject=f"activity:{draft.activity_id}",
            details=f"person={person_id},signup={signup.id},new={int(draft.person_id is None)}",
        )
        log.info(
            "someone without Telegram signed up for activity %s (%s)", draft.activity_id, draft.role
        )
        text = (
            views.signed_up(tr, draft.name, draft.adults, draft.children)
            if result.outcome is Outcome.CONFIRMED
            else views.waitlisted(tr, draft.name, result.waitlist_position or 0)
        )
        rows = [[views.join_link_button(tr, person_id)]] if draft.role == "staff" else []
        rows.append([_back_button(tr, draft)])
        await edit_query_message(query, text, InlineKeyboardMarkup(rows))
        return END
    if result.outcome is Outcome.ALREADY:
        text = tr.gettext("{name} is already signed up for this activity.").format(
            name=tr.ltr(draft.name)
        )
    elif result.outcome is Outcome.CLOSED:
        text = tr.gettext("Sorry, sign-up for this activity is closed.")
    else:
        text = tr.gettext("This button no longer works.")
    await edit_query_message(query, text, InlineKeyboardMarkup([[_back_button(tr, draft)]]))
    return END


def _back_button(tr: Translator, draft: Draft) -> InlineKeyboardButton:
    kind: type[StaffActivity | HostActivity] = (
        StaffActivity if draft.role == "staff" else HostActivity
    )
    return InlineKeyboardButton(tr.gettext("◀ Back"), callback_data=kind(draft.activity_id).pack())


async def stop(update: Update, context: NaboContext) -> int:
    """Stop: nothing is saved."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    context.user_data.pop(DRAFT, None)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return END


async def _lost(update: Update, context: NaboContext) -> int:
    context.user_data.pop(DRAFT, None)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("This button no longer works.")
    )
    return END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Drop a draft left alone for half an hour."""
    context.user_data.pop(DRAFT, None)
    if update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id,
            context.tr.gettext(
                "The sign-up was left for 30 minutes, so it is stopped. Nothing was saved."
            ),
        )


async def join_link(update: Update, context: NaboContext) -> None:
    """Staff: make a person's one-time joining link (an older one stops working), and its slip."""
    press = await answer_press(update)
    person_id = JoinLinkFor.parse(press.data).person_id
    tr = context.tr
    person = await context.people.get(person_id)
    token = await context.people.new_join_link(person_id, context.clock.now()) if person else None
    if person is None or token is None:
        await context.bot.send_message(
            press.chat_id, tr.gettext("Nabo no longer has this person's details.")
        )
        return
    refreshed = await context.people.get(person_id)
    assert refreshed is not None
    assert refreshed.join_expires_at is not None
    link = start_link(context.bot.username, JoinLink(token))
    await context.bot_data.services.audit.record(
        press.user_id, "person.join_link", context.clock.now(), subject=f"person:{person_id}"
    )
    await context.bot.send_message(
        press.chat_id,
        views.join_link_text(tr, person.first_name, link, tr.date(refreshed.join_expires_at)),
    )
    await send_joining_slip(
        context, press.chat_id, person_id, token, person.first_name, person.language
    )


def register(application: NaboApplication) -> None:
    """Add the conversation that signs someone up on their behalf, and the joining link."""
    staff = application.bot_data.config.staff_user_ids
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    def button(callback: Any, kind: type[ButtonData]) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(callback, pattern=kind.pattern())

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[
                StaffCallbackQueryHandler(staff, start_staff, StaffSignUpFor.pattern()),
                HostCallbackQueryHandler(HostSignUpFor, start_host),
            ],
            states={
                NAME: [MessageHandler(text, take_name)],
                PICK: [button(pick, PickPerson), button(pick, SomeoneNew)],
                ADULTS: [button(take_adults, PartyAdults)],
                CHILDREN: [button(take_children, PartyChildren)],
                LANGUAGE: [button(take_language, PersonLanguage)],
                AREA: [button(take_area, PersonArea)],
                PHONE: [MessageHandler(text, take_phone), button(no_calls, NoCalls)],
                TOLD: [button(take_told, ToldHow)],
                CONFIRM: [button(confirm, ConfirmOnBehalf)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", stop),
                button(stop, StopOnBehalf),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, remind_to_answer
                ),
            ],
            name="on_behalf",
            allow_reentry=True,
            conversation_timeout=TIMEOUT_SECONDS,
        )
    )
    application.add_handler(StaffCallbackQueryHandler(staff, join_link, JoinLinkFor.pattern()))

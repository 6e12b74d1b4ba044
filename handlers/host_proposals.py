"""A host proposes a new activity; staff publish it (the proposer becomes its host) or decline.

The host answers a few questions in their own language (title, description, when, where,
places, delaftale, area), sees the proposal and sends it; staff get it through the team's
outbox (bot/work/team_outbox.py), durably, with "Publish" and "Decline". Publishing makes
it an activity in one transaction with its decision and the new hosting
(bot/db/hosts.py), which staff can edit as any other; the proposer is told either way.
Hosts only for the proposal (bot/telegram/roles.py), staff only for the decision.
"""

from __future__ import annotations

import logging
import secrets
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
from bot.core.dates import CapacityError, DateError, parse_capacity, parse_end, parse_start
from bot.db.activities import OTHER_AREA
from bot.db.hosts import ProposalDraft
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import (
    answer_press,
    edit_query_message,
    remind_to_answer,
    remove_query_buttons,
)
from bot.telegram.roles import HostCallbackQueryHandler
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.telegram.staff_screens import audit_activity, update_chat_id
from bot.telegram.tell import tell_resident
from bot.views import host_requests as views
from bot.views.activity_draft import unlimited_words
from bot.views.activity_editor import capacity_problem, too_long
from bot.views.buttons import (
    DeclineProposal,
    DiscardProposal,
    HostPropose,
    ProposalArea,
    ProposalDelaftale,
    ProposalSkip,
    ProposalTranslators,
    ProposalUnlimited,
    PublishProposal,
    SendProposal,
    StaffActivity,
)
from bot.views.staff_texts import date_problem
from bot.work.reminders import sync_reminder_jobs
from bot.work.translations import ask_for_activity

log = logging.getLogger(__name__)

TITLE, DESCRIPTION, STARTS, ENDS, PLACE, CAPACITY, DELAFTALE, AREA, CONFIRM = range(9)
END = ConversationHandler.END
DRAFT = "host_proposals.draft"


def _draft(context: NaboContext) -> dict[str, Any] | None:
    draft = context.user_data.get(DRAFT)
    return draft if isinstance(draft, dict) else None


def _typed(update: Update) -> str:
    message = update.effective_message
    assert message is not None
    return (message.text or "").strip()


async def _say(update: Update, context: NaboContext, text: str, keyboard: Any = None) -> None:
    await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)


async def start(update: Update, context: NaboContext) -> int:
    """Start a proposal (the handler checked that this person hosts something)."""
    await answer_press(update)
    context.user_data[DRAFT] = {"token": secrets.token_hex(4), "description": ""}
    await _say(update, context, views.proposal_intro(context.tr))
    return TITLE


async def take_title(update: Update, context: NaboContext) -> int:
    """Take the title; ask for a description."""
    draft, text = _draft(context), _typed(update)
    if draft is None:
        return END
    if not text or len(text) > views.TITLE_LIMIT:
        await _say(update, context, too_long(context.tr, views.TITLE_LIMIT))
        return TITLE
    draft["title"] = text
    await _say(update, context, *views.ask_description(context.tr))
    return DESCRIPTION


async def take_description(update: Update, context: NaboContext) -> int:
    """Take (or skip) the description; ask when it starts."""
    draft = _draft(context)
    if draft is None:
        return END
    if update.callback_query is not None:
        press = await answer_press(update)
        await remove_query_buttons(press.query)
    else:
        text = _typed(update)
        if len(text) > views.DESCRIPTION_LIMIT:
            await _say(update, context, too_long(context.tr, views.DESCRIPTION_LIMIT))
            return DESCRIPTION
        draft["description"] = text
    await _say(update, context, views.ask_start(context.tr, context.clock.now(), context.config))
    return STARTS


async def take_start(update: Update, context: NaboContext) -> int:
    """Read when it starts (in the future); ask when it ends."""
    draft = _draft(context)
    if draft is None:
        return END
    try:
        draft["starts_at"] = parse_start(
            _typed(update), context.clock.now(), context.config.timezone
        )
    except DateError as error:
        problem = date_problem(context.tr, error.problem, None)
        await _say(
            update,
            context,
            f"{problem}\n\n{views.ask_start(context.tr, context.clock.now(), context.config)}",
        )
        return STARTS
    await _say(update, context, views.ask_end(context.tr))
    return ENDS


async def take_end(update: Update, context: NaboContext) -> int:
    """Read when it ends; ask where it is."""
    draft = _draft(context)
    if draft is None:
        return END
    try:
        draft["ends_at"] = parse_end(_typed(update), draft["starts_at"], context.config.timezone)
    except DateError as error:
        problem = date_problem(context.tr, error.problem, draft["starts_at"])
        await _say(update, context, f"{problem}\n\n{views.ask_end(context.tr)}")
        return ENDS
    await _say(update, context, views.ask_place(context.tr))
    return PLACE


async def take_place(update: Update, context: NaboContext) -> int:
    """Take the place; ask how many places there are."""
    draft, text = _draft(context), _typed(update)
    if draft is None:
        return END
    if not text or len(text) > views.PLACE_LIMIT:
        await _say(update, context, too_long(context.tr, views.PLACE_LIMIT))
        return PLACE
    draft["place"] = text
    await _say(update, context, *views.ask_capacity(context.tr))
    return CAPACITY


async def take_capacity(update: Update, context: NaboContext) -> int:
    """Read the number of places (or unlimited); ask for the delaftale."""
    draft = _draft(context)
    if draft is None:
        return END
    if update.callback_query is not None:
        press = await answer_press(update)
        await remove_query_buttons(press.query)
        draft["capacity"] = None
    else:
        try:
            draft["capacity"] = parse_capacity(
                _typed(update), unlimited_words(context.bot_data.services.catalogs)
            )
        except CapacityError:
            await _say(update, context, capacity_problem(context.tr))
            return CAPACITY
    await _say(update, context, *views.ask_delaftale(context.tr))
    return DELAFTALE


async def take_delaftale(update: Update, context: NaboContext) -> int:
    """Take the delaftale; ask the area."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return END
    draft["delaftale"] = ProposalDelaftale.parse(press.data).delaftale
    await edit_query_message(press.query, *views.ask_area(context.tr, context.config.areas))
    return AREA


async def take_area(update: Update, context: NaboContext) -> int:
    """Take the area; show the proposal."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return END
    key = ProposalArea.parse(press.data).area
    areas = context.config.areas
    if key != "o" and int(key) >= len(areas):
        return AREA
    draft["area"] = OTHER_AREA if key == "o" else areas[int(key)]
    await edit_query_message(
        press.query, *views.proposal_summary(context.tr, _proposal(context, draft), draft["token"])
    )
    return CONFIRM


def _proposal(context: NaboContext, draft: dict[str, Any]) -> ProposalDraft:
    return ProposalDraft(
        language=context.tr.language,
        title=draft["title"],
        description=draft["description"],
        starts_at=draft["starts_at"],
        ends_at=draft["ends_at"],
        place=draft["place"],
        capacity=draft["capacity"],
        delaftale=draft["delaftale"],
        area=draft["area"],
    )


async def send(update: Update, context: NaboContext) -> int:
    """Send the proposal to the team, if they still host something."""
    press = await answer_press(update)
    draft = _draft(context)
    tr = context.tr
    if draft is None or SendProposal.parse(press.data).token != draft["token"]:
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return CONFIRM if draft is not None else END
    now = context.clock.now()
    proposal_id = await context.hosts.propose(press.user_id, _proposal(context, draft), now)
    # Stored before the draft leaves the conversation: a write the database refuses (busy)
    # gets "try again", and the same button then sends the proposal.
    context.user_data.pop(DRAFT, None)
    if proposal_id is None:
        await edit_query_message(press.query, tr.gettext("This button no longer works."))
        return END
    await context.bot_data.services.audit.record(
        press.user_id, "host.propose", now, subject=f"proposal:{proposal_id}"
    )
    context.bot_data.services.sender.wake()
    await edit_query_message(press.query, *views.proposal_sent(tr))
    return END


async def discard(update: Update, context: NaboContext) -> int:
    """Throw the proposal away."""
    press = await answer_press(update)
    context.user_data.pop(DRAFT, None)
    await edit_query_message(press.query, context.tr.gettext("Discarded. Nothing was sent."))
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop; nothing is sent."""
    context.user_data.pop(DRAFT, None)
    await _say(update, context, context.tr.gettext("Stopped. Nothing was saved or sent."))
    return END


async def timed_out(update: Update, context: NaboContext) -> None:
    """Drop a proposal left for half an hour, and say so."""
    context.user_data.pop(DRAFT, None)
    if update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id,
            context.tr.gettext(
                "The proposal was left for 30 minutes, so it is stopped. Nothing was sent."
            ),
        )


# ---------------------------------------------------------------- staff decide


async def publish(update: Update, context: NaboContext) -> None:
    """Publish a host's proposal; the proposer becomes its host and is told."""
    press = await answer_press(update)
    proposal_id = PublishProposal.parse(press.data).proposal_id
    now = context.clock.now()
    published = await context.hosts.publish(proposal_id, press.user_id, now)
    tr = context.tr
    if published is None:
        await edit_query_message(press.query, tr.gettext("This proposal has been decided already."))
        return
    proposal, activity_id = published
    activity = await context.activities.get(activity_id)
    assert activity is not None
    await audit_activity(
        context, press.user_id, "proposal.publish", activity_id, f"proposal={proposal_id}"
    )
    await sync_reminder_jobs(context.application)
    if proposal.proposed_by is not None:
        reader = context.bot_data.services.catalogs.translator(proposal.draft.language)
        await tell_resident(
            context.bot,
            context.residents,
            None,
            proposal.proposed_by,
            views.proposal_published(reader, activity),
        )
    await edit_query_message(
        press.query,
        *views.proposal_published_for_staff(
            tr, proposal.draft.title, proposal.draft.language, activity_id
        ),
    )


async def ask_translators(update: Update, context: NaboContext) -> None:
    """Ask volunteer translators for a published Danish proposal's Arabic and English.

    As staff's activity editor asks them (bot/work/translations.py): the title and the
    description, needed by the time chosen (but before the start); each translation comes
    back to this staff member to use, change or refuse.
    """
    press = await answer_press(update)
    button = ProposalTranslators.parse(press.data)
    asked = [
        await ask_for_activity(
            context.application,
            button.activity_id,
            language,
            hours=button.hours,
            staff_user_id=press.user_id,
        )
        for language in ("ar", "en")
    ]
    tr = context.tr
    see = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("👀 See the activity"),
                    callback_data=StaffActivity(button.activity_id).pack(),
                )
            ]
        ]
    )
    if not any(asked):
        await edit_query_message(
            press.query,
            tr.gettext("There is no Danish text to translate, or the activity is no longer open."),
            see,
        )
        return
    await audit_activity(
        context, press.user_id, "proposal.translators", button.activity_id, f"hours={button.hours}"
    )
    # The question is answered: only the way to the activity stays on the post.
    await press.query.edit_message_reply_markup(reply_markup=see)


async def decline(update: Update, context: NaboContext) -> None:
    """Decline a host's proposal; the proposer is told."""
    press = await answer_press(update)
    proposal_id = DeclineProposal.parse(press.data).proposal_id
    decided = await context.hosts.decide(proposal_id, press.user_id, context.clock.now())
    tr = context.tr
    if decided is None:
        await edit_query_message(press.query, tr.gettext("This proposal has been decided already."))
        return
    await context.bot_data.services.audit.record(
        press.user_id, "proposal.decline", context.clock.now(), subject=f"proposal:{proposal_id}"
    )
    if decided.proposed_by is not None:
        reader = context.bot_data.services.catalogs.translator(decided.draft.language)
        await tell_resident(
            context.bot,
            context.residents,
            None,
            decided.proposed_by,
            views.proposal_declined(reader, decided.draft.title),
        )
    await edit_query_message(
        press.query,
        tr.gettext("❌ Declined: {title}. The proposer is told.").format(
            title=tr.ltr(decided.draft.title)
        ),
    )


def register(application: NaboApplication) -> None:
    """Add the host's proposal conversation, and staff's publish and decline buttons."""
    staff = application.bot_data.config.staff_user_ids
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    def button(callback: Any, kind: type[ButtonData]) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(callback, pattern=kind.pattern())

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[HostCallbackQueryHandler(HostPropose, start)],
            states={
                TITLE: [MessageHandler(text, take_title)],
                DESCRIPTION: [
                    MessageHandler(text, take_description),
                    button(take_description, ProposalSkip),
                ],
                STARTS: [MessageHandler(text, take_start)],
                ENDS: [MessageHandler(text, take_end)],
                PLACE: [MessageHandler(text, take_place)],
                CAPACITY: [
                    MessageHandler(text, take_capacity),
                    button(take_capacity, ProposalUnlimited),
                ],
                DELAFTALE: [button(take_delaftale, ProposalDelaftale)],
                AREA: [button(take_area, ProposalArea)],
                CONFIRM: [button(send, SendProposal), button(discard, DiscardProposal)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", stop),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, remind_to_answer
                ),
            ],
            name="host_proposals",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )
    application.add_handler(StaffCallbackQueryHandler(staff, publish, PublishProposal.pattern()))
    application.add_handler(StaffCallbackQueryHandler(staff, decline, DeclineProposal.pattern()))
    application.add_handler(
        StaffCallbackQueryHandler(staff, ask_translators, ProposalTranslators.pattern())
    )

"""Staff and hosts: invite a host with a one-time link, list hosts, remove one at once.

From an activity's staff view, "👤 Hosts" shows who hosts it, with a button to remove each
and to invite another: staff choose this date or the whole series, where the host comes
from (the team, an afdelingsbestyrelse, a partner) and their role, and may bind the link
to the host's phone number; Nabo gives the link to pass on (it works once, for a few
days). /hosts lists every current host. Removing one takes effect at their next tap; they
are told and lose /host. Everything here is staff-only (bot/telegram/staff.py), and
audited.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.callback_data import ButtonData
from bot.core.phones import normalise_phone
from bot.core.start_links import HostInvitation, start_link
from bot.db.hosts import MAX_TEXT, Invitation
from bot.db.volunteers import has_phone_number
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message, remind_to_answer
from bot.telegram.roles import clear_host_command_menu
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.staff_screens import audit_activity, show_not_found, show_screen, update_chat_id
from bot.telegram.tell import tell_resident
from bot.views import host as views
from bot.views.buttons import (
    AskRemoveHost,
    HostList,
    InviteAnyone,
    InviteHost,
    InviteOrganiser,
    InviteScope,
    RemoveHost,
    StaffHosts,
)
from bot.views.on_behalf import bad_phone

log = logging.getLogger(__name__)

SCOPE, ORGANISER, ORGANISATION, ROLE, PHONE = range(5)
END = ConversationHandler.END
DRAFT = "host_invitations.draft"


async def show_hosts(update: Update, context: NaboContext) -> None:
    """Show staff who hosts an activity."""
    press = await answer_press(update)
    activity = await context.activities.get(StaffHosts.parse(press.data).activity_id)
    if activity is None:
        await show_not_found(press, context)
        return
    hosts = await context.hosts.hosts_of(activity.id)
    await show_screen(press, context, *views.activity_hosts_screen(context.tr, activity, hosts))


async def list_hosts(update: Update, context: NaboContext) -> None:
    """List every current host (/hosts)."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    hosted = []
    for host in await context.hosts.current():
        activity = await context.activities.get(host.activity_id)
        if activity is not None:
            hosted.append((host, activity))
    text, keyboard = views.all_hosts_screen(context.tr, hosted)
    await update.effective_chat.send_message(text, reply_markup=keyboard)


async def ask_remove(update: Update, context: NaboContext) -> None:
    """Ask before removing a host."""
    press = await answer_press(update)
    host = await context.hosts.get(AskRemoveHost.parse(press.data).host_id)
    activity = await context.activities.get(host.activity_id) if host else None
    if host is None or activity is None or host.ended_at is not None:
        await show_screen(
            press, context, context.tr.gettext("This host has been removed already."), None
        )
        return
    await show_screen(press, context, *views.ask_remove(context.tr, host, activity))


async def remove(update: Update, context: NaboContext) -> None:
    """Remove a hosting at once; tell the host, and take /host away if it was their last."""
    press = await answer_press(update)
    removed = await context.hosts.remove(RemoveHost.parse(press.data).host_id, context.clock.now())
    if removed is None or removed.user_id is None:
        await show_screen(
            press, context, context.tr.gettext("This host has been removed already."), None
        )
        return
    await audit_activity(
        context, press.user_id, "host.remove", removed.activity_id, f"host={removed.id}"
    )
    log.info("staff removed a host of activity %s", removed.activity_id)
    activity = await context.activities.get(removed.activity_id)
    assert activity is not None
    host_user = removed.user_id
    if not await context.hosts.is_any_host(host_user) and not context.config.is_staff(host_user):
        await clear_host_command_menu(context.bot, host_user)
    tr = context.bot_data.services.catalogs.translator(
        removed.language or context.config.default_language
    )
    await tell_resident(
        context.bot, context.residents, None, host_user, views.hosting_ended(tr, activity)
    )
    hosts = await context.hosts.hosts_of(activity.id)
    await show_screen(press, context, *views.activity_hosts_screen(context.tr, activity, hosts))


# ---------------------------------------------------------------- the invitation


async def start_invite(update: Update, context: NaboContext) -> int:
    """Start an invitation: this date or the whole series, then where the host comes from."""
    press = await answer_press(update)
    activity = await context.activities.get(InviteHost.parse(press.data).activity_id)
    if (
        activity is None
        or activity.status != "published"
        or activity.ends_at <= context.clock.now()
    ):
        await show_not_found(press, context)
        return END
    context.user_data[DRAFT] = {"activity_id": activity.id, "whole_series": False}
    if activity.series_id is not None:
        dates = len(await context.activities.in_series(activity.series_id))
        text, keyboard = views.ask_scope(context.tr, dates)
        await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)
        return SCOPE
    text, keyboard = views.ask_organiser(context.tr)
    await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)
    return ORGANISER


def _draft(context: NaboContext) -> dict[str, Any] | None:
    draft = context.user_data.get(DRAFT)
    return draft if isinstance(draft, dict) else None


async def take_scope(update: Update, context: NaboContext) -> int:
    """Take this date or the whole series; ask where the host comes from."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return END
    draft["whole_series"] = InviteScope.parse(press.data).whole_series
    text, keyboard = views.ask_organiser(context.tr)
    await edit_query_message(press.query, text, keyboard)
    return ORGANISER


async def take_organiser(update: Update, context: NaboContext) -> int:
    """Take where the host comes from; ask the organisation's name (or, for the team, the role)."""
    press = await answer_press(update)
    draft = _draft(context)
    if draft is None:
        return END
    kind = InviteOrganiser.parse(press.data).kind
    draft["kind"] = kind
    if kind == "team":
        draft["organisation"] = views.TEAM_ORGANISATION
        await edit_query_message(press.query, views.ask_role(context.tr))
        return ROLE
    await edit_query_message(press.query, views.ask_organisation(context.tr, kind))
    return ORGANISATION


async def _typed(update: Update, context: NaboContext) -> str | None:
    """Return a typed name or role if it can be kept; else say why and return None."""
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text or len(text) > MAX_TEXT or has_phone_number(text):
        await message.reply_text(
            context.tr.gettext(
                "Please write it in at most {limit} characters, without phone numbers."
            ).format(limit=context.tr.ltr(MAX_TEXT))
        )
        return None
    return text


async def take_organisation(update: Update, context: NaboContext) -> int:
    """Take the organisation's name; ask the host's role."""
    draft = _draft(context)
    text = await _typed(update, context)
    if draft is None:
        return END
    if text is None:
        return ORGANISATION
    draft["organisation"] = text
    await context.bot.send_message(update_chat_id(update), views.ask_role(context.tr))
    return ROLE


async def take_role(update: Update, context: NaboContext) -> int:
    """Take the host's role; ask whether to bind the link to their phone number."""
    draft = _draft(context)
    text = await _typed(update, context)
    if draft is None:
        return END
    if text is None:
        return ROLE
    draft["role"] = text
    question, keyboard = views.ask_phone_binding(context.tr)
    await context.bot.send_message(update_chat_id(update), question, reply_markup=keyboard)
    return PHONE


async def take_phone(update: Update, context: NaboContext) -> int:
    """Bind the invitation to the typed number, and make it."""
    message = update.effective_message
    assert message is not None
    phone = normalise_phone(message.text or "")
    if phone is None:
        await message.reply_text(bad_phone(context.tr))
        return PHONE
    return await _make(update, context, phone)


async def anyone(update: Update, context: NaboContext) -> int:
    """Make an invitation that whoever opens it first can accept."""
    await answer_press(update)
    return await _make(update, context, None)


async def _make(update: Update, context: NaboContext, phone: str | None) -> int:
    draft = context.user_data.pop(DRAFT, None)
    if not isinstance(draft, dict):
        return END
    activity = await context.activities.get(draft["activity_id"])
    assert update.effective_user is not None
    if activity is None or activity.status != "published":
        await context.bot.send_message(
            update_chat_id(update), context.tr.gettext("Sorry, we could not find that activity.")
        )
        return END
    now = context.clock.now()
    invitation = Invitation(
        activity.id,
        draft["whole_series"],
        draft["kind"],
        draft["organisation"],
        draft["role"],
        phone,
    )
    token = await context.hosts.invite(invitation, update.effective_user.id, now)
    pending = await context.hosts.invitation_for(token, now)
    assert pending is not None
    await audit_activity(
        context,
        update.effective_user.id,
        "host.invite",
        activity.id,
        f"series={int(invitation.whole_series)},kind={invitation.organiser_kind},"
        f"bound={int(phone is not None)}",
    )
    link = start_link(context.bot.username, HostInvitation(token))
    await context.bot.send_message(
        update_chat_id(update),
        views.invitation_ready(context.tr, link, context.tr.date(pending.expires_at), phone),
    )
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop: no invitation is made."""
    context.user_data.pop(DRAFT, None)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return END


def register(application: NaboApplication) -> None:
    """Add the staff's host screens and the invitation conversation (all staff-only)."""
    staff = application.bot_data.config.staff_user_ids
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    def button(callback: Any, kind: type[ButtonData]) -> CallbackQueryHandler[Any, Any]:
        return StaffCallbackQueryHandler(staff, callback, kind.pattern())

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[button(start_invite, InviteHost)],
            states={
                SCOPE: [button(take_scope, InviteScope)],
                ORGANISER: [button(take_organiser, InviteOrganiser)],
                ORGANISATION: [MessageHandler(text, take_organisation)],
                ROLE: [MessageHandler(text, take_role)],
                PHONE: [MessageHandler(text, take_phone), button(anyone, InviteAnyone)],
            },
            fallbacks=[
                CommandHandler("cancel", stop),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, remind_to_answer
                ),
            ],
            name="host_invitations",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )
    application.add_handler(staff_command(staff, "hosts", list_hosts))
    for callback, kind in (
        (list_hosts, HostList),
        (show_hosts, StaffHosts),
        (ask_remove, AskRemoveHost),
        (remove, RemoveHost),
    ):
        application.add_handler(button(callback, kind))

"""Staff's view of an activity, shared by the staff activity journeys in handlers/.

The editor, the roster, cancelling and attendance (handlers.staff_activity_editor,
staff_roster, staff_cancel_activity, staff_attendance) all show the same staff screen of an
activity, check the same way whether it can still be changed, and audit the same way; handlers
must not import each other, so that shared, non-handler code lives here.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.activities import Activity
from bot.activity_view import (
    MAX_MESSAGE,
    area_name,
    delaftale_name,
    party_text,
)
from bot.audit import AuditLog
from bot.context import NaboContext
from bot.i18n import Translator
from bot.replies import ButtonPress, edit_query_message
from bot.signups import Signup, SignupStatus
from bot.staff_texts import utf16_len

log = logging.getLogger(__name__)


def update_chat_id(update: Update) -> int:
    """Return the chat the update came from."""
    assert update.effective_chat is not None
    return update.effective_chat.id


def update_user_id(update: Update) -> int:
    """Return the user who sent the update."""
    assert update.effective_user is not None
    return update.effective_user.id


async def audit_activity(
    context: NaboContext,
    staff_user_id: int,
    action: str,
    activity_id: int,
    details: str | None = None,
) -> None:
    """Write one staff action about an activity to the audit log (ids only, never names)."""
    await AuditLog(context.store).record(
        staff_user_id,
        action,
        context.clock.now(),
        subject=f"activity:{activity_id}",
        details=details,
    )


async def show_screen(
    press: ButtonPress, context: NaboContext, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Show a staff screen in place of the pressed message, or below it if that is gone."""
    try:
        await edit_query_message(press.query, text, keyboard)
    except BadRequest as error:
        log.info("could not edit a staff message (%s); sending a new one", error.message)
        await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)


async def show_not_found(press: ButtonPress, context: NaboContext) -> None:
    """Say the activity is gone, with a button back to the list."""
    _ = context.tr.gettext
    await show_screen(
        press,
        context,
        _("Sorry, we could not find that activity."),
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📋 Activities"), callback_data="st:acts:0")]]
        ),
    )


def person_name(tr: Translator, signup: Signup) -> str:
    """Name a sign-up as Telegram gave it (or neutrally), for staff only."""
    return tr.ltr(signup.first_name) if signup.first_name else tr.gettext("(no name)")


async def activity_screen(
    context: NaboContext, activity_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Build the staff view of an activity, within Telegram's message limit."""
    listing = await context.activities.listing(activity_id, 0)
    if listing is None:
        return None
    activity = listing.activity
    tr = context.tr
    _ = tr.gettext
    roster = await context.signups.roster(activity_id)
    confirmed = [s for s in roster if s.status is SignupStatus.CONFIRMED]
    waiting = [s for s in roster if s.status is SignupStatus.WAITLISTED]
    head = []
    if activity.status == "cancelled":
        head.append(_("❌ This activity has been cancelled."))
    head += [
        activity.title(tr.language),
        f"🗓 {tr.when(activity.starts_at)} – {tr.ltr(tr.time(activity.ends_at))}",
        f"📍 {tr.ltr(activity.place)}",
        f"🏘 {area_name(tr, activity.area)} · 🎯 {delaftale_name(tr, activity.delaftale)}",
        _("👥 Places: {count}").format(
            count=_("unlimited") if activity.capacity is None else tr.ltr(activity.capacity)
        ),
        _("✅ Signed up: {people} in {signups}").format(
            people=people_text(tr, sum(s.people for s in confirmed)),
            signups=signups_text(tr, len(confirmed)),
        ),
        _("⏳ Waitlist: {signups}, {people}").format(
            signups=signups_text(tr, len(waiting)),
            people=people_text(tr, sum(s.people for s in waiting)),
        ),
    ]
    if activity.attendance_taken_at is not None:
        came = sum(s.people for s in confirmed if s.attended)
        head.append(came_line(tr, came, activity.walk_ins))
    entries: list[tuple[str, bool]] = []
    if not roster:
        entries.append(("", False))
        entries.append((_("No one has signed up yet."), False))
    for heading, group in ((_("Signed up:"), confirmed), (_("Waitlist:"), waiting)):
        if not group:
            continue
        entries += [("", False), (heading, False)]
        for number, signup in enumerate(group, start=1):
            mark = {True: " ✅", False: " ❌", None: ""}[signup.attended]
            line = (
                f"{tr.ltr(number)}. {person_name(tr, signup)} — "
                f"{party_text(tr, signup.adults, signup.children)}{mark}"
            )
            entries.append((line, True))
    text = _fit_entries(tr, "\n".join(head), entries)
    return text, _activity_keyboard(context, activity)


def people_text(tr: Translator, count: int) -> str:
    """Say how many people, e.g. "3 people"."""
    return tr.ngettext("{count} person", "{count} people", count).format(count=tr.ltr(count))


def signups_text(tr: Translator, count: int) -> str:
    """Say how many sign-ups, e.g. "2 sign-ups"."""
    return tr.ngettext("{count} sign-up", "{count} sign-ups", count).format(count=tr.ltr(count))


def came_line(tr: Translator, came: int, walk_ins: int) -> str:
    """Say how many of those signed up came, and how many walked in."""
    return tr.gettext("🧾 Came: {came} · 🚶 Walk-ins: {walk_ins}").format(
        came=tr.ltr(came), walk_ins=tr.ltr(walk_ins)
    )


def _fit_entries(tr: Translator, head: str, entries: list[tuple[str, bool]]) -> str:
    """Join the head and the sign-up lines; cut with "…and N more" to fit one message."""
    full = "\n".join([head, *(line for line, _ in entries)])
    if utf16_len(full) <= MAX_MESSAGE:
        return full
    total = sum(1 for _, is_signup in entries if is_signup)
    # Room for the longest "…and N more" there could be.
    reserve = utf16_len(_and_more(tr, total)) + 1
    kept = [head]
    used = utf16_len(head)
    shown = 0
    for line, is_signup in entries:
        if used + 1 + utf16_len(line) + reserve > MAX_MESSAGE:
            break
        kept.append(line)
        used += 1 + utf16_len(line)
        shown += is_signup
    kept.append(_and_more(tr, total - shown))
    return "\n".join(kept)


def _and_more(tr: Translator, count: int) -> str:
    return tr.ngettext("…and {count} more", "…and {count} more", count).format(count=tr.ltr(count))


def _activity_keyboard(context: NaboContext, activity: Activity) -> InlineKeyboardMarkup:
    _ = context.tr.gettext
    now = context.clock.now()
    rows = []
    if activity.status == "published" and activity.ends_at > now:
        rows.append(
            [
                InlineKeyboardButton(_("✏️ Edit"), callback_data=f"st:e:{activity.id}"),
                InlineKeyboardButton(_("❌ Cancel activity"), callback_data=f"st:c:{activity.id}"),
            ]
        )
    if activity.status == "published" and activity.starts_at <= now:
        rows.append(
            [InlineKeyboardButton(_("🧾 Attendance"), callback_data=f"st:att:{activity.id}")]
        )
    rows.append([InlineKeyboardButton(_("◀ Back"), callback_data="st:acts:0")])
    return InlineKeyboardMarkup(rows)


async def send_activity_screen(context: NaboContext, chat_id: int, activity_id: int) -> None:
    """Send the staff view of an activity as a new message (if it still exists)."""
    screen = await activity_screen(context, activity_id)
    if screen is not None:
        await context.bot.send_message(chat_id, screen[0], reply_markup=screen[1])


async def changeable_activity(
    press: ButtonPress, context: NaboContext, activity_id: int
) -> Activity | None:
    """Return the activity if it can still be changed; otherwise say why not."""
    activity = await context.activities.get(activity_id)
    _ = context.tr.gettext
    if activity is None:
        await show_not_found(press, context)
        return None
    if activity.status != "published" or activity.ends_at <= context.clock.now():
        back = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("◀ Back"), callback_data=f"st:a:{activity.id}")]]
        )
        reason = (
            _("This activity is cancelled, so it can no longer be changed.")
            if activity.status != "published"
            else _("This activity has ended, so it can no longer be changed.")
        )
        await show_screen(press, context, reason, back)
        return None
    return activity

"""Staff's activity screens, shared by the staff activity journeys in handlers/.

The editor, the roster, cancelling and attendance (handlers.staff_activity_editor,
staff_roster, staff_cancel_activity, staff_attendance) all show the same staff screen of an
activity, check the same way whether it can still be changed, and audit the same way; handlers
must not import each other, so that shared, non-handler code lives here (what the screen
looks like is ``bot.views.staff_activity``).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.db.activities import Activity
from bot.db.audit import AuditLog
from bot.telegram.context import NaboContext
from bot.telegram.replies import ButtonPress, edit_query_message
from bot.views import staff_activity
from bot.views.buttons import StaffActivities, StaffActivity

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
            [[InlineKeyboardButton(_("📋 Activities"), callback_data=StaffActivities(0).pack())]]
        ),
    )


async def activity_screen(
    context: NaboContext, activity_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Build the staff view of an activity as it stands now (None if it is gone)."""
    activity = await context.activities.get(activity_id)
    if activity is None:
        return None
    roster = await context.signups.roster(activity_id)
    offline = {
        item.signup.id: item.person for item in await context.people.on_activity(activity_id)
    }
    door = await context.checkins.door_count(activity_id)
    return staff_activity.activity_screen(
        context.tr, activity, roster, context.clock.now(), offline, door
    )


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
            [[InlineKeyboardButton(_("◀ Back"), callback_data=StaffActivity(activity.id).pack())]]
        )
        reason = (
            _("This activity is cancelled, so it can no longer be changed.")
            if activity.status != "published"
            else _("This activity has ended, so it can no longer be changed.")
        )
        await show_screen(press, context, reason, back)
        return None
    return activity

"""Staff in chat: take attendance for an activity, with a count of walk-ins.

st:att:<id>[:<page>] shows one button per confirmed sign-up; st:at:<id>:<signup>:<0|1> records
whether they came (the button carries the value it sets); st:wi:<id>:<m|p>:<page> counts a
walk-in less or more. Stateless buttons, built with bot.telegram.staff's staff-only helpers.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.db.activities import Activity
from bot.db.signups import Signup, SignupStatus
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.telegram.staff_screens import audit_activity, show_not_found, show_screen
from bot.views.activity import activity_title_when
from bot.views.staff_activity import came_line, person_name

ATTENDANCE_PAGE = 30  # a keyboard holds at most 100 buttons
# st:att:<id>[:<page>] → the list; st:at:<id>:<signup>:<0|1> → came; st:wi:… → walk-ins.
ATTENDANCE_BUTTON = re.compile(r"^st:att:(\d{1,9})(?::(\d{1,3}))?$")
ATTEND_BUTTON = re.compile(r"^st:at:(\d{1,9}):(\d{1,9}):([01])$")
WALK_INS_BUTTON = re.compile(r"^st:wi:(\d{1,9}):([mp]):(\d{1,3})$")


async def _attendance_activity(
    press: ButtonPress, context: NaboContext, activity_id: int
) -> Activity | None:
    """Return the activity if attendance can be taken for it; otherwise say why not."""
    activity = await context.activities.get(activity_id)
    _ = context.tr.gettext
    if activity is None:
        await show_not_found(press, context)
        return None
    if activity.status != "published" or activity.starts_at > context.clock.now():
        reason = (
            _("This activity is cancelled.")
            if activity.status != "published"
            else _("Attendance can be taken once the activity has started.")
        )
        back = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("◀ Back"), callback_data=f"st:a:{activity.id}")]]
        )
        await show_screen(press, context, reason, back)
        return None
    return activity


async def show_attendance(update: Update, context: NaboContext) -> None:
    """Show who was signed up, to record who came, and the walk-ins."""
    press = await answer_press(update)
    match = ATTENDANCE_BUTTON.match(press.data)
    assert match is not None
    activity = await _attendance_activity(press, context, int(match[1]))
    if activity is not None:
        await _show_attendance(press, context, activity, int(match[2] or 0))


async def record_attendance(update: Update, context: NaboContext) -> None:
    """Record whether one sign-up came, and show the list again."""
    press = await answer_press(update)
    match = ATTEND_BUTTON.match(press.data)
    assert match is not None
    activity = await _attendance_activity(press, context, int(match[1]))
    if activity is None:
        return
    signup_id, attended = int(match[2]), match[3] == "1"
    if await context.signups.set_attended(
        signup_id, activity.id, attended, now=context.clock.now()
    ):
        await audit_activity(
            context,
            press.user_id,
            "activity.attendance",
            activity.id,
            f"signup={signup_id},attended={int(attended)}",
        )
    confirmed = await _confirmed(context, activity.id)
    ids = [signup.id for signup in confirmed]
    page = ids.index(signup_id) // ATTENDANCE_PAGE if signup_id in ids else 0
    activity = await context.activities.get(activity.id)
    assert activity is not None
    await _show_attendance(press, context, activity, page, confirmed)


async def change_walk_ins(update: Update, context: NaboContext) -> None:
    """Count one walk-in more or less, and show the list again."""
    press = await answer_press(update)
    match = WALK_INS_BUTTON.match(press.data)
    assert match is not None
    activity = await _attendance_activity(press, context, int(match[1]))
    if activity is None:
        return
    count = await context.activities.change_walk_ins(
        activity.id, 1 if match[2] == "p" else -1, now=context.clock.now()
    )
    await audit_activity(
        context, press.user_id, "activity.attendance", activity.id, f"walk_ins={count}"
    )
    activity = await context.activities.get(activity.id)
    assert activity is not None
    await _show_attendance(press, context, activity, int(match[3]))


async def _confirmed(context: NaboContext, activity_id: int) -> list[Signup]:
    roster = await context.signups.roster(activity_id)
    return [signup for signup in roster if signup.status is SignupStatus.CONFIRMED]


async def _show_attendance(
    press: ButtonPress,
    context: NaboContext,
    activity: Activity,
    page: int,
    confirmed: list[Signup] | None = None,
) -> None:
    """Show (or refresh in place) the attendance list: one button per confirmed sign-up."""
    tr = context.tr
    _ = tr.gettext
    if confirmed is None:
        confirmed = await _confirmed(context, activity.id)
    pages = max(1, -(-len(confirmed) // ATTENDANCE_PAGE))
    page = min(page, pages - 1)
    came = sum(signup.people for signup in confirmed if signup.attended)
    lines = [_("🧾 Attendance"), activity_title_when(tr, activity), ""]
    if confirmed:
        lines.append(
            _("Press a name to record whether they came: ✅ came, ❌ did not come, ◻️ not recorded.")
        )
    else:
        lines.append(_("No one was signed up."))
    lines.append(came_line(tr, came, activity.walk_ins))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=tr.ltr(page + 1), pages=tr.ltr(pages)))
    rows = []
    for signup in confirmed[page * ATTENDANCE_PAGE : (page + 1) * ATTENDANCE_PAGE]:
        mark = {True: "✅", False: "❌", None: "◻️"}[signup.attended]
        # The button carries the value it sets, so a double tap cannot undo itself.
        next_value = 0 if signup.attended else 1
        label = f"{mark} {person_name(tr, signup)} ({tr.ltr(signup.people)})"
        rows.append(
            [
                InlineKeyboardButton(
                    label, callback_data=f"st:at:{activity.id}:{signup.id}:{next_value}"
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton("➖", callback_data=f"st:wi:{activity.id}:m:{page}"),
            InlineKeyboardButton(
                f"🚶 {activity.walk_ins}", callback_data=f"st:att:{activity.id}:{page}"
            ),
            InlineKeyboardButton("➕", callback_data=f"st:wi:{activity.id}:p:{page}"),
        ]
    )
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(_("◀ Previous"), callback_data=f"st:att:{activity.id}:{page - 1}")
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(_("Next ▶"), callback_data=f"st:att:{activity.id}:{page + 1}")
        )
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton(_("◀ Back"), callback_data=f"st:a:{activity.id}")])
    await show_screen(press, context, "\n".join(lines), InlineKeyboardMarkup(rows))


def register(application: NaboApplication) -> None:
    """Add the attendance buttons: the list, who came, and walk-ins."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    for callback, pattern in (
        (show_attendance, ATTENDANCE_BUTTON),
        (record_attendance, ATTEND_BUTTON),
        (change_walk_ins, WALK_INS_BUTTON),
    ):
        application.add_handler(StaffCallbackQueryHandler(staff, callback, pattern))

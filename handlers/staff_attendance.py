"""Staff in chat: take attendance for an activity, with a count of walk-ins.

Attendance shows one button per confirmed sign-up; MarkAttendance records whether they came
(the button carries the value it sets); WalkIns counts a walk-in less or more (the buttons are
in bot.views.buttons). Stateless buttons, built with bot.telegram.staff's staff-only helpers.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.db.activities import Activity
from bot.db.signups import Signup, SignupStatus
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.telegram.staff_screens import audit_activity, show_not_found, show_screen
from bot.views.activity import activity_title_when
from bot.views.buttons import Attendance, MarkAttendance, StaffActivity, WalkIns
from bot.views.staff_activity import came_line, door_line, person_name

ATTENDANCE_PAGE = 30  # a keyboard holds at most 100 buttons


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
            [[InlineKeyboardButton(_("◀ Back"), callback_data=StaffActivity(activity.id).pack())]]
        )
        await show_screen(press, context, reason, back)
        return None
    return activity


async def show_attendance(update: Update, context: NaboContext) -> None:
    """Show who was signed up, to record who came, and the walk-ins."""
    press = await answer_press(update)
    button = Attendance.parse(press.data)
    activity = await _attendance_activity(press, context, button.activity_id)
    if activity is not None:
        await _show_attendance(press, context, activity, button.page or 0)


async def record_attendance(update: Update, context: NaboContext) -> None:
    """Record whether one sign-up came, and show the list again."""
    press = await answer_press(update)
    button = MarkAttendance.parse(press.data)
    activity = await _attendance_activity(press, context, button.activity_id)
    if activity is None:
        return
    signup_id, attended = button.signup_id, button.came
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
    button = WalkIns.parse(press.data)
    activity = await _attendance_activity(press, context, button.activity_id)
    if activity is None:
        return
    count = await context.activities.change_walk_ins(
        activity.id, 1 if button.change == "p" else -1, now=context.clock.now()
    )
    await audit_activity(
        context, press.user_id, "activity.attendance", activity.id, f"walk_ins={count}"
    )
    activity = await context.activities.get(activity.id)
    assert activity is not None
    await _show_attendance(press, context, activity, button.page)


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
    door = await context.checkins.door_count(activity.id)
    if door.total:
        lines.append(door_line(tr, door))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=tr.ltr(page + 1), pages=tr.ltr(pages)))
    rows = []
    for signup in confirmed[page * ATTENDANCE_PAGE : (page + 1) * ATTENDANCE_PAGE]:
        mark = {True: "✅", False: "❌", None: "◻️"}[signup.attended]
        # The button carries the value it sets, so a double tap cannot undo itself.
        came_next = not signup.attended
        label = f"{mark} {person_name(tr, signup)} ({tr.ltr(signup.people)})"
        rows.append(
            [
                InlineKeyboardButton(
                    label, callback_data=MarkAttendance(activity.id, signup.id, came_next).pack()
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton("➖", callback_data=WalkIns(activity.id, "m", page).pack()),
            InlineKeyboardButton(
                f"🚶 {activity.walk_ins}", callback_data=Attendance(activity.id, page).pack()
            ),
            InlineKeyboardButton("➕", callback_data=WalkIns(activity.id, "p", page).pack()),
        ]
    )
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                _("◀ Previous"), callback_data=Attendance(activity.id, page - 1).pack()
            )
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(
                _("Next ▶"), callback_data=Attendance(activity.id, page + 1).pack()
            )
        )
    if navigation:
        rows.append(navigation)
    rows.append(
        [InlineKeyboardButton(_("◀ Back"), callback_data=StaffActivity(activity.id).pack())]
    )
    await show_screen(press, context, "\n".join(lines), InlineKeyboardMarkup(rows))


def register(application: NaboApplication) -> None:
    """Add the attendance buttons: the list, who came, and walk-ins."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    for callback, pattern in (
        (show_attendance, Attendance.pattern()),
        (record_attendance, MarkAttendance.pattern()),
        (change_walk_ins, WalkIns.pattern()),
    ):
        application.add_handler(StaffCallbackQueryHandler(staff, callback, pattern))

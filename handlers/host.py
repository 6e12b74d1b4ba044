"""Activity hosts in chat: their activities, each one's roster, attendance, the door poster.

/host (and the host menu's button) lists what the person hosts now; each activity opens
its roster: first names, party sizes, and those without Telegram with the number to call,
who checked in at the door so far, with attendance and walk-ins once it has started, and
the door poster to print (as staff's view has it). Signing someone up is
handlers/on_behalf.py, writing to the participants handlers/host_message.py, proposing an
activity handlers/host_proposals.py.

Every command and button here is built with bot.telegram.roles' host handlers: the
callback runs only for someone who hosts the activity the button names, right now; anyone
else gets what an unknown command or a forged button gets. Every host action on people is
in the audit log, viewing a roster too.
"""

from __future__ import annotations

import io
from datetime import timedelta

from telegram import Update

from bot.core.config import LANGUAGES
from bot.db.activities import Activity
from bot.db.audit import AuditLog
from bot.db.signups import Signup, SignupStatus
from bot.offline.printing.request import Kind, Printed, Problem, SheetError, SheetRequest
from bot.offline.worker import sheet_in_process
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press, showing_upload
from bot.telegram.roles import HostCallbackQueryHandler, HostCommandHandler
from bot.telegram.staff_screens import show_screen
from bot.views.attendance import PAGE, attendance_screen
from bot.views.buttons import (
    HostActivity,
    HostAttendance,
    HostDoorPoster,
    HostMarkAttendance,
    HostMenu,
    HostWalkIns,
)
from bot.views.host import (
    door_poster_caption,
    door_poster_problem,
    host_activity_screen,
    host_attendance_buttons,
    host_menu,
)

# The host's list shows what is coming and what ended this long ago (for attendance).
RECENT = timedelta(days=14)


async def audit_host(
    context: NaboContext, user_id: int, action: str, activity_id: int, details: str | None = None
) -> None:
    """Write one host action to the audit log (ids only)."""
    await AuditLog(context.store).record(
        user_id, action, context.clock.now(), subject=f"activity:{activity_id}", details=details
    )


async def show_menu(update: Update, context: NaboContext) -> None:
    """Show a host their activities (from /host or the button)."""
    assert update.effective_user is not None
    assert update.effective_chat is not None
    now = context.clock.now()
    listings = await context.hosts.activities_of(update.effective_user.id, now, now - RECENT)
    text, keyboard = host_menu(context.tr, listings, now)
    if update.callback_query is not None:
        press = await answer_press(update)
        await show_screen(press, context, text, keyboard)
    else:
        await update.effective_chat.send_message(text, reply_markup=keyboard)


async def _screen(press: ButtonPress, context: NaboContext, activity: Activity) -> None:
    roster = await context.signups.roster(activity.id)
    offline = {
        item.signup.id: item.person for item in await context.people.on_activity(activity.id)
    }
    door = await context.checkins.door_count(activity.id)
    text, keyboard = host_activity_screen(
        context.tr, activity, roster, offline, context.clock.now(), door
    )
    await show_screen(press, context, text, keyboard)


async def show_activity(update: Update, context: NaboContext) -> None:
    """Show a host the roster of one of their activities."""
    press = await answer_press(update)
    activity = await context.activities.get(HostActivity.parse(press.data).activity_id)
    if activity is None:
        return
    await audit_host(context, press.user_id, "host.roster", activity.id)
    await _screen(press, context, activity)


async def _attendance_activity(
    press: ButtonPress, context: NaboContext, activity_id: int
) -> Activity | None:
    """Return the activity if attendance can be taken now; else show its roster again."""
    activity = await context.activities.get(activity_id)
    if activity is None:
        return None
    if activity.status != "published" or activity.starts_at > context.clock.now():
        await _screen(press, context, activity)
        return None
    return activity


async def _confirmed(context: NaboContext, activity_id: int) -> list[Signup]:
    roster = await context.signups.roster(activity_id)
    return [signup for signup in roster if signup.status is SignupStatus.CONFIRMED]


async def _show_attendance(
    press: ButtonPress, context: NaboContext, activity_id: int, page: int
) -> None:
    activity = await context.activities.get(activity_id)
    assert activity is not None
    confirmed = await _confirmed(context, activity_id)
    offline = {
        item.signup.id: item.person for item in await context.people.on_activity(activity_id)
    }
    text, keyboard = attendance_screen(
        context.tr, activity, confirmed, page, host_attendance_buttons(activity_id), offline
    )
    await show_screen(press, context, text, keyboard)


async def show_attendance(update: Update, context: NaboContext) -> None:
    """Show the host who was signed up, to record who came, and the walk-ins."""
    press = await answer_press(update)
    button = HostAttendance.parse(press.data)
    if await _attendance_activity(press, context, button.activity_id) is not None:
        await _show_attendance(press, context, button.activity_id, button.page or 0)


async def record_attendance(update: Update, context: NaboContext) -> None:
    """Record whether one sign-up of the host's activity came."""
    press = await answer_press(update)
    button = HostMarkAttendance.parse(press.data)
    activity = await _attendance_activity(press, context, button.activity_id)
    if activity is None:
        return
    if await context.signups.set_attended(
        button.signup_id, activity.id, button.came, now=context.clock.now()
    ):
        await audit_host(
            context,
            press.user_id,
            "host.attendance",
            activity.id,
            f"signup={button.signup_id},attended={int(button.came)}",
        )
    ids = [signup.id for signup in await _confirmed(context, activity.id)]
    page = ids.index(button.signup_id) // PAGE if button.signup_id in ids else 0
    await _show_attendance(press, context, activity.id, page)


async def change_walk_ins(update: Update, context: NaboContext) -> None:
    """Count one walk-in more or fewer at the host's activity."""
    press = await answer_press(update)
    button = HostWalkIns.parse(press.data)
    activity = await _attendance_activity(press, context, button.activity_id)
    if activity is None:
        return
    count = await context.activities.change_walk_ins(
        activity.id, 1 if button.change == "p" else -1, now=context.clock.now()
    )
    await audit_host(context, press.user_id, "host.attendance", activity.id, f"walk_ins={count}")
    await _show_attendance(press, context, activity.id, button.page)


async def door_poster(update: Update, context: NaboContext) -> None:
    """Print the door poster of the host's activity (made in another process) and send it."""
    press = await answer_press(update)
    activity_id = HostDoorPoster.parse(press.data).activity_id
    try:
        sheets = await showing_upload(
            context.bot, press.chat_id, _door_sheets(context, activity_id)
        )
    except SheetError as error:
        await context.bot.send_message(
            press.chat_id, door_poster_problem(context.tr, error.problem)
        )
        return
    await audit_host(context, press.user_id, "host.poster", activity_id, "kind=door")
    for sheet in sheets:
        await context.bot.send_document(
            press.chat_id,
            document=io.BytesIO(sheet.data),
            filename=sheet.filename,
            caption=door_poster_caption(context.tr),
        )


async def _door_sheets(context: NaboContext, activity_id: int) -> list[Printed]:
    """Make the door poster: all three languages on one sheet, or one sheet per language.

    One sheet, as staff's button makes it; titles too long for that get one per language.
    """
    config, now = context.config, context.clock.now()

    async def make(languages: tuple[str, ...]) -> Printed:
        request = SheetRequest(activity_id, Kind.DOOR, languages)
        return await sheet_in_process(
            config.database_path, request, config.timezone, context.bot.username, now
        )

    try:
        return [await make(LANGUAGES)]
    except SheetError as error:
        if error.problem is not Problem.TOO_LONG:
            raise
    return [await make((language,)) for language in LANGUAGES]


def register(application: NaboApplication) -> None:
    """Add /host and the host's buttons, each for hosts of what it names."""
    application.add_handler(HostCommandHandler("host", show_menu))
    application.add_handler(HostCallbackQueryHandler(HostMenu, show_menu))
    for kind, callback in (
        (HostActivity, show_activity),
        (HostAttendance, show_attendance),
        (HostMarkAttendance, record_attendance),
        (HostWalkIns, change_walk_ins),
        (HostDoorPoster, door_poster),
    ):
        application.add_handler(HostCallbackQueryHandler(kind, callback))

"""Staff in chat: the list of activities (/signups), who signed up for one, what to change.

/signups and the staff menu's button open a page of coming and recently ended activities;
each opens the staff view of one activity (places, who signed up, who waits) with buttons to
edit (the st:e:<id> menu here; typing the value is handlers.staff_activity_editor), cancel
(handlers.staff_cancel_activity) or take attendance (handlers.staff_attendance). All stateless
buttons, built with bot.telegram.staff's staff-only helpers; every id is checked against the
database.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.db.activities import ActivityListing
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.staff_screens import (
    activity_screen,
    changeable_activity,
    show_not_found,
    show_screen,
    update_chat_id,
)
from bot.views.activity import activity_title_when, fit_message, shorten
from bot.views.buttons import (
    EditActivity,
    EditField,
    EditOrganiser,
    StaffActivities,
    StaffActivity,
    StaffMenu,
)
from bot.views.staff_texts import language_name

# The staff's list shows what is coming and what ended this long ago (for attendance).
RECENT = timedelta(days=14)
LIST_PAGE = 6


async def show_list(update: Update, context: NaboContext) -> None:
    """Show a page of coming and recently ended activities, each a button to its sign-ups."""
    query = update.callback_query
    page = 0
    if query is not None:
        await query.answer()
        page = StaffActivities.parse(query.data).page
    now = context.clock.now()
    listings, total = await context.activities.staff_overview(
        now, now - RECENT, limit=LIST_PAGE, offset=page * LIST_PAGE
    )
    pages = max(1, -(-total // LIST_PAGE))
    if page >= pages:
        page = pages - 1
        listings, total = await context.activities.staff_overview(
            now, now - RECENT, limit=LIST_PAGE, offset=page * LIST_PAGE
        )
    text, keyboard = _list_screen(context, listings, page, pages)
    if query is not None and update.effective_user is not None:
        press = ButtonPress(
            query, query.data or "", update.effective_user.id, update_chat_id(update)
        )
        await show_screen(press, context, text, keyboard)
    else:
        await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)


def _list_screen(
    context: NaboContext, listings: list[ActivityListing], page: int, pages: int
) -> tuple[str, InlineKeyboardMarkup]:
    tr = context.tr
    _ = tr.gettext
    now = context.clock.now()
    lines = [
        tr.ngettext(
            "📋 Activities: coming, and ended in the last {count} day",
            "📋 Activities: coming, and ended in the last {count} days",
            RECENT.days,
        ).format(count=tr.ltr(RECENT.days))
    ]
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=tr.ltr(page + 1), pages=tr.ltr(pages)))
    if not listings:
        lines += ["", _("There are no activities in this period.")]
    rows = []
    for number, listing in enumerate(listings, start=page * LIST_PAGE + 1):
        activity = listing.activity
        title = activity.title(tr.language)
        lines += ["", f"{tr.ltr(number)}. {title}", f"🗓 {tr.when(activity.starts_at)}"]
        lines.append(_occupancy(tr, listing))
        if activity.status == "cancelled":
            lines.append(_("❌ Cancelled"))
        elif activity.ends_at <= now:
            lines.append(_("✔ Ended"))
        label = f"{number}. {title}"
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(label, 40),
                    callback_data=StaffActivity(activity.id).pack(),
                )
            ]
        )
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(_("◀ Previous"), callback_data=StaffActivities(page - 1).pack())
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(_("Next ▶"), callback_data=StaffActivities(page + 1).pack())
        )
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton(_("🛠 Staff menu"), callback_data=StaffMenu().pack())])
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows)


def _occupancy(tr: Translator, listing: ActivityListing) -> str:
    """Say how many people are coming, out of how many places, and how many wait."""
    capacity = listing.activity.capacity
    people = listing.confirmed_people
    if capacity is None:
        taken = tr.ngettext(
            "👥 {count} signed up (no limit)", "👥 {count} signed up (no limit)", people
        ).format(count=tr.ltr(people))
    else:
        taken = tr.ngettext(
            "👥 {taken} of {count} place taken", "👥 {taken} of {count} places taken", capacity
        ).format(taken=tr.ltr(people), count=tr.ltr(capacity))
    if not listing.waitlisted_parties:
        return taken
    waiting = tr.ngettext(
        "⏳ {count} on the waitlist", "⏳ {count} on the waitlist", listing.waitlisted_parties
    ).format(count=tr.ltr(listing.waitlisted_parties))
    return f"{taken} · {waiting}"


async def show_activity(update: Update, context: NaboContext) -> None:
    """Show one activity to staff: places, who signed up, who waits, and what to do."""
    press = await answer_press(update)
    button = StaffActivity.parse(press.data)
    screen = await activity_screen(context, button.activity_id)
    if screen is None:
        await show_not_found(press, context)
        return
    await show_screen(press, context, *screen)


async def edit_menu(update: Update, context: NaboContext) -> None:
    """Offer what can be changed about an activity."""
    press = await answer_press(update)
    button = EditActivity.parse(press.data)
    activity = await changeable_activity(press, context, button.activity_id)
    if activity is None:
        return
    tr = context.tr
    _ = tr.gettext

    def field(label: str, code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=EditField(activity.id, code).pack())

    rows = [
        [field(_("🕒 Time"), "time"), field(_("📍 Place"), "place"), field(_("👥 Places"), "cap")],
        *(
            [
                field(
                    _("🏷 Title ({language})").format(language=language_name(tr, language)),
                    f"t_{language}",
                ),
                field(
                    _("📝 Description ({language})").format(language=language_name(tr, language)),
                    f"d_{language}",
                ),
            ]
            for language in LANGUAGES
        ),
        [
            InlineKeyboardButton(
                _("🤝 Who runs it"), callback_data=EditOrganiser(activity.id).pack()
            )
        ],
        [InlineKeyboardButton(_("◀ Back"), callback_data=StaffActivity(activity.id).pack())],
    ]
    text = "\n\n".join([_("✏️ What do you want to change?"), activity_title_when(tr, activity)])
    await show_screen(press, context, text, InlineKeyboardMarkup(rows))


def register(application: NaboApplication) -> None:
    """Add /signups and the buttons of the list, the staff view and the edit menu."""
    staff: frozenset[int] = application.bot_data.config.staff_user_ids
    application.add_handler(staff_command(staff, "signups", show_list))
    for callback, pattern in (
        (show_list, StaffActivities.pattern()),
        (show_activity, StaffActivity.pattern()),
        (edit_menu, EditActivity.pattern()),
    ):
        application.add_handler(StaffCallbackQueryHandler(staff, callback, pattern))

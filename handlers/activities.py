"""Finding activities: the list with pages and filters, the detail view, the calendar file."""

from __future__ import annotations

import io
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.callback_data import ForgedButton
from bot.db.activities import OTHER_AREA, ActivityListing
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.views.activity import (
    activity_detail,
    activity_summary,
    area_name,
    delaftale_name,
    fit_message,
    shorten,
)
from bot.views.activity_card import detail_keyboard
from bot.views.buttons import (
    ANY,
    DELAFTALE_LETTERS,
    ActivityCalendar,
    ActivityList,
    MenuActivities,
    PickArea,
    PickDelaftale,
    ShowActivity,
)
from bot.views.calendar import activity_ics, ics_filename
from bot.views.menu import menu_button

log = logging.getLogger(__name__)

PAGE_SIZE = 5
# Longer titles are cut to fit an activity's button in a phone's width.
LABEL_LIMIT = 40
# Filters travel in button data as one letter each (bot/views/buttons.py).
DELAFTALE_KEYS = {letter: code for code, letter in DELAFTALE_LETTERS.items()}


def _page_pressed(query: CallbackQuery | None) -> ActivityList | None:
    """Return the page of the list a button asks for; None if the list was opened otherwise."""
    if query is None:
        return None
    try:
        return ActivityList.parse(query.data)
    except ForgedButton:
        return None


def _area_filter(context: NaboContext, key: str) -> str | None:
    """Turn an area key from callback data into an area value, strictly."""
    if key == ANY:
        return None
    if key == "o":
        return OTHER_AREA
    index = int(key)
    if index >= len(context.config.areas):
        raise ValueError("unknown area index")
    return context.config.areas[index]


async def show_list(update: Update, context: NaboContext) -> None:
    """Show a page of upcoming activities (from /activities, the menu or a page button)."""
    assert update.effective_user is not None
    assert update.effective_chat is not None
    page, d_key, a_key = 0, ANY, ANY
    query = update.callback_query
    if query is not None:
        await query.answer()
    if not await require_consent(update, context):
        return
    pressed = _page_pressed(query)
    if pressed is not None:
        page, d_key, a_key = pressed.page, pressed.delaftale, pressed.area
    tr = context.tr
    _ = tr.gettext
    try:
        area = _area_filter(context, a_key)
    except ValueError:
        page, d_key, a_key, area = 0, ANY, ANY, None
    delaftale = DELAFTALE_KEYS.get(d_key)
    listings, total = await context.activities.upcoming(
        context.clock.now(),
        update.effective_user.id,
        delaftale=delaftale,
        area=area,
        limit=PAGE_SIZE,
        offset=page * PAGE_SIZE,
    )
    pages = max(1, -(-total // PAGE_SIZE))
    if page >= pages and total:
        page = pages - 1
        listings, total = await context.activities.upcoming(
            context.clock.now(),
            update.effective_user.id,
            delaftale=delaftale,
            area=area,
            limit=PAGE_SIZE,
            offset=page * PAGE_SIZE,
        )
    text = _list_text(context, listings, page, pages, delaftale, area)
    keyboard = _list_keyboard(context, listings, page, pages, d_key, a_key)
    if query is not None and query.message is not None and pressed is not None:
        await edit_query_message(query, text, reply_markup=keyboard)
    else:
        await update.effective_chat.send_message(text, reply_markup=keyboard)


def _list_text(
    context: NaboContext,
    listings: list[ActivityListing],
    page: int,
    pages: int,
    delaftale: str | None,
    area: str | None,
) -> str:
    tr = context.tr
    _ = tr.gettext
    lines = [_("📅 Coming activities")]
    chosen = [delaftale_name(tr, delaftale)] if delaftale else []
    if area is not None:
        chosen.append(area_name(tr, area))
    if chosen:
        lines.append(_("Showing: {filters}").format(filters=" · ".join(chosen)))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=tr.ltr(page + 1), pages=tr.ltr(pages)))
    if not listings:
        lines.append("")
        lines.append(
            _("There are no activities that match right now.")
            if chosen
            else _("There are no activities planned right now. Have a look again soon!")
        )
    for number, listing in enumerate(listings, start=page * PAGE_SIZE + 1):
        lines.append("")
        lines.append(activity_summary(tr, listing, number))
    return fit_message("\n".join(lines))


def _list_keyboard(
    context: NaboContext,
    listings: list[ActivityListing],
    page: int,
    pages: int,
    d_key: str,
    a_key: str,
) -> InlineKeyboardMarkup:
    _ = context.tr.gettext
    rows = [
        [
            InlineKeyboardButton(
                f"{number}. {shorten(listing.activity.title(context.tr.language), LABEL_LIMIT)}",
                callback_data=ShowActivity(listing.activity.id).pack(),
            )
        ]
        for number, listing in enumerate(listings, start=page * PAGE_SIZE + 1)
    ]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                _("◀ Previous"), callback_data=ActivityList(page - 1, d_key, a_key).pack()
            )
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(
                _("Next ▶"), callback_data=ActivityList(page + 1, d_key, a_key).pack()
            )
        )
    if navigation:
        rows.append(navigation)
    rows.append(
        [
            InlineKeyboardButton(_("🎯 Theme"), callback_data=PickDelaftale(a_key).pack()),
            InlineKeyboardButton(_("🏘 Area"), callback_data=PickArea(d_key).pack()),
        ]
    )
    rows.append([menu_button(context.tr)])
    return InlineKeyboardMarkup(rows)


async def pick_delaftale(update: Update, context: NaboContext) -> None:
    """Offer the three delaftaler (and "all") as a filter, keeping the area filter."""
    press = await answer_press(update)
    a_key = PickDelaftale.parse(press.data).area
    tr = context.tr
    rows = [
        [
            InlineKeyboardButton(
                delaftale_name(tr, code), callback_data=ActivityList(0, letter, a_key).pack()
            )
        ]
        for code, letter in DELAFTALE_LETTERS.items()
    ]
    rows.append(
        [
            InlineKeyboardButton(
                tr.gettext("All themes"), callback_data=ActivityList(0, ANY, a_key).pack()
            )
        ]
    )
    await edit_query_message(
        press.query, tr.gettext("Which theme are you interested in?"), InlineKeyboardMarkup(rows)
    )


async def pick_area(update: Update, context: NaboContext) -> None:
    """Offer the housing areas (and "all") as a filter, keeping the delaftale filter."""
    press = await answer_press(update)
    d_key = PickArea.parse(press.data).delaftale
    tr = context.tr
    rows = [
        [
            InlineKeyboardButton(
                area_name(tr, area), callback_data=ActivityList(0, d_key, str(index)).pack()
            )
        ]
        for index, area in enumerate(context.config.areas)
    ]
    rows.append(
        [
            InlineKeyboardButton(
                area_name(tr, OTHER_AREA), callback_data=ActivityList(0, d_key, "o").pack()
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                tr.gettext("All areas"), callback_data=ActivityList(0, d_key, ANY).pack()
            )
        ]
    )
    await edit_query_message(
        press.query, tr.gettext("Which housing area?"), InlineKeyboardMarkup(rows)
    )


async def show_detail(update: Update, context: NaboContext) -> None:
    """Show everything about one activity, with the buttons that fit the reader."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    activity_id = ShowActivity.parse(press.data).activity_id
    listing = await context.activities.listing(activity_id, press.user_id)
    tr = context.tr
    if listing is None:
        await context.bot.send_message(
            press.chat_id,
            tr.gettext("Sorry, we could not find that activity."),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            tr.gettext("📅 Activities"), callback_data=MenuActivities().pack()
                        )
                    ]
                ]
            ),
        )
        return
    signup = await context.signups.active_for(listing.activity.id, press.user_id)
    await context.bot.send_message(
        press.chat_id,
        activity_detail(tr, listing),
        reply_markup=detail_keyboard(
            tr, listing, signup, context.clock.now(), bot_username=context.bot.username
        ),
    )


async def send_calendar(update: Update, context: NaboContext) -> None:
    """Send the activity as an .ics file that phones add to their calendar."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    activity = await context.activities.get(ActivityCalendar.parse(press.data).activity_id)
    tr = context.tr
    if activity is None:
        await context.bot.send_message(
            press.chat_id, tr.gettext("Sorry, we could not find that activity.")
        )
        return
    data = activity_ics(activity, tr.language, now=context.clock.now())
    await context.bot.send_document(
        press.chat_id,
        document=io.BytesIO(data),
        filename=ics_filename(activity),
        caption=tr.gettext("Open the file to add the activity to your calendar."),
    )


def register(application: NaboApplication) -> None:
    """Add the activity handlers."""
    application.add_handler(
        CommandHandler("activities", show_list, filters=filters.ChatType.PRIVATE)
    )
    application.add_handler(CallbackQueryHandler(show_list, pattern=MenuActivities.pattern()))
    application.add_handler(CallbackQueryHandler(show_list, pattern=ActivityList.pattern()))
    application.add_handler(CallbackQueryHandler(show_detail, pattern=ShowActivity.pattern()))
    application.add_handler(CallbackQueryHandler(send_calendar, pattern=ActivityCalendar.pattern()))
    application.add_handler(CallbackQueryHandler(pick_delaftale, pattern=PickDelaftale.pattern()))
    application.add_handler(CallbackQueryHandler(pick_area, pattern=PickArea.pattern()))

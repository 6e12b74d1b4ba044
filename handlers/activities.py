"""Finding activities: the list with pages and filters, the detail view, the calendar file."""

from __future__ import annotations

import io
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.db.activities import OTHER_AREA, ActivityListing
from bot.db.signups import Signup
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
from bot.views.calendar import activity_ics, ics_filename
from bot.views.menu import MENU_ACTIVITIES, menu_button
from bot.views.signup_news import cancel_button

log = logging.getLogger(__name__)

PAGE_SIZE = 5
# Longer titles are cut to fit an activity's button in a phone's width.
LABEL_LIMIT = 40
# Filters travel in callback data as one letter each: short, and parsed strictly.
DELAFTALE_KEYS = {"e": "education", "m": "employment", "c": "community"}
DELAFTALE_LETTERS = {code: letter for letter, code in DELAFTALE_KEYS.items()}
ANY = "-"

LIST = re.compile(r"^act:l:(\d{1,4}):([-emc]):(-|o|\d{1,2})$")
SHOW = re.compile(r"^act:s:(\d{1,9})$")
ICS = re.compile(r"^act:ics:(\d{1,9})$")
PICK_DELAFTALE = re.compile(r"^act:fd:(-|o|\d{1,2})$")
PICK_AREA = re.compile(r"^act:fa:([-emc])$")


def list_data(page: int = 0, delaftale: str = ANY, area: str = ANY) -> str:
    """Return the callback data that opens a page of the list."""
    return f"act:l:{page}:{delaftale}:{area}"


def show_data(activity_id: int) -> str:
    """Return the callback data that opens an activity's detail view."""
    return f"act:s:{activity_id}"


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
    if query is not None:
        match = LIST.match(query.data or "")
        if match:
            page, d_key, a_key = int(match[1]), match[2], match[3]
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
    if query is not None and query.message is not None and LIST.match(query.data or ""):
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
                callback_data=show_data(listing.activity.id),
            )
        ]
        for number, listing in enumerate(listings, start=page * PAGE_SIZE + 1)
    ]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(_("◀ Previous"), callback_data=list_data(page - 1, d_key, a_key))
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(_("Next ▶"), callback_data=list_data(page + 1, d_key, a_key))
        )
    if navigation:
        rows.append(navigation)
    rows.append(
        [
            InlineKeyboardButton(_("🎯 Theme"), callback_data=f"act:fd:{a_key}"),
            InlineKeyboardButton(_("🏘 Area"), callback_data=f"act:fa:{d_key}"),
        ]
    )
    rows.append([menu_button(context.tr)])
    return InlineKeyboardMarkup(rows)


async def pick_delaftale(update: Update, context: NaboContext) -> None:
    """Offer the three delaftaler (and "all") as a filter, keeping the area filter."""
    press = await answer_press(update)
    match = PICK_DELAFTALE.match(press.data)
    assert match is not None
    a_key = match[1]
    tr = context.tr
    rows = [
        [InlineKeyboardButton(delaftale_name(tr, code), callback_data=list_data(0, letter, a_key))]
        for code, letter in DELAFTALE_LETTERS.items()
    ]
    rows.append(
        [InlineKeyboardButton(tr.gettext("All themes"), callback_data=list_data(0, ANY, a_key))]
    )
    await edit_query_message(
        press.query, tr.gettext("Which theme are you interested in?"), InlineKeyboardMarkup(rows)
    )


async def pick_area(update: Update, context: NaboContext) -> None:
    """Offer the housing areas (and "all") as a filter, keeping the delaftale filter."""
    press = await answer_press(update)
    match = PICK_AREA.match(press.data)
    assert match is not None
    d_key = match[1]
    tr = context.tr
    rows = [
        [InlineKeyboardButton(area_name(tr, area), callback_data=list_data(0, d_key, str(index)))]
        for index, area in enumerate(context.config.areas)
    ]
    rows.append(
        [InlineKeyboardButton(area_name(tr, OTHER_AREA), callback_data=list_data(0, d_key, "o"))]
    )
    rows.append(
        [InlineKeyboardButton(tr.gettext("All areas"), callback_data=list_data(0, d_key, ANY))]
    )
    await edit_query_message(
        press.query, tr.gettext("Which housing area?"), InlineKeyboardMarkup(rows)
    )


async def show_detail(update: Update, context: NaboContext) -> None:
    """Show everything about one activity, with the buttons that fit the reader."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    match = SHOW.match(press.data)
    assert match is not None
    listing = await context.activities.listing(int(match[1]), press.user_id)
    tr = context.tr
    if listing is None:
        await context.bot.send_message(
            press.chat_id,
            tr.gettext("Sorry, we could not find that activity."),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(tr.gettext("📅 Activities"), callback_data=MENU_ACTIVITIES)]]
            ),
        )
        return
    signup = await context.signups.active_for(listing.activity.id, press.user_id)
    await context.bot.send_message(
        press.chat_id,
        activity_detail(tr, listing),
        reply_markup=detail_keyboard(context, listing, signup),
    )


def detail_keyboard(
    context: NaboContext, listing: ActivityListing, signup: Signup | None
) -> InlineKeyboardMarkup:
    """Build the buttons under an activity: sign up, waitlist or cancel, calendar, back."""
    _ = context.tr.gettext
    activity = listing.activity
    rows = []
    if activity.status != "published":
        pass  # cancelled: nothing to sign up for or cancel
    elif signup is not None:
        rows.append([cancel_button(context.tr, signup)])
    elif activity.is_open_for_signup(context.clock.now()):
        if listing.places_left == 0:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("⏳ Join the waitlist"), callback_data=f"su:n:{activity.id}:1"
                    )
                ]
            )
        else:
            rows.append(
                [InlineKeyboardButton(_("✍️ Sign up"), callback_data=f"su:n:{activity.id}:0")]
            )
    if activity.status == "published":
        rows.append(
            [InlineKeyboardButton(_("📆 Add to calendar"), callback_data=f"act:ics:{activity.id}")]
        )
    rows.append(
        [
            InlineKeyboardButton(_("◀ All activities"), callback_data=list_data()),
            menu_button(context.tr),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def send_calendar(update: Update, context: NaboContext) -> None:
    """Send the activity as an .ics file that phones add to their calendar."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    match = ICS.match(press.data)
    assert match is not None
    activity = await context.activities.get(int(match[1]))
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
    application.add_handler(
        CallbackQueryHandler(show_list, pattern=f"^{re.escape(MENU_ACTIVITIES)}$")
    )
    application.add_handler(CallbackQueryHandler(show_list, pattern=LIST))
    application.add_handler(CallbackQueryHandler(show_detail, pattern=SHOW))
    application.add_handler(CallbackQueryHandler(send_calendar, pattern=ICS))
    application.add_handler(CallbackQueryHandler(pick_delaftale, pattern=PICK_DELAFTALE))
    application.add_handler(CallbackQueryHandler(pick_area, pattern=PICK_AREA))

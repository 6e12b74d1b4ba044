"""Checking in at the door without a sign-up: how many adults and children came.

The door poster's code opens the check-in (handlers/start.py, bot/telegram/arrivals.py);
someone who was not signed up answers two questions here. Every press carries the door
code's token and is checked again: the code, the window (30 minutes before the start until
the end) and the activity, so an old or forged button changes nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.start_links import CheckIn
from bot.telegram.arrivals import Arrival, Refused, check_in, read_link
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.views.arrivals import children_question, household_text, refusal_text
from bot.views.buttons import DoorAdults, DoorChildren, DoorHousehold
from bot.views.menu import back_to_menu_keyboard


async def _arrival(
    press: ButtonPress, context: NaboContext, activity_id: int, token: str, source: str | None
) -> Arrival | None:
    """Check the door code behind a press again; say why not if it no longer works."""
    arrival = await read_link(context, CheckIn(activity_id, token, source).pack())
    if isinstance(arrival, Refused):
        await edit_query_message(
            press.query,
            refusal_text(context.tr, arrival.refusal, arrival.opens),
            back_to_menu_keyboard(context.tr),
        )
        return None
    return arrival


async def ask_children(update: Update, context: NaboContext) -> None:
    """Take the number of adults who came; ask how many children."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    button = DoorAdults.parse(press.data)
    arrival = await _arrival(press, context, button.activity_id, button.token, button.source)
    if arrival is None or arrival.activity is None:
        return
    if button.adults > arrival.activity.max_per_signup:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return
    text, keyboard = children_question(
        context.tr, arrival.activity, button.token, button.adults, button.source
    )
    await edit_query_message(press.query, text, keyboard)


async def check_in_party(update: Update, context: NaboContext) -> None:
    """Check in the adults and children who came."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    button = DoorChildren.parse(press.data)
    arrival = await _arrival(press, context, button.activity_id, button.token, button.source)
    if arrival is None or arrival.activity is None:
        return
    people = button.adults + button.children
    if not 0 < people <= arrival.activity.max_per_signup:
        await edit_query_message(press.query, context.tr.gettext("This button no longer works."))
        return
    name = update.effective_user.first_name if update.effective_user else ""
    await check_in(
        context, press.chat_id, arrival, name, adults=button.adults, children=button.children
    )


async def household_checked_in(update: Update, context: NaboContext) -> None:
    """Someone of the household checked everyone in already: nothing more to count."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    button = DoorHousehold.parse(press.data)
    if await _arrival(press, context, button.activity_id, button.token, None) is None:
        return
    await edit_query_message(
        press.query, household_text(context.tr), back_to_menu_keyboard(context.tr)
    )


def register(application: NaboApplication) -> None:
    """Add the door check-in's questions."""
    application.add_handler(CallbackQueryHandler(ask_children, pattern=DoorAdults.pattern()))
    application.add_handler(CallbackQueryHandler(check_in_party, pattern=DoorChildren.pattern()))
    application.add_handler(
        CallbackQueryHandler(household_checked_in, pattern=DoorHousehold.pattern())
    )

"""Settings: what a resident wants to hear about — themes, areas, announcements on or off."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.db.activities import DELAFTALER, OTHER_AREA
from bot.db.interests import InterestRepository
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.views.activity import area_name, delaftale_name
from bot.views.menu import MENU_SETTINGS, menu_button

# set:sub:<0|1> · set:d:<delaftale code> · set:a:<area index | o>
SUBSCRIBE = re.compile(r"^set:sub:([01])$")
DELAFTALE = re.compile(r"^set:d:(education|employment|community)$")
AREA = re.compile(r"^set:a:(o|\d{1,2})$")


async def _render(context: NaboContext, user_id: int) -> tuple[str, InlineKeyboardMarkup]:
    tr = context.tr
    _ = tr.gettext
    resident = await context.residents.get(user_id)
    assert resident is not None
    chosen = await InterestRepository(context.store).of(user_id)
    rows = []
    if resident.subscribed:
        text = _(
            "⚙️ What would you like to hear about?\n\n"
            "Tap the themes and areas that interest you. With none ticked, you hear about all."
        )
        for code in DELAFTALER:
            mark = "✅" if code in chosen["delaftale"] else "◻️"
            rows.append(
                [
                    InlineKeyboardButton(
                        f"{mark} {delaftale_name(tr, code)}", callback_data=f"set:d:{code}"
                    )
                ]
            )
        areas = [(str(index), area) for index, area in enumerate(context.config.areas)]
        areas.append(("o", OTHER_AREA))
        for key, area in areas:
            mark = "✅" if area in chosen["area"] else "◻️"
            rows.append(
                [
                    InlineKeyboardButton(
                        f"{mark} {area_name(tr, area)}", callback_data=f"set:a:{key}"
                    )
                ]
            )
        rows.append(
            [InlineKeyboardButton(_("🔕 No announcements, thanks"), callback_data="set:sub:0")]
        )
    else:
        text = _("⚙️ Announcements are off. You still get messages about your own sign-ups.")
        rows.append(
            [InlineKeyboardButton(_("🔔 Turn announcements on"), callback_data="set:sub:1")]
        )
    rows.append([menu_button(tr)])
    return text, InlineKeyboardMarkup(rows)


async def show_settings(update: Update, context: NaboContext) -> None:
    """Show the resident's settings."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not await require_consent(update, context):
        return
    assert update.effective_user is not None
    assert update.effective_chat is not None
    text, keyboard = await _render(context, update.effective_user.id)
    await update.effective_chat.send_message(text, reply_markup=keyboard)


async def change(update: Update, context: NaboContext) -> None:
    """Apply one tap on the settings and show them again in place."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    interests = InterestRepository(context.store)
    if match := SUBSCRIBE.match(press.data):
        await context.residents.set_subscribed(press.user_id, match[1] == "1")
    elif match := DELAFTALE.match(press.data):
        await interests.toggle(press.user_id, "delaftale", match[1])
    elif match := AREA.match(press.data):
        key = match[1]
        areas = context.config.areas
        if key != "o" and int(key) >= len(areas):
            await edit_query_message(
                press.query, context.tr.gettext("This button no longer works.")
            )
            return
        await interests.toggle(press.user_id, "area", OTHER_AREA if key == "o" else areas[int(key)])
    text, keyboard = await _render(context, press.user_id)
    await edit_query_message(press.query, text, keyboard)


def register(application: NaboApplication) -> None:
    """Add the settings handlers."""
    application.add_handler(
        CommandHandler("settings", show_settings, filters=filters.ChatType.PRIVATE)
    )
    application.add_handler(
        CallbackQueryHandler(show_settings, pattern=f"^{re.escape(MENU_SETTINGS)}$")
    )
    for pattern in (SUBSCRIBE, DELAFTALE, AREA):
        application.add_handler(CallbackQueryHandler(change, pattern=pattern))

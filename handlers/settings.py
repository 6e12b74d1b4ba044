"""Settings: what a resident wants to hear about — themes, areas, announcements on or off."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.callback_data import ForgedButton
from bot.db.activities import DELAFTALER, OTHER_AREA
from bot.db.interests import InterestRepository
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.views.activity import area_name, delaftale_name
from bot.views.buttons import MenuSettings, SetSubscribed, ToggleArea, ToggleDelaftale
from bot.views.menu import menu_button

# The buttons of the settings screen, all answered by change().
SettingsButton = SetSubscribed | ToggleDelaftale | ToggleArea


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
                        f"{mark} {delaftale_name(tr, code)}",
                        callback_data=ToggleDelaftale(code).pack(),
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
                        f"{mark} {area_name(tr, area)}", callback_data=ToggleArea(key).pack()
                    )
                ]
            )
        rows.append(
            [
                InlineKeyboardButton(
                    _("🔕 No announcements, thanks"), callback_data=SetSubscribed(on=False).pack()
                )
            ]
        )
    else:
        text = _("⚙️ Announcements are off. You still get messages about your own sign-ups.")
        rows.append(
            [
                InlineKeyboardButton(
                    _("🔔 Turn announcements on"), callback_data=SetSubscribed(on=True).pack()
                )
            ]
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


def _settings_button(data: str) -> SettingsButton:
    """Read a tap on the settings as the kind of button it is."""
    kinds: tuple[type[SettingsButton], ...] = (SetSubscribed, ToggleDelaftale, ToggleArea)
    for kind in kinds:
        try:
            return kind.parse(data)
        except ForgedButton:
            continue
    raise ForgedButton("not a settings button")


async def change(update: Update, context: NaboContext) -> None:
    """Apply one tap on the settings and show them again in place."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    interests = InterestRepository(context.store)
    button = _settings_button(press.data)
    if isinstance(button, SetSubscribed):
        await context.residents.set_subscribed(press.user_id, button.on)
    elif isinstance(button, ToggleDelaftale):
        await interests.toggle(press.user_id, "delaftale", button.delaftale)
    else:
        key = button.area
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
    application.add_handler(CallbackQueryHandler(show_settings, pattern=MenuSettings.pattern()))
    for kind in (SetSubscribed, ToggleDelaftale, ToggleArea):
        application.add_handler(CallbackQueryHandler(change, pattern=kind.pattern()))

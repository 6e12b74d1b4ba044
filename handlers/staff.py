"""The staff menu: /staff and the 🛠 button, for staff only."""

from __future__ import annotations

from telegram import Update

from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.staff import StaffCallbackQueryHandler, set_own_staff_commands, staff_command
from bot.views.buttons import StaffMenu
from bot.views.staff_menu import staff_menu_keyboard


async def show_staff_menu(update: Update, context: NaboContext) -> None:
    """Show the staff menu, and make sure the staff command list is there."""
    assert update.effective_chat is not None
    assert update.effective_user is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    await set_own_staff_commands(context)
    await update.effective_chat.send_message(
        context.tr.gettext("🛠 Staff menu — what do you want to do?"),
        reply_markup=staff_menu_keyboard(context.tr),
    )


def register(application: NaboApplication) -> None:
    """Add the staff menu handlers."""
    staff_ids = application.bot_data.config.staff_user_ids
    application.add_handler(staff_command(staff_ids, "staff", show_staff_menu))
    application.add_handler(
        StaffCallbackQueryHandler(staff_ids, show_staff_menu, StaffMenu.pattern())
    )

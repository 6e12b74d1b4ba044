"""Privacy in the chat: /privacy (the notice), /mydata (what is stored), /deleteme (erase)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.db.mydata import PersonalDataRepository
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message
from bot.views.buttons import AskDelete, ConfirmDelete, MenuHome, MenuPrivacy, ShowMyData
from bot.views.menu import back_to_menu_keyboard, menu_button
from bot.views.mydata import EXPORT_FILE_NAME, export_file, summary_text
from bot.views.notice import (
    consent_keyboard,
    consent_question,
    deletion_keyboard,
    deletion_question,
    privacy_notice_text,
)
from bot.work.erasure import erase_resident


async def show_notice(update: Update, context: NaboContext) -> None:
    """Show the privacy notice, with the consent buttons if consent is still missing."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    tr = context.tr
    resident = context.resident
    if resident is None or not resident.has_consented:
        await update.effective_chat.send_message(
            f"{privacy_notice_text(tr)}\n\n{consent_question(tr)}",
            reply_markup=consent_keyboard(tr),
        )
        return
    _ = tr.gettext
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("📄 See my data"), callback_data=ShowMyData().pack())],
            [InlineKeyboardButton(_("🗑 Delete my data"), callback_data=AskDelete().pack())],
            [menu_button(tr)],
        ]
    )
    await update.effective_chat.send_message(privacy_notice_text(tr), reply_markup=keyboard)


async def show_data(update: Update, context: NaboContext) -> None:
    """Tell the resident everything Nabo stores about them, and send it all as a file."""
    assert update.effective_chat is not None
    assert update.effective_user is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    tr = context.tr
    export = await PersonalDataRepository(context.store).export(
        update.effective_user.id, context.clock.now()
    )
    await update.effective_chat.send_message(
        summary_text(tr, export), reply_markup=back_to_menu_keyboard(tr)
    )
    if export is not None:
        await update.effective_chat.send_document(
            export_file(export),
            filename=EXPORT_FILE_NAME,
            caption=tr.gettext("📎 All your data as a file (JSON), to keep or to read."),
        )


async def ask_delete(update: Update, context: NaboContext) -> None:
    """Say what deleting means and ask to confirm."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    assert update.effective_user is not None
    _ = context.tr.gettext
    # The same test as /mydata's: staff have no resident's row, but may have data.
    if context.resident is None and (
        await PersonalDataRepository(context.store).export(
            update.effective_user.id, context.clock.now()
        )
        is None
    ):
        await update.effective_chat.send_message(_("Nabo stores nothing about you."))
        return
    await update.effective_chat.send_message(
        deletion_question(context.tr), reply_markup=deletion_keyboard(context.tr, MenuHome())
    )


async def delete(update: Update, context: NaboContext) -> None:
    """Erase the resident after they confirmed."""
    press = await answer_press(update)
    await erase_resident(context.application, press.user_id, context.clock.now())
    context.resident = None
    _ = context.tr.gettext
    await edit_query_message(
        press.query,
        _("Done. Nabo has deleted everything about you. Send /start if you want to come back."),
    )


def register(application: NaboApplication) -> None:
    """Add the privacy handlers."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("privacy", show_notice, filters=private))
    application.add_handler(CommandHandler("mydata", show_data, filters=private))
    application.add_handler(CommandHandler("deleteme", ask_delete, filters=private))
    application.add_handler(CallbackQueryHandler(show_notice, pattern=MenuPrivacy.pattern()))
    application.add_handler(CallbackQueryHandler(show_data, pattern=ShowMyData.pattern()))
    application.add_handler(CallbackQueryHandler(ask_delete, pattern=AskDelete.pattern()))
    application.add_handler(CallbackQueryHandler(delete, pattern=ConfirmDelete.pattern()))

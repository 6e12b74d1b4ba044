"""Privacy in the chat: /privacy (the notice), /mydata (what is stored), /deleteme (erase)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import NaboContext
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.menu import MENU_HOME, MENU_PRIVACY, back_to_menu_keyboard
from bot.notice import consent_keyboard, consent_question, privacy_notice_text
from bot.notify import tell_promotions
from bot.replies import answer_press, edit_query_message
from bot.residents import Resident
from bot.team import edit_staff_post, team_translator
from bot.volunteer_view import phone_text

SHOW_DATA = "privacy:data"
ASK_DELETE = "privacy:delete"
CONFIRM_DELETE = "privacy:delete:yes"


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
            [InlineKeyboardButton(_("📄 See my data"), callback_data=SHOW_DATA)],
            [InlineKeyboardButton(_("🗑 Delete my data"), callback_data=ASK_DELETE)],
            [InlineKeyboardButton(_("☰ Menu"), callback_data=MENU_HOME)],
        ]
    )
    await update.effective_chat.send_message(privacy_notice_text(tr), reply_markup=keyboard)


def _describe(resident: Resident | None, user_id: int, signups: int, tr: Translator) -> str:
    _ = tr.gettext
    if resident is None:
        return _("Nabo stores nothing about you.")
    lines = [
        _("This is everything Nabo stores about you:"),
        _("• Telegram user number: {user_id}").format(user_id=tr.ltr(user_id)),
        _("• Language: {language}").format(
            language=LANGUAGE_NAMES.get(resident.language or "", "–")
        ),
        _("• First contact: {date}").format(date=tr.date(resident.first_seen_at)),
    ]
    if resident.consented_at is not None:
        lines.append(
            _("• Privacy notice accepted: {date}").format(date=tr.date(resident.consented_at))
        )
    else:
        lines.append(_("• Privacy notice: not accepted"))
    lines.append(_("• Announcements: on") if resident.subscribed else _("• Announcements: off"))
    lines.append(_("• Reminders: on") if resident.reminders else _("• Reminders: off"))
    lines.append(
        _("• Sign-ups and waitlist places: {count} (see /mine)").format(count=tr.ltr(signups))
    )
    return "\n".join(lines)


async def show_data(update: Update, context: NaboContext) -> None:
    """Tell the resident everything Nabo stores about them."""
    assert update.effective_chat is not None
    assert update.effective_user is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    mine = await context.signups.mine(update.effective_user.id, context.clock.now())
    text = _describe(context.resident, update.effective_user.id, len(mine), context.tr)
    if context.resident is not None:
        text = "\n".join([text, *await _volunteer_and_feedback(context, update.effective_user.id)])
    await update.effective_chat.send_message(text, reply_markup=back_to_menu_keyboard(context.tr))


async def _volunteer_and_feedback(context: NaboContext, user_id: int) -> list[str]:
    """Describe the resident's offer of help and linked feedback, if there are any."""
    tr = context.tr
    _ = tr.gettext
    lines = []
    offer = await context.volunteers.get_for(user_id)
    if offer is not None and offer.is_open:
        lines.append(_("• Offer of help as a volunteer: yes (see /volunteer)"))
        if offer.phone:
            lines.append(
                _("• Phone number, for your offer of help: {phone}").format(
                    phone=phone_text(tr, offer.phone)
                )
            )
    elif offer is not None:
        lines.append(_("• Offer of help as a volunteer: withdrawn, no contact details kept"))
    linked = await context.feedback.linked_count(user_id)
    if linked:
        lines.append(_("• Feedback linked to you: {count}").format(count=tr.ltr(linked)))
    return lines


async def ask_delete(update: Update, context: NaboContext) -> None:
    """Say what deleting means and ask to confirm."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    _ = context.tr.gettext
    if context.resident is None:
        await update.effective_chat.send_message(_("Nabo stores nothing about you."))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🗑 Yes, delete my data"), callback_data=CONFIRM_DELETE)],
            [InlineKeyboardButton(_("No, keep my data"), callback_data=MENU_HOME)],
        ]
    )
    await update.effective_chat.send_message(
        _(
            "This deletes everything Nabo stores about you. "
            "It cannot be undone, but you can always start again with /start.\n"
            "\n"
            "Delete your data now?"
        ),
        reply_markup=keyboard,
    )


async def delete(update: Update, context: NaboContext) -> None:
    """Erase the resident after they confirmed."""
    press = await answer_press(update)
    offer = await context.volunteers.get_for(press.user_id)
    result = await context.residents.forget(press.user_id, context.clock.now())
    if offer is not None:
        # The offer went with the resident; its post in the staff chat loses its details.
        staff_tr = team_translator(context.bot_data.catalogs, context.config)
        await edit_staff_post(
            context.bot,
            context.config,
            offer.staff_message_id,
            staff_tr.gettext(
                "🙋 Offer of help #{number} was removed: the volunteer deleted their data."
            ).format(number=staff_tr.ltr(offer.id)),
        )
    context.resident = None
    # Places freed by leaving go to the waitlist; those who moved up hear at once.
    await tell_promotions(
        context.bot,
        context.bot_data.catalogs,
        context.residents,
        context.activities,
        result.promotions,
        context.config.default_language,
    )
    _ = context.tr.gettext
    await edit_query_message(
        press.query,
        _("Done. Nabo has deleted everything about you. Send /start if you want to come back."),
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the privacy handlers."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("privacy", show_notice, filters=private))
    application.add_handler(CommandHandler("mydata", show_data, filters=private))
    application.add_handler(CommandHandler("deleteme", ask_delete, filters=private))
    application.add_handler(
        CallbackQueryHandler(show_notice, pattern=f"^{re.escape(MENU_PRIVACY)}$")
    )
    application.add_handler(CallbackQueryHandler(show_data, pattern=f"^{re.escape(SHOW_DATA)}$"))
    application.add_handler(CallbackQueryHandler(ask_delete, pattern=f"^{re.escape(ASK_DELETE)}$"))
    application.add_handler(CallbackQueryHandler(delete, pattern=f"^{re.escape(CONFIRM_DELETE)}$"))

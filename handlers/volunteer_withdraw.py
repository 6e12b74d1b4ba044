"""Withdrawing an offer of help: a confirmation, then its contact details and note go at once.

The team's posts about the offer lose their details, and a translation the volunteer held
goes back to the other volunteers.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.i18n import Translator
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.telegram.team import StaffPosts, Team
from bot.views.buttons import AskWithdraw, KeepOffer, Withdraw
from bot.views.menu import back_to_menu_keyboard
from bot.views.volunteer import staff_card_text
from bot.views.volunteer_steps import withdraw_question, withdrawn_text
from bot.work.translations import drop_translator

log = logging.getLogger(__name__)


async def ask_withdraw(update: Update, context: NaboContext) -> None:
    """Ask before withdrawing the offer."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    _ = context.tr.gettext
    offer = await context.volunteers.get_for(press.user_id)
    if offer is None or not offer.is_open:
        await context.bot.send_message(
            press.chat_id,
            _("You have no offer of help at the moment."),
            reply_markup=back_to_menu_keyboard(context.tr),
        )
        return
    text, keyboard = withdraw_question(context.tr)
    await context.bot.send_message(press.chat_id, text, reply_markup=keyboard)


async def withdraw(update: Update, context: NaboContext) -> None:
    """Withdraw the offer; its contact details and note go at once."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    _ = context.tr.gettext
    offer = await context.volunteers.withdraw(press.user_id, context.clock.now())
    if offer is None:
        await edit_query_message(
            press.query,
            _("You have no offer of help at the moment."),
            back_to_menu_keyboard(context.tr),
        )
        return
    log.info("volunteer offer %s withdrawn", offer.id)
    team = Team.of(context.application)

    def withdrawn(tr: Translator) -> tuple[str, None]:
        return staff_card_text(tr, offer, None), None

    # The earlier posts lose their details and buttons; a new line tells the team.
    await team.edit(StaffPosts(offer.staff_message_id, offer.staff_copies), withdrawn)
    await team.notify(withdrawn)
    await context.volunteers.set_staff_message(offer.id, None)
    await edit_query_message(
        press.query, withdrawn_text(context.tr), back_to_menu_keyboard(context.tr)
    )
    await drop_translator(context.application, press.user_id)


async def keep(update: Update, context: NaboContext) -> None:
    """Leave the offer as it is."""
    press = await answer_press(update)
    await edit_query_message(
        press.query,
        context.tr.gettext("Good — your offer of help stands."),
        back_to_menu_keyboard(context.tr),
    )


def register(application: NaboApplication) -> None:
    """Add the buttons that withdraw an offer of help (or keep it)."""
    application.add_handler(CallbackQueryHandler(ask_withdraw, pattern=AskWithdraw.pattern()))
    application.add_handler(CallbackQueryHandler(withdraw, pattern=Withdraw.pattern()))
    application.add_handler(CallbackQueryHandler(keep, pattern=KeepOffer.pattern()))

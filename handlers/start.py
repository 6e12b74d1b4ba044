"""Getting started: /start, the privacy notice, consent or refusal, and the main menu.

``/start <payload>`` comes from a link (a poster's QR code, a flyer, a shared invitation,
the door code): it opens an activity's card, a series' next date, Nabo's start or the
check-in (bot/telegram/arrivals.py). A newcomer reads the notice first; the link waits in
memory and is followed once they accept.

Staff start differently: their tools need no consent (their role comes from the
settings, and what Nabo keeps about them comes with their work, not with a choice), so
a staff member who has not accepted the residents' notice is shown the staff tools
instead. The notice is there for them too, should they use Nabo as residents.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.i18n import Translator
from bot.telegram.arrivals import (
    Arrival,
    Refused,
    arrive,
    count_anonymous_visit,
    held_arrival,
    hold,
    read_link,
)
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import answer_press, edit_query_message, remove_query_buttons
from bot.telegram.staff import set_own_staff_commands
from bot.views.arrivals import Refusal, activities_keyboard, refusal_text
from bot.views.buttons import (
    ConsentNo,
    ConsentYes,
    MenuHelp,
    MenuHome,
    MenuLanguage,
    MenuPrivacy,
    ReadNotice,
)
from bot.views.menu import main_menu_keyboard, main_menu_text
from bot.views.notice import (
    consent_keyboard,
    consent_request_text,
    deletion_keyboard,
    deletion_question,
    send_consent_request,
)
from bot.views.staff_menu import staff_commands_text, staff_menu_button
from bot.work.erasure import erase_resident

log = logging.getLogger(__name__)


def staff_welcome_text(tr: Translator, name: str) -> str:
    """Greet a staff member who has not accepted the residents' notice: their tools."""
    _ = tr.gettext
    return "\n\n".join(
        (
            _("Hello, {name}! 👋 You are on the team, so Nabo's staff tools are yours:").format(
                name=tr.ltr(name)
            ),
            staff_commands_text(tr),
            _(
                "As staff, you do not need to accept the residents' privacy notice. "
                "Nabo keeps only what your work needs: the language you choose and "
                "what you do as staff, by your Telegram user number."
            ),
            _(
                "Do you also want to use Nabo as a resident, for example to sign up "
                "for an activity? Then read the privacy notice first."
            ),
        )
    )


def staff_welcome_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Build the staff welcome's buttons: the staff menu, the notice, language and help."""
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [staff_menu_button(tr)],
            [
                InlineKeyboardButton(
                    _("🔒 Privacy notice for residents"), callback_data=MenuPrivacy().pack()
                )
            ],
            [
                InlineKeyboardButton(_("🌐 Language"), callback_data=MenuLanguage().pack()),
                InlineKeyboardButton(_("❓ Help"), callback_data=MenuHelp().pack()),
            ],
        ]
    )


async def start(update: Update, context: NaboContext) -> None:
    """Greet the resident: the menu if they have consented, else the privacy notice.

    With a link's payload, go where it points (a newcomer: after the notice). Staff also
    get their command list here: it is the first moment Nabo can reach them.
    """
    assert update.effective_chat is not None
    assert update.effective_user is not None
    await set_own_staff_commands(context)
    if context.args and await _follow_link(update, context, context.args[0]):
        return
    await _greet(update, context)


async def _follow_link(update: Update, context: NaboContext, text: str) -> bool:
    """Follow a link's payload; return False when the normal start should follow."""
    assert update.effective_chat is not None
    assert update.effective_user is not None
    chat_id = update.effective_chat.id
    arrival = await read_link(context, text)
    if isinstance(arrival, Refused):
        # Nothing is kept for a link that does not work; the normal start follows.
        log.info("start link refused: %s", arrival.refusal)
        await _tell_refusal(context, chat_id, arrival)
        return arrival.refusal in (Refusal.ENDED, Refusal.SERIES_ENDED) and _consented(context)
    resident = context.resident
    if resident is None or not resident.has_consented:
        hold(context, arrival.payload)
        await send_consent_request(chat_id, context.bot, context.tr)
        return True
    if arrival.activity is None:
        return False  # Nabo's own link: the normal greeting and menu
    await arrive(context, chat_id, arrival, update.effective_user.first_name)
    return True


def _consented(context: NaboContext) -> bool:
    return context.resident is not None and context.resident.has_consented


async def _tell_refusal(context: NaboContext, chat_id: int, refused: Refused) -> None:
    """Say why a link opens nothing; a past activity's link offers what is coming instead."""
    text = refusal_text(context.tr, refused.refusal, refused.opens)
    if refused.refusal in (Refusal.ENDED, Refusal.SERIES_ENDED) and _consented(context):
        await context.bot.send_message(chat_id, text, reply_markup=activities_keyboard(context.tr))
        return
    await context.bot.send_message(chat_id, text)


async def _greet(update: Update, context: NaboContext) -> None:
    """Start as without a link: the menu, the staff tools, or the privacy notice."""
    assert update.effective_chat is not None
    assert update.effective_user is not None
    resident = context.resident
    name = update.effective_user.first_name
    if resident is None or not resident.has_consented:
        if context.is_staff:
            await update.effective_chat.send_message(
                staff_welcome_text(context.tr, name),
                reply_markup=staff_welcome_keyboard(context.tr),
            )
            return
        await send_consent_request(update.effective_chat.id, context.bot, context.tr)
        return
    _ = context.tr.gettext
    lines = [_("Hello, {name}! 👋").format(name=context.tr.ltr(name))]
    if context.is_staff:
        lines.append(_("🛠 Your staff tools: /staff, or the button at the bottom."))
    lines.append(main_menu_text(context.tr))
    await update.effective_chat.send_message(
        "\n".join(lines), reply_markup=main_menu_keyboard(context.tr, context.is_staff)
    )


async def show_menu(update: Update, context: NaboContext) -> None:
    """Show the main menu (from /menu or the menu button)."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    resident = context.resident
    if resident is None or not resident.has_consented:
        if context.is_staff and update.effective_user is not None:
            await update.effective_chat.send_message(
                staff_welcome_text(context.tr, update.effective_user.first_name),
                reply_markup=staff_welcome_keyboard(context.tr),
            )
            return
        await send_consent_request(update.effective_chat.id, context.bot, context.tr)
        return
    await update.effective_chat.send_message(
        main_menu_text(context.tr), reply_markup=main_menu_keyboard(context.tr, context.is_staff)
    )


async def accept(update: Update, context: NaboContext) -> None:
    """Record consent to the privacy notice and open the main menu."""
    press = await answer_press(update)
    if context.resident is not None and context.resident.has_consented:
        # A second tap on an old "yes" button: already done, nothing more to say.
        await remove_query_buttons(press.query)
        return
    # The link they came by, if any: checked again, as time passed while they read.
    arrival = await held_arrival(context)
    source = arrival.source if isinstance(arrival, Arrival) else None
    resident = await context.residents.consent(
        press.user_id,
        press.chat_id,
        context.tr.language,
        context.clock.now(),
        source_id=source.id if source is not None else None,
    )
    context.resident = resident
    log.info("resident consented (notice version %s)", resident.consent_version)
    _ = context.tr.gettext
    # Keep the notice readable in the chat, but take its buttons away.
    await remove_query_buttons(press.query)
    if isinstance(arrival, Arrival) and arrival.activity is not None:
        await context.bot.send_message(press.chat_id, _("Thank you! You are all set."))
        name = update.effective_user.first_name if update.effective_user else ""
        await arrive(context, press.chat_id, arrival, name)
        return
    if isinstance(arrival, Refused):
        await _tell_refusal(context, press.chat_id, arrival)
    await context.bot.send_message(
        press.chat_id,
        _("Thank you! You are all set.") + "\n\n" + main_menu_text(context.tr),
        reply_markup=main_menu_keyboard(context.tr, context.is_staff),
    )


async def decline(update: Update, context: NaboContext) -> None:
    """Respect a refusal: keep nothing about the resident and say how to come back."""
    press = await answer_press(update)
    _ = context.tr.gettext
    if context.resident is not None and context.resident.has_consented:
        # An old notice's "no thanks" must not erase someone who said yes since.
        await edit_query_message(
            press.query,
            _("You have already said yes. To delete your data, send /deleteme."),
        )
        return
    if context.resident is not None and context.resident.consented_at is not None:
        # They accepted an earlier notice and have a history here (sign-ups, an offer of
        # help): declining the new one means leaving, which erases it all, so ask first,
        # exactly as /deleteme does.
        await edit_query_message(
            press.query,
            deletion_question(context.tr),
            reply_markup=deletion_keyboard(context.tr, MenuHome()),
        )
        return
    # At the door: one visit is counted, with nothing about who it was.
    arrival = await held_arrival(context)
    counted = isinstance(arrival, Arrival) and await count_anonymous_visit(context, arrival)
    # A language picked before refusing is forgotten too: a refusal leaves no trace.
    await erase_resident(context.application, press.user_id, context.clock.now())
    context.resident = None
    text = _(
        "No problem. Nabo has not stored anything about you.\n"
        "If you change your mind, just send /start."
    )
    if counted:
        text += "\n\n" + _("Welcome! We counted your visit, without your name.")
    await edit_query_message(press.query, text)


async def read_in_language(update: Update, context: NaboContext) -> None:
    """Show the notice again in another language, remembering that choice."""
    press = await answer_press(update)
    language = ReadNotice.parse(press.data).language
    tr = await context.choose_language(press.user_id, press.chat_id, language)
    await edit_query_message(
        press.query, consent_request_text(tr), reply_markup=consent_keyboard(tr)
    )


def register(application: NaboApplication) -> None:
    """Add the getting-started handlers."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("menu", show_menu, filters=private))
    application.add_handler(CallbackQueryHandler(show_menu, pattern=MenuHome.pattern()))
    application.add_handler(CallbackQueryHandler(accept, pattern=ConsentYes.pattern()))
    application.add_handler(CallbackQueryHandler(decline, pattern=ConsentNo.pattern()))
    application.add_handler(CallbackQueryHandler(read_in_language, pattern=ReadNotice.pattern()))

"""Who may do what beyond staff: activity hosts, checked on the server for every update.

Staff come from the settings (bot/telegram/staff.py); hosts from the database, so a host
removed a second ago is refused at their next tap. A host's command or button names what
it acts on (an activity), and the handlers below check, before the callback runs, that
this person hosts that activity now. Anyone else gets exactly the answer an unknown
command or a forged button gets (``refuse_command``, ``refuse_press``, also used by
handlers/fallback.py), so a refusal reveals nothing, not even that the button exists.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Chat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ExtBot, filters

from bot.core.callback_data import ButtonData
from bot.core.config import LANGUAGES
from bot.core.i18n import N_, Catalogs
from bot.telegram.commands import RESIDENT_COMMANDS
from bot.telegram.context import NaboContext
from bot.views.menu import main_menu_keyboard
from bot.views.notice import send_consent_request

log = logging.getLogger(__name__)

# Added to the resident commands in a host's own command list.
HOST_COMMANDS: tuple[tuple[str, str], ...] = (("host", N_("Your activities as host")),)


async def refuse_command(update: Update, context: NaboContext) -> None:
    """Answer a command as if Nabo did not know it (what the fallback says to one)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    log.info("unhandled command in update %s", update.update_id)
    resident = context.resident
    if resident is None or not resident.has_consented:
        await send_consent_request(chat.id, context.bot, context.tr)
        return
    await chat.send_message(
        context.tr.gettext("I don't know that command. Here is what I can do:"),
        reply_markup=main_menu_keyboard(context.tr, context.is_staff),
    )


async def refuse_press(update: Update, context: NaboContext) -> None:
    """Answer a press as if its button were forged or gone (what the fallback says)."""
    query = update.callback_query
    if query is None:
        return
    log.info("unknown button in update %s", update.update_id)
    _ = context.tr.gettext
    await query.answer(_("This button no longer works."), show_alert=False)
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        return  # a staff-chat button pressed by someone who is not staff: the answer is enough
    resident = context.resident
    if resident is None or not resident.has_consented:
        await send_consent_request(chat.id, context.bot, context.tr)
        return
    await chat.send_message(
        _("This button no longer works. Here is the menu:"),
        reply_markup=main_menu_keyboard(context.tr, context.is_staff),
    )


class HostCallbackQueryHandler(CallbackQueryHandler[Any, Any]):
    """A host's button: for the host of the activity it names, else a forged press.

    ``kind`` defines the button; when it has an ``activity_id``, the presser must host
    that activity now, else they must host something. ``refused`` is what the handler
    returns on a refusal (None: a conversation's state stays as it was).
    """

    def __init__(self, kind: type[ButtonData], callback: Any, refused: object = None) -> None:
        """Handle presses of ``kind`` by its hosts only."""
        super().__init__(callback, pattern=kind.pattern())
        self._kind = kind
        self._refused = refused

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: Any,
        context: Any,
    ) -> Any:
        """Run the callback only for a host of what the button names."""
        self.collect_additional_context(context, update, application, check_result)
        query = update.callback_query
        assert query is not None
        activity_id = getattr(self._kind.parse(query.data), "activity_id", None)
        if not await may_host(context, activity_id):
            context.refused = True
            await refuse_press(update, context)
            return self._refused
        return await self.callback(update, context)


class HostCommandHandler(CommandHandler[Any, Any]):
    """A host's command, in a private chat: anyone who hosts nothing gets "unknown command"."""

    def __init__(self, command: str, callback: Any, refused: object = None) -> None:
        """Handle ``/command`` from hosts only."""
        super().__init__(command, callback, filters=filters.ChatType.PRIVATE)
        self._refused = refused

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: Any,
        context: Any,
    ) -> Any:
        """Run the callback only for someone who hosts an activity now."""
        self.collect_additional_context(context, update, application, check_result)
        if not await may_host(context, None):
            context.refused = True
            await refuse_command(update, context)
            return self._refused
        return await self.callback(update, context)


async def may_host(context: NaboContext, activity_id: int | None) -> bool:
    """Tell whether the person behind this update hosts the activity (or, without one, any)."""
    user_id = context.user_id
    if user_id is None:
        return False
    if activity_id is None:
        return await context.hosts.is_any_host(user_id)
    return await context.hosts.is_host(user_id, activity_id)


async def may_manage(context: NaboContext, activity_id: int) -> bool:
    """Tell whether this person may act on the activity's people: staff, or its host."""
    return context.is_staff or await may_host(context, activity_id)


async def set_host_command_menu(
    bot: ExtBot[Any], catalogs: Catalogs, user_id: int, language: str | None, default: str
) -> None:
    """Give a host the resident commands plus /host, in their language (as staff get theirs)."""
    try:
        for code in (*LANGUAGES, None):
            tr = catalogs.translator(language or code or default)
            await bot.set_my_commands(
                [
                    BotCommand(name, tr.gettext(text))
                    for name, text in (*RESIDENT_COMMANDS, *HOST_COMMANDS)
                ],
                scope=BotCommandScopeChat(user_id),
                language_code=code,
            )
    except TelegramError as error:
        log.info("could not set a host's commands: %s", type(error).__name__)


async def clear_host_command_menu(bot: ExtBot[Any], user_id: int) -> None:
    """Take /host out of a former host's command list: they get the residents' list again."""
    try:
        for code in (*LANGUAGES, None):
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id), language_code=code)
    except TelegramError as error:
        log.info("could not reset a former host's commands: %s", type(error).__name__)

"""The bot's own membership: blocked and unblocked by residents, added to groups."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Update
from telegram.ext import ChatMemberHandler

from bot.telegram.context import NaboApplication, NaboContext
from bot.work.translations import drop_translator

log = logging.getLogger(__name__)

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


async def membership_changed(update: Update, context: NaboContext) -> None:
    """Mark residents who block or unblock Nabo; say once in a group that Nabo is private."""
    change = update.my_chat_member
    assert change is not None
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if change.chat.type == Chat.PRIVATE:
        blocked = new == ChatMember.BANNED
        if await context.residents.set_blocked(change.from_user.id, blocked):
            log.info("resident %s the bot", "blocked" if blocked else "unblocked")
        if blocked:
            # A translation they held goes back to the other volunteers.
            await drop_translator(context.application, change.from_user.id)
        return
    if new in _PRESENT and old not in _PRESENT:
        if change.chat.id == context.config.staff_chat_id:
            # The staff group is the one group Nabo writes to: notifications and reports.
            staff_tr = context.bot_data.services.catalogs.translator(
                context.config.default_language
            )
            await context.bot.send_message(
                change.chat.id,
                staff_tr.gettext(
                    "Hello, team! Nabo will post notifications and error reports here."
                ),
            )
            return
        # Said once, when added; Nabo then ignores the group and stores nothing about it.
        await context.bot.send_message(
            change.chat.id,
            context.tr.gettext(
                "Hello! Nabo only works in a private chat. "
                "Write to me directly to use it. I do not store anything about this group "
                "or its members."
            ),
        )


def register(application: NaboApplication) -> None:
    """Add the membership handler."""
    application.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))

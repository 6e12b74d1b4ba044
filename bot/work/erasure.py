"""Erasing a resident everywhere: the database, the staff's posts, and memory."""

from __future__ import annotations

from datetime import datetime

from bot.telegram.context import NaboApplication
from bot.telegram.conversations import forget_conversations
from bot.telegram.roles import clear_host_command_menu
from bot.work.translations import reopen


async def erase_resident(application: NaboApplication, user_id: int, now: datetime) -> bool:
    """Erase one resident at their request (/deleteme, /person); return whether they existed.

    Their coming places go to the waitlist and those who move up are told by the
    delivery sender; every post about their offer of help (the staff chat's, or each
    staff member's copy) loses its details, by the team's outbox. Retention erases in
    batches instead (ResidentRepository.forget_inactive), followed by ``after_erasure``.
    """
    bot_data = application.bot_data
    resident = await bot_data.services.residents.get(user_id)
    chat_id = resident.chat_id if resident is not None else user_id
    result = await bot_data.services.residents.forget(user_id, now)
    forget_conversations(application, user_id, chat_id)
    await after_erasure(application, result.hosts, result.reopened)
    return result.found


async def after_erasure(
    application: NaboApplication, hosts: list[int], reopened: list[tuple[int, int]]
) -> None:
    """Do what follows an erasure outside the database, for one resident or a batch.

    Written with the erasure: who moved up (deliveries, or a message for the team about
    someone without Telegram) and the edits of staff's posts about offers of help; the
    senders carry them out. Former hosts lose /host from their command list, and
    translations the erased held go back to the other volunteers who were asked.
    """
    bot_data = application.bot_data
    for host in hosts:
        if not bot_data.config.is_staff(host):
            await clear_host_command_menu(application.bot, host)
    for request_id, translator in reopened:
        await reopen(application, request_id, skip=translator)
    bot_data.services.sender.wake()

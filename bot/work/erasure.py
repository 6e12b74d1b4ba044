"""Erasing a resident everywhere: the database, the staff's posts, and memory."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import Translator
from bot.telegram.context import NaboApplication
from bot.telegram.conversations import forget_conversations
from bot.telegram.team import StaffPosts, Team


async def erase_resident(
    application: NaboApplication,
    user_id: int,
    now: datetime,
    *,
    by_resident: bool = True,
    inactive_since: datetime | None = None,
) -> bool:
    """Erase one resident (after /deleteme or for inactivity); return whether they existed.

    Their coming places go to the waitlist and those who move up are told by the
    delivery sender; every post about their offer of help (the staff chat's, or each
    staff member's copy) loses its details. ``inactive_since``:
    erase only if still inactive and warned (see ResidentRepository.forget).
    """
    bot_data = application.bot_data
    resident = await bot_data.services.residents.get(user_id)
    chat_id = resident.chat_id if resident is not None else user_id
    offer = await bot_data.services.volunteers.get_for(user_id)
    result = await bot_data.services.residents.forget(user_id, now, inactive_since=inactive_since)
    if inactive_since is not None and not result.found:
        return False  # they came back in time
    forget_conversations(application, user_id, chat_id)
    if offer is not None:
        number = offer.id

        def removed(tr: Translator) -> tuple[str, None]:
            text = (
                tr.gettext(
                    "🙋 Offer of help #{number} was removed: the volunteer deleted their data."
                )
                if by_resident
                else tr.gettext(
                    "🙋 Offer of help #{number} was removed: the volunteer had not used "
                    "Nabo for a long time, so their data was deleted."
                )
            )
            return text.format(number=tr.ltr(number)), None

        await Team.of(application).edit(
            StaffPosts(offer.staff_message_id, offer.staff_copies), removed
        )
    # Those who moved up were written with the erasure (deliveries, or a message for the
    # team about someone without Telegram); the senders tell them.
    bot_data.services.sender.wake()
    return result.found

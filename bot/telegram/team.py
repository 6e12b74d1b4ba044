"""Between residents and the team: notifications to staff, their later edits, and relays.

With a staff chat (``STAFF_CHAT_ID``) a notification is one post there, in the team's
language (the default). Without one, each staff member gets their own copy in their
private chat, in the language they chose in Nabo (else the team's), with the same
buttons; the message id of every copy is returned, so whoever must take details away
later (withdrawal, erasure, retention) can edit each of them. A failed post is logged
(by kind, never by content) and never stops the resident's journey.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.core.config import Config
from bot.core.i18n import Catalogs, Translator
from bot.db.residents import ResidentRepository
from bot.views.activity import fit_message

log = logging.getLogger(__name__)

# A notification, written in the reader's language: its text and buttons (or None).
Render = Callable[[Translator], tuple[str, InlineKeyboardMarkup | None]]


def team_translator(catalogs: Catalogs, config: Config) -> Translator:
    """Return the translator for the staff chat: the default language."""
    return catalogs.translator(config.default_language)


@dataclass(frozen=True, slots=True)
class StaffPosts:
    """Where a notification went: the staff chat's post, and each staff member's copy."""

    group: int | None = None  # message id in the staff chat
    copies: dict[int, int] = field(default_factory=dict)  # staff user id → message id

    @property
    def count(self) -> int:
        """Return how many chats got the notification."""
        return (self.group is not None) + len(self.copies)

    def replaced_by(self, newer: StaffPosts) -> StaffPosts:
        """Return the posts that a newer notification has replaced (not those it missed)."""
        group = self.group if newer.group not in (None, self.group) else None
        copies = {
            user: message
            for user, message in self.copies.items()
            if newer.copies.get(user) not in (None, message)
        }
        return StaffPosts(group, copies)

    def updated_by(self, newer: StaffPosts) -> StaffPosts:
        """Return these posts with a newer notification's wherever it arrived."""
        group = newer.group if newer.group is not None else self.group
        return StaffPosts(group, {**self.copies, **newer.copies})

    def without(self, chat_id: int, message_id: int, staff_chat_id: int | None) -> StaffPosts:
        """Return these posts except one message (the one a button was pressed on)."""
        group = None if (chat_id, message_id) == (staff_chat_id, self.group) else self.group
        copies = {
            user: message
            for user, message in self.copies.items()
            if (user, message) != (chat_id, message_id)
        }
        return StaffPosts(group, copies)


class Team:
    """The staff as Nabo reaches them: the staff chat if there is one, else each one's chat."""

    def __init__(
        self,
        bot: ExtBot[None],
        config: Config,
        catalogs: Catalogs,
        residents: ResidentRepository,
    ) -> None:
        """Reach the team through ``bot``; staff languages come from ``residents``."""
        self._bot = bot
        self._config = config
        self._catalogs = catalogs
        self._residents = residents

    @classmethod
    def of(cls, application: Any) -> Team:
        """Return the team of a running application."""
        bot_data = application.bot_data
        return cls(
            application.bot,
            bot_data.config,
            bot_data.services.catalogs,
            bot_data.services.residents,
        )

    async def translator_for(self, user_id: int) -> Translator:
        """Return a staff member's translator: the language they chose, else the team's."""
        resident = await self._residents.get(user_id)
        language = resident.language if resident is not None else None
        return self._catalogs.translator(language or self._config.default_language)

    async def notify(self, render: Render, *, skip: int | None = None) -> StaffPosts:
        """Post to the staff chat, or without one to each staff member (but ``skip``)."""
        config = self._config
        if config.staff_chat_id is not None:
            text, keyboard = render(team_translator(self._catalogs, config))
            return StaffPosts(group=await self._send(config.staff_chat_id, text, keyboard))
        copies = {}
        for user_id in sorted(config.staff_user_ids - {skip}):
            text, keyboard = render(await self.translator_for(user_id))
            # A private chat's id is the user's.
            message_id = await self._send(user_id, text, keyboard)
            if message_id is not None:
                copies[user_id] = message_id
        return StaffPosts(copies=copies)

    async def edit(self, posts: StaffPosts, render: Render) -> None:
        """Rewrite earlier posts, each in its reader's language (e.g. to drop details)."""
        if posts.group is not None and self._config.staff_chat_id is not None:
            text, keyboard = render(team_translator(self._catalogs, self._config))
            await self._edit(self._config.staff_chat_id, posts.group, text, keyboard)
        for user_id, message_id in sorted(posts.copies.items()):
            text, keyboard = render(await self.translator_for(user_id))
            await self._edit(user_id, message_id, text, keyboard)

    async def _send(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> int | None:
        try:
            message = await self._bot.send_message(
                chat_id, fit_message(text), reply_markup=keyboard
            )
        except TelegramError as error:
            # A staff member who never opened Nabo has no chat with it yet.
            log.warning("could not notify the team: %s", type(error).__name__)
            return None
        return message.message_id

    async def _edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await self._bot.edit_message_text(
                fit_message(text), chat_id=chat_id, message_id=message_id, reply_markup=keyboard
            )
        except TelegramError as error:
            log.warning("could not update a post to the team: %s", type(error).__name__)

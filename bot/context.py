"""Typed access for callbacks: ``context.store``, ``context.config``, ``context.tr``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from telegram.ext import Application, CallbackContext, JobQueue

from bot.activities import ActivityRepository
from bot.audit import AuditLog
from bot.broadcasts import BroadcastRepository
from bot.client import NaboBot
from bot.clock import Clock
from bot.config import Config
from bot.feedback import FeedbackRepository
from bot.i18n import Catalogs, Translator
from bot.residents import Resident, ResidentRepository
from bot.signups import SignupRepository
from bot.store import Store
from bot.volunteers import VolunteerRepository


class BotData:
    """Process-wide services, created in ``post_init`` and closed in ``post_shutdown``.

    PTB creates this object itself (ContextTypes(bot_data=BotData)), so every field
    starts unset and the composition root fills it in.
    """

    config: Config
    clock: Clock
    catalogs: Catalogs
    store: Store
    residents: ResidentRepository
    activities: ActivityRepository
    signups: SignupRepository
    jobs_synced: asyncio.Event
    broadcasts: BroadcastRepository
    audit: AuditLog
    sender: DeliverySender
    volunteers: VolunteerRepository
    feedback: FeedbackRepository
    processed_updates: ProcessedUpdates
    flood: FloodGuard

    def __init__(self) -> None:
        """Start empty; only what must exist before handlers are registered is set here."""
        # Which conversation each person started last (bot/conversations.py).
        self.conversation_flows: dict[int, str] = {}


# What a journey keeps for one person between their updates (drafts, what they reply to).
UserData: TypeAlias = dict[str, Any]
# Nabo keeps nothing per chat; PTB's default type.
ChatData: TypeAlias = dict[Any, Any]


# NaboBot is an ExtBot[int]: its parameter is what AIORateLimiter takes per call (retries).
class NaboContext(CallbackContext[NaboBot, UserData, ChatData, BotData]):
    """The context every Nabo callback receives."""

    def __init__(
        self,
        application: NaboApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        """Start with no resident; ``bot.session.load_resident`` fills these in per update."""
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._nabo_application = application
        self.resident: Resident | None = None
        self._translator: Translator | None = None

    # PTB types its own ``application`` with a type variable it never binds (ST), so
    # no caller could pass it on as a NaboApplication; the override says what it is.
    @property
    def application(self) -> NaboApplication:  # type: ignore[override]
        """The application this update came to, typed as Nabo builds it."""
        return self._nabo_application

    @property
    def config(self) -> Config:
        """The validated configuration."""
        return self.bot_data.config

    @property
    def store(self) -> Store:
        """The process's one database connection."""
        return self.bot_data.store

    @property
    def residents(self) -> ResidentRepository:
        """The residents repository."""
        return self.bot_data.residents

    @property
    def activities(self) -> ActivityRepository:
        """The activities repository."""
        return self.bot_data.activities

    @property
    def signups(self) -> SignupRepository:
        """The sign-ups repository."""
        return self.bot_data.signups

    @property
    def volunteers(self) -> VolunteerRepository:
        """The volunteer offers repository."""
        return self.bot_data.volunteers

    @property
    def feedback(self) -> FeedbackRepository:
        """The feedback repository."""
        return self.bot_data.feedback

    @property
    def clock(self) -> Clock:
        """What time it is (controllable in tests)."""
        return self.bot_data.clock

    @property
    def tr(self) -> Translator:
        """The translator for the person behind this update (default language if unknown)."""
        if self._translator is None:
            return self.bot_data.catalogs.translator(self.config.default_language)
        return self._translator

    @tr.setter
    def tr(self, translator: Translator) -> None:
        self._translator = translator

    async def choose_language(self, user_id: int, chat_id: int, language: str) -> Translator:
        """Store a language choice and switch this update's replies to it."""
        self.resident = await self.residents.set_language(
            user_id, chat_id, language, self.clock.now()
        )
        self.tr = self.bot_data.catalogs.translator(language)
        return self.tr

    @property
    def user_data(self) -> UserData:
        """This person's drafts between updates; there is always a person where it is used."""
        user_data = super().user_data
        if user_data is None:
            # Only updates without a user (a channel post, a poll) have none, and no
            # journey keeps anything for those: reaching this is a bug, not bad input.
            raise RuntimeError("this update has no user, so it has no user_data")
        return user_data

    @user_data.setter
    def user_data(self, _: object) -> NoReturn:
        # As in PTB: the application holds this dict; a new one would be lost.
        raise AttributeError("user_data cannot be replaced, only changed")

    @property
    def user_id(self) -> int | None:
        """The Telegram user id behind this update, if any."""
        return self._user_id

    @property
    def is_staff(self) -> bool:
        """Tell whether the user behind this update is on the staff team."""
        return self.config.is_staff(self._user_id)


# The Application as Nabo builds it (bot/app.py), so that ``application.bot_data`` is
# a BotData and ``application.job_queue`` makes NaboContexts.
NaboApplication: TypeAlias = Application[
    NaboBot, NaboContext, UserData, ChatData, BotData, JobQueue[NaboContext]
]


if TYPE_CHECKING:  # pragma: no cover
    from bot.dedup import ProcessedUpdates
    from bot.delivery import DeliverySender
    from bot.flood import FloodGuard

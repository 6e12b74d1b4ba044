"""Typed access for callbacks: ``context.store``, ``context.config``, ``context.tr``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol, TypeAlias

from telegram.ext import Application, CallbackContext, JobQueue

from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.i18n import Catalogs, Translator
from bot.db.activities import ActivityRepository
from bot.db.audit import AuditLog
from bot.db.broadcasts import BroadcastRepository
from bot.db.checkins import CheckInRepository
from bot.db.feedback import FeedbackRepository
from bot.db.hosts import HostRepository
from bot.db.people import PeopleRepository
from bot.db.processed_updates import ProcessedUpdates
from bot.db.residents import Resident, ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.sources import SourceRepository
from bot.db.store import Store
from bot.db.team_messages import TeamMessageRepository
from bot.db.translations import TranslationRepository
from bot.db.volunteers import VolunteerRepository
from bot.telegram.client import NaboBot
from bot.telegram.flood import FloodGuard


class Sender(Protocol):
    """The delivery sender as the rest of Nabo sees it (``bot.work.delivery``)."""

    def start(self) -> None:
        """Start sending in the background."""

    def wake(self) -> None:
        """Look for new deliveries now."""

    async def stop(self) -> None:
        """Finish the message in flight, then stop."""


@dataclass(frozen=True, slots=True)
class Services:
    """What ``post_init`` opens: the catalogs, the database and its repositories, the sender."""

    catalogs: Catalogs
    store: Store
    processed_updates: ProcessedUpdates
    residents: ResidentRepository
    activities: ActivityRepository
    signups: SignupRepository
    broadcasts: BroadcastRepository
    audit: AuditLog
    volunteers: VolunteerRepository
    feedback: FeedbackRepository
    sources: SourceRepository
    checkins: CheckInRepository
    translations: TranslationRepository
    people: PeopleRepository
    hosts: HostRepository
    team_messages: TeamMessageRepository
    # The delivery sender and the team's outbox, woken together (bot/work/team_outbox.py).
    sender: Sender


class BotData:
    """Process-wide state: what ``build_application`` sets, then the services once open.

    PTB creates this object itself (ContextTypes(bot_data=BotData)), so the composition
    root sets ``config``, ``clock`` and ``flood`` right after, and ``open`` the services in
    ``post_init``, once.
    """

    config: Config
    clock: Clock
    flood: FloodGuard

    def __init__(self) -> None:
        """Start with no services; only what must exist before handlers run is made here."""
        # Which conversation each person started last (bot/telegram/conversations.py).
        self.conversation_flows: dict[int, str] = {}
        # Set once the reminder, broadcast and feedback jobs were first rebuilt.
        self.jobs_synced = asyncio.Event()
        self._services: Services | None = None

    def open(self, services: Services) -> None:
        """Hand over the opened services; done once, in ``post_init``."""
        if self._services is not None:
            raise RuntimeError("Nabo's services are open already")
        self._services = services

    @property
    def is_open(self) -> bool:
        """Tell whether ``post_init`` got as far as opening the services."""
        return self._services is not None

    @property
    def services(self) -> Services:
        """The open services (catalogs, database, repositories, sender)."""
        if self._services is None:
            raise RuntimeError("Nabo's services are not open yet (post_init has not run)")
        return self._services


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
        """Start with no resident; ``load_resident`` (bot.telegram.session) fills it in."""
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._nabo_application = application
        self.resident: Resident | None = None
        self._translator: Translator | None = None
        # Set when a role check refused the update (bot/telegram/roles.py): nothing of the
        # journey it was meant for ran.
        self.refused = False

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
        return self.bot_data.services.store

    @property
    def residents(self) -> ResidentRepository:
        """The residents repository."""
        return self.bot_data.services.residents

    @property
    def activities(self) -> ActivityRepository:
        """The activities repository."""
        return self.bot_data.services.activities

    @property
    def signups(self) -> SignupRepository:
        """The sign-ups repository."""
        return self.bot_data.services.signups

    @property
    def volunteers(self) -> VolunteerRepository:
        """The volunteer offers repository."""
        return self.bot_data.services.volunteers

    @property
    def feedback(self) -> FeedbackRepository:
        """The feedback repository."""
        return self.bot_data.services.feedback

    @property
    def people(self) -> PeopleRepository:
        """People signed up on their behalf (not on Telegram)."""
        return self.bot_data.services.people

    @property
    def hosts(self) -> HostRepository:
        """Activity hosts, their invitations and proposals."""
        return self.bot_data.services.hosts

    @property
    def sources(self) -> SourceRepository:
        """The sources repository (where links are put up)."""
        return self.bot_data.services.sources

    @property
    def checkins(self) -> CheckInRepository:
        """The door check-ins repository."""
        return self.bot_data.services.checkins

    @property
    def translations(self) -> TranslationRepository:
        """The translation requests repository (and messages waiting for them)."""
        return self.bot_data.services.translations

    @property
    def clock(self) -> Clock:
        """What time it is (controllable in tests)."""
        return self.bot_data.clock

    @property
    def tr(self) -> Translator:
        """The translator for the person behind this update (default language if unknown)."""
        if self._translator is None:
            return self.bot_data.services.catalogs.translator(self.config.default_language)
        return self._translator

    @tr.setter
    def tr(self, translator: Translator) -> None:
        self._translator = translator

    async def choose_language(self, user_id: int, chat_id: int, language: str) -> Translator:
        """Store a language choice and switch this update's replies to it."""
        self.resident = await self.residents.set_language(
            user_id, chat_id, language, self.clock.now()
        )
        self.tr = self.bot_data.services.catalogs.translator(language)
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

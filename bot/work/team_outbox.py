"""The team's outbox sender: addresses and sends the team's durable messages.

The rows (bot/db/team_messages.py) are written with what caused them, in the same
transaction. This background task gives each row for the team its recipients (the staff
chat, or without one each staff member, plus the activity's hosts for news about an
activity), one row each in the reader's language, then sends every addressed row: claimed
before it is sent, settled after, never sent twice. The text is written at send time from
the database (bot/views/team_messages.py), so a person erased meanwhile is not named; a
message with nothing left to say is settled as ``void``.

It runs beside the delivery sender and is woken with it (``Senders``), so whatever wakes
the delivery sender after a promotion or an erasure wakes this one too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.core.i18n import Translator
from bot.db.signups import SignupStatus
from bot.db.team_messages import FOR_HOSTS, Address, TeamMessage, TeamMessageRepository
from bot.telegram.context import NaboApplication, Sender
from bot.telegram.ratelimit import background_sends
from bot.views import team_messages as views
from bot.work.delivery import _never_sent

log = logging.getLogger(__name__)

BATCH = 20
IDLE_WAIT = 5.0
STOP_GRACE = 5.0
# Telegram's words when an edit has nothing to do, or nothing to edit any more.
_NOTHING_TO_EDIT = ("not modified", "message to edit not found", "message can't be edited")


@dataclass
class TeamOutbox:
    """Sends the team's messages until stopped (one task per process)."""

    application: NaboApplication
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _stopping: bool = False
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background task."""
        self._task = asyncio.create_task(self._run(), name="nabo-team-outbox")

    def wake(self) -> None:
        """Look for new messages now instead of at the next idle check."""
        self._wake.set()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Finish the message in flight, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    @property
    def _repo(self) -> TeamMessageRepository:
        return self.application.bot_data.services.team_messages

    async def _run(self) -> None:
        # Nobody waits for these this second: replies to residents go first.
        with background_sends():
            await self._loop()

    async def _loop(self) -> None:
        recovered = await self._repo.recover(self.application.bot_data.clock.now())
        if recovered:
            log.warning("%d team message(s) were in flight at the last stop; uncertain", recovered)
        while not self._stopping:
            try:
                busy = await self.work_once()
            except Exception:
                log.exception("team outbox failed; retrying shortly")
                busy = False
            if not busy and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT)

    async def work_once(self) -> bool:
        """Address what is new and send one batch; return whether there was anything."""
        now = self.application.bot_data.clock.now()
        fresh = await self._repo.unaddressed(BATCH)
        for message in fresh:
            await self._repo.address(message, await self._recipients(message), now)
        batch = await self._repo.next_pending(BATCH)
        for message in batch:
            if self._stopping:
                break
            await self._deliver(message)
        return bool(fresh or batch)

    async def _recipients(self, message: TeamMessage) -> list[Address]:
        """Return who gets a message for the team: staff, and the activity's hosts."""
        bot_data = self.application.bot_data
        config, services = bot_data.config, bot_data.services
        to: list[Address] = []
        if config.staff_chat_id is not None:
            to.append(Address(None, config.default_language))
        else:
            for user_id in sorted(config.staff_user_ids):
                to.append(Address(user_id, await self._language(user_id, None)))
        if message.kind in FOR_HOSTS and message.activity_id is not None:
            for host in await services.hosts.hosts_of(message.activity_id):
                if host.user_id is not None and not config.is_staff(host.user_id):
                    to.append(
                        Address(host.user_id, await self._language(host.user_id, host.language))
                    )
        if not to:
            log.warning(
                "a team message (%s) has nobody to go to: no staff configured", message.kind
            )
        return to

    async def _language(self, user_id: int, fallback: str | None) -> str:
        """Return the language a staff member or host reads: their choice in Nabo first."""
        bot_data = self.application.bot_data
        resident = await bot_data.services.residents.get(user_id)
        chosen = resident.language if resident is not None else None
        return chosen or fallback or bot_data.config.default_language

    async def _deliver(self, message: TeamMessage) -> None:
        bot_data = self.application.bot_data
        clock = bot_data.clock
        if not await self._repo.claim(message.id, clock.now()):
            return
        chat_id = bot_data.config.staff_chat_id if message.chat_id is None else message.chat_id
        language = message.language
        if language is None and message.chat_id is not None:
            # Written without a reader's language (an edit of a staff member's own copy):
            # the one they read Nabo in now.
            language = await self._language(message.chat_id, None)
        tr = bot_data.services.catalogs.translator(language or bot_data.config.default_language)
        content = None if chat_id is None else await render(self.application, message, tr)
        if content is None:
            await self._repo.settle(message.id, "void", clock.now())
            return
        assert chat_id is not None
        text, keyboard = content
        bot = self.application.bot
        try:
            if message.message_id is not None:
                await bot.edit_message_text(
                    text, chat_id=chat_id, message_id=message.message_id, reply_markup=keyboard
                )
            else:
                await bot.send_message(chat_id, text, reply_markup=keyboard)
        except RetryAfter as error:
            await self._repo.settle(message.id, "pending", clock.now())
            wait = error.retry_after
            await asyncio.sleep(
                wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            )
        except Forbidden:
            await self._repo.settle(message.id, "failed", clock.now())
        except BadRequest as error:
            reason = error.message.lower()
            done = message.message_id is not None and any(
                word in reason for word in _NOTHING_TO_EDIT
            )
            await self._repo.settle(message.id, "sent" if done else "failed", clock.now())
            if not done:
                log.warning("a team message was refused: %s", error.message[:100])
        except NetworkError as error:
            if _never_sent(error):
                await self._repo.settle(message.id, "pending", clock.now())
                await asyncio.sleep(1.0)
            else:
                await self._repo.settle(message.id, "uncertain", clock.now())
        else:
            await self._repo.settle(message.id, "sent", clock.now())


async def render(
    application: NaboApplication, message: TeamMessage, tr: Translator
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """Write one team message as things stand now; None when there is nothing to say."""
    services = application.bot_data.services
    if message.kind in ("offer_erased", "offer_expired") and message.number is not None:
        return views.offer_gone_text(tr, message.kind, message.number), None
    if message.kind == "proposal" and message.number is not None:
        proposal = await services.hosts.proposal(message.number)
        if proposal is None or proposal.status != "pending":
            return None
        host = await services.hosts.get(proposal.host_id) if proposal.host_id else None
        return views.proposal_message(tr, proposal, host)
    if message.activity_id is None:
        return None
    activity = await services.activities.get(message.activity_id)
    if activity is None:
        return None
    if message.kind == "promoted" and message.signup_id is not None:
        signup = await services.signups.get(message.signup_id)
        if (
            signup is None
            or signup.person_id is None
            or signup.status is not SignupStatus.CONFIRMED
        ):
            return None
        person = await services.people.get(signup.person_id)
        if person is None or activity.status != "published":
            return None
        return views.promoted_text(tr, activity, signup, person), None
    people = await services.people.on_activity(activity.id)
    if not people:
        return None
    if message.kind == "cancelled":
        return views.cancelled_text(tr, activity, people), None
    if activity.status != "published":
        return None
    if message.kind == "changed":
        return views.changed_text(tr, activity, people), None
    if message.kind == "call_list":
        now = application.bot_data.clock.now()
        return (
            (views.call_list_text(tr, activity, people), None) if now < activity.starts_at else None
        )
    return None


@dataclass(frozen=True)
class Senders:
    """The delivery sender and the team's outbox, started, woken and stopped together."""

    senders: tuple[Sender, ...]

    def start(self) -> None:
        """Start each sender."""
        for sender in self.senders:
            sender.start()

    def wake(self) -> None:
        """Wake each sender."""
        for sender in self.senders:
            sender.wake()

    async def stop(self) -> None:
        """Stop each sender, letting it finish its message in flight."""
        for sender in self.senders:
            await sender.stop()

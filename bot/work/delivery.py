"""The delivery sender: works through pending deliveries under Telegram's limits.

One background task per process, with up to ``IN_FLIGHT`` messages on their way at once
(one at a time cannot keep up with Telegram's budget: every message waits for its
request and two database writes). Each delivery is claimed (pending → sending,
committed) before its message is sent and settled right after, so a crash leaves at
most the messages in flight as ``uncertain`` — never sent twice, never silently lost.

Its sends are background work (``bot.telegram.ratelimit``): replies to residents go
first, and the sender takes whatever of Telegram's budget they leave. ``BROADCAST_RATE``
below 30 caps it further, for a gentler pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from telegram import InlineKeyboardMarkup
from telegram.constants import FloodLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.core.i18n import Translator
from bot.db.activities import ActivityRepository
from bot.db.broadcasts import Broadcast, BroadcastRepository, Delivery
from bot.db.signups import SignupRepository, SignupStatus
from bot.db.store import is_busy
from bot.telegram.context import NaboApplication
from bot.telegram.ratelimit import background_sends, when_it_leaves
from bot.views.broadcast import (
    announcement_message,
    digest_message,
    message_keyboard,
    progress_text,
)
from bot.views.signup_news import promoted_message
from bot.work.digest import DIGEST_DAYS

log = logging.getLogger(__name__)

BATCH = 50
# Messages on their way at once: enough to use Telegram's whole budget while each waits
# for its request and its database writes; few, since a crash leaves these uncertain.
IN_FLIGHT = 4
IDLE_WAIT = 5.0  # seconds between looks at the database when there is nothing to send
PROGRESS_EVERY = 2.0  # seconds between edits of a staff member's progress message
DIGEST_MAX = 8
# How long a clean stop waits for the messages in flight. A send can hang far longer (the
# rate limiter honours Telegram's flood waits inside the request); the stop must not, since
# a service manager kills a process that takes more than about 10 s to stop.
STOP_GRACE = 5.0
# While the database is busy (a backup holding the lock), how long to wait between tries
# to record a delivery: each try already waits the store's busy timeout for the lock.
BUSY_RETRY_FIRST = 0.2
BUSY_RETRY_MAX = 5.0


@dataclass
class _InFlight:
    """One claimed delivery on its way, and whether its request has gone out yet."""

    delivery: Delivery
    # The batch's broadcasts, read once each: a broadcast's row does not change while sent.
    broadcasts: dict[int, Broadcast | None]
    attempted: bool = False

    def leaves(self) -> None:
        """Note that the request has gone to Telegram (it may arrive from now on)."""
        self.attempted = True


@dataclass
class DeliverySender:
    """Sends pending deliveries, at most ``rate`` messages per second, until stopped."""

    application: NaboApplication
    rate: float
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _stopping: bool = False
    _task: asyncio.Task[None] | None = None
    _last_progress: dict[int, float] = field(default_factory=dict)
    _next_at: float = 0.0  # when the next claim may start, below Telegram's own budget
    _was_running: bool = False

    def start(self) -> None:
        """Start the background task."""
        self._task = asyncio.create_task(self._run(), name="nabo-delivery-sender")

    def wake(self) -> None:
        """Look for new deliveries now instead of at the next idle check."""
        self._wake.set()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Finish the messages in flight, then stop (for a clean shutdown).

        A send still waiting after ``grace`` seconds is cancelled and its delivery recorded
        as the rules say (pending if the request never left, else uncertain).
        """
        self._stopping = True
        self._stop.set()
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            log.warning("the messages in flight took over %.0f s; stopping without them", grace)
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def _halting(self) -> bool:
        """Tell whether to claim nothing more: told to stop, or the bot began to stop.

        A SIGTERM stops the updater and the application before ``stop`` is called (in
        post_stop); the sends of those moments would be new ones after the signal.
        """
        application = self.application
        updater = application.updater
        running = application.running and (updater is None or updater.running)
        self._was_running = self._was_running or running
        return self._stopping or (self._was_running and not running)

    @property
    def _repo(self) -> BroadcastRepository:
        return self.application.bot_data.services.broadcasts

    async def _run(self) -> None:
        # Everything this task sends (and the tasks it starts) is background work.
        with background_sends():
            await self._loop()

    async def _loop(self) -> None:
        bot_data = self.application.bot_data
        recovered = await self._repo.recover(bot_data.clock.now())
        if recovered:
            log.warning(
                "%d deliveries were in flight at the last stop; marked uncertain", recovered
            )
        while not self._stopping:
            if self._halting():
                await self._stop.wait()  # the bot is stopping: stop() comes next
                continue
            try:
                sent_any = await self._send_batch()
                await self._finish()
            except Exception:
                log.exception("delivery sender failed; retrying shortly")
                sent_any = False
            if not sent_any and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT)

    async def _send_batch(self) -> bool:
        """Send the next pending deliveries, up to IN_FLIGHT at once; False if there were none."""
        batch = await self._repo.next_pending(BATCH)
        broadcasts: dict[int, Broadcast | None] = {}
        gate = asyncio.Semaphore(IN_FLIGHT)
        async with asyncio.TaskGroup() as group:
            for delivery in batch:
                await gate.acquire()
                if self._halting():
                    gate.release()
                    break
                await self._pace()
                group.create_task(self._one(_InFlight(delivery, broadcasts), gate))
        return bool(batch)

    async def _pace(self) -> None:
        """Keep to BROADCAST_RATE when it is below Telegram's budget (the limiter keeps that)."""
        if self.rate >= FloodLimit.MESSAGES_PER_SECOND:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._next_at = max(self._next_at, now)
        wait, self._next_at = self._next_at - now, self._next_at + 1.0 / self.rate
        await self._pause(wait)

    async def _one(self, flight: _InFlight, gate: asyncio.Semaphore) -> None:
        """Deliver one; an unexpected error is logged and leaves the others alone."""
        try:
            await self._deliver(flight)
            await self._maybe_progress(flight.delivery.broadcast_id)
        except Exception:
            log.exception("a delivery failed unexpectedly")
        finally:
            gate.release()

    async def _deliver(self, flight: _InFlight) -> None:
        clock = self.application.bot_data.clock
        delivery = flight.delivery
        if not await self._repo.claim(delivery.id, clock.now()):
            return
        try:
            await self._send(flight)
        except asyncio.CancelledError:
            # A stop that could not wait any longer: record where the send stood.
            if flight.attempted:
                await self._repo.settle(delivery.id, "uncertain", clock.now(), "stopped")
            else:
                await self._repo.settle(delivery.id, "pending", clock.now())
            raise
        except Exception as error:
            if is_busy(error) and not flight.attempted:
                # The database was busy before anything was sent: try again later, it is
                # not the delivery's fault.
                await self._record(delivery.id, "pending")
                log.warning("database busy before a delivery; it stays pending")
                await self._pause(1.0)
                return
            # Never leave a row in 'sending' (the broadcast would never finish): before
            # the send it failed; after, nobody can say whether it arrived.
            status = "uncertain" if flight.attempted else "failed"
            await self._record(delivery.id, status, "unexpected error")
            raise

    async def _send(self, flight: _InFlight) -> None:
        """Send one claimed delivery and record the outcome."""
        bot_data = self.application.bot_data
        clock = bot_data.clock
        delivery = flight.delivery
        if delivery.broadcast_id not in flight.broadcasts:
            flight.broadcasts[delivery.broadcast_id] = await self._repo.get(delivery.broadcast_id)
        broadcast = flight.broadcasts[delivery.broadcast_id]
        assert broadcast is not None
        tr = bot_data.services.catalogs.translator(delivery.language)
        content = await render(
            broadcast,
            delivery,
            tr,
            bot_data.services.activities,
            clock.now(),
            bot_data.services.signups,
        )
        if content is None:
            await self._record(delivery.id, "failed", "nothing to send")
            return
        text, keyboard = content
        if self._halting():
            # Claimed, but its request has not left: back to pending for the next start.
            await self._record(delivery.id, "pending")
            return
        try:
            # Attempted once the request leaves, not while it waits for its turn.
            with when_it_leaves(flight.leaves):
                await self.application.bot.send_message(
                    delivery.chat_id, text, reply_markup=keyboard
                )
        except RetryAfter as error:
            # Not delivered: put it back and let Telegram's flood wait pass for everyone.
            await self._record(delivery.id, "pending")
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            log.warning("flood limit during a broadcast; waiting %.0f s", seconds)
            await self._pause(seconds)
        except Forbidden:
            await self._record(delivery.id, "blocked", "forbidden")
            await self._mark_blocked(delivery)
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                await self._record(delivery.id, "blocked", "chat not found")
                await self._mark_blocked(delivery)
            else:
                # Permanent: retrying the same request would fail the same way.
                await self._record(delivery.id, "failed", error.message[:200])
        except NetworkError as error:  # TimedOut included
            if _never_sent(error):
                # The connection was never made: safe to try again later.
                await self._record(delivery.id, "pending")
                log.warning("could not connect during a broadcast; retrying")
                await self._pause(1.0)
            else:
                # The request may have reached Telegram: never risk sending it twice.
                await self._record(delivery.id, "uncertain", "no answer")
        else:
            await self._record(delivery.id, "sent")

    async def _record(self, delivery_id: int, status: str, error: str | None = None) -> None:
        """Record how a delivery stands; while the database is busy, keep trying.

        A message that went out must be recorded as sent as soon as the database answers,
        not left in 'sending' (and then called uncertain) until the next restart.
        """
        clock = self.application.bot_data.clock
        await self._until_answered(
            lambda: self._repo.settle(delivery_id, status, clock.now(), error)
        )

    async def _mark_blocked(self, delivery: Delivery) -> None:
        """Remember that the recipient blocked Nabo (no more broadcasts to them)."""
        user_id = delivery.user_id
        if user_id is not None:
            residents = self.application.bot_data.services.residents
            await self._until_answered(lambda: residents.set_blocked(user_id, True))

    async def _until_answered(self, write: Callable[[], Awaitable[object]]) -> None:
        """Run a write, trying again for as long as SQLite reports a lock (not other errors)."""
        wait = BUSY_RETRY_FIRST
        while True:
            try:
                await write()
            except Exception as error:
                if not is_busy(error):
                    raise
            else:
                return
            log.warning("database busy while recording a delivery; trying again")
            await asyncio.sleep(wait)
            wait = min(wait * 2, BUSY_RETRY_MAX)

    async def _pause(self, seconds: float) -> None:
        """Wait, but wake at once when asked to stop (a shutdown must not wait a flood out)."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)

    async def _finish(self) -> None:
        for broadcast_id in await self._repo.finish_completed(
            self.application.bot_data.clock.now()
        ):
            await self._report(broadcast_id, final=True)
            log.info("broadcast %s finished", broadcast_id)

    async def _maybe_progress(self, broadcast_id: int) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._last_progress.get(broadcast_id, 0.0) >= PROGRESS_EVERY:
            self._last_progress[broadcast_id] = now
            await self._report(broadcast_id, final=False)

    async def _report(self, broadcast_id: int, *, final: bool) -> None:
        """Update the staff member's progress message; the final tally arrives once.

        It replaces the progress message when there is one (staff sent it now and
        watch it), else it comes as a new message (an announcement, a scheduled one).
        """
        broadcast = await self._repo.get(broadcast_id)
        if broadcast is None or broadcast.progress_chat_id is None:
            return
        bot_data = self.application.bot_data
        language = bot_data.config.default_language
        if broadcast.staff_user_id is not None:
            resident = await bot_data.services.residents.get(broadcast.staff_user_id)
            language = (resident.language if resident else None) or language
        tr = bot_data.services.catalogs.translator(language)
        text = progress_text(tr, await self._repo.counts(broadcast_id), final=final)
        bot = self.application.bot
        try:
            if broadcast.progress_message_id is None:
                if final:
                    await bot.send_message(broadcast.progress_chat_id, text)
                return
            try:
                await bot.edit_message_text(
                    text, broadcast.progress_chat_id, broadcast.progress_message_id
                )
            except BadRequest as error:
                if not final or "not modified" in error.message.lower():
                    raise
                # The progress message is gone (deleted by staff): the tally still comes.
                await bot.send_message(broadcast.progress_chat_id, text)
        except (BadRequest, Forbidden, NetworkError) as error:
            # Progress is a courtesy; a failed edit must never stop the broadcast.
            log.info("could not update broadcast progress: %s", type(error).__name__)


def _never_sent(error: BaseException) -> bool:
    """Tell whether a network error happened before the request could leave the machine."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


async def render(
    broadcast: Broadcast,
    delivery: Delivery,
    tr: Translator,
    activities: ActivityRepository,
    now: datetime,
    signups: SignupRepository,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Build one recipient's message (text exactly as staff typed it, never markup)."""
    if broadcast.kind == "message":
        return broadcast.text(tr.language), message_keyboard(tr, broadcast.activity_id)
    if broadcast.kind == "announcement" and broadcast.activity_id is not None:
        activity = await activities.get(broadcast.activity_id)
        if activity is None or activity.status != "published":
            return None
        listing = await activities.listing(activity.id, 0)
        assert listing is not None
        return announcement_message(tr, listing)
    if broadcast.kind == "promotion" and broadcast.activity_id is not None:
        # Said as it stands now: nothing if they cancelled, or the activity was, meanwhile.
        activity = await activities.get(broadcast.activity_id)
        if activity is None or activity.status != "published" or delivery.user_id is None:
            return None
        signup = await signups.active_for(activity.id, delivery.user_id)
        if signup is None or signup.status is not SignupStatus.CONFIRMED:
            return None
        return promoted_message(tr, activity, signup)
    if broadcast.kind == "digest" and delivery.user_id is not None:
        coming = await activities.matching_interests(
            delivery.user_id, now, now + timedelta(days=DIGEST_DAYS), limit=DIGEST_MAX
        )
        return digest_message(tr, coming) if coming else None
    return None

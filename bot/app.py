"""The composition root: builds Nabo's Application from a Config and registers handlers.

Nothing here runs at import time. ``build_application`` wires things together;
services (the database, catalogs) are opened in ``post_init`` and closed in
``post_shutdown``, so the same code serves ``python -m bot``, the tests and the sandbox.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TypedDict

import httpx
from telegram import LinkPreviewOptions, Update
from telegram.ext import (
    ApplicationBuilder,
    ContextTypes,
    ConversationHandler,
    Defaults,
    JobQueue,
    TypeHandler,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.core.clock import Clock
from bot.core.config import Config, webhook_path
from bot.core.i18n import Catalogs
from bot.db.activities import ActivityRepository
from bot.db.audit import AuditLog
from bot.db.broadcasts import BroadcastRepository
from bot.db.checkins import CheckInRepository
from bot.db.feedback import FeedbackRepository
from bot.db.hosts import HostRepository
from bot.db.people import PeopleRepository
from bot.db.processed_updates import ProcessedUpdates
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.sources import SourceRepository
from bot.db.store import Store
from bot.db.team_messages import TeamMessageRepository
from bot.db.translations import TranslationRepository
from bot.db.volunteers import VolunteerRepository
from bot.telegram.client import NaboBot
from bot.telegram.commands import RESIDENT_COMMANDS, set_command_menus
from bot.telegram.context import BotData, NaboApplication, NaboContext, Services
from bot.telegram.errors import handle_error
from bot.telegram.flood import FloodGuard
from bot.telegram.guards import drop_repeated_update, throttle_floods
from bot.telegram.ratelimit import PriorityRateLimiter
from bot.telegram.roles import HostCallbackQueryHandler, set_host_command_menu
from bot.telegram.session import load_resident
from bot.telegram.staff import set_staff_command_menus
from bot.telegram.updates import PerChatUpdateProcessor
from bot.work.call_lists import start_call_list_sync
from bot.work.delivery import DeliverySender
from bot.work.digest import start_digest_job
from bot.work.reminders import start_job_sync
from bot.work.retention import start_retention_job
from bot.work.team_outbox import Senders, TeamOutbox
from handlers import (
    activities,
    broadcast,
    door,
    fallback,
    feedback,
    help,
    host,
    host_invitations,
    host_message,
    host_proposals,
    host_welcome,
    join,
    language,
    membership,
    on_behalf,
    organiser,
    person,
    privacy,
    privacy_paper,
    settings,
    signup,
    staff,
    staff_activity_editor,
    staff_attendance,
    staff_cancel_activity,
    staff_posters,
    staff_reports,
    staff_roster,
    staff_volunteers,
    start,
    translation,
    volunteer,
    volunteer_withdraw,
)

log = logging.getLogger(__name__)

# Idle connections to Telegram kept open for the next requests. httpcore checks every
# kept connection (a system call or two each) whenever a request starts or ends, so the
# dozens a burst of presses opens would make each request after it cost twice the CPU;
# beyond these, a connection is closed as it falls idle. Enough for the delivery
# sender's sends in flight and the replies beside them, without a new TLS handshake.
KEEP_ALIVE_CONNECTIONS = 8
# Requests to Telegram on their way at once: many, so no reply waits for a connection.
MAX_CONNECTIONS = 256

# Handler groups: lower numbers run first; within a group the first match wins.
GROUP_REPEATS = -3  # an update Telegram delivered again is dropped
GROUP_FLOOD = -2  # a resident sending too fast is paused, told once
GROUP_SESSION = -1  # who is this, which language; drops group chats
GROUP_JOURNEYS = 0  # every user journey, then the fallback


def build_application(config: Config, clock: Clock | None = None) -> NaboApplication:
    """Build the Application for ``config``; connects to nothing until it is started."""
    if not config.bot_token:
        raise ValueError("build_application needs a bot token")
    # Conversations here mix buttons and typed answers per person on purpose
    # (per_message=False); PTB's warning about that would only alarm staff reading logs.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    context_types = ContextTypes(context=NaboContext, bot_data=BotData)
    # The builder would make this same JobQueue; made here, its type says that its jobs
    # get NaboContexts (the builder's types do not follow context_types for it).
    job_queue: JobQueue[NaboContext] = JobQueue()
    nabo_bot = NaboBot(
        token=config.bot_token,
        base_url=config.telegram_base_url,
        defaults=Defaults(
            tzinfo=config.timezone,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        # At most 30 messages/s overall (Telegram's limit), replies to residents before
        # broadcasts; up to two retries after a 429.
        rate_limiter=PriorityRateLimiter(max_retries=2),
        # Many requests in flight at once, few connections kept idle; one for the long poll.
        request=HTTPXRequest(
            connection_pool_size=MAX_CONNECTIONS,
            httpx_kwargs={
                "limits": httpx.Limits(
                    max_connections=MAX_CONNECTIONS,
                    max_keepalive_connections=KEEP_ALIVE_CONNECTIONS,
                )
            },
        ),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
    )
    processor = PerChatUpdateProcessor()
    application = (
        ApplicationBuilder()
        .bot(nabo_bot)
        .context_types(context_types)
        .job_queue(job_queue)
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    bot_data: BotData = application.bot_data
    bot_data.config = config
    bot_data.clock = clock or Clock()
    bot_data.flood = FloodGuard(
        config.flood_limit,
        config.flood_window.total_seconds(),
        press_limit=config.flood_press_limit,
    )
    _register_handlers(application)
    # A press a journey will take is answered as soon as it arrives (no text; the outcome
    # goes in the message), before it waits for its chat's turn or a slot.
    processor.answer_at_once = lambda update: _taken_by_a_journey(application, update)
    return application


def _taken_by_a_journey(application: NaboApplication, update: Update) -> bool:
    """Tell whether a journey's handler (not the fallback) would take this update now.

    A host's button is not: whether its presser hosts the activity is read from the
    database in its turn (bot/telegram/roles.py), and a refused press must get the very
    answer a forged button gets, text included, so it is answered then.
    """
    for handler in application.handlers.get(GROUP_JOURNEYS, ()):
        check = handler.check_update(update)
        if check is None or check is False:
            continue
        taker = handler
        if isinstance(handler, ConversationHandler) and isinstance(check, tuple):
            taker = check[2]  # (state, key, the handler that takes it, its check)
        if isinstance(taker, HostCallbackQueryHandler):
            return False
        return getattr(handler, "callback", None) is not fallback.unknown_button
    return False


def _register_handlers(application: NaboApplication) -> None:
    # 0. Before anything else: drop repeated updates, then pause anyone flooding Nabo
    #    (after the repeat check, so a redelivered update does not count twice).
    application.add_handler(TypeHandler(Update, drop_repeated_update), group=GROUP_REPEATS)
    application.add_handler(TypeHandler(Update, throttle_floods), group=GROUP_FLOOD)
    # 1. Load the resident and their language, drop group chatter.
    application.add_handler(TypeHandler(Update, load_resident), group=GROUP_SESSION)
    # 2. The bot's own membership: blocked/unblocked, added to a group.
    membership.register(application)
    # 3. Getting started: links that open a journey (/start host-…, join-…), before the plain
    #    /start; then /start, consent, the main menu.
    host_welcome.register(application)
    join.register(application)
    start.register(application)
    # 4. Activities: find them, then sign up, cancel, /mine.
    activities.register(application)
    signup.register(application)
    # Checking in at the door without a sign-up (the door code itself comes to /start).
    door.register(application)
    # Staff and activities, in this order (the editor's conversation before the buttons,
    # as when these were one module):
    # describe a new activity or type a new value for one (/newactivity, st:n:…, st:ef:…);
    staff_activity_editor.register(application)
    # the list (/signups), the staff view of one activity and its edit menu;
    staff_roster.register(application)
    # cancelling an activity, after a confirmation;
    staff_cancel_activity.register(application)
    # attendance and walk-ins;
    staff_attendance.register(application)
    # who runs it (the team, an afdelingsbestyrelse, a partner);
    organiser.register(application)
    # signing up someone without Telegram (staff, or the activity's host), and the privacy
    # notice to print for them;
    on_behalf.register(application)
    privacy_paper.register(application)
    # hosts: staff invite, list and remove them; a host's menu, rosters and attendance.
    host_invitations.register(application)
    host.register(application)
    # a host's message to their participants, and their proposal for a new activity.
    host_message.register(application)
    host_proposals.register(application)
    # 5. Settings: themes, areas, announcements on or off.
    settings.register(application)
    # 6. Staff: the menu and broadcasts (activities and attendance are registered above).
    staff.register(application)
    broadcast.register(application)
    # Staff review: /export (the workbook of everything) and /report (per delaftale/area).
    staff_reports.register(application)
    # Data requests by phone or at the desk: find a person, check who asks, show or erase.
    person.register(application)
    # Posters and flyers with QR codes (/poster), and where links go up (/sources).
    staff_posters.register(application)
    # 7. Language, help and privacy.
    language.register(application)
    help.register(application)
    privacy.register(application)
    # 8. Volunteers: offers of help; staff's status buttons, /volunteers, writing to them.
    volunteer.register(application)
    volunteer_withdraw.register(application)
    staff_volunteers.register(application)
    # Translations by volunteers: taking and writing a task; staff using, changing or
    # refusing it (asked for from broadcasts and the activity editor).
    translation.register(application)
    # 9. Feedback: /feedback, and the question after an activity.
    feedback.register(application)
    # 10. Last: whatever nobody else claimed gets a friendly way back to the menu.
    fallback.register(application)
    # Errors: log, apologise in the resident's language, report to staff.
    application.add_error_handler(handle_error)


async def _post_init(application: NaboApplication) -> None:
    """Open the services: catalogs, database, repositories; set the command menus."""
    bot_data: BotData = application.bot_data
    config = bot_data.config
    store = await Store.open(
        config.database_path,
        busy_timeout_ms=int(config.database_busy_timeout.total_seconds() * 1000),
    )
    # Handed over at once, so that post_shutdown closes the store whatever fails next.
    bot_data.open(
        Services(
            catalogs=Catalogs(config.timezone),
            store=store,
            processed_updates=ProcessedUpdates(store, bot_data.clock),
            residents=ResidentRepository(store, config.default_language),
            activities=ActivityRepository(store),
            signups=SignupRepository(store, config.default_language),
            broadcasts=BroadcastRepository(store, config.default_language),
            audit=AuditLog(store),
            volunteers=VolunteerRepository(store),
            feedback=FeedbackRepository(store),
            sources=SourceRepository(store),
            checkins=CheckInRepository(store),
            translations=TranslationRepository(store),
            people=PeopleRepository(store, config.default_language),
            hosts=HostRepository(store),
            team_messages=TeamMessageRepository(store),
            # They read the services when they start, below: the delivery sender, and the
            # team's outbox (messages to staff and hosts), woken together.
            sender=Senders(
                (DeliverySender(application, config.broadcast_rate), TeamOutbox(application))
            ),
        )
    )
    services = bot_data.services
    await set_command_menus(application.bot, services.catalogs, config.default_language)
    await set_staff_command_menus(
        application.bot,
        services.catalogs,
        await _staff_languages(bot_data),
        RESIDENT_COMMANDS,
        config.default_language,
    )
    # Hosts get /host in their own command list (bot/telegram/roles.py).
    hosts = {host.user_id: host.language for host in await services.hosts.current()}
    for user_id, noted in hosts.items():
        if user_id is not None and not config.is_staff(user_id):
            resident = await services.residents.get(user_id)
            await set_host_command_menu(
                application.bot,
                services.catalogs,
                user_id,
                (resident.language if resident else None) or noted,
                config.default_language,
            )
    # The database is the source of truth: reminder, broadcast and feedback jobs are
    # rebuilt from it now and every few minutes after.
    start_job_sync(application)
    start_digest_job(application)
    # The day-before call lists of participants without Telegram (bot/work/call_lists.py).
    start_call_list_sync(application)
    # Retention: erase what has expired, daily and once now (bot/work/retention.py).
    start_retention_job(application)
    # The sender works through deliveries left pending, also those from before a restart.
    services.sender.start()
    log.info("Nabo started: %r", config)


async def _staff_languages(bot_data: BotData) -> dict[int, str | None]:
    """Return the language each staff member chose in Nabo (None if they did not).

    Every staff member is tried, whether or not Nabo stores anything about them: one
    who pressed Start without accepting the residents' notice has a chat all the same.
    Telegram refuses a list for a chat that does not exist yet; that staff member
    gets theirs when they press Start.
    """
    languages: dict[int, str | None] = {}
    for user_id in sorted(bot_data.config.staff_user_ids):
        resident = await bot_data.services.residents.get(user_id)
        languages[user_id] = resident.language if resident is not None else None
    return languages


async def _post_stop(application: NaboApplication) -> None:
    """Let the sender finish the message in flight while the bot can still send."""
    if application.bot_data.is_open:
        await application.bot_data.services.sender.stop()


async def _post_shutdown(application: NaboApplication) -> None:
    """Close the database."""
    if application.bot_data.is_open:
        services = application.bot_data.services
        await services.processed_updates.close()
        await services.store.close()
    log.info("Nabo stopped")


@asynccontextmanager
async def running(
    application: NaboApplication,
    *,
    poll_timeout: float = 10,
) -> AsyncIterator[NaboApplication]:
    """Run the application (long polling, or its webhook server) inside an existing loop.

    ``Application.run_polling``/``run_webhook`` own the event loop; the tests and the
    sandbox run beside a local Bot API server in the same loop, so they use this instead.
    It goes through the same life cycle, post_init and post_shutdown included.
    """
    config: Config = application.bot_data.config
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        if config.webhook_url:
            await application.updater.start_webhook(**webhook_arguments(config))
        else:
            await application.updater.start_polling(
                poll_interval=0.0,
                timeout=int(poll_timeout),
                allowed_updates=Update.ALL_TYPES,
            )
        await application.start()
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
    finally:
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()


class WebhookArguments(TypedDict):
    """What ``start_webhook`` and ``run_webhook`` are given, with the types they take."""

    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str | None
    allowed_updates: Sequence[str]


def webhook_arguments(config: Config) -> WebhookArguments:
    """Return the arguments for PTB's webhook server, from the configuration."""
    assert config.webhook_url is not None
    return {
        "listen": config.webhook_listen,
        "port": config.webhook_port,
        "url_path": webhook_path(config.webhook_url),
        # Registered with Telegram (setWebhook) at start; updates then come to this URL.
        "webhook_url": config.webhook_url,
        # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; PTB answers 403 to any
        # request without it, before the update reaches a handler.
        "secret_token": config.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def run(config: Config) -> None:
    """Run Nabo against Telegram until SIGINT/SIGTERM: webhook if configured, else polling."""
    application = build_application(config)
    # Both stop on SIGINT, SIGTERM and SIGABRT, then run the updater's and the
    # application's stop, post_stop (the sender finishes its message) and post_shutdown.
    if config.webhook_url:
        application.run_webhook(**webhook_arguments(config))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)

"""Retention: a daily job that erases what Nabo no longer needs to keep.

- Residents who have not used Nabo for ``RETENTION_DAYS`` are erased as by /deleteme,
  after a warning ``RETENTION_WARNING`` (14 days) before; any interaction in between
  cancels it (bot/telegram/session.py records interactions).
- Sign-ups lose their link to the resident ``SIGNUP_RETENTION_DAYS`` after the activity.
- Offers of help withdrawn or marked "not now" a year ago are deleted.
- What lies beyond the chat (people signed up on their behalf, hosts, invitations,
  proposals, the team's messages) has its own rules: bot/work/people_retention.py.
- Who was asked for a translation is forgotten 30 days after staff decided; a
  translation staff never decided is cancelled 90 days after it was needed, and what the
  volunteer wrote for it goes.

Counts (activities, party sizes, status, attendance) are never deleted, and what the
report counts of deleted rows stays as anonymous remains (bot/db/remains.py), so the staff's
reports add up the same before and after (only distinct participants cannot). The job
is scheduled at start-up like every job, and also runs once right then, so a bot
restarted every night still purges.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.core.config import RETENTION_WARNING
from bot.core.i18n import Translator
from bot.db.residents import Resident
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import forget_conversations
from bot.telegram.team import Render, StaffPosts, Team
from bot.telegram.tell import Told, tell_resident
from bot.views.menu import back_to_menu_keyboard
from bot.work.erasure import after_erasure
from bot.work.jobs import BackgroundJob, job_queue_of
from bot.work.people_retention import run_people_retention

log = logging.getLogger(__name__)

RETENTION_JOB = "retention:daily"
RETENTION_START_JOB = "retention:start-up"
# Local time of the daily run: the warnings it sends should not wake anyone.
RETENTION_TIME = time(10, 0)
INACTIVE_OFFER_RETENTION = timedelta(days=365)
# Residents erased per transaction: set-based, and short enough not to hold up residents'
# own writes for long.
ERASE_AT_ONCE = 500
# Warned residents recorded per transaction: a crash re-warns at most these few tomorrow.
WARNED_AT_ONCE = 50
TRANSLATION_ASKS_RETENTION = timedelta(days=30)
UNDECIDED_TRANSLATION_RETENTION = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run did, for the log and the tests."""

    warned: int
    erased: int
    signups_unlinked: int
    offers_deleted: int
    translation_asks_forgotten: int = 0
    translations_expired: int = 0


def start_retention_job(application: NaboApplication) -> None:
    """Schedule the daily run, and one now."""
    job_queue = job_queue_of(application)
    config = application.bot_data.config
    job_queue.run_daily(
        BackgroundJob(_retention_job),
        time=RETENTION_TIME.replace(tzinfo=config.timezone),
        name=RETENTION_JOB,
    )
    job_queue.run_once(BackgroundJob(_retention_job), when=0, name=RETENTION_START_JOB)


async def _retention_job(context: NaboContext) -> None:
    """Run retention (JobQueue callback)."""
    await run_retention(context.application)


def warning_text(tr: Translator, erase_on: datetime) -> str:
    """Return the warning sent before a resident's data is erased for inactivity."""
    return tr.gettext(
        "👋 You have not used Nabo for a long time. To protect your data, Nabo will "
        "delete everything about you on {date}.\n"
        "\n"
        "Do you want to keep using Nabo? Just tap the button or send any message."
    ).format(date=tr.date(erase_on))


async def run_retention(application: NaboApplication) -> RetentionReport:
    """Erase, warn and unlink whatever has expired now; nothing else."""
    bot_data = application.bot_data
    config = bot_data.config
    now = bot_data.clock.now()
    inactive_since = now - timedelta(days=config.retention_days)
    erased = await _erase_inactive(application, inactive_since, now)
    warned = 0
    told: list[int] = []
    residents = bot_data.services.residents
    warn_since = inactive_since + RETENTION_WARNING
    for resident in await residents.due_for_warning(warn_since):
        if await _warn(application, resident, now):
            told.append(resident.user_id)
            warned += 1
        if len(told) >= WARNED_AT_ONCE:
            await residents.mark_all_warned(told, now, inactive_since=warn_since)
            told = []
    if told:
        await residents.mark_all_warned(told, now, inactive_since=warn_since)
    unlinked = await bot_data.services.signups.unlink_ended_before(
        now - timedelta(days=config.signup_retention_days)
    )
    offers = await bot_data.services.volunteers.delete_inactive(now - INACTIVE_OFFER_RETENTION)
    team = Team.of(application)
    for offer in offers:
        await team.edit(
            StaffPosts(offer.staff_message_id, offer.staff_copies),
            _deleted_render(offer.id),
        )
    await run_people_retention(application, now)
    asks, expired = await bot_data.services.translations.expire(
        now, TRANSLATION_ASKS_RETENTION, UNDECIDED_TRANSLATION_RETENTION
    )
    report = RetentionReport(warned, erased, unlinked, len(offers), asks, expired)
    if any((warned, erased, unlinked, offers, asks, expired)):
        log.info(
            "retention: %d warned, %d erased, %d sign-ups unlinked, %d offers deleted,"
            " %d translation asks forgotten, %d undecided translations cancelled",
            warned,
            erased,
            unlinked,
            len(offers),
            asks,
            expired,
        )
    return report


def _deleted_render(number: int) -> Render:
    """Say, on a post about an offer of help, that the offer was deleted for inactivity."""

    def render(tr: Translator) -> tuple[str, None]:
        return tr.gettext(
            "🙋 Offer of help #{number} was deleted: it had been inactive for a year."
        ).format(number=tr.ltr(number)), None

    return render


async def _erase_inactive(
    application: NaboApplication, inactive_since: datetime, now: datetime
) -> int:
    """Erase every resident unseen since then and warned long enough ago; return how many.

    Set-based, ERASE_AT_ONCE in a transaction; then, as after /deleteme, their
    conversations end, the staff's posts about their offers lose their details and
    those who moved up on a waitlist are told (both written with the erasure, sent by
    the senders), former hosts lose /host, and translations they held go back.
    """
    bot_data = application.bot_data
    erased = 0
    while True:
        batch = await bot_data.services.residents.forget_inactive(
            inactive_since, now - RETENTION_WARNING, now, ERASE_AT_ONCE
        )
        for user_id, chat_id in batch.residents:
            forget_conversations(application, user_id, chat_id)
        if batch.residents:
            await after_erasure(application, batch.hosts, batch.reopened)
        erased += len(batch.residents)
        if len(batch.residents) < ERASE_AT_ONCE:
            return erased


async def _warn(application: NaboApplication, resident: Resident, now: datetime) -> bool:
    """Warn one resident; return False if it should be tried again tomorrow.

    One who cannot be reached, or never agreed to hear from Nabo (they only picked a
    language), counts as warned without a message.
    """
    bot_data = application.bot_data
    if not resident.blocked and resident.consented_at is not None:
        tr = bot_data.services.catalogs.translator(
            resident.language or bot_data.config.default_language
        )
        told = await tell_resident(
            application.bot,
            bot_data.services.residents,
            resident.user_id,
            resident.chat_id,
            warning_text(tr, now + RETENTION_WARNING),
            back_to_menu_keyboard(tr),
        )
        if told is Told.RETRY:
            return False  # a passing problem: tomorrow's run tries again
    # Told, or blocked, refused for good or never consented: no message, but the clock
    # starts (the caller records it, a few at a time).
    return True

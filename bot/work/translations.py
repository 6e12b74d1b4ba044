"""Translations by volunteers, around the journey: asking them, the clock, using the text.

Staff ask for a text in Arabic or English (handlers/broadcast.py, the activity editor);
Nabo asks every volunteer who translates from Danish into that language, in their own
language, and the first to press "I'll take it" gets it (handlers/translation.py). A task
taken and not sent within ``CLAIM_TIME`` goes back to the others; at the time it is
needed by, staff are told if nothing came and choose to wait, use the Danish, or write it.
Only staff's decision puts a text where residents read it.

The database is the source of truth: the jobs that give a task back and that tell staff
are rebuilt from it with stable names at start-up and every few minutes (with the other
jobs), and volunteers who became translators since are asked then too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.core.i18n import Translator
from bot.db.translations import CLAIMED, DELIVERED, OPEN, TranslationRequest
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.team import Team
from bot.telegram.tell import Telling, Told, send_to_resident
from bot.views.activity import MAX_MESSAGE
from bot.views.activity_draft import DESCRIPTION_LIMIT, TITLE_LIMIT
from bot.views.broadcast import preview_parts
from bot.views.staff_texts import pack_messages
from bot.views.translation import (
    announced_text,
    ask_heading,
    ask_keyboard,
    asked_text,
    choices_keyboard,
    draft_ready_keyboard,
    no_longer_needed,
    overdue_text,
    released_text,
    source_text,
    subject_text,
    taken_by_another,
)
from bot.work.broadcasting import start_broadcast
from bot.work.jobs import job_queue_of, reconcile_jobs

log = logging.getLogger(__name__)

# How long a volunteer may hold a task without sending it before it goes back.
CLAIM_TIME = timedelta(hours=2)
# How much longer volunteers get when staff choose to wait.
WAIT_MORE = timedelta(days=1)
JOB_PREFIX = "translation:"


def part_limit(request: TranslationRequest, part: str) -> int:
    """Return how long a part of the translation may be: as long as staff's own text."""
    if part == "title":
        return TITLE_LIMIT
    return DESCRIPTION_LIMIT if request.activity_id is not None else MAX_MESSAGE


def _translator(application: NaboApplication, language: str | None) -> Translator:
    catalogs = application.bot_data.services.catalogs
    return catalogs.translator(language or application.bot_data.config.default_language)


async def send_parts(
    application: NaboApplication,
    chat_id: int,
    parts: list[str],
    keyboard: InlineKeyboardMarkup | None,
    *,
    user_id: int | None = None,
) -> Telling:
    """Send parts in as few messages as fit, the buttons under the last; say how it went.

    Each message as ``send_to_resident`` sends it: a resident (``user_id``) who has blocked
    Nabo is marked so. The id is the last message's, once every message went.
    """
    bot, residents = application.bot, application.bot_data.services.residents
    *before, last = pack_messages([[part] for part in parts if part], MAX_MESSAGE)
    for text in before:
        telling = await send_to_resident(bot, residents, user_id, chat_id, text)
        if telling.told is not Told.SENT:
            return telling
    return await send_to_resident(bot, residents, user_id, chat_id, last, keyboard)


async def _edit(
    application: NaboApplication,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    try:
        await application.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard
        )
    except TelegramError as error:
        log.warning("could not update a translation message: %s", type(error).__name__)


async def _reader_of(application: NaboApplication, user_id: int) -> Translator:
    resident = await application.bot_data.services.residents.get(user_id)
    return _translator(application, resident.language if resident else None)


def _ask_message(tr: Translator, request: TranslationRequest) -> list[str]:
    """Write the ask as sent: heading and Danish together, or on in more messages if too long.

    The button goes under the last, which is the one changed later (taken, open again).
    """
    return pack_messages([[ask_heading(tr, request)], [source_text(tr, request)]], MAX_MESSAGE)


# ---------------------------------------------------------------- asking


async def ask_translators(application: NaboApplication, request_id: int) -> int:
    """Ask every translator into the request's language not asked yet; return how many are."""
    services = application.bot_data.services
    repo = services.translations
    request = await repo.get(request_id)
    if request is None or request.status != OPEN:
        return 0
    done = {ask.user_id for ask in await repo.asks(request_id)}
    staff = application.bot_data.config.staff_user_ids
    for volunteer in await services.volunteers.translators(request.language):
        if volunteer.user_id in done or volunteer.user_id in staff:
            continue
        # Written down before it goes: another round at the same time (the rebuild's,
        # staff's "wait one more day") skips them, and so does one after Nabo stopped
        # with the ask on its way.
        if not await repo.claim_ask(request.id, volunteer.user_id, volunteer.chat_id):
            continue
        tr = _translator(application, volunteer.language)
        telling = await send_parts(
            application,
            volunteer.chat_id,
            _ask_message(tr, request),
            ask_keyboard(tr, request.id),
            user_id=volunteer.user_id,
        )
        if telling.told is Told.RETRY:
            # A passing problem: the next round asks again.
            await repo.drop_ask(request.id, volunteer.user_id)
        else:
            # Asked; or refused for good (blocked, or the chat is gone): left out of this
            # task, not asked again at every rebuild.
            await repo.record_ask(request.id, volunteer.user_id, telling.message_id)
    return sum(1 for ask in await repo.asks(request_id) if ask.asked)


async def tell_staff_asked(application: NaboApplication, request_id: int, asked: int) -> None:
    """Tell the staff member how many translators were asked (and their choices if none)."""
    request = await application.bot_data.services.translations.get(request_id)
    if request is None or request.staff_user_id is None:
        return
    tr = await Team.of(application).translator_for(request.staff_user_id)
    keyboard = choices_keyboard(tr, request.id) if asked == 0 else None
    await send_parts(
        application,
        request.staff_user_id,
        [asked_text(tr, request.language, asked, request.needed_by)],
        keyboard,
    )


async def ask_for(application: NaboApplication, request_ids: Sequence[int]) -> None:
    """Ask translators for stored requests, tell the staff member, and set the clock going.

    A stop before this is made good by the jobs' rebuild (``ask_newcomers``), which asks
    the translators of every open request not asked yet.
    """
    for request_id in request_ids:
        await tell_staff_asked(
            application, request_id, await ask_translators(application, request_id)
        )
    await sync_translation_jobs(application)


async def ask_for_activity(
    application: NaboApplication,
    activity_id: int,
    language: str,
    *,
    hours: int,
    staff_user_id: int,
    parts: tuple[str, ...] = ("title", "text"),
    announce: bool = False,
) -> int | None:
    """Ask translators for an activity's title and/or description; return the request's id.

    Needed by ``hours`` from now, but before the activity starts. None if there is no
    Danish to translate (no description, say) or the activity is not open any more.
    """
    services = application.bot_data.services
    now = application.bot_data.clock.now()
    activity = await services.activities.get(activity_id)
    if activity is None or activity.status != "published" or activity.starts_at <= now:
        return None
    title = activity.title_da if "title" in parts else None
    text = activity.description_da if "text" in parts and activity.description_da else None
    if title is None and text is None:
        return None
    request_id = await services.translations.ask_for_activity(
        activity_id,
        language,
        staff_user_id=staff_user_id,
        needed_by=min(now + timedelta(hours=hours), activity.starts_at),
        now=now,
        title_source=title,
        text_source=text,
        announce=announce,
    )
    await ask_for(application, [request_id])
    return request_id


# ---------------------------------------------------------------- the volunteers' messages


async def close_asks(
    application: NaboApplication, request: TranslationRequest, *, taken: bool, skip: int | None
) -> None:
    """Change everyone's ask (but ``skip``'s): taken by another, or no longer needed."""
    for ask in await application.bot_data.services.translations.asks(request.id):
        if ask.message_id is None or ask.chat_id is None or ask.user_id == skip:
            continue
        tr = await _reader_of(application, ask.user_id)
        text = taken_by_another(tr) if taken else no_longer_needed(tr)
        await _edit(application, ask.chat_id, ask.message_id, text)


async def reopen(application: NaboApplication, request_id: int, *, skip: int | None) -> None:
    """Open a task again: the others' asks get their button back; newcomers are asked."""
    services = application.bot_data.services
    request = await services.translations.get(request_id)
    if request is None or request.status != OPEN:
        return
    for ask in await services.translations.asks(request_id):
        if ask.message_id is None or ask.chat_id is None or ask.user_id == skip:
            continue
        tr = await _reader_of(application, ask.user_id)
        await _edit(
            application,
            ask.chat_id,
            ask.message_id,
            _ask_message(tr, request)[-1],
            ask_keyboard(tr, request.id),
        )
    await ask_translators(application, request_id)
    await sync_translation_jobs(application)


async def tell_volunteer(
    application: NaboApplication, user_id: int | None, text_of: Callable[[Translator], str]
) -> None:
    """Send the volunteer who held a task a message in their language (``text_of(tr)``)."""
    if user_id is None:
        return
    resident = await application.bot_data.services.residents.get(user_id)
    if resident is None or resident.blocked:
        return
    tr = _translator(application, resident.language)
    await send_parts(application, resident.chat_id, [text_of(tr)], None, user_id=user_id)


async def drop_translator(application: NaboApplication, user_id: int) -> None:
    """Give back what a volunteer may no longer translate, so the others can take it.

    After they withdrew or changed their offer, blocked Nabo, or staff put the offer on
    hold: a task they hold in a language they no longer translate into is given back.
    """
    services = application.bot_data.services
    repo = services.translations
    for request in await repo.claimed_by(user_id):
        if await services.volunteers.translator(user_id, request.language) is not None:
            continue
        if await repo.release(request.id, user_id=user_id) is not None:
            log.info("translation %s went back: its volunteer left", request.id)
            await reopen(application, request.id, skip=user_id)


async def cancel_for_activity(application: NaboApplication, activity_id: int) -> None:
    """Cancel a cancelled activity's translations, and tell the volunteers."""
    now = application.bot_data.clock.now()
    repo = application.bot_data.services.translations
    for request in await repo.cancel_for_activity(activity_id, now):
        await closed(application, request)
    await sync_translation_jobs(application)


async def closed(application: NaboApplication, request: TranslationRequest) -> None:
    """Tell volunteers a task they were asked for or held is no longer needed."""
    holder = request.translator_id if request.status in (CLAIMED, DELIVERED) else None
    await close_asks(application, request, taken=False, skip=holder)
    await tell_volunteer(application, holder, no_longer_needed)


# ---------------------------------------------------------------- after staff decide


async def subject_of(
    application: NaboApplication, tr: Translator, request: TranslationRequest
) -> str:
    """Name what a request is for, in the staff member's language."""
    title = None
    if request.activity_id is not None:
        activity = await application.bot_data.services.activities.get(request.activity_id)
        title = activity.title_da if activity is not None else request.title_source
    return subject_text(tr, request, title)


async def after_decision(application: NaboApplication, request: TranslationRequest) -> None:
    """Close a decided request's asks, and finish what waited for it.

    A message whose translations are all decided goes to the staff member once more, to
    send; an activity that waited to be announced is announced.
    """
    services = application.bot_data.services
    await close_asks(application, request, taken=False, skip=request.translator_id)
    if request.draft_id is not None and await services.translations.draft_is_ready(
        request.draft_id
    ):
        await _draft_ready(application, request.draft_id)
    if request.activity_id is not None:
        now = application.bot_data.clock.now()
        announcement = await services.translations.finish_announcement(request.activity_id, now)
        if announcement is not None:
            await _announce(application, request.activity_id, announcement)
    await sync_translation_jobs(application)


async def _draft_ready(application: NaboApplication, draft_id: int) -> None:
    services = application.bot_data.services
    draft = await services.translations.get_draft(draft_id)
    if draft is None or draft.staff_user_id is None:
        return
    tr = await Team.of(application).translator_for(draft.staff_user_id)
    count = await services.broadcasts.count_audience(draft.audience)
    parts = preview_parts(tr, draft.texts, count, draft.send_at)
    *before, last = parts
    texts = ["\n".join(part) for part in before]
    heading = tr.gettext("📣 Every translation of your message is decided. Here it is:")
    await send_parts(
        application,
        draft.staff_user_id,
        [heading, *texts, "\n".join(last)],
        draft_ready_keyboard(tr, draft.id),
    )


async def _announce(application: NaboApplication, activity_id: int, broadcast_id: int) -> None:
    """Start an activity's announcement that waited for its translations; tell staff."""
    await start_broadcast(application, broadcast_id)
    services = application.bot_data.services
    broadcast = await services.broadcasts.get(broadcast_id)
    activity = await services.activities.get(activity_id)
    if broadcast is None or broadcast.staff_user_id is None or activity is None:
        return
    tr = await Team.of(application).translator_for(broadcast.staff_user_id)
    await send_parts(
        application, broadcast.staff_user_id, [announced_text(tr, activity.title_da)], None
    )


# ---------------------------------------------------------------- the clock


def _claim_job(request_id: int) -> str:
    return f"{JOB_PREFIX}claim:{request_id}"


def _due_job(request_id: int) -> str:
    return f"{JOB_PREFIX}due:{request_id}"


async def sync_translation_jobs(application: NaboApplication) -> None:
    """Make the translation jobs match the database; ask translators who joined since."""
    now = application.bot_data.clock.now()
    waiting = await application.bot_data.services.translations.waiting()
    wanted: dict[str, tuple[timedelta, object]] = {}
    for request in waiting:
        if request.status == CLAIMED and request.claimed_at is not None:
            delay = max(timedelta(0), request.claimed_at + CLAIM_TIME - now)
            wanted[_claim_job(request.id)] = (delay, request.id)
        if request.status in (OPEN, CLAIMED) and request.overdue_at is None:
            wanted[_due_job(request.id)] = (max(timedelta(0), request.needed_by - now), request.id)
    reconcile_jobs(job_queue_of(application), JOB_PREFIX, wanted, _translation_job)


async def ask_newcomers(application: NaboApplication) -> None:
    """Ask volunteers who became translators since (an offer marked active) for open tasks."""
    for request in await application.bot_data.services.translations.waiting():
        if request.status == OPEN and request.overdue_at is None:
            await ask_translators(application, request.id)


async def _translation_job(context: NaboContext) -> None:
    """Give back a task kept too long, or tell staff nothing came in time (JobQueue callback)."""
    assert context.job is not None
    request_id = context.job.data
    assert isinstance(request_id, int)
    if (context.job.name or "").startswith(f"{JOB_PREFIX}claim:"):
        await _claim_expired(context.application, request_id)
    else:
        await _overdue(context.application, request_id)


async def _claim_expired(application: NaboApplication, request_id: int) -> None:
    now = application.bot_data.clock.now()
    repo = application.bot_data.services.translations
    released = await repo.release(request_id, claimed_before=now - CLAIM_TIME)
    if released is None:
        return
    log.info("translation %s went back: nothing came within the time", request_id)
    hours = int(CLAIM_TIME.total_seconds() // 3600)
    await tell_volunteer(application, released.translator_id, lambda tr: released_text(tr, hours))
    await reopen(application, request_id, skip=released.translator_id)


async def _overdue(application: NaboApplication, request_id: int) -> None:
    now = application.bot_data.clock.now()
    request = await application.bot_data.services.translations.mark_overdue(request_id, now)
    if request is None or request.staff_user_id is None:
        return
    tr = await Team.of(application).translator_for(request.staff_user_id)
    subject = await subject_of(application, tr, request)
    await send_parts(
        application,
        request.staff_user_id,
        [overdue_text(tr, request, subject)],
        choices_keyboard(tr, request.id, wait=True),
    )

"""The question after an activity ("how was it?"), scheduled from the database.

Like reminders (bot/work/reminders.py): one job per activity with a stable name
(``feedback:<activity>``), rebuilt by the periodic sync; each question is claimed in
``feedback_requests`` before it is sent, so a restart never sends it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.db.activities import Activity
from bot.db.feedback import FACES
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.tell import Told, tell
from bot.views.activity import activity_title_when
from bot.views.buttons import RateActivity
from bot.work.jobs import RESCHEDULE_TOLERANCE, job_queue_of, reconcile_jobs

log = logging.getLogger(__name__)

JOB_PREFIX = "feedback:"
# After downtime, activities that ended up to this long before are still asked about;
# a question days late is past its use.
CATCH_UP = timedelta(days=2)


def job_name(activity_id: int) -> str:
    """Return the stable name of an activity's feedback job."""
    return f"{JOB_PREFIX}{activity_id}"


def question_text(tr: Translator, activity: Activity) -> str:
    """Ask how the activity was, in the resident's language."""
    return tr.gettext(
        "How was it? 🙂\n\n{activity}\n\n"
        "Tap a face to tell us, from 😞 (not good) to 😄 (very good). "
        "Your answer is not linked to you."
    ).format(activity=activity_title_when(tr, activity))


def question_keyboard(token: str) -> InlineKeyboardMarkup:
    """Build the five faces, one row, worst to best."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(face, callback_data=RateActivity(token, rating).pack())
                for rating, face in FACES.items()
            ]
        ]
    )


def desired_jobs(
    activities: list[Activity], delay: timedelta, now: datetime
) -> dict[str, tuple[int, timedelta]]:
    """Work out which feedback jobs should exist: name → (activity, wait)."""
    jobs = {}
    for activity in activities:
        if activity.status != "published":
            continue
        due = activity.ends_at + delay
        if due + CATCH_UP < now:
            continue
        jobs[job_name(activity.id)] = (activity.id, max(timedelta(0), due - now))
    return jobs


async def sync_feedback_jobs(application: NaboApplication) -> int:
    """Make the JobQueue's feedback jobs match the database; return how many exist."""
    job_queue = job_queue_of(application)
    bot_data = application.bot_data
    now = bot_data.clock.now()
    delay = bot_data.config.feedback_delay
    activities = await bot_data.services.feedback.owing_questions(now - delay - CATCH_UP)
    wanted = desired_jobs(activities, delay, now)
    reconcile_jobs(
        job_queue,
        JOB_PREFIX,
        {name: (wait, activity_id) for name, (activity_id, wait) in wanted.items()},
        send_feedback_questions,
    )
    return len(wanted)


async def send_feedback_questions(context: NaboContext) -> None:
    """Ask everyone owed the question about one activity, once each."""
    assert context.job is not None
    activity_id = context.job.data
    assert isinstance(activity_id, int)
    activity = await context.activities.get(activity_id)
    now = context.clock.now()
    if activity is None or activity.status != "published":
        return
    due = activity.ends_at + context.config.feedback_delay
    if now < due - RESCHEDULE_TOLERANCE or now > due + CATCH_UP:
        return  # moved since the job was made, or too late to ask
    repo = context.bot_data.services.feedback
    catalogs = context.bot_data.services.catalogs
    sent = 0
    for recipient in await repo.question_targets(activity.id):
        token = await repo.claim_question(recipient.signup.id, activity.id, now)
        if token is None:
            continue
        language = recipient.language
        tr = catalogs.translator(
            language if language in LANGUAGES else context.config.default_language
        )
        told = await tell(
            context.bot,
            context.residents,
            recipient,
            question_text(tr, activity),
            question_keyboard(token),
        )
        if told is Told.RETRY:
            # Not delivered for a passing reason: free it, so the next sync tries again.
            await repo.unclaim_question(recipient.signup.id, token)
        sent += told is Told.SENT
    if sent:
        log.info("asked %d resident(s) about activity %s", sent, activity.id)

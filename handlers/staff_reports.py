"""Staff review: /export sends the workbook of everything, /report the period's report."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from telegram import Update

from bot.core.i18n import Translator
from bot.offline.periods import Period, PeriodError, current_quarter, parse_day, parse_period
from bot.offline.reporting import INVITE_CODE, Report
from bot.offline.sheets import ExportFilter
from bot.offline.worker import export_in_process, report_in_process
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import showing_upload
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.views import buttons
from bot.views.activity import MAX_MESSAGE
from bot.views.staff_texts import utf16_len

log = logging.getLogger(__name__)

# What Telegram lets a bot send; a bigger file is made from the command line instead.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# Sources named one a line after the report; the workbook's sheet has them all.
MAX_SOURCE_LINES = 40


async def send_export(update: Update, context: NaboContext) -> None:
    """Build the workbook of everything (or of the days asked for) and send it."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    assert user is not None
    tr, now = context.tr, context.clock.now()
    if update.callback_query is not None:
        await update.callback_query.answer()
    try:
        where = _export_filter(context.args or [])
    except PeriodError:
        first, last = _example_days(now, context.config.timezone)
        await chat.send_message(
            tr.gettext(
                "Sorry, I could not read those dates. Write /export alone for everything, "
                "or a first and a last day, e.g. /export {first} {last}"
            ).format(first=tr.ltr(first), last=tr.ltr(last))
        )
        return
    config = context.config
    name = f"nabo-eksport-{now.astimezone(config.timezone):%Y-%m-%d}.xlsx"
    async with _temporary_file(name) as path:
        # In another process: building it takes seconds of CPU the residents must not wait for.
        built = await showing_upload(
            context.bot,
            chat.id,
            export_in_process(config.database_path, path, config.timezone, where=where),
        )
        size = built.size
        await context.bot_data.services.audit.record(
            user.id, "export", now, details=f"since={where.since};until={where.until}"
        )
        log.info("staff export made: %d bytes", size)
        if size > MAX_DOCUMENT_BYTES:
            first, last = _example_days(now, config.timezone)
            await chat.send_message(_too_big(tr, size, f"/export {first} {last}"))
            return
        with path.open("rb") as document:
            await chat.send_document(
                document,
                filename=name,
                caption=tr.gettext(
                    "📦 Everything Nabo holds, as of {date}. Residents appear only as "
                    "numbers. Please keep the file safe and delete it when you are done."
                ).format(date=tr.date(now)),
            )


async def send_report(update: Update, context: NaboContext) -> None:
    """Build the report for a quarter, a year or two dates; send a summary with it."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    assert user is not None
    tr, now, config = context.tr, context.clock.now(), context.config
    today = now.astimezone(config.timezone).date()
    if update.callback_query is not None:
        await update.callback_query.answer()
    try:
        period = _period(context.args or [], today)
    except PeriodError:
        await chat.send_message(
            tr.gettext(
                "Sorry, I could not read that period. Write /report alone for this quarter, "
                "or a quarter or a year, e.g. /report {quarter} or /report {year}"
            ).format(quarter=tr.ltr(_quarter_code(today)), year=tr.ltr(today.year))
        )
        return
    name = f"nabo-rapport-{period.first:%Y-%m-%d}-{period.last:%Y-%m-%d}.xlsx"
    async with _temporary_file(name) as path:
        written = await showing_upload(
            context.bot,
            chat.id,
            report_in_process(
                config.database_path, path, period, now, config.timezone, config.areas
            ),
        )
        await context.bot_data.services.audit.record(
            user.id, "report", now, subject=f"{period.first}..{period.last}"
        )
        if written.size > MAX_DOCUMENT_BYTES:  # a report is small; this is a safeguard
            await chat.send_message(_too_big(tr, written.size, f"/report {_quarter_code(today)}"))
            return
        with path.open("rb") as document:
            await chat.send_document(
                document, filename=name, caption=report_summary(tr, written.report)
            )
        if any(
            source.code != INVITE_CODE or source.residents or source.signups or source.checkins
            for source in written.report.sources
        ):
            await chat.send_message(sources_summary(tr, written.report))


def report_summary(tr: Translator, report: Report) -> str:
    """Sum the report up in a few lines, in the staff member's language."""
    _ = tr.gettext
    total = report.total

    def number(value: float) -> str:
        return tr.ltr(format_decimal(value, locale=tr.locale))

    # The period's days are local days already: formatted as dates, not moments.
    first, last = (tr.date(day) for day in (report.period.first, report.period.last))
    lines = [
        _("📊 Report for {first} – {last}").format(first=first, last=last),
        "",
        _("Activities held: {count} ({hours} hours)").format(
            count=number(total.held), hours=number(total.hours)
        ),
        _("Sign-ups: {count} ({people} people)").format(
            count=number(total.signups), people=number(total.people)
        ),
        _("Visits (attendance and walk-ins): {count}").format(count=number(total.visits)),
        _("Participants: {count}, of whom {new} new").format(
            count=number(total.participants), new=number(total.new)
        ),
        _("Offers of help: {count}").format(count=number(total.offers or 0)),
        _(
            "Partners involved: {count} (afdelingsbestyrelser and partner organisations with "
            "activities held)"
        ).format(count=number(report.partners)),
        _("Translations by volunteers, used: {count}").format(
            count=number(total.translations or 0)
        ),
    ]
    if total.average_rating is None:
        lines.append(_("Feedback: {count}").format(count=number(total.feedback)))
    else:
        lines.append(
            _("Feedback: {count}, average rating {average} of 5").format(
                count=number(total.feedback), average=number(total.average_rating)
            )
        )
    lines += [
        _("Messages sent: {count}, received by {reach}").format(
            count=number(total.broadcasts), reach=number(total.reach)
        ),
        "",
        _("The workbook has the figures per delaftale, per area and per organiser, with charts."),
    ]
    return "\n".join(lines)


def sources_summary(tr: Translator, report: Report) -> str:
    """Say what each source's links brought in the period, one line per source."""
    _ = tr.gettext

    def number(value: int) -> str:
        return tr.ltr(format_decimal(value, locale=tr.locale))

    more = _("…and more in the workbook (sheet Kilder).")
    lines = [_("📍 Where people came from:")]
    for shown, source in enumerate(report.sources):
        name = _("Invitations from neighbours") if source.code == INVITE_CODE else source.name
        line = _("{name}: {residents} new, {signups} sign-ups, {checkins} check-ins").format(
            name=tr.ltr(name),
            residents=number(source.residents),
            signups=number(source.signups),
            checkins=number(source.checkins),
        )
        # One message: as many lines as fit with the pointer to the rest (names are long).
        if shown == MAX_SOURCE_LINES or utf16_len("\n".join([*lines, line, more])) > MAX_MESSAGE:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def _too_big(tr: Translator, size: int, example: str) -> str:
    return tr.gettext(
        "The file is too big to send in Telegram ({size} MB). Please choose a shorter "
        "period, e.g. {example}, or ask whoever runs Nabo to make it with the command line "
        "(python -m bot export)."
    ).format(size=tr.ltr(round(size / 1024 / 1024)), example=tr.ltr(example))


def _example_days(now: datetime, timezone: ZoneInfo) -> tuple[str, str]:
    """Return this month's first day and today, as examples of days to export."""
    today = now.astimezone(timezone).date()
    return today.replace(day=1).isoformat(), today.isoformat()


def _quarter_code(today: date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def _export_filter(args: list[str]) -> ExportFilter:
    if not args:
        return ExportFilter()
    if len(args) != 2:
        raise PeriodError("two dates, or none")
    since, until = parse_day(args[0]), parse_day(args[1])
    if since > until:
        raise PeriodError("the first day is after the last")
    return ExportFilter(since, until)


def _period(args: list[str], today: date) -> Period:
    if not args:
        return current_quarter(today)
    if len(args) == 1:
        return parse_period(args[0])
    if len(args) == 2:
        period = Period(parse_day(args[0]), parse_day(args[1]))
        if period.first > period.last or period.last - period.first > timedelta(days=3660):
            raise PeriodError("the first day must come before the last, within ten years")
        return period
    raise PeriodError("too many words")


@asynccontextmanager
async def _temporary_file(name: str) -> AsyncIterator[Path]:
    """Give a file name in a fresh private folder; remove it afterwards, off the event loop."""
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="nabo-"))
    try:
        yield folder / name
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


def register(application: NaboApplication) -> None:
    """Add /export and /report, and their buttons in the staff menu (staff only)."""
    staff_ids = application.bot_data.config.staff_user_ids
    application.add_handler(staff_command(staff_ids, "export", send_export))
    application.add_handler(staff_command(staff_ids, "report", send_report))
    application.add_handler(
        StaffCallbackQueryHandler(staff_ids, send_export, buttons.Export.pattern())
    )
    application.add_handler(
        StaffCallbackQueryHandler(staff_ids, send_report, buttons.Report.pattern())
    )

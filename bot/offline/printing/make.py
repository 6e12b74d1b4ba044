"""Making a sheet: read what it is about from a snapshot, choose the link, lay it out.

``make_sheet`` is blocking CPU work (a poster takes a few hundred milliseconds): the chat
runs it in another process (bot/offline/worker.py), the command line directly. It reads
the database through a read-only snapshot, like the export, so it never holds the bot's
lock.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pypdfium2

from bot.core.i18n import Catalogs
from bot.core.notice import printed_notice
from bot.core.start_links import (
    CHECK_IN_OPENS,
    CheckIn,
    JoinLink,
    JoinNabo,
    OpenActivity,
    OpenSeries,
    StartPayload,
    door_token,
    start_link,
)
from bot.db.activities import Activity, read_activity, read_coming_in_series
from bot.db.checkins import read_door_key
from bot.db.people import read_slip_holder
from bot.db.sources import read_source
from bot.offline.printing.content import (
    SERIES_DATES,
    SERIES_DATES_SHARED,
    Content,
    Words,
    activity_words,
    door_words,
    nabo_words,
    slip_words,
)
from bot.offline.printing.layouts import (
    A4_DOOR,
    A4_NOTICE,
    A4_POSTER,
    A6_FLYER,
    A6_SLIP,
    SHARE,
    Drawn,
    cut_marks,
    draw,
    draw_notice,
    draw_slip,
)
from bot.offline.printing.request import Kind, Problem, SheetError, SheetRequest, SlipRequest
from bot.offline.printing.sheet import Sheet
from bot.offline.snapshot import Snapshot, snapshot


@dataclass(frozen=True, slots=True)
class Made:
    """A sheet made: the file's bytes, a name for it, its link, and what was drawn."""

    data: bytes
    filename: str
    link: str
    drawn: list[Drawn] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Subject:
    activity: Activity | None
    series_dates: tuple[datetime, ...]
    source_id: int | None
    door_key: bytes  # only for a door poster


def make_sheet(
    database: Path, request: SheetRequest, catalogs: Catalogs, bot_username: str, now: datetime
) -> Made:
    """Make the sheet ``request`` asks for, from the database as it is now."""
    if request.kind is Kind.FLYER and request.image:
        raise SheetError(Problem.FLYER_IMAGE, "a flyer is for printing: write it to a .pdf")
    if request.kind is Kind.DOOR and request.activity_id is None:
        raise SheetError(Problem.DOOR_NEEDS_ACTIVITY, "a door poster is for one activity")
    with snapshot(database) as connection:
        subject = _read(connection, request, now)
    payload = _payload(request, subject)
    link = start_link(bot_username, payload)
    content = _content(request, subject, catalogs, link, now)
    frame = (
        SHARE
        if request.image
        else {Kind.POSTER: A4_POSTER, Kind.FLYER: A6_FLYER, Kind.DOOR: A4_DOOR}[request.kind]
    )
    sheet = (
        Sheet(frame.width, frame.height, unit=frame.unit)
        if request.kind is not Kind.FLYER
        else Sheet(210, 297)
    )
    sheet.set_title(_title(content))
    sheet.set_lang(request.languages[0] if len(request.languages) == 1 else "da")
    sheet.add_page()
    drawn: list[Drawn] = []
    if request.kind is Kind.FLYER:
        for column in (0, 1):
            for row in (0, 1):
                drawn.append(draw(sheet, frame, content, column * 105, row * 148.5))
        cut_marks(sheet, 210, 297)
    else:
        drawn.append(draw(sheet, frame, content))
    cut = [text for part in drawn for text in part.cut]
    if cut and len(request.languages) > 1:
        raise SheetError(
            Problem.TOO_LONG,
            "the texts are too long for three languages on one sheet: "
            "choose one language per sheet (--language da, ar or en)",
        )
    pdf = bytes(sheet.output())
    data = _png(pdf) if request.image else pdf
    return Made(data, _filename(request), link, drawn)


def make_slip(
    database: Path, request: SlipRequest, catalogs: Catalogs, bot_username: str, now: datetime
) -> Made:
    """Make a joining slip for someone signed up on their behalf, in their language.

    Only for the record's link as it stands: a token that is not the record's (a newer
    link replaced it, it was used or has expired) makes no slip, nor does an erased record.
    """
    with snapshot(database) as connection:
        person, holds = read_slip_holder(connection, request.person_id, request.token, now)
    if person is None:
        raise SheetError(Problem.PERSON_GONE, f"nobody with the record number {request.person_id}")
    if not holds or person.join_expires_at is None:
        raise SheetError(Problem.LINK_REPLACED, "that joining link was replaced, used or expired")
    link = start_link(bot_username, JoinLink(request.token))
    words = slip_words(
        catalogs.translator(person.language), person.first_name, person.join_expires_at
    )
    sheet = Sheet(A6_SLIP.width, A6_SLIP.height, unit=A6_SLIP.unit)
    sheet.set_title(f"Nabo – {words.greeting}")
    sheet.set_lang(words.language)
    sheet.add_page()
    drawn = draw_slip(sheet, words, link)
    filename = f"nabo-slip-{request.person_id}-{words.language}.pdf"
    return Made(bytes(sheet.output()), filename, link, [drawn])


def make_notice(
    languages: Sequence[str],
    catalogs: Catalogs,
    *,
    phone_days: int,
    record_days: int,
    version: int,
    now: datetime,
) -> Made:
    """Make the privacy notice to print: one A4 page per language, from the catalogs.

    The same text as the chat's notice (bot/core/notice.py), with what Nabo keeps about
    someone signed up without Telegram; nothing is read from the database.
    """
    sheet = Sheet(A4_NOTICE.width, A4_NOTICE.height, unit=A4_NOTICE.unit)
    drawn: list[Drawn] = []
    for language in languages:
        notice = printed_notice(
            catalogs.translator(language),
            phone_days=phone_days,
            record_days=record_days,
            version=version,
            printed=now,
        )
        if not drawn:
            sheet.set_title(f"Nabo – {notice.title}")
            sheet.set_lang(language if len(languages) == 1 else "da")
        sheet.add_page()
        drawn.append(draw_notice(sheet, notice))
    names = "-".join(languages) if len(languages) == 1 else "da-ar-en"
    return Made(bytes(sheet.output()), f"nabo-privacy-{names}.pdf", "", drawn)


def _read(connection: Snapshot, request: SheetRequest, now: datetime) -> _Subject:
    """Read what the sheet is about, through bot/db's own queries."""
    source_id = None
    if request.source is not None:
        source = read_source(connection, request.source)
        if source is None or not source.is_active:
            raise SheetError(Problem.NO_SOURCE, f"no source with the code {request.source!r}")
        source_id = source.id
    if request.activity_id is None:
        return _Subject(None, (), source_id, b"")
    activity = read_activity(connection, request.activity_id)
    if activity is None:
        raise SheetError(Problem.NOT_FOUND, f"no activity {request.activity_id}")
    if activity.status != "published":
        raise SheetError(Problem.CANCELLED, f"activity {activity.id} is cancelled")
    if request.kind is Kind.DOOR:
        if activity.ends_at <= now:
            raise SheetError(Problem.ENDED, f"activity {activity.id} has ended")
        return _Subject(activity, (), source_id, read_door_key(connection))
    dates: tuple[datetime, ...] = ()
    if activity.series_id is not None:
        coming = read_coming_in_series(connection, activity.series_id, now)
        dates = tuple(date.starts_at for date in coming)
    if activity.ends_at <= now or (
        activity.series_id is not None and not dates and activity.starts_at <= now
    ):
        raise SheetError(Problem.ENDED, f"activity {activity.id} has ended")
    return _Subject(activity, dates, source_id, b"")


def _payload(request: SheetRequest, subject: _Subject) -> StartPayload | None:
    activity = subject.activity
    if activity is None:
        return JoinNabo(request.source) if request.source else None
    if request.kind is Kind.DOOR:
        return CheckIn(activity.id, door_token(subject.door_key, activity.id), request.source)
    if activity.series_id is not None:
        # The series, not the date: the poster stays right all season.
        return OpenSeries(activity.series_id, request.source)
    return OpenActivity(activity.id, request.source)


def _content(
    request: SheetRequest, subject: _Subject, catalogs: Catalogs, link: str, now: datetime
) -> Content:
    translators = [catalogs.translator(language) for language in request.languages]
    activity = subject.activity
    words: Sequence[Words]
    if activity is None:
        return Content(link, tuple(nabo_words(tr) for tr in translators), "nabo")
    if request.kind is Kind.DOOR:
        opens = activity.starts_at - CHECK_IN_OPENS
        words = [door_words(tr, activity, opens) for tr in translators]
        return Content(link, tuple(words), "door", activity.place)
    most = SERIES_DATES if len(translators) == 1 else SERIES_DATES_SHARED
    words = [activity_words(tr, activity, subject.series_dates, most) for tr in translators]
    return Content(link, tuple(words), activity.delaftale, activity.place)


def _title(content: Content) -> str:
    return f"Nabo – {content.words[0].title}"


def _filename(request: SheetRequest) -> str:
    about = "nabo" if request.activity_id is None else str(request.activity_id)
    languages = "-".join(request.languages) if len(request.languages) == 1 else "da-ar-en"
    suffix = "png" if request.image else "pdf"
    return f"nabo-{request.kind.value}-{about}-{languages}.{suffix}"


def _png(pdf: bytes) -> bytes:
    """Render the share page (points) at 72 dpi: as many pixels as it has points."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()

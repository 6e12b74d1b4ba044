"""The layouts: where title, dates, place, pictogram and QR code go on each kind of sheet.

One layout serves every kind; a ``Frame`` gives its size and type sizes: the A4 poster,
the A6 flyer (four on an A4 page, to cut), the A4 door poster and the share image
(1080 × 1350 points, rendered at 72 dpi to as many pixels). Every text is fitted into
its box (``Sheet.fit``); what had to be shortened is reported, so a caller can ask for one
language per sheet instead, and ``boxes`` lets the tests check that nothing leaves the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.notice import PrintedNotice
from bot.offline.printing.content import Content, SlipWords, Words
from bot.offline.printing.pictograms import COLOURS, pictogram
from bot.offline.printing.sheet import Sheet

GREY = (150, 150, 150)


@dataclass(frozen=True, slots=True)
class Frame:
    """A kind of page: its size, margins and the sizes of its type (in points)."""

    width: float
    height: float
    unit: str
    margin: float
    band: float  # the coloured stripe at the top
    header: float  # pictogram and delaftale (or "check in here") under it
    qr: float
    gap: float
    title: tuple[float, float]  # largest, smallest
    text: tuple[float, float]
    header_text: tuple[float, float]
    scan: float
    link: float | None = None  # the share image writes the link out too


A4_POSTER = Frame(210, 297, "mm", 14, 7, 30, 84, 4, (40, 20), (22, 16), (20, 11), 16)
A6_FLYER = Frame(105, 148.5, "mm", 6, 3.5, 15, 42, 2, (20, 10), (11, 8), (10, 6), 8)
A4_DOOR = Frame(210, 297, "mm", 14, 7, 46, 90, 4, (30, 18), (20, 14), (34, 16), 16)
SHARE = Frame(1080, 1350, "pt", 56, 26, 120, 380, 18, (72, 32), (34, 22), (30, 18), 28, 26)


@dataclass(frozen=True, slots=True)
class Box:
    """A text written on the page: where it was allowed, and how much of it it took."""

    text: str
    x: float
    y: float
    width: float
    height: float  # allowed
    used: float  # taken


@dataclass
class Drawn:
    """What a layout drew: the text boxes, and whether any text had to be shortened."""

    boxes: list[Box] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)


def draw(sheet: Sheet, frame: Frame, content: Content, x0: float = 0, y0: float = 0) -> Drawn:
    """Draw one sheet of ``content`` in ``frame``, its top left corner at (x0, y0)."""
    drawn = Drawn()
    m, gap = frame.margin, frame.gap
    inner = frame.width - 2 * m
    sheet.box(x0, y0, frame.width, frame.band, COLOURS[content.pictogram])
    top = y0 + frame.band + gap
    _header(sheet, frame, content, x0 + m, top, inner, drawn)
    link_height = sheet.line_height("en", frame.link) + gap if frame.link else 0.0
    qr_top = y0 + frame.height - m - link_height - frame.qr
    middle_top = top + frame.header + gap
    _languages(sheet, frame, content.words, x0 + m, middle_top, inner, qr_top - gap, drawn)
    sheet.set_draw_color(*GREY)
    sheet.set_line_width(0.3 if frame.unit == "mm" else 2)
    sheet.line(x0 + m, qr_top - gap / 2, x0 + frame.width - m, qr_top - gap / 2)
    sheet.qr(content.link, x0 + m, qr_top, frame.qr)
    column = x0 + m + frame.qr + 2 * gap
    _right_column(sheet, frame, content, column, qr_top, x0 + frame.width - m - column, drawn)
    if frame.link:
        y = qr_top + frame.qr + gap / 2
        _text(
            sheet,
            drawn,
            "en",
            content.link.removeprefix("https://"),
            x0 + m,
            y,
            inner,
            link_height,
            frame.link,
            frame.link / 2,
            align="C",
        )
    return drawn


def _text(
    sheet: Sheet,
    drawn: Drawn,
    language: str,
    text: str,
    x: float,
    y: float,
    width: float,
    height: float,
    largest: float,
    smallest: float,
    *,
    bold: bool = False,
    align: str | None = None,
    colour: tuple[int, int, int] = (0, 0, 0),
) -> float:
    """Fit a text into its box, write it, note the box; return the y below the text."""
    fitted, fit = sheet.fit(
        language, text, width, height, largest=largest, smallest=smallest, bold=bold
    )
    if fit.cut:
        drawn.cut.append(text)
    sheet.paragraph(language, fitted, x, y, width, fit.size, bold=bold, align=align, colour=colour)
    drawn.boxes.append(Box(fitted, x, y, width, height, fit.height))
    return y + fit.height


def _header(
    sheet: Sheet, frame: Frame, content: Content, x: float, y: float, width: float, drawn: Drawn
) -> None:
    """Draw the pictogram, and beside it what kind of thing this is, in each language."""
    size = frame.header
    pictogram(sheet, content.pictogram, x, y, size)
    left = x + size + 2 * frame.gap
    column = width - size - 2 * frame.gap
    if content.pictogram == "nabo":
        _text(
            sheet,
            drawn,
            "da",
            "Nabo",
            left,
            y,
            column,
            size,
            frame.header_text[0] * 2,
            frame.header_text[1],
            bold=True,
            colour=COLOURS["nabo"],
        )
        return
    labels = [(w.language, w.heading or w.delaftale or "") for w in content.words]
    share = size / len(labels)
    for index, (language, label) in enumerate(labels):
        _text(
            sheet,
            drawn,
            language,
            label,
            left,
            y + index * share,
            column,
            share,
            *frame.header_text,
            bold=content.pictogram == "door",
            colour=COLOURS[content.pictogram],
        )


def _languages(
    sheet: Sheet,
    frame: Frame,
    words: tuple[Words, ...],
    x: float,
    top: float,
    width: float,
    bottom: float,
    drawn: Drawn,
) -> None:
    """Draw one block per language: the title large, then when, how many places."""
    gap = frame.gap
    if len(words) == 1:
        # One language has the whole middle of the sheet: larger type to fill it.
        frame = replace(
            frame,
            title=(frame.title[0] * 1.5, frame.title[1]),
            text=(frame.text[0] * 1.4, frame.text[1]),
        )
    block = (bottom - top - gap * (len(words) - 1)) / len(words)
    for index, said in enumerate(words):
        y = top + index * (block + gap)
        if index:
            sheet.set_draw_color(*GREY)
            sheet.set_line_width(0.2 if frame.unit == "mm" else 1.5)
            sheet.line(x, y - gap / 2, x + width, y - gap / 2)
        details = [*said.lines, *([said.places] if said.places else [])]
        size, title_height = _share_block(sheet, frame, said, details, width, block)
        y = _text(
            sheet,
            drawn,
            said.language,
            said.title,
            x,
            y,
            width,
            title_height,
            *frame.title,
            bold=True,
        )
        y += gap / 2
        for line in details:
            room = top + index * (block + gap) + block - y
            y = _text(sheet, drawn, said.language, line, x, y, width, room, size, frame.text[1])


def _share_block(
    sheet: Sheet, frame: Frame, said: Words, details: list[str], width: float, block: float
) -> tuple[float, float]:
    """Share a language's block between its title and its details.

    Tries the details at three sizes; keeps the largest details whose title still gets
    at least 70 % of the largest title type possible (the title carries the poster, the
    day and time must still be read from two metres). Returns the details' size and the
    title's height.
    """
    largest, smallest = frame.text
    candidates: list[tuple[float, float, float]] = []  # title size, details size, title height
    for size in (largest, (largest + smallest) / 2, smallest):
        used = sum(
            sheet.wrapped(said.language, line, width, size, False)
            * sheet.line_height(said.language, size)
            for line in details
        )
        title_height = block - used - frame.gap / 2
        if title_height <= 0:
            continue
        _, fit = sheet.fit(
            said.language,
            said.title,
            width,
            title_height,
            largest=frame.title[0],
            smallest=frame.title[1],
            bold=True,
        )
        if not fit.cut:
            candidates.append((fit.size, size, title_height))
    if not candidates:
        return smallest, block / 2
    best_title = max(title for title, _, _ in candidates)
    good = [c for c in candidates if c[0] >= 0.7 * best_title]
    _, size, title_height = max(good, key=lambda c: c[1])
    return size, title_height


def _right_column(
    sheet: Sheet, frame: Frame, content: Content, x: float, y: float, width: float, drawn: Drawn
) -> None:
    """Draw the place beside the QR code, then how to scan it, in each language."""
    bottom = y + frame.qr
    if content.place:
        y = _text(
            sheet,
            drawn,
            "da",
            content.place,
            x,
            y,
            width,
            frame.qr * 0.3,
            frame.text[0] * 1.1,
            frame.text[1],
            bold=True,
        )
        y += frame.gap
    share = (bottom - y) / len(content.words)
    for said in content.words:
        y = _text(
            sheet,
            drawn,
            said.language,
            said.scan,
            x,
            y,
            width,
            share,
            frame.scan,
            frame.scan * 0.7,
        )
        y += frame.gap


def cut_marks(sheet: Sheet, width: float, height: float) -> None:
    """Dashed lines where four A6 flyers on an A4 page are cut apart."""
    sheet.set_draw_color(*GREY)
    sheet.set_line_width(0.2)
    sheet.set_dash_pattern(dash=2, gap=2)
    sheet.line(width / 2, 0, width / 2, height)
    sheet.line(0, height / 2, width, height / 2)
    sheet.set_dash_pattern()


# A joining slip: an A6 card for one person, in their language, with their link's code.
A6_SLIP = Frame(105, 148.5, "mm", 7, 4, 14, 60, 2.5, (20, 12), (12, 8), (16, 10), 13)


def draw_slip(sheet: Sheet, words: SlipWords, link: str, frame: Frame = A6_SLIP) -> Drawn:
    """Draw a joining slip: Nabo's band and name, who it is for, what to do, the code.

    From the top: the band and Nabo's pictogram and name; the greeting; what the code
    does; the code itself, centred and as large as the card allows; how to scan it; that
    the app is needed; whom it is for and until when; the link written out, small, for
    anyone whose camera will not read it.
    """
    drawn = Drawn()
    m, gap = frame.margin, frame.gap
    inner = frame.width - 2 * m
    language = words.language
    sheet.box(0, 0, frame.width, frame.band, COLOURS["nabo"])
    top = frame.band + gap
    pictogram(sheet, "nabo", m, top, frame.header)
    _text(
        sheet,
        drawn,
        "da",
        "Nabo",
        m + frame.header + 2 * gap,
        top,
        inner - frame.header - 2 * gap,
        frame.header,
        frame.header_text[0],
        frame.header_text[1],
        bold=True,
        colour=COLOURS["nabo"],
    )
    y = top + frame.header + gap
    y = _text(sheet, drawn, language, words.greeting, m, y, inner, 10, *frame.title, bold=True)
    y = _text(sheet, drawn, language, words.text, m, y + gap / 2, inner, 22, *frame.text)
    qr_top = y + gap
    sheet.qr(link, (frame.width - frame.qr) / 2, qr_top, frame.qr)
    y = qr_top + frame.qr + gap / 2
    small = (frame.text[1] + 1, frame.text[1] * 0.8)
    y = _text(
        sheet, drawn, language, words.scan, m, y, inner, 7, frame.scan, 9, bold=True, align="C"
    )
    y = _text(sheet, drawn, language, words.app, m, y, inner, 5, *small, align="C")
    y = _text(sheet, drawn, language, words.once, m, y, inner, 8, *small, align="C")
    bottom = frame.height - m
    _text(
        sheet,
        drawn,
        "en",
        link.removeprefix("https://"),
        m,
        max(y, bottom - 4),
        inner,
        4,
        6.5,
        5,
        align="C",
        colour=GREY,
    )
    return drawn


# The privacy notice on paper: one A4 page per language, as large as the text allows.
A4_NOTICE = Frame(210, 297, "mm", 16, 7, 18, 0, 4, (24, 16), (13, 9), (22, 14), 8)
_NOTICE_SIZES = 9  # sizes tried for the body, from the largest down in half points


def draw_notice(sheet: Sheet, notice: PrintedNotice, frame: Frame = A4_NOTICE) -> Drawn:
    """Draw the privacy notice on one page: Nabo's band and name, title, sections, footer.

    The body takes the largest type between the frame's text sizes at which every section
    fits above the footer (headings two points larger, in Nabo's colour); if even the
    smallest does not fit, the page says so in ``cut`` instead of running over.
    """
    drawn = Drawn()
    m, gap = frame.margin, frame.gap
    inner = frame.width - 2 * m
    language = notice.language
    sheet.box(0, 0, frame.width, frame.band, COLOURS["nabo"])
    top = frame.band + 2 * gap
    pictogram(sheet, "nabo", m, top, frame.header)
    _text(
        sheet,
        drawn,
        "da",
        "Nabo",
        m + frame.header + 2 * gap,
        top,
        inner - frame.header - 2 * gap,
        frame.header,
        *frame.header_text,
        bold=True,
        colour=COLOURS["nabo"],
    )
    y = top + frame.header + 2 * gap
    y = _text(sheet, drawn, language, notice.title, m, y, inner, 14, *frame.title, bold=True)
    footer = sheet.line_height(language, frame.scan)
    bottom = frame.height - m - footer - gap
    size = _notice_size(sheet, notice, inner, bottom - y, frame)
    if size is None:
        drawn.cut.append(notice.title)
        size = frame.text[1]
    for heading, paragraphs in notice.sections:
        if heading is not None:
            y += gap
            height = _height(sheet, language, heading, inner, size + 2, bold=True)
            y = _text(
                sheet,
                drawn,
                language,
                heading,
                m,
                y,
                inner,
                height,
                size + 2,
                size + 2,
                bold=True,
                colour=COLOURS["nabo"],
            )
        for paragraph in paragraphs:
            y += gap / 2
            height = _height(sheet, language, paragraph, inner, size)
            y = _text(sheet, drawn, language, paragraph, m, y, inner, height, size, size)
    _text(
        sheet,
        drawn,
        language,
        notice.footer,
        m,
        frame.height - m - footer,
        inner,
        footer,
        frame.scan,
        frame.scan,
        colour=GREY,
    )
    return drawn


def _height(
    sheet: Sheet, language: str, text: str, width: float, size: float, *, bold: bool = False
) -> float:
    return sheet.wrapped(language, text, width, size, bold) * sheet.line_height(language, size)


def _notice_size(
    sheet: Sheet, notice: PrintedNotice, width: float, room: float, frame: Frame
) -> float | None:
    """Return the largest body size at which every section fits in ``room``; None if none."""
    largest, smallest = frame.text
    step = (largest - smallest) / (_NOTICE_SIZES - 1)
    for index in range(_NOTICE_SIZES):
        size = largest - index * step
        needed = 0.0
        for heading, paragraphs in notice.sections:
            if heading is not None:
                needed += frame.gap + _height(
                    sheet, notice.language, heading, width, size + 2, bold=True
                )
            for paragraph in paragraphs:
                needed += frame.gap / 2 + _height(sheet, notice.language, paragraph, width, size)
        if needed <= room:
            return size
    return None

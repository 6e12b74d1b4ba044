"""Texts staff see in several journeys: language names, date examples, date problems."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from babel.lists import format_list

from bot.core.bidi import FSI, PDI
from bot.core.dates import MAX_DURATION, DateProblem
from bot.core.i18n import Translator

MAX_HOURS = int(MAX_DURATION.total_seconds() // 3600)


def utf16_len(text: str) -> int:
    """Count a text as Telegram does, in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def pack_messages(parts: list[list[str]], limit: int) -> list[str]:
    """Join parts into as few messages as fit ``limit`` (UTF-16 units), in order.

    Each part is its pieces (a heading and a text, say), kept together in one message
    when they fit; a part too long for one message is split between its pieces, and a
    piece too long on its own is split as ``split_text`` does.
    """
    messages: list[str] = []
    current = ""
    for part in parts:
        whole = "\n".join(part)
        pieces = [whole] if utf16_len(whole) <= limit else part
        for piece in (chunk for whole_piece in pieces for chunk in split_text(whole_piece, limit)):
            joined = f"{current}\n\n{piece}" if current else piece
            if utf16_len(joined) <= limit:
                current = joined
                continue
            messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def split_text(text: str, limit: int) -> list[str]:
    """Split a text into pieces of at most ``limit`` UTF-16 units, in order.

    Between lines where it can, else a long line after a space (or, with none, anywhere
    but inside a character). An isolate open where a line is cut is closed at the end of
    the piece and opened again at the start of the next, so a quoted line set apart in
    its own direction (``bot.core.bidi.set_apart``) reads the same in both.
    """
    if utf16_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        for segment in _cut_line(line, limit):
            if lines and utf16_len("\n".join([*lines, segment])) > limit:
                pieces.append("\n".join(lines))
                lines = []
            lines.append(segment)
    pieces.append("\n".join(lines))
    # A blank line where a piece ends or begins means nothing in a message of its own.
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _cut_line(line: str, limit: int) -> list[str]:
    """Cut one line into segments of at most ``limit`` units, isolates closed and reopened."""
    segments: list[str] = []
    while utf16_len(line) > limit:
        cut = space = 0
        units = opened = 0
        for index, char in enumerate(line):
            units += utf16_len(char)
            opened += (char == FSI) - (char == PDI)
            if units + max(opened, 0) > limit:
                break
            cut = index + 1
            if char == " ":
                space = cut
        cut = space or cut or 1  # a limit too small for one character still moves on
        head, line = line[:cut], line[cut:]
        still_open = max(head.count(FSI) - head.count(PDI), 0)
        segments.append(head + PDI * still_open)
        line = FSI * still_open + line
    segments.append(line)
    return segments


def language_name(tr: Translator, language: str) -> str:
    """Name a language in the reader's language (for staff; residents pick by native names)."""
    names = {"da": tr.gettext("Danish"), "ar": tr.gettext("Arabic"), "en": tr.gettext("English")}
    return names[language]


def date_examples(tr: Translator, now: datetime, timezone: tzinfo) -> str:
    """Say how to write a date and time, with next week's date as the example."""
    day = (now + timedelta(days=7)).astimezone(timezone).date()
    examples = [
        f"{day:%d.%m.%Y} 17:00",
        f"{day.day}/{day.month} 17:00",
        f"{day:%Y-%m-%d} 17:00",
    ]
    return format_list([tr.ltr(example) for example in examples], style="or", locale=tr.locale)


def date_problem(tr: Translator, problem: DateProblem, starts_at: datetime | None) -> str:
    """Explain, in the staff member's language, why a date or time was not accepted."""
    _ = tr.gettext
    start = tr.when(starts_at) if starts_at is not None else ""
    messages = {
        DateProblem.FORMAT: _("Sorry, I could not read that date and time."),
        DateProblem.NO_SUCH_DAY: _("That date or time does not exist. Please check the numbers."),
        DateProblem.CLOCK_GAP: _(
            "That time does not exist on that day: the clocks are put forward an hour that "
            "night. Please choose another time."
        ),
        DateProblem.PAST: _("That time has already passed. Please choose a time in the future."),
        DateProblem.END_FORMAT: _("Sorry, I could not read that. Please write a time or a length."),
        DateProblem.END_NOT_AFTER_START: _("The end must be after the start ({start}).").format(
            start=start
        ),
        DateProblem.TOO_LONG: tr.ngettext(
            "An activity can last at most {count} hour.",
            "An activity can last at most {count} hours.",
            MAX_HOURS,
        ).format(count=tr.ltr(MAX_HOURS)),
        DateProblem.AFTER_START: _("The deadline cannot be after the start ({start}).").format(
            start=start
        ),
    }
    return messages[problem]

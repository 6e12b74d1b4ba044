"""Arabic reads right on a phone: a standard bidi algorithm over every Arabic entry.

Each entry's placeholders are filled with typical left-to-right values (a Danish place
name, a time, a number, a command), isolated as ``Translator.ltr`` does at run time, and
each line is laid out as a phone lays it out. A command, value or name must come out
whole and the right way round, in reading order (right to left), and every line with
Arabic in it must start right to left even on a client that does not skip isolates when
it picks a line's direction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from string import Formatter
from zoneinfo import ZoneInfo

import pytest
from babel.lists import format_list
from babel.messages.pofile import read_po
from bidi import get_display

from bot.core.i18n import FSI, LOCALES_DIR, PDI, Catalogs

RLM = "\u200f"
# Marks that steer the layout but are not seen: dropped before comparing what is seen.
_INVISIBLE = re.compile("[\u200e\u200f\u2066-\u2069]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z0-9]")
# What a phone's "first strong character" rule sees: Latin letters and digits are
# left-to-right, Arabic letters and the right-to-left mark are right-to-left.
_STRONG = re.compile(
    "[A-Za-z\u00c0-\u024f\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff\u200f]"
)
_ISOLATE = re.compile(f"{FSI}([^{PDI}]*){PDI}")
# Typical values, all different, so each one can be found again in the laid-out line.
# Numbers and times are isolated by the code (``Translator.ltr``), as are names, places
# and titles; placeholders that hold Arabic words at run time get an Arabic word.
_NUMBERS = iter(range(11, 10_000))
_LATIN_VALUES = ["Houlkær", "Vestervang Skole", "Ellekonebakken", "MitID", "Karup Kølvrå"]
_ARABIC_FIELDS = frozenset(
    [
        "language",
        "activity",
        "party",
        "day",
        "status",
        "subject",
        "examples",
        "kinds",
        "topics",
        "durations",
        "availability",
        "names",
        "filters",
        "label",
        "face",
        "text",
        "note",
        "head",
    ]
)
_TIME_FIELDS = frozenset(["time", "start", "before", "first", "last"])
_NUMBER_FIELDS = frozenset(
    [
        "count",
        "number",
        "limit",
        "taken",
        "people",
        "position",
        "current",
        "signups",
        "year",
        "walk_ins",
        "user_id",
        "update_id",
        "uncertain",
        "total",
        "sent",
        "reach",
        "rating",
        "size",
        "step",
        "steps",
        "page",
        "pages",
        "new",
        "hours",
        "failed",
        "done",
        "came",
        "blocked",
        "average",
        "top",
        "quarter",
        "value",
        "times",
    ]
)
# The partners, as the notice and /help list them: each name isolated, Arabic "and".
_PARTNERS = format_list(
    [FSI + name + PDI for name in ("BoligViborg", "Boligselskabet Sct. Jørgen", "Viborg Kommune")],
    locale="ar",
)
# Arrows point the reading way: in Arabic "next" points left.
_MIRRORED = {"▶": "◀", "◀": "▶", "→": "←", "←": "→", "»": "«", "«": "»"}


def _entries() -> list[tuple[object, list[str]]]:
    with (LOCALES_DIR / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    entries = []
    for message in catalog:
        if not message.id:
            continue
        forms = list(message.string) if isinstance(message.string, tuple) else [message.string]
        entries.append((message.id, forms))
    return entries


# Dates and times as Translator.when and Translator.date write them in Arabic (the day
# and year are numbers, isolated like the time).
_AR = Catalogs(ZoneInfo("Europe/Copenhagen")).translator("ar")
_DATES = {
    "when": _AR.when(datetime(2030, 3, 14, 16, 30, tzinfo=UTC)),
    "date": _AR.date(datetime(2030, 3, 14, 16, 30, tzinfo=UTC)),
}


def _fill(form: str) -> str:
    """Fill each placeholder with a different typical value, as the code would."""
    names: list[str] = []
    for _, name, _, _ in Formatter().parse(form):
        if name is not None and name not in names:
            names.append(name)
    values = {}
    for i, name in enumerate(names):
        if name == "partners":
            values[name] = _PARTNERS
        elif name in _DATES:
            values[name] = _DATES[name]
        elif name in _ARABIC_FIELDS:
            values[name] = "نشاط"
        elif name in _TIME_FIELDS:
            values[name] = f"{FSI}{16 + i}:30{PDI}"
        elif name in _NUMBER_FIELDS:
            values[name] = f"{FSI}{next(_NUMBERS)}{PDI}"
        else:
            values[name] = FSI + _LATIN_VALUES[i % len(_LATIN_VALUES)] + PDI
    return form.format(**values)


def _outer_isolates(line: str) -> list[str]:
    """The isolated values of a line, outermost only: a command with its argument is one."""
    values, depth, start = [], 0, 0
    for at, char in enumerate(line):
        if char == FSI:
            depth += 1
            if depth == 1:
                start = at + 1
        elif char == PDI and depth:
            depth -= 1
            if depth == 0:
                values.append(line[start:at])
    return values


def _line_problems(line: str) -> list[str]:
    if not _ARABIC.search(line):
        return []  # a line of values only is left to right, as it should be
    problems = []
    first = _STRONG.search(line)
    if first is not None and not (_ARABIC.match(first.group()) or first.group() == RLM):
        problems.append("starts left to right: begin it with a right-to-left mark")
    bare = _LATIN.search(_ISOLATE.sub("", _ISOLATE.sub("", line)))
    if bare is not None:
        problems.append(f"Latin text outside isolates near {bare.group()!r}")
    seen = _INVISIBLE.sub("", get_display(line, base_dir="R"))
    # Right to left: each value stands left of the one before it. Take each value's
    # rightmost place left of the one before, so a name inside another is no bother.
    before = len(seen)
    for value in _outer_isolates(line):
        shown = _INVISIBLE.sub("", value)
        if not _LATIN.search(shown) or _ARABIC.search(shown):
            continue
        if shown not in seen:
            problems.append(f"{shown!r} comes out reversed or split")
            continue
        at = seen.rfind(shown, 0, before)
        if at < 0:
            problems.append(f"{shown!r} moved across the value before it")
        else:
            before = at
    return problems


def _problems(msgid: object, forms: list[str]) -> list[str]:
    problems = []
    source = " ".join(msgid) if isinstance(msgid, tuple) else str(msgid)
    for form in forms:
        for arrow, mirrored in _MIRRORED.items():
            if arrow in source and arrow in form and mirrored not in source:
                problems.append(f"{arrow} points against the reading way: use {mirrored}")
        if form.count(FSI) != form.count(PDI):
            problems.append("unbalanced isolates")
            continue
        for line in _fill(form).split("\n"):
            problems += [f"{line!r}: {problem}" for problem in _line_problems(line)]
    return problems


def test_every_arabic_entry_reads_right_on_a_phone() -> None:
    found = {
        str(msgid): problems for msgid, forms in _entries() if (problems := _problems(msgid, forms))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("اكتب /start للبدء", ["Latin text outside isolates"]),
        (f"اكتب {FSI}/start{PDI} للبدء", []),
        (f"{FSI}/start{PDI} للبدء", ["starts left to right"]),
        (f"{RLM}{FSI}/start{PDI} للبدء", []),
        (f"من {FSI}Houlkær{PDI} إلى {FSI}Vestervang{PDI}", []),
        (f"مثلا {FSI}/export {FSI}16:30{PDI} {FSI}17:30{PDI}{PDI}", []),
    ],
)
def test_the_rules_catch_what_a_phone_shows_wrong(text: str, expected: list[str]) -> None:
    problems = _line_problems(text)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert start in problem

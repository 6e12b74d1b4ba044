"""Right-to-left text with left-to-right values in it, and which script a text is written in.

The catalogs' Arabic wraps every command, name, number and Latin word in isolates and
starts a line that opens with one with a right-to-left mark (README: Languages and
translators). A volunteer translator types Arabic on a phone without such marks;
``isolate_runs`` gives their text the same, so it reads the same way as Nabo's own.
"""

from __future__ import annotations

import re

# Unicode isolates: keep a left-to-right value (a time, a place, a name) from
# scrambling the right-to-left sentence around it.
FSI = "\u2068"
PDI = "\u2069"
# A right-to-left mark: starts an Arabic line that opens with an isolated value, so a
# client that picks a line's direction from its first letter still lays it out RTL.
RLM = "\u200f"

_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_LETTER = re.compile(f"[{_ARABIC}]")
# Latin letters (æ, ø, å and the other accented ones too) and European digits.
_LATIN = "A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff"
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# A left-to-right value: a command or a hashtag, a word, a name of several words, a time,
# an address; whatever joins Latin to Latin (spaces, dots, colons, dashes) belongs to it.
_RUN = re.compile(f"[/#@+]?[{_LATIN}](?:[ .,:;/'’\\-_+@&%]*[{_LATIN}])*")
# Direction marks and embeddings someone's keyboard put there; replaced by Nabo's own.
_MARKS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WORD = re.compile(f"[{_LATIN}{_ARABIC}]+")

SCRIPTS = {"ar": _ARABIC_LETTER, "en": _LATIN_LETTER}
# A translation into Arabic must be at least this share Arabic letters (into English, Latin
# ones), counting only words that are not in the Danish text: names such as Houlkær or
# MitID stay Latin in any language.
MIN_SHARE = 0.5


def isolate_runs(text: str) -> str:
    """Wrap every left-to-right value in the Arabic lines of ``text`` in isolates.

    A line whose first letter is then inside an isolate starts with a right-to-left mark;
    lines without Arabic are left as they are. Doing it twice changes nothing.
    """
    lines = []
    for line in _MARKS.sub("", text).split("\n"):
        if _ARABIC_LETTER.search(line) is None:
            lines.append(line)
            continue
        isolated = _RUN.sub(lambda run: f"{FSI}{run.group()}{PDI}", line)
        first = re.search(f"[{_LATIN}{_ARABIC}]", isolated)
        if first is not None and _ARABIC_LETTER.match(first.group()) is None:
            isolated = RLM + isolated
        lines.append(isolated)
    return "\n".join(lines)


def set_apart(text: str, *, rtl_reader: bool) -> str:
    """Isolate each line written the other way round from the message around it.

    A Danish text quoted in an Arabic message (or an Arabic one in a Danish message)
    then reads in its own direction, whichever way the client lays out the message: as a
    whole, or paragraph by paragraph from each one's first letter.
    """
    lines = []
    for line in text.split("\n"):
        if line.strip() and (_ARABIC_LETTER.search(line) is not None) != rtl_reader:
            line = f"{FSI}{line}{PDI}"
        lines.append(line)
    return "\n".join(lines)


def script_share(text: str, language: str) -> float:
    """Return the share of the letters in ``text`` written in ``language``'s script."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    script = SCRIPTS[language]
    return sum(1 for char in letters if script.match(char)) / len(letters)


def translation_problem(text: str, source: str, language: str) -> str | None:
    """Say what is wrong with a translation of ``source`` into ``language``, or None.

    "empty": nothing written; "same": only words of the Danish text (sent back as it
    was); "script": mostly not in the language's script. Words from the Danish text
    (names, MitID, commands) are not counted.
    """
    if not text.strip():
        return "empty"
    known = {word.casefold() for word in _WORD.findall(source)}
    new_words = [word for word in _WORD.findall(text) if word.casefold() not in known]
    letters = "".join(new_words)
    if not any(char.isalpha() for char in letters):
        return "same"
    if script_share(letters, language) < MIN_SHARE:
        return "script"
    return None

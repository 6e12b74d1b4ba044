"""A translator's text: isolates as the catalogs have them, and the script it is written in."""

from __future__ import annotations

import pytest

from bot.core.bidi import (
    FSI,
    PDI,
    RLM,
    isolate_runs,
    script_share,
    set_apart,
    translation_problem,
)
from bot.views.staff_texts import pack_messages, split_text, utf16_len
from tests.test_bidi import _line_problems

SOURCE = "Lektiecafé i Houlkær: tag MitID med. Skriv /start kl. 17:00."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("مقهى الواجبات في Houlkær", f"مقهى الواجبات في {FSI}Houlkær{PDI}"),
        ("أرسل /start الساعة 17:00", f"أرسل {FSI}/start{PDI} الساعة {FSI}17:00{PDI}"),
        (
            "MitID معك من فضلك",
            f"{RLM}{FSI}MitID{PDI} معك من فضلك",
        ),
        # Two names apart stay apart; a name of two words is one value.
        (
            "من Vestervang Skole إلى Karup Kølvrå",
            f"من {FSI}Vestervang Skole{PDI} إلى {FSI}Karup Kølvrå{PDI}",
        ),
        # Marks the translator's keyboard put there are replaced, not doubled.
        ("في \u2066Houlkær\u2069 \u200e", f"في {FSI}Houlkær{PDI} "),
        # Every line on its own: a line that starts with a value gets the mark.
        ("النشاط:\n17:00 في Houlkær", f"النشاط:\n{RLM}{FSI}17:00{PDI} في {FSI}Houlkær{PDI}"),
        # A line without Arabic is left alone.
        ("مرحبا\nhttps://nabo.dk", "مرحبا\nhttps://nabo.dk"),
    ],
)
def test_arabic_gets_the_catalogs_isolates(typed: str, expected: str) -> None:
    result = isolate_runs(typed)
    assert result == expected
    for line in result.split("\n"):
        assert _line_problems(line) == []
    assert isolate_runs(result) == result  # applying it twice changes nothing


def test_a_long_mixed_text_reads_right_on_a_phone() -> None:
    typed = (
        "مرحبا بالجميع!\n"
        "مقهى الواجبات المدرسية في Houlkær Beboerhus يوم الخميس الساعة 16:30.\n"
        "احضروا MitID و e-Boks إذا أردتم المساعدة. اكتبوا /help أو /volunteer.\n"
        "Ellekonebakken: 12 مكانا فقط"
    )
    for line in isolate_runs(typed).split("\n"):
        assert _line_problems(line) == [], line


def test_script_share_counts_letters_not_digits() -> None:
    assert script_share("مرحبا 123", "ar") == 1.0
    assert script_share("Hello مرحبا", "ar") == pytest.approx(5 / 10)
    assert script_share("123 !", "ar") == 0.0


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("ar", "مقهى الواجبات في Houlkær. احضروا MitID معكم.", None),
        # Names from the Danish text are not held against the translation.
        ("ar", "Houlkær MitID /start 17:00 مقهى", None),
        ("ar", "Homework café in Houlkær: bring MitID", "script"),
        ("ar", SOURCE, "same"),
        ("ar", "   ", "empty"),
        ("en", "Homework café in Houlkær: bring MitID. Send /start at 17:00.", None),
        ("en", "مقهى الواجبات في Houlkær", "script"),
        ("en", SOURCE.upper(), "same"),
    ],
)
def test_what_a_translation_must_be(language: str, text: str, problem: str | None) -> None:
    assert translation_problem(text, SOURCE, language) == problem


def test_a_line_written_the_other_way_is_set_apart() -> None:
    danish, arabic = "Skriv /help.", f"اكتبوا {FSI}/help{PDI}."
    both = f"{danish}\n\n{arabic}"
    # In an Arabic message the Danish line is isolated (and so exempt from the line rules).
    assert set_apart(both, rtl_reader=True) == f"{FSI}{danish}{PDI}\n\n{arabic}"
    # In a Danish one the Arabic line is, and it keeps its own isolates inside.
    assert set_apart(both, rtl_reader=False) == f"{danish}\n\n{FSI}{arabic}{PDI}"
    for line in set_apart(both, rtl_reader=True).split("\n"):
        assert _line_problems(line) == []


def test_a_quoted_text_too_long_for_one_message_is_split_between_its_lines() -> None:
    danish = "\n".join(f"Linje {number}: husk fællesspisning i Houlkær." for number in range(200))
    shown = set_apart(danish, rtl_reader=True)
    assert utf16_len(shown) > 4096
    pieces = split_text(shown, 4096)
    assert len(pieces) == 3
    assert all(utf16_len(piece) <= 4096 for piece in pieces)
    # Cut between lines, each line whole and isolated as it was.
    assert "\n".join(pieces) == shown
    # Packed after a heading: the heading and as many lines as fit, then the rest.
    first, *rest = pack_messages([["Kan du oversætte?"], [shown]], 4096)
    assert all(utf16_len(message) <= 4096 for message in [first, *rest])
    assert first.startswith("Kan du oversætte?\n\n" + FSI)
    assert "\n".join([first.removeprefix("Kan du oversætte?\n\n"), *rest]) == shown


def test_one_line_too_long_is_cut_after_a_space_its_isolate_closed_and_reopened() -> None:
    line = set_apart("ord " * 1500 + "slut", rtl_reader=True)
    first, second = split_text(line, 4096)
    assert utf16_len(first) <= 4096
    assert first.startswith(FSI)
    assert first.endswith(f" {PDI}")
    assert second.startswith(f"{FSI}ord")
    assert second.endswith(f"slut{PDI}")
    assert (first[:-1] + second[1:]) == line
    for piece in (first, second):
        assert piece.count(FSI) == piece.count(PDI)


def test_a_text_without_spaces_is_cut_between_characters_never_inside_one() -> None:
    faces = "😀" * 3000  # two UTF-16 units each, as Telegram counts
    pieces = split_text(faces, 4096)
    assert [utf16_len(piece) for piece in pieces] == [4096, 1904]
    assert "".join(pieces) == faces
    assert split_text("kort", 4096) == ["kort"]

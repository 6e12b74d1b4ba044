"""The privacy notice on paper: the chat's own notice, and what is kept without Telegram.

Read back as a reader would: one A4 page per language, each with the chat's notice (the
same catalog entry, one source for both), the section for people the team signs up
without Telegram with the retention rules in force, and the version; every text inside
its box on the page. The command line writes it without a database.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from pathlib import Path

import pypdfium2
import pytest

from bot.__main__ import build_parser
from bot.core.config import LANGUAGES, Config
from bot.core.i18n import Catalogs
from bot.core.notice import printed_notice, privacy_notice_text
from bot.db.notice_version import PRIVACY_NOTICE_VERSION
from bot.db.people import PHONE_DAYS
from bot.offline.cli import run_staff_tool
from bot.offline.printing.layouts import A4_NOTICE
from bot.offline.printing.make import make_notice
from tests.conftest import SUITE_NOW, TestClock
from tests.printed import pdf_pages, words

POINTS_PER_MM = 72 / 25.4


def pages(pdf: bytes) -> list[str]:
    """Each page's text, as pdfium reads it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_bounded() for page in document]
    finally:
        document.close()


def _runs(text: str) -> set[str]:
    """The Arabic and the other words of a text, each run of one script on its own."""
    return set(re.findall(r"[\u0600-\u06ff]+|[^\s\u0600-\u06ff]+", words(text)))


def said(expected: str, page: str, language: str) -> bool:
    """Whether a paragraph is on the page: in order, or (Arabic with Latin words, which
    pdfium gives back in visual order within a line) word for word."""
    if language != "ar":
        return words(expected) in words(page)
    return _runs(expected) <= _runs(page)


def test_the_printed_notice_is_the_chats_with_what_is_kept_without_telegram(
    catalogs: Catalogs,
) -> None:
    made = make_notice(
        LANGUAGES,
        catalogs,
        phone_days=PHONE_DAYS,
        record_days=365,
        version=PRIVACY_NOTICE_VERSION,
        now=SUITE_NOW,
    )
    assert made.filename == "nabo-privacy-da-ar-en.pdf"
    assert pdf_pages(made.data) == 3
    document = pypdfium2.PdfDocument(made.data)
    try:
        sizes = [page.get_size() for page in document]
    finally:
        document.close()
    assert {(round(w / POINTS_PER_MM), round(h / POINTS_PER_MM)) for w, h in sizes} == {(210, 297)}
    for language, page, drawn in zip(LANGUAGES, pages(made.data), made.drawn, strict=True):
        tr = catalogs.translator(language)
        # The chat's notice, every paragraph of it, with the padlock left out on paper.
        chat = privacy_notice_text(tr).split("\n\n")
        for paragraph in [chat[0].lstrip("🔒"), *chat[1:]]:
            assert said(paragraph, page, language), (language, paragraph[:40])
        notice = printed_notice(
            tr, phone_days=PHONE_DAYS, record_days=365, version=4, printed=SUITE_NOW
        )
        for heading, paragraphs in notice.sections:
            for text in [heading or "", *paragraphs]:
                assert said(text, page, language), (language, text[:40])
        # The rules in force and the version, as the language writes them.
        assert {str(PHONE_DAYS), "365", str(PRIVACY_NOTICE_VERSION)} <= set(words(page).split())
        assert said(notice.footer, page, language)
        assert drawn.cut == []
        for box in drawn.boxes:
            assert box.used <= box.height + 1e-6, box
            assert box.x >= 0, box
            assert box.y >= 0, box
            assert box.x + box.width <= A4_NOTICE.width + 1e-6, box
            assert box.y + box.used <= A4_NOTICE.height - A4_NOTICE.margin + 1e-6, box


def test_the_retention_rules_come_from_the_settings(catalogs: Catalogs) -> None:
    made = make_notice(("en",), catalogs, phone_days=30, record_days=730, version=4, now=SUITE_NOW)
    [page] = pages(made.data)
    assert "730 days after it" in words(page)
    assert made.filename == "nabo-privacy-en.pdf"


def _run(config: Config, *argv: str) -> int:
    arguments: argparse.Namespace = build_parser().parse_args(["poster", "privacy", *argv])
    return run_staff_tool(arguments, config, TestClock())


def test_command_line_without_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = replace(Config.from_env({}), database_path=tmp_path / "none.sqlite3")
    out = tmp_path / "print" / "privacy.pdf"
    assert _run(config, "--out", str(out)) == 0
    assert pdf_pages(out.read_bytes()) == 3
    assert f"wrote {out}" in capsys.readouterr().out
    arabic = tmp_path / "privacy-ar.pdf"
    assert _run(config, "--out", str(arabic), "--language", "ar") == 0
    assert pdf_pages(arabic.read_bytes()) == 1
    for wrong in (
        ("--out", str(tmp_path / "privacy.png")),
        ("--out", str(out), "--door"),
        ("--out", str(out), "--source", "abcdef"),
    ):
        assert _run(config, *wrong) == 2, wrong
        assert "privacy notice" in capsys.readouterr().err
    assert not config.database_path.exists()

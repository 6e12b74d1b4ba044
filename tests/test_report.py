"""The period report: every figure against the hand-counted known data set."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.core.config import DEFAULT_AREAS
from bot.offline.export import PARTICIPANTS_NOTE, report_file
from bot.offline.periods import Period, PeriodError, parse_period
from bot.offline.reporting import REPORT_COLUMNS, Figures, Report, build_report
from bot.offline.snapshot import snapshot
from tests.known_data import NOW, build_known_database

CPH = ZoneInfo("Europe/Copenhagen")
Q1 = Period(date(2030, 1, 1), date(2030, 3, 31))

# Worked out by hand from tests/known_data.py. Columns: held, hours, sign-ups, people,
# waitlisted, cancelled, visits, participants, new, returning, offers, active offers,
# translations by volunteers (in the total only: see TRANSLATIONS), feedback, average
# rating, ratings 1..5, broadcasts, reach.
EXPECTED_TOTAL = [4, 7, 9, 14, 2, 1, 15, 4, 3, 1, 2, 1, 2, 5, 4.0, 0, 1, 0, 1, 2, 2, 5]
EXPECTED_DELAFTALER = {
    "Uddannelse og livschancer": [
        2,
        3.5,
        6,
        10,
        1,
        1,
        10,
        2,
        1,
        1,
        None,
        None,
        None,
        2,
        4.5,
        0,
        0,
        0,
        1,
        1,
        1,
        2,
    ],
    "Beskæftigelse": [
        2,
        3.5,
        3,
        4,
        1,
        0,
        5,
        3,
        2,
        1,
        None,
        None,
        None,
        1,
        2.0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
    ],
    "Sammenhængskraft og medborgerskab": [
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        None,
        None,
        None,
        0,
        None,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ],
}
EXPECTED_AREAS = {
    "Houlkær": [2, 5, 5, 8, 2, 1, 11, 3, 2, 1, None, None, None, 3, 3.67, 0, 1, 0, 1, 1, 0, 0],
    "Ellekonebakken": [
        1,
        1.5,
        3,
        5,
        0,
        0,
        3,
        1,
        1,
        0,
        None,
        None,
        None,
        0,
        None,
        0,
        0,
        0,
        0,
        0,
        1,
        2,
    ],
    "Karup Kølvrå": [
        1,
        0.5,
        1,
        1,
        0,
        0,
        1,
        1,
        1,
        0,
        None,
        None,
        None,
        0,
        None,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ],
}
# Confirmed sign-ups per month of the activity's local start: education, employment, community.
EXPECTED_MONTHS = [
    ["2030-01", 3, 1, 0],  # activity 7 starts on 1 January in Copenhagen
    ["2030-02", 3, 2, 0],
    ["2030-03", 0, 0, 0],
]


def figures(f: Figures) -> list[object]:
    return [read(f) for _, read in REPORT_COLUMNS]


@pytest.fixture
async def report(tmp_path: Path) -> Report:
    database = tmp_path / "nabo.sqlite3"
    await build_known_database(database)
    with snapshot(database) as connection:
        return build_report(connection, Q1, NOW, CPH, DEFAULT_AREAS)


def test_every_figure_of_the_quarter(report: Report) -> None:
    assert figures(report.total) == EXPECTED_TOTAL
    delaftaler = dict(zip(EXPECTED_DELAFTALER, report.by_delaftale.values(), strict=True))
    assert {name: figures(f) for name, f in delaftaler.items()} == EXPECTED_DELAFTALER
    assert {area: figures(f) for area, f in report.by_area.items()} == EXPECTED_AREAS
    assert [[f"{month:%Y-%m}", *counts.values()] for month, counts in report.months] == (
        EXPECTED_MONTHS
    )


async def test_the_workbook_holds_the_same_figures_and_two_charts(tmp_path: Path) -> None:
    database, out = tmp_path / "nabo.sqlite3", tmp_path / "rapport.xlsx"
    await build_known_database(database)
    written = report_file(database, out, Q1, NOW, CPH, DEFAULT_AREAS)
    assert written.size == out.stat().st_size
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Nøgletal",
        "Delaftaler",
        "Områder",
        "Arrangører",  # per organiser: tests/test_report_organisers.py
        "Tilmeldinger pr. måned",
        "Vurderinger",
        "Kilder",
    ]
    summary = book["Nøgletal"]
    assert summary["B1"].value == "1. kvartal 2030"
    key_figures = {row[0]: row[1] for row in summary.iter_rows(min_row=6, values_only=True)}
    assert list(key_figures) == [header for header, _ in REPORT_COLUMNS] + ["Partnere involveret"]
    assert list(key_figures.values()) == [*EXPECTED_TOTAL, 0]  # the team ran every activity

    for name, expected in (("Delaftaler", EXPECTED_DELAFTALER), ("Områder", EXPECTED_AREAS)):
        sheet = book[name]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0][1:]) == [header for header, _ in REPORT_COLUMNS]
        body = {row[0]: list(row[1:]) for row in rows[1 : len(expected) + 1]}
        assert body == expected
        assert rows[len(expected) + 1] == ("I alt", *EXPECTED_TOTAL)
        assert rows[-1][0] == PARTICIPANTS_NOTE  # distinct people: only linked sign-ups
        assert sheet.freeze_panes == "B2"

    months = book["Tilmeldinger pr. måned"]
    assert [list(row) for row in months.iter_rows(min_row=2, values_only=True)] == (EXPECTED_MONTHS)
    ratings = book["Vurderinger"]
    assert [list(row) for row in ratings.iter_rows(min_row=2, values_only=True)] == [
        [1, 0],
        [2, 1],
        [3, 0],
        [4, 1],
        [5, 2],
    ]
    # Native charts survive the round trip (openpyxl reads them back as chart objects).
    assert len(months._charts) == 1
    assert len(ratings._charts) == 1


async def test_a_period_with_nothing_in_it_is_all_zeros(tmp_path: Path) -> None:
    database = tmp_path / "nabo.sqlite3"
    await build_known_database(database)
    with snapshot(database) as connection:
        empty = build_report(connection, parse_period("2031"), NOW, CPH)
    assert figures(empty.total) == [0] * 14 + [None] + [0] * 7
    assert len(empty.months) == 12


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2024q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(text: str, first: date, last: date) -> None:
    assert parse_period(text) == Period(first, last)


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "26Q1", "Q1", "2026-01", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)

"""Who runs activities in the report and the export: per organiser, partners involved, hosts.

On the known data set (tests/known_data.py), with activity 1 run by an afdelingsbestyrelse
and activity 3 by a partner (the others by the team), every figure is worked out by hand:

- the board's activity 1: 2 hours, 5 people signed up, 5 came + 2 walk-ins = 7 visits,
  residents 1 and 2 came: 2 participants;
- the partner's activity 3: 3 hours, 3 people, 3 came + 1 walk-in = 4, residents 1 and 3;
- the team's activities 2 and 7: 1.5 + 0.5 hours, 5 + 1 people, 3 + 1 visits, residents
  2 and 6.

Two partners are involved (the board and the partner). Hosts are listed in the workbook
by organisation and role, never by name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.core.config import DEFAULT_AREAS
from bot.core.i18n import Catalogs
from bot.offline.export import export_file, report_file
from bot.offline.reporting import build_report
from bot.offline.snapshot import snapshot
from handlers.staff_reports import report_summary
from tests.known_data import NOW, R1, build_known_database
from tests.test_report import Q1

CPH = ZoneInfo("Europe/Copenhagen")
HOST_NAME = "Hanne-Marie"


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    path = tmp_path / "nabo.sqlite3"
    await build_known_database(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE activities SET organiser_kind = 'board',"
            " organiser_name = 'Afdelingsbestyrelsen Houlkær' WHERE id = 1"
        )
        db.execute(
            "UPDATE activities SET organiser_kind = 'partner', organiser_name = 'Røde Kors Viborg'"
            " WHERE id = 3"
        )
        db.execute(
            "INSERT INTO hosts (user_id, first_name, language, activity_id, whole_series,"
            " organiser_kind, organisation, role, started_at)"
            " VALUES (?, ?, 'da', 3, 0, 'partner', 'Røde Kors Viborg', 'Frivillig leder',"
            " '2030-01-02T10:00:00+00:00')",
            (R1, HOST_NAME),
        )
        db.execute(
            "INSERT INTO hosts (activity_id, whole_series, organiser_kind, organisation, role,"
            " started_at, ended_at, ended_how) VALUES (1, 0, 'board',"
            " 'Afdelingsbestyrelsen Houlkær', 'Formand', '2030-01-02T10:00:00+00:00',"
            " '2030-01-20T10:00:00+00:00', 'removed')"
        )
    return path


def test_the_report_counts_per_organiser(database: Path) -> None:
    with snapshot(database) as connection:
        report = build_report(connection, Q1, NOW, CPH, DEFAULT_AREAS)
    figures = {
        key: (f.held, f.hours, f.people, f.visits, f.participants)
        for key, f in report.by_organiser.items()
    }
    assert figures == {
        ("team", None): (2, 2.0, 6, 4, 2),
        ("board", "Afdelingsbestyrelsen Houlkær"): (1, 2.0, 5, 7, 2),
        ("partner", "Røde Kors Viborg"): (1, 3.0, 3, 4, 2),
    }
    assert report.partners == 2


async def test_the_workbooks_name_organisers_and_hosts_never_people(
    database: Path, tmp_path: Path, catalogs: Catalogs
) -> None:
    out = tmp_path / "rapport.xlsx"
    report_file(database, out, Q1, NOW, CPH, DEFAULT_AREAS)
    book = openpyxl.load_workbook(out)
    sheet = book["Arrangører"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Arrangør",
        "Type",
        "Aktiviteter afholdt",
        "Timer med aktiviteter",
        "Tilmeldte personer",
        "Besøg (fremmøde + uden tilmelding)",
        "Unikke deltagere",
    )
    assert rows[1:4] == [
        ("Det boligsociale team", "Teamet", 2, 2, 6, 4, 2),
        ("Afdelingsbestyrelsen Houlkær", "Afdelingsbestyrelse", 1, 2, 5, 7, 2),
        ("Røde Kors Viborg", "Partner", 1, 3, 3, 4, 2),
    ]
    assert rows[4] == ("I alt", None, 4, 7, 14, 15, 4)
    summary = {row[0]: row[1] for row in book["Nøgletal"].iter_rows(values_only=True)}
    assert summary["Partnere involveret"] == 2

    export = tmp_path / "eksport.xlsx"
    export_file(database, export, CPH, catalogs.translator("da"))
    workbook = openpyxl.load_workbook(export)
    hosts = list(workbook["Værter"].iter_rows(values_only=True))
    assert hosts[0] == (
        "Vært nr.",
        "Type",
        "Organisation",
        "Rolle",
        "Aktivitet nr.",
        "Aktivitet",
        "Hele serien",
        "Vært fra",
        "Vært til",
        "Sluttede",
    )
    assert [row[1:7] for row in hosts[1:]] == [
        ("Partner", "Røde Kors Viborg", "Frivillig leder", 3, hosts[1][5], "Nej"),
        ("Afdelingsbestyrelse", "Afdelingsbestyrelsen Houlkær", "Formand", 1, "Lektiecafé", "Nej"),
    ]
    assert hosts[1][8:] == (None, None)  # still hosting
    assert hosts[2][9] == "Fjernet af teamet"
    texts: set[Any] = {
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
    }
    assert not any(HOST_NAME in text or str(R1) in text for text in texts)
    activities = {
        row[0]: row for row in workbook["Aktiviteter"].iter_rows(min_row=2, values_only=True)
    }
    assert activities[1][-2:] == ("Afdelingsbestyrelse", "Afdelingsbestyrelsen Houlkær")
    assert activities[2][-2:] == ("Teamet", "Det boligsociale team")


@pytest.mark.parametrize("language", ["da", "ar", "en"])
def test_the_chat_summary_says_how_many_partners(
    database: Path, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    with snapshot(database) as connection:
        report = build_report(connection, Q1, NOW, CPH, DEFAULT_AREAS)
    line = tr.gettext(
        "Partners involved: {count} (afdelingsbestyrelser and partner organisations with "
        "activities held)"
    ).format(count=tr.ltr(2))
    assert line in report_summary(tr, report).splitlines()

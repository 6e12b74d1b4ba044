"""The activity importer: CSV files from staff, checked row by row, stored all or nothing."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.config import Config
from bot.db.activities import DEFAULT_MAX_PER_SIGNUP, OTHER_AREA, Activity, ActivityRepository
from bot.db.store import Store
from bot.offline.importer import RowProblem, import_activities, parse_activities

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
HEADER = [
    "title_da",
    "title_ar",
    "title_en",
    "description_da",
    "description_ar",
    "description_en",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "delaftale",
    "area",
    "signup_deadline",
    "max_per_signup",
    "repeat_weekly",
]
# A row that is fine on its own; each test changes what it is about.
GOOD = {
    "title_da": "Lektiecafé",
    "starts_at": "2026-11-05 16:00",
    "ends_at": "2026-11-05 18:00",
    "place": "Biblioteket, Houlkær",
    "delaftale": "education",
    "area": "Houlkær",
}


def csv_text(
    rows: list[dict[str, str]], *, delimiter: str = ";", header: list[str] = HEADER
) -> str:
    """Write rows the way a spreadsheet saves them: CRLF lines, quotes only where needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue()


def write_csv(path: Path, text: str, *, bom: bool = True) -> Path:
    """Save the text as UTF-8, with the byte order mark Excel's 'CSV UTF-8' adds."""
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Config:
    return replace(Config.from_env({}), database_path=tmp_path / "nabo.sqlite3")


async def stored(config: Config, ids: list[int]) -> list[Activity]:
    """Read activities back from the database file, as the bot will."""
    store = await Store.open(config.database_path)
    try:
        repository = ActivityRepository(store)
        activities = [await repository.get(activity_id) for activity_id in ids]
    finally:
        await store.close()
    assert None not in activities
    return [activity for activity in activities if activity is not None]


async def count_stored(config: Config) -> int:
    store = await Store.open(config.database_path)
    try:
        return len(await ActivityRepository(store).not_started(NOW))
    finally:
        await store.close()


async def test_good_file_with_bom_and_semicolons_is_stored(
    settings: Config, tmp_path: Path
) -> None:
    winter = {
        "title_da": "Fællesspisning",
        "title_ar": "  عشاء مشترك  ",
        "title_en": "Shared dinner",
        "description_da": "Vi laver mad sammen; alle er velkomne, også børn.",
        "description_ar": "نطبخ معًا؛ الجميع مرحب بهم، والأطفال أيضًا.",
        "description_en": "",
        "starts_at": "2026-12-03 17:00",
        "ends_at": "2026-12-03 19:00",
        "place": "Beboerhuset",
        "capacity": "",
        "delaftale": "sammenhængskraft og MEDBORGERSKAB",
        "area": settings.areas[0].upper(),
        "signup_deadline": "2026-12-02 12:00",
        "max_per_signup": "",
        "repeat_weekly": "",
    }
    summer = {
        "title_da": "Jobcafé",
        "starts_at": "2027-06-10 17:00",
        "ends_at": "2027-06-10 19:30",
        "place": "Jobcentret",
        "capacity": "25",
        "delaftale": "Beskæftigelse",
        "area": "Andet",
        "max_per_signup": "4",
        "repeat_weekly": "0",
    }
    path = write_csv(tmp_path / "activities.csv", csv_text([winter, summer]))

    report = await import_activities(path, settings, NOW)

    assert report.problems == ()
    first, second = await stored(settings, [activity.id for activity in report.activities])
    assert first.title_da == "Fællesspisning"
    assert first.title_ar == "عشاء مشترك"
    assert first.description_ar == winter["description_ar"]
    assert first.description_en is None
    assert first.starts_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # CET, UTC+1
    assert first.ends_at == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert first.signup_deadline == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    assert first.capacity is None
    assert first.delaftale == "community"
    assert first.area == settings.areas[0]
    assert first.max_per_signup == DEFAULT_MAX_PER_SIGNUP
    assert first.series_id is None
    assert first.status == "published"

    assert second.starts_at == datetime(2027, 6, 10, 15, 0, tzinfo=UTC)  # CEST, UTC+2
    assert second.ends_at == datetime(2027, 6, 10, 17, 30, tzinfo=UTC)
    assert second.title_ar is None
    assert second.description_da == ""
    assert second.capacity == 25
    assert second.delaftale == "employment"
    assert second.area == OTHER_AREA
    assert second.max_per_signup == 4
    assert second.signup_deadline is None


async def test_weekly_repeats_keep_the_local_time_across_the_end_of_summer_time(
    settings: Config, tmp_path: Path
) -> None:
    # Wednesdays 14, 21, 28 October and 4 November 2026; summer time ends on 25 October.
    row = {
        **GOOD,
        "starts_at": "2026-10-14 17:00",
        "ends_at": "2026-10-14 19:00",
        "signup_deadline": "2026-10-13 12:00",
        "repeat_weekly": "3",
    }
    path = write_csv(tmp_path / "weekly.csv", csv_text([row]))

    report = await import_activities(path, settings, NOW)

    assert report.problems == ()
    activities = await stored(settings, [activity.id for activity in report.activities])
    assert len(activities) == 4
    assert await count_stored(settings) == 4
    zone = settings.timezone
    local_starts = [activity.starts_at.astimezone(zone) for activity in activities]
    assert [start.date().isoformat() for start in local_starts] == [
        "2026-10-14",
        "2026-10-21",
        "2026-10-28",
        "2026-11-04",
    ]
    assert all((start.hour, start.minute) == (17, 0) for start in local_starts)
    assert [activity.starts_at.hour for activity in activities] == [15, 15, 16, 16]
    for activity in activities:
        assert activity.ends_at.astimezone(zone).hour == 19
        assert activity.signup_deadline is not None
        deadline = activity.signup_deadline.astimezone(zone)
        assert (deadline.hour, deadline.date()) == (12, activity.starts_at.date() - timedelta(1))
    assert {activity.series_id for activity in activities} == {activities[0].id}


async def test_bad_file_stores_nothing_and_lists_every_problem(
    settings: Config, tmp_path: Path
) -> None:
    rows = [
        GOOD,  # line 2: fine, but must not be stored either
        {**GOOD, "starts_at": "2026-13-01 17:00"},  # line 3
        {**GOOD, "description_da": "to\nlinjer", "capacity": "0"},  # lines 4-5
        {**GOOD, "ends_at": "2026-11-05 15:00"},  # line 6: ends before it starts
        # line 7: 02:30 does not exist on 28 March 2027 (clocks go from 02:00 to 03:00)
        {
            **GOOD,
            "starts_at": "2027-03-28 02:30",
            "ends_at": "2027-03-28 04:00",
            "max_per_signup": "21",
        },
        {**GOOD, "starts_at": "2026-08-01 17:00", "delaftale": "sport"},  # line 8: past
        {**GOOD, "title_da": "  ", "area": "Aarhus"},  # line 9
        {**GOOD, "signup_deadline": "2026-11-05 16:30"},  # line 10: after the start
        # line 11: the third Sunday falls in the spring-forward gap
        {
            **GOOD,
            "starts_at": "2027-03-14 02:30",
            "ends_at": "2027-03-14 03:30",
            "repeat_weekly": "2",
        },
        {},  # line 12: an empty row, as Excel leaves them; ignored
        {**GOOD, "title_da": "x" * 201, "capacity": "ti", "repeat_weekly": "53"},  # line 13
    ]
    path = write_csv(tmp_path / "bad.csv", csv_text(rows))

    report = await import_activities(path, settings, NOW)

    assert report.activities == ()
    assert [(problem.line, problem.column) for problem in report.problems] == [
        (3, "starts_at"),
        (4, "capacity"),
        (6, "ends_at"),
        (7, "max_per_signup"),
        (7, "starts_at"),
        (8, "delaftale"),
        (8, "starts_at"),
        (9, "title_da"),
        (9, "area"),
        (10, "signup_deadline"),
        (11, "repeat_weekly"),
        (13, "title_da"),
        (13, "capacity"),
        (13, "repeat_weekly"),
    ]
    messages = [str(problem) for problem in report.problems]
    assert messages[0] == (
        "line 3, starts_at: '2026-13-01 17:00' is not a date and time like 2026-03-12 17:00"
    )
    assert "2027-03-28 02:30 does not exist" in messages[4]
    assert "not in the future" in messages[6]
    assert "2027-03-28 02:30 does not exist" in messages[10]
    assert await count_stored(settings) == 0


def test_ambiguous_time_when_clocks_go_back_means_the_first_one() -> None:
    # 02:30 happens twice on 25 October 2026: first at UTC+2, then at UTC+1.
    row = {**GOOD, "starts_at": "2026-10-25 02:30", "ends_at": "2026-10-25 04:00"}
    result = parse_activities(csv_text([row]), Config.from_env({}), NOW)
    assert result.problems == ()
    (draft,) = result.series[0]
    assert draft.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert draft.ends_at == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)


def test_comma_separated_file_with_only_the_required_columns() -> None:
    header = ["place", "title_da", "starts_at", "ends_at", "delaftale", "area"]
    row = {**GOOD, "title_da": "Kaffe, kage og snak"}
    result = parse_activities(
        csv_text([row], delimiter=",", header=header), Config.from_env({}), NOW
    )
    assert result.problems == ()
    (draft,) = result.series[0]
    assert draft.title_da == "Kaffe, kage og snak"
    assert draft.place == GOOD["place"]
    assert draft.capacity is None
    assert draft.max_per_signup == DEFAULT_MAX_PER_SIGNUP


def test_header_names_missing_and_unknown_columns() -> None:
    header = [name for name in HEADER if name != "place"] + ["plads"]
    result = parse_activities(csv_text([GOOD], header=header), Config.from_env({}), NOW)
    assert [(problem.line, problem.column) for problem in result.problems] == [
        (1, "plads"),
        (1, "place"),
    ]
    assert result.series == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", RowProblem(1, None, "the file is empty; the first line must name the columns")),
        (
            ";".join(HEADER) + "\r\n",
            RowProblem(1, None, "the file has no activities below the header"),
        ),
        (
            csv_text([GOOD]).rstrip("\r\n") + ";surprise\r\n",
            RowProblem(2, None, "has a value in cell 16, which the header gives no column name"),
        ),
    ],
)
def test_file_level_problems(text: str, expected: RowProblem) -> None:
    assert parse_activities(text, Config.from_env({}), NOW).problems == (expected,)


async def test_file_that_is_not_utf8_is_refused(settings: Config, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    plain = {**GOOD, "title_da": "Lektiehjaelp", "place": "Biblioteket", "area": "other"}
    text = csv_text([plain, {**plain, "title_da": "Fællesspisning"}])
    path.write_bytes(text.encode("cp1252"))  # as an older Excel saves "CSV"
    report = await import_activities(path, settings, NOW)
    assert [(problem.line, problem.column) for problem in report.problems] == [(3, None)]
    assert "UTF-8" in report.problems[0].message
    assert await count_stored(settings) == 0


def run_cli(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` as staff would, with exactly this environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    # No BOT_TOKEN: importing must not need one.
    return {"DATABASE_PATH": str(tmp_path / "db" / "nabo.sqlite3"), "TIMEZONE": "Europe/Copenhagen"}


async def test_cli_imports_a_good_file(cli_env: dict[str, str], tmp_path: Path) -> None:
    rows = [
        {**GOOD, "starts_at": "2030-01-10 17:00", "ends_at": "2030-01-10 19:00"},
        {
            **GOOD,
            "title_da": "Fællesspisning",
            "title_ar": "عشاء مشترك",
            "starts_at": "2030-07-04 18:30",
            "ends_at": "2030-07-04 20:00",
            "repeat_weekly": "1",
        },
    ]
    path = write_csv(tmp_path / "activities.csv", csv_text(rows))

    result = run_cli("import-activities", str(path), env=cli_env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    settings = replace(Config.from_env({}), database_path=Path(cli_env["DATABASE_PATH"]))
    ids = [int(line.split()[0]) for line in lines[:3]]
    activities = await stored(settings, ids)
    for line, activity in zip(lines[:3], activities, strict=True):
        local_start = activity.starts_at.astimezone(settings.timezone)
        assert line.split(maxsplit=3)[1:] == [
            f"{local_start:%Y-%m-%d}",
            f"{local_start:%H:%M}",
            activity.title_da,
        ]
    assert [line.split()[1:3] for line in lines[:3]] == [
        ["2030-01-10", "17:00"],
        ["2030-07-04", "18:30"],
        ["2030-07-11", "18:30"],
    ]
    assert lines[3].startswith("imported 3 activities")

    # Staff add one row and import the file again: only the new activity is stored.
    rows.append({**GOOD, "starts_at": "2030-02-10 17:00", "ends_at": "2030-02-10 19:00"})
    write_csv(path, csv_text(rows))
    again = run_cli("import-activities", str(path), env=cli_env)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert [line.split()[1:3] for line in lines[:-2]] == [["2030-02-10", "17:00"]]
    assert lines[-2].startswith("imported 1 activity")
    assert lines[-1].startswith("skipped 3 already there")
    with sqlite3.connect(settings.database_path) as db:
        [(count,)] = db.execute("SELECT COUNT(*) FROM activities").fetchall()
    assert count == 4


async def test_cli_reports_every_problem_and_exits_1(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    rows = [
        {**GOOD, "starts_at": "2030-01-10 17:00", "ends_at": "2030-01-10 19:00"},
        {**GOOD, "starts_at": "2030-01-10 17:00", "ends_at": "2030-01-10 19:00", "capacity": "-3"},
        {**GOOD, "starts_at": "2030-02-30 17:00", "ends_at": "2030-03-01 19:00", "area": "Mars"},
    ]
    path = write_csv(tmp_path / "bad.csv", csv_text(rows))

    result = run_cli("import-activities", str(path), env=cli_env)

    assert result.returncode == 1
    assert result.stdout == ""
    problems = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in problems] == [
        "line 3, capacity",
        "line 4, starts_at",
        "line 4, area",
    ]
    assert "nothing imported; 3 problems" in result.stderr
    settings = replace(Config.from_env({}), database_path=Path(cli_env["DATABASE_PATH"]))
    assert await count_stored(settings) == 0


def test_cli_missing_file_is_one_line_and_exits_2(cli_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    result = run_cli("import-activities", str(missing), env=cli_env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"nabo: {missing}: no such file"]


def test_cli_configuration_error_is_the_bots_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "activities.csv", csv_text([GOOD]))
    env = {**cli_env, "TIMEZONE": "Europe/Nowhere"}
    result = run_cli("import-activities", str(path), env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "nabo: configuration error: TIMEZONE: 'Europe/Nowhere' is not a known IANA time zone"
    ]
    assert run_cli(env=env).stderr == result.stderr


ORGANISER_HEADER = [*HEADER, "organiser", "organiser_name"]


@pytest.mark.parametrize(
    ("organiser", "name", "expected"),
    [
        ("", "", ("team", None)),
        ("team", "", ("team", None)),
        ("Teamet", "", ("team", None)),
        ("board", "Afdelingsbestyrelsen Houlkær", ("board", "Afdelingsbestyrelsen Houlkær")),
        ("Afdelingsbestyrelse", "Afd. 12", ("board", "Afd. 12")),
        ("partner", "Røde Kors Viborg", ("partner", "Røde Kors Viborg")),
    ],
)
def test_who_runs_an_activity_is_a_column(organiser: str, name: str, expected: tuple) -> None:
    row = {**GOOD, "organiser": organiser, "organiser_name": name}
    result = parse_activities(csv_text([row], header=ORGANISER_HEADER), Config.from_env({}), NOW)
    assert result.problems == ()
    (draft,) = result.series[0]
    assert (draft.organiser_kind, draft.organiser_name) == expected


@pytest.mark.parametrize(
    ("organiser", "name", "message"),
    [
        ("partner", "", "a partner or an afdelingsbestyrelse needs its name in organiser_name"),
        ("team", "Røde Kors", "organiser_name is only for a partner or an afdelingsbestyrelse"),
        ("kommunen", "", "'kommunen' is not an organiser; write one of team, board, partner"),
        ("partner", "x" * 101, "is 101 characters long; at most 100 fit"),
    ],
)
def test_wrong_organisers_are_refused(organiser: str, name: str, message: str) -> None:
    row = {**GOOD, "organiser": organiser, "organiser_name": name}
    result = parse_activities(csv_text([row], header=ORGANISER_HEADER), Config.from_env({}), NOW)
    assert [problem.message for problem in result.problems] == [message]
    assert result.series == ()

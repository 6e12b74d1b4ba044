"""``python -m bot export | report | backup``: what staff type, and what they are told."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from bot.__main__ import build_parser
from bot.core.config import Config
from bot.offline.cli import run_staff_tool
from tests.known_data import build_known_database

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*arguments: str, database: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` with only the database set (no token needed)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    # Synchronous on purpose: the tools run their own event loop, as from the shell.
    path = tmp_path / "nabo.sqlite3"
    asyncio.run(build_known_database(path))
    return path


def test_export_report_and_backup(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Once as staff type it, in its own process; then the other tools in this one.
    workbook, archive = tmp_path / "ud" / "eksport.xlsx", tmp_path / "eksport.zip"
    done = run_cli("export", "--out", str(workbook), "--since", "2030-01-01", database=database)
    assert done.returncode == 0, done.stderr
    assert f"wrote {workbook}" in done.stdout
    activities = openpyxl.load_workbook(workbook)["Aktiviteter"]
    assert [row[0] for row in activities.iter_rows(min_row=2, values_only=True)] == [
        7,
        1,
        2,
        3,
        4,
        5,
    ]

    status, out = run_in_process(
        "export", "--out", str(archive), "--format", "csv", database=database, capsys=capsys
    )
    assert status == 0
    assert f"wrote {archive}" in out
    with zipfile.ZipFile(archive) as files:
        assert len(files.namelist()) == 7  # one per sheet, hosts too

    report = tmp_path / "rapport.xlsx"
    status, out = run_in_process(
        "report", "--period", "2030Q1", "--out", str(report), database=database, capsys=capsys
    )
    assert status == 0
    assert "1. kvartal 2030" in out
    assert openpyxl.load_workbook(report)["Nøgletal"]["B1"].value == "1. kvartal 2030"

    copy = tmp_path / "backup.sqlite3"
    status, out = run_in_process("backup", "--out", str(copy), database=database, capsys=capsys)
    assert status == 0
    assert "integrity check: ok" in out
    backup = sqlite3.connect(copy)
    assert backup.execute("SELECT COUNT(*) FROM signups").fetchone() == (16,)
    backup.close()


def run_in_process(
    *arguments: str, database: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """Run a staff tool as the command line would, minus the process (and its logging)."""
    config = replace(Config.from_env({}), database_path=database)
    status = run_staff_tool(build_parser().parse_args(arguments), config)
    printed = capsys.readouterr()
    return status, printed.out if status == 0 else printed.err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("report", "--period", "2030Q5"), "is not a quarter"),
        (("report", "--from", "2030-03-01"), "give --period"),
        (("report", "--period", "2030", "--from", "2030-03-01"), "not both"),
        (("report", "--from", "2030-03-01", "--to", "2030-02-01"), "must not be after"),
        (("export", "--since", "1.1.2030"), "YYYY-MM-DD"),
        (("export", "--since", "2030-02-01", "--until", "2030-01-01"), "must not be after"),
        (("backup",), "must not overwrite"),
    ],
)
def test_bad_input_gets_one_clear_line(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: tuple[str, ...],
    message: str,
) -> None:
    out = database if arguments == ("backup",) else tmp_path / "out.xlsx"
    status, error = run_in_process(*arguments, "--out", str(out), database=database, capsys=capsys)
    assert status == 2
    assert message in error
    assert sorted(path.name for path in tmp_path.iterdir()) == [database.name]


def test_a_missing_database_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for tool in ("export", "backup"):
        status, error = run_in_process(
            tool, "--out", str(tmp_path / "x"), database=tmp_path / "none.db", capsys=capsys
        )
        assert status == 2
        assert "no such database" in error
    assert list(tmp_path.iterdir()) == []

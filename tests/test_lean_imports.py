"""The running bot does not hold what only staff tools need (memory, bench/memory.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_bot_imports_no_workbook_calendar_or_printing_library_at_start() -> None:
    # A fresh interpreter: this test process may have imported them for other tests.
    code = (
        "import sys, bot.app; "
        "print(sorted(m for m in ('openpyxl', 'xlsxwriter', 'lxml', 'icalendar', 'fpdf',"
        " 'fontTools', 'pypdfium2', 'segno') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_starting_the_bot_from_the_command_line_imports_no_printing_library() -> None:
    # `python -m bot` builds its command-line parser, with every staff tool's arguments,
    # before it runs the bot: a tool's module must not pull its libraries in with it.
    code = (
        "import sys, bot.__main__; bot.__main__.build_parser(); "
        "print(sorted(m for m in ('openpyxl', 'xlsxwriter', 'lxml', 'icalendar', 'fpdf',"
        " 'fontTools', 'pypdfium2', 'segno', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

"""The running bot does not hold what only staff tools need (memory, bench/memory.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_bot_imports_no_workbook_calendar_or_printing_library_at_start() -> None:
    # A fresh interpreter: this test process may have imported them for other tests.
    code = (
        "import sys, bot.app; "
        "print(sorted(m for m in ('openpyxl', 'lxml', 'icalendar', 'fpdf', 'fontTools',"
        " 'pypdfium2', 'segno') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

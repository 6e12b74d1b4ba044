"""The benchmarks' shared result format, read by ``python -m bench`` to print one table.

Every bench script accepts ``--json PATH`` and writes there a JSON list of rows
``{"benchmark": str, "metric": str, "value": number, "unit": str}``. A leading underscore
keeps this module out of the runner's list of benchmarks.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TypedDict


class Row(TypedDict):
    """One figure of one benchmark."""

    benchmark: str
    metric: str
    value: float
    unit: str


def row(benchmark: str, metric: str, value: float, unit: str) -> Row:
    """Return one result row (the value rounded for the table, never NaN)."""
    if not math.isfinite(value):
        raise ValueError(f"{benchmark}/{metric}: {value} is not a number to report")
    return {"benchmark": benchmark, "metric": metric, "value": round(value, 3), "unit": unit}


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--json PATH`` to a bench script's command line."""
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="also write the figures as JSON rows there (for `make bench`'s table)",
    )


def write_rows(path: Path | None, rows: list[Row]) -> None:
    """Write the rows to ``path`` as JSON, if a path was given."""
    if path is not None:
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

"""``python -m bench`` (``make bench``): run every benchmark in bench/, then print one table.

Each ``bench/*.py`` whose name does not start with ``_`` is a benchmark: it runs as its own
process with ``--json PATH`` and writes its figures there as rows (see bench/_results.py).
Their own reports go by as they run; the table at the end gathers every row, in Markdown,
under the date and the machine, ready for the README. A script that exits non-zero or
writes no rows is listed as failed, and the runner then exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# --quick: smaller runs of the slow ones (about 6 minutes instead of 10); others run as usual.
QUICK = {
    "broadcast": ["--residents", "1000"],
    "signups": ["--residents", "200"],
    "posters": ["--rounds", "5"],
}


@dataclass
class Outcome:
    """What one benchmark script did."""

    name: str
    code: int
    seconds: float
    rows: list[dict[str, object]] = field(default_factory=list)
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Tell whether the script succeeded and reported figures."""
        return self.code == 0 and bool(self.rows) and not self.problem


def scripts(only: list[str]) -> list[Path]:
    """Return the benchmark scripts, in name order (``only``: just those names)."""
    found = sorted(path for path in BENCH.glob("*.py") if not path.name.startswith("_"))
    if only:
        unknown = set(only) - {path.stem for path in found}
        if unknown:
            raise SystemExit(f"bench: no benchmark named {', '.join(sorted(unknown))}")
        found = [path for path in found if path.stem in only]
    return found


def run_script(script: Path, folder: Path, quick: bool) -> Outcome:
    """Run one benchmark with --json; read back its rows."""
    output = folder / f"{script.stem}.json"
    command = [sys.executable, str(script), "--json", str(output)]
    if quick:
        command += QUICK.get(script.stem, [])
    print(f"== {script.relative_to(ROOT)}: {' '.join(command[2:])}", flush=True)
    started = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    outcome = Outcome(script.stem, code, time.perf_counter() - started)
    try:
        rows = json.loads(output.read_text(encoding="utf-8"))
    except FileNotFoundError:
        outcome.problem = "wrote no rows"
        return outcome
    except (OSError, ValueError) as error:
        outcome.problem = f"unreadable rows: {error}"
        return outcome
    if not isinstance(rows, list) or not all(_is_row(item) for item in rows):
        outcome.problem = "rows are not a list of {benchmark, metric, value, unit}"
        return outcome
    outcome.rows = rows
    return outcome


def _is_row(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("benchmark"), str)
        and isinstance(item.get("metric"), str)
        and isinstance(item.get("value"), int | float)
        and not isinstance(item.get("value"), bool)
        and isinstance(item.get("unit"), str)
    )


def cpu_model() -> str:
    """Return the CPU's model name (from /proc/cpuinfo), or the platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """Describe the machine the figures come from."""
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"


def table(outcomes: list[Outcome], started: datetime, quick: bool) -> str:
    """Return every benchmark's figures as one Markdown table under date and machine."""
    lines = [
        f"Benchmarks of {started:%Y-%m-%d %H:%M} UTC{' (--quick)' if quick else ''}, "
        f"on {machine()}",
        "",
        "| benchmark | metric | value | unit |",
        "|---|---|---:|---|",
    ]
    for outcome in outcomes:
        for item in outcome.rows:
            lines.append(
                f"| {item['benchmark']} | {item['metric']} | "
                f"{_number(item['value'])} | {item['unit']} |"  # type: ignore[arg-type]
            )
        if not outcome.ok:
            why = outcome.problem or f"exit code {outcome.code}"
            lines.append(f"| {outcome.name} | **FAILED** ({why}) | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks one after the other and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs of the slow benchmarks")
    parser.add_argument("only", nargs="*", help="run only these benchmarks (e.g. memory)")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="nabo-bench-rows-") as folder:
        for script in scripts(args.only):
            outcomes.append(run_script(script, Path(folder), args.quick))
    print()
    print(table(outcomes, started, args.quick))
    took = sum(outcome.seconds for outcome in outcomes)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    print(
        f"\n{len(outcomes)} benchmark(s) in {took / 60:.1f} min"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 0 if outcomes and all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Sampling a bench's process with py-spy, and the profile's top entries.

py-spy is not a dependency (``pip install py-spy`` to use ``--profile``); it samples a
running process from outside, so the process runs unchanged. The record is py-spy's
``raw`` format: one line per distinct stack, ``frame;frame;…;leaf count``, each frame
``function (file:line)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Samples a second: enough for a 15-second phase, light enough not to slow it.
RATE = 250


def py_spy() -> str:
    """Return the py-spy command next to this Python, or on PATH; fail clearly if missing."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


@contextlib.asynccontextmanager
async def recording(
    pid: int, path: Path | None, *, subprocesses: bool = False
) -> AsyncIterator[None]:
    """Sample process ``pid`` while the block runs; write the stacks to ``path`` (None: don't)."""
    if path is None:
        yield
        return
    command = [py_spy(), "record", "--pid", str(pid), "--rate", str(RATE), "--format", "raw"]
    command += ["--output", str(path), "--nonblocking"]
    if subprocesses:
        command.append("--subprocesses")
    spy = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await asyncio.sleep(0.5)  # attaching takes a moment
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its record when interrupted
        await spy.wait()


def top_entries(path: Path, count: int = 15) -> list[str]:
    """Return the profile's top functions: share of samples on top (self) and anywhere (total).

    Samples waiting for work (the event loop in select, aiosqlite's thread waiting for its
    next statement) are counted apart: py-spy takes a thread that has just woken for a
    busy one, so they say nothing about where the CPU goes.
    """
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    samples = waiting = 0
    waits = _waits()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        weight = int(number)
        leaf = stack.rsplit(";", 1)[-1]
        if leaf.startswith(waits):
            waiting += weight
            continue
        frames = [_short(frame) for frame in stack.split(";")]
        samples += weight
        own[frames[-1]] += weight
        for frame in set(frames):
            anywhere[frame] += weight
    if not samples:
        return ["(no samples)"]
    lines = [f"{samples} samples busy ({waiting} more waiting); self % / total %, by self:"]
    for frame, weight in own.most_common(count):
        lines.append(
            f"{100 * weight / samples:5.1f} {100 * anywhere[frame] / samples:5.1f}  {frame}"
        )
    return lines


def _waits() -> tuple[str, ...]:
    """Return the leaf frames that are waits: selectors' select, aiosqlite's queue."""
    waits = ["EpollSelector.select (", "KqueueSelector.select (", "SelectSelector.select ("]
    try:
        import aiosqlite.core
    except ImportError:
        return tuple(waits)
    source = Path(aiosqlite.core.__file__).read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(source, start=1):
        if "tx.get()" in text:
            waits.append(f"_connection_worker_thread (aiosqlite/core.py:{number})")
    return tuple(waits)


def _short(frame: str) -> str:
    """Drop the line number and the path up to site-packages or the checkout."""
    name, _, where = frame.partition(" (")
    file = where.rstrip(")").rsplit(":", 1)[0]
    if file.startswith(f"{ROOT}/"):
        file = file[len(str(ROOT)) + 1 :]
    elif "site-packages/" in file:
        file = file.split("site-packages/", 1)[1]
    elif "/lib/python3." in file:
        file = "stdlib/" + file.split("/lib/python3.", 1)[1].partition("/")[2]
    return f"{name} ({file})"

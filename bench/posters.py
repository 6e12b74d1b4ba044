"""Benchmark: how long making each kind of poster takes (the work /poster does elsewhere).

Each kind is made ``--rounds`` times from a fresh database with a long trilingual title
(Arabic over 50 characters): the A4 poster in three languages and in one, four A6 flyers
on A4, the door poster and the 1080x1350 share image; then a joining slip (A6, Arabic)
and the privacy notice to print (three A4 pages). The first round includes loading
and subsetting the fonts; the figures are the median and the slowest of the rest, and
the CPU time of one poster (no waiting is involved: it is all layout and shaping).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
# `make bench` runs this file directly: put the checkout on the path for bot/ and tests/.
sys.path.insert(0, str(ROOT))

from bench._results import Row, add_json_option, row, write_rows  # noqa: E402
from bot.core.i18n import Catalogs  # noqa: E402
from bot.db.people import NewPerson, PeopleRepository  # noqa: E402
from bot.db.store import Store  # noqa: E402
from bot.offline.printing.make import Made, make_notice, make_sheet, make_slip  # noqa: E402
from bot.offline.printing.request import Kind, SheetRequest, SlipRequest  # noqa: E402
from tests.factories import add_activity  # noqa: E402

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
TITLES = {
    "title_da": "Naboskabsmøde i fælleshaven i Houlkær – kom og mød dine naboer og deres børn",
    "title_ar": "لقاء الجيران في الحديقة المشتركة في Houlkær يوم السبت – الجميع مرحب بهم وبأطفالهم",
    "title_en": "Neighbours' meet-up in the shared garden in Houlkær – meet your neighbours",
}
KINDS = {
    "A4 poster, three languages": SheetRequest(0, Kind.POSTER),
    "A4 poster, Arabic only": SheetRequest(0, Kind.POSTER, ("ar",)),
    "four A6 flyers on A4": SheetRequest(0, Kind.FLYER),
    "door poster": SheetRequest(0, Kind.DOOR),
    "share image 1080x1350 PNG": SheetRequest(0, Kind.POSTER, image=True),
}


async def _database(path: Path) -> tuple[int, SlipRequest]:
    """Make the activity, and someone signed up on their behalf with a joining link."""
    store = await Store.open(path)
    try:
        activity_id = await add_activity(store, NOW, **TITLES)
        people = PeopleRepository(store)
        _result, person = await people.sign_up_new(
            activity_id,
            NewPerson("فاطمة", "ar", "Houlkær", None, "paper"),
            1,
            0,
            NOW,
            waitlist=False,
            registered_by=1,
            role="staff",
        )
        assert person is not None
        token = await people.new_join_link(person.id, NOW)
        assert token is not None
        return activity_id, SlipRequest(person.id, token)
    finally:
        await store.close()


def _sheet_maker(
    database: Path, catalogs: Catalogs, activity_id: int, template: SheetRequest
) -> Callable[[], Made]:
    request = SheetRequest(activity_id, template.kind, template.languages, template.image, None)
    return lambda: make_sheet(database, request, catalogs, "nabo_viborg_bot", NOW)


def main(argv: list[str] | None = None) -> int:
    """Time each kind of sheet and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="times each kind is made")
    add_json_option(parser)
    arguments = parser.parse_args(argv)
    catalogs = Catalogs(ZoneInfo("Europe/Copenhagen"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="nabo-bench-") as folder:
        database = Path(folder) / "nabo.sqlite3"
        activity_id, slip = asyncio.run(_database(database))
        makers: dict[str, Callable[[], Made]] = {
            label: _sheet_maker(database, catalogs, activity_id, template)
            for label, template in KINDS.items()
        }
        makers["joining slip A6, Arabic"] = lambda: make_slip(
            database, slip, catalogs, "nabo_viborg_bot", NOW
        )
        makers["privacy notice, three A4 pages"] = lambda: make_notice(
            ("da", "ar", "en"), catalogs, phone_days=30, record_days=365, version=4, now=NOW
        )
        for label, make in makers.items():
            walls, cpus = [], []
            for _ in range(arguments.rounds):
                wall, cpu = time.perf_counter(), time.process_time()
                made = make()
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            rest = walls[1:] or walls
            print(
                f"{label:32} first {walls[0] * 1000:7.1f} ms | median "
                f"{statistics.median(rest) * 1000:7.1f} ms | max {max(rest) * 1000:7.1f} ms | "
                f"CPU {statistics.median(cpus[1:] or cpus) * 1000:7.1f} ms | "
                f"{len(made.data) / 1024:6.1f} KiB"
            )
            rows += [
                row("posters", f"{label}: median", statistics.median(rest) * 1000, "ms"),
                row("posters", f"{label}: slowest", max(rest) * 1000, "ms"),
                row("posters", f"{label}: file size", len(made.data) / 1024, "KiB"),
            ]
    write_rows(arguments.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

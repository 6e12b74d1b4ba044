"""Posters, flyers, door posters and share images: read back, rendered and scanned.

Every test reads what was printed: the PDF's text (pdfium, NFKC for Arabic's presentation
forms), the page rendered to an image and its QR code decoded with a real decoder
(zxing-cpp), which must give the link Nabo opens.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pypdfium2
import pytest

from bot.__main__ import build_parser
from bot.core.config import LANGUAGES, Config
from bot.core.i18n import ARABIC_MONTHS, Catalogs
from bot.core.start_links import CheckIn, OpenActivity, OpenSeries, door_token, parse_payload
from bot.db.activities import ActivityRepository
from bot.db.sources import SourceRepository
from bot.db.store import Store
from bot.offline.cli import run_staff_tool
from bot.offline.printing.content import day_text
from bot.offline.printing.layouts import A4_DOOR, A4_POSTER, A6_FLYER, SHARE, Frame
from bot.offline.printing.make import Made, make_sheet
from bot.offline.printing.request import Kind, Problem, SheetError, SheetRequest
from bot.offline.printing.sheet import Sheet
from tests.conftest import SUITE_NOW, TestClock
from tests.factories import add_activity, draft
from tests.printed import flat, pdf_pages, pdf_text, png, qr_codes, render, words

BOT = "nabo_viborg_bot"
# Over 50 characters of Arabic, with a Latin place name and a number in it.
LONG_AR = "لقاء الجيران في الحديقة المشتركة في Houlkær يوم السبت – الجميع مرحب بهم وبأطفالهم 2"
LONG_DA = "Naboskabsmøde i fælleshaven i Houlkær – kom og mød dine naboer og deres børn"
LONG_EN = "Neighbours' meet-up in the shared garden in Houlkær – meet your neighbours and kids"
TITLES = {"da": LONG_DA, "ar": LONG_AR, "en": LONG_EN}
FRAMES = {Kind.POSTER: A4_POSTER, Kind.FLYER: A6_FLYER, Kind.DOOR: A4_DOOR}


class Data:
    def __init__(self, path: Path, single: int, series: list[int], source: str) -> None:
        self.path, self.single, self.series, self.source = path, single, series, source


async def _build(path: Path) -> Data:
    store = await Store.open(path)
    try:
        now = SUITE_NOW
        single = await add_activity(
            store, now, title_da=LONG_DA, title_ar=LONG_AR, title_en=LONG_EN, capacity=20
        )
        weekly = [
            draft(
                now,
                starts_at=now + timedelta(days=2 + 7 * week),
                ends_at=now + timedelta(days=2 + 7 * week, hours=2),
                title_da="Sprogcafé",
                title_ar="مقهى اللغة",
                title_en="Language café",
                capacity=None,
                delaftale="community",
            )
            for week in range(4)
        ]
        [series] = await ActivityRepository(store).add_series([weekly], now)
        source = await SourceRepository(store).create("Opslag Houlkær opgang 12", now)
        return Data(path, single, series, source.code)
    finally:
        await store.close()


@pytest.fixture
def data(tmp_path: Path) -> Data:
    return asyncio.run(_build(tmp_path / "nabo.sqlite3"))


def make(data: Data, catalogs: Catalogs, activity_id: int | None, **request: object) -> Made:
    return make_sheet(data.path, SheetRequest(activity_id, **request), catalogs, BOT, SUITE_NOW)  # type: ignore[arg-type]


def assert_inside(made: Made, frame: Frame) -> None:
    """Every text stays inside its box, and every box inside its page (its quarter, flyers)."""
    for drawn in made.drawn:
        assert drawn.cut == []
        for box in drawn.boxes:
            assert box.used <= box.height + 1e-6, box
            assert box.x >= 0, box
            assert box.y >= 0, box
            assert box.x % frame.width + box.width <= frame.width + 1e-6, box
            assert box.y % frame.height + box.used <= frame.height + 1e-6, box


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("languages", [LANGUAGES, ("da",), ("ar",), ("en",)])
def test_each_kind_in_each_language_reads_back_and_scans(
    data: Data, catalogs: Catalogs, kind: Kind, languages: tuple[str, ...]
) -> None:
    made = make(data, catalogs, data.single, kind=kind, languages=languages)
    assert pdf_pages(made.data) == 1
    text = flat(pdf_text(made.data))
    for language in LANGUAGES:
        tr = catalogs.translator(language)
        # The title in logical order (Arabic too), the day as the language writes it.
        present = flat(TITLES[language]) in text
        assert present == (language in languages), language
        day = words(day_text(tr, SUITE_NOW + timedelta(days=2)))
        assert (day in words(text)) == (language in languages), language
    # The QR code of the link, as a phone's camera reads it: one per flyer.
    codes = qr_codes(render(made.data, dpi=150 if kind is Kind.FLYER else 100))
    assert codes == [made.link] * (4 if kind is Kind.FLYER else 1)
    payload = parse_payload(made.link.split("?start=")[1])
    if kind is Kind.DOOR:
        assert isinstance(payload, CheckIn)
        assert payload.activity_id == data.single
    else:
        assert payload == OpenActivity(data.single)
    # Long titles (the Arabic one over 50 characters) fit: nothing cut, nothing outside.
    assert len(LONG_AR) > 50
    assert_inside(made, FRAMES[kind])


@pytest.mark.parametrize("languages", [LANGUAGES, ("ar",)])
def test_share_image_is_phone_sized_scans_and_carries_the_link(
    data: Data, catalogs: Catalogs, languages: tuple[str, ...]
) -> None:
    made = make(data, catalogs, data.single, languages=languages, image=True)
    image = png(made.data)
    assert image.size == (1080, 1350)
    assert qr_codes(image) == [made.link]
    # A phone cannot scan its own screen: the link is written out too.
    assert made.link.removeprefix("https://") in [box.text for box in made.drawn[0].boxes]
    assert_inside(made, SHARE)


def test_a_weekly_series_links_the_series_and_lists_its_dates(
    data: Data, catalogs: Catalogs
) -> None:
    made = make(data, catalogs, data.series[1], languages=("en",))
    assert parse_payload(made.link.split("?start=")[1]) == OpenSeries(data.series[0])
    text = flat(pdf_text(made.data))
    assert (
        "Every week on" in text
        or catalogs.translator("en")
        .gettext("Every week on {weekday}, {start}–{end}")
        .split("{")[0]
        .strip()
        in text
    )
    assert catalogs.translator("en").gettext("Open to all") in text
    # Its door poster is for one date.
    door = make(data, catalogs, data.series[1], kind=Kind.DOOR)
    payload = parse_payload(door.link.split("?start=")[1])
    assert isinstance(payload, CheckIn)
    assert payload.activity_id == data.series[1]


def test_nabo_itself_and_a_source(data: Data, catalogs: Catalogs) -> None:
    plain = make(data, catalogs, None)
    assert plain.link == f"https://t.me/{BOT}"
    assert qr_codes(render(plain.data)) == [plain.link]
    tr = catalogs.translator("ar")
    assert flat(tr.gettext("Join Nabo")) in flat(pdf_text(plain.data))
    counted = make(data, catalogs, None, source=data.source)
    assert counted.link == f"https://t.me/{BOT}?start=n-{data.source}"
    assert qr_codes(render(counted.data)) == [counted.link]
    with_source = make(data, catalogs, data.single, kind=Kind.DOOR, source=data.source)
    assert with_source.link.endswith(f"-{data.source}")


def test_what_cannot_be_printed_says_why(data: Data, catalogs: Catalogs) -> None:
    def problem(activity_id: int | None, **request: object) -> Problem:
        with pytest.raises(SheetError) as caught:
            make(data, catalogs, activity_id, **request)
        return caught.value.problem

    assert problem(99999) is Problem.NOT_FOUND
    assert problem(data.single, source="zzzzzz") is Problem.NO_SOURCE
    assert problem(None, kind=Kind.DOOR) is Problem.DOOR_NEEDS_ACTIVITY
    assert problem(data.single, kind=Kind.FLYER, image=True) is Problem.FLYER_IMAGE

    async def change() -> None:
        store = await Store.open(data.path)
        try:
            await ActivityRepository(store).cancel(data.single)
            await SourceRepository(store).delete(data.source, SUITE_NOW)
        finally:
            await store.close()

    asyncio.run(change())
    assert problem(data.single) is Problem.CANCELLED
    assert problem(None, source=data.source) is Problem.NO_SOURCE


def test_an_ended_activity_is_not_printed(tmp_path: Path, catalogs: Catalogs) -> None:
    async def past() -> int:
        store = await Store.open(tmp_path / "n.sqlite3")
        try:
            return await add_activity(store, SUITE_NOW - timedelta(days=5))
        finally:
            await store.close()

    activity_id = asyncio.run(past())
    with pytest.raises(SheetError) as caught:
        make_sheet(tmp_path / "n.sqlite3", SheetRequest(activity_id), catalogs, BOT, SUITE_NOW)
    assert caught.value.problem is Problem.ENDED


def test_texts_too_long_for_three_languages_ask_for_one_per_sheet(
    tmp_path: Path, catalogs: Catalogs
) -> None:
    path = tmp_path / "n.sqlite3"

    async def longest() -> int:
        store = await Store.open(path)
        try:
            return await add_activity(
                store,
                SUITE_NOW,
                title_da="Fællesspisning " * 13,
                title_ar="عشاء مشترك " * 18,
                title_en="Shared dinner " * 14,
            )
        finally:
            await store.close()

    activity_id = asyncio.run(longest())
    with pytest.raises(SheetError) as caught:
        make_sheet(path, SheetRequest(activity_id, Kind.FLYER), catalogs, BOT, SUITE_NOW)
    assert caught.value.problem is Problem.TOO_LONG
    # One language per sheet: it fits (shortened at worst), inside its page.
    for language in LANGUAGES:
        made = make_sheet(
            path, SheetRequest(activity_id, Kind.FLYER, (language,)), catalogs, BOT, SUITE_NOW
        )
        assert qr_codes(render(made.data, dpi=150)) == [made.link] * 4
        for drawn in made.drawn:
            for box in drawn.boxes:
                assert box.used <= box.height + 1e-6


def test_a_moved_activity_keeps_its_link_and_door_code(data: Data, catalogs: Catalogs) -> None:
    before = make(data, catalogs, data.single, kind=Kind.DOOR)

    async def move() -> bytes:
        store = await Store.open(data.path)
        try:
            start = SUITE_NOW + timedelta(days=3)
            await ActivityRepository(store).reschedule(
                data.single, start, start + timedelta(hours=2), SUITE_NOW, catalogs.timezone
            )
            row = await store.fetch_one("SELECT value FROM secrets WHERE name = 'door_code'")
            return bytes(row[0])
        finally:
            await store.close()

    key = asyncio.run(move())
    after = make(data, catalogs, data.single, kind=Kind.DOOR)
    assert after.link == before.link
    assert after.link.split("-")[2] == door_token(key, data.single)
    moved = words(day_text(catalogs.translator("ar"), SUITE_NOW + timedelta(days=3)))
    assert moved in words(pdf_text(after.data))


def test_command_line(data: Data, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = replace(Config.from_env({}), database_path=data.path, bot_username=BOT)
    clock = TestClock()
    out = tmp_path / "poster.pdf"
    arguments = build_parser().parse_args(["poster", str(data.single), "--out", str(out)])
    assert run_staff_tool(arguments, config, clock) == 0
    assert qr_codes(render(out.read_bytes())) == [f"https://t.me/{BOT}?start=a-{data.single}"]
    assert f"wrote {out}" in capsys.readouterr().out
    flyer = tmp_path / "flyer.pdf"
    arguments = build_parser().parse_args(
        [
            "poster",
            str(data.single),
            "--out",
            str(flyer),
            "--flyer",
            "--language",
            "ar",
            "--source",
            data.source,
        ]
    )
    assert run_staff_tool(arguments, config, clock) == 0
    assert (
        qr_codes(render(flyer.read_bytes(), dpi=150))
        == [f"https://t.me/{BOT}?start=a-{data.single}-{data.source}"] * 4
    )
    share = tmp_path / "share.png"
    arguments = build_parser().parse_args(["poster", "nabo", "--out", str(share)])
    assert run_staff_tool(arguments, config, clock) == 0
    assert png(share.read_bytes()).size == (1080, 1350)
    for wrong in (
        ["poster", "7x", "--out", str(out)],
        ["poster", "nabo", "--out", "a.doc"],
        ["poster", "999", "--out", str(out)],
    ):
        assert run_staff_tool(build_parser().parse_args(wrong), config, clock) == 2
    assert "nabo:" in capsys.readouterr().err


def test_arabic_on_paper_runs_right_to_left_whatever_its_first_letter() -> None:
    """An Arabic sentence that starts with "Nabo", with /mydata isolated as in the chat:
    "Nabo" at the right end, the full stop at the left, and the command's slash before it."""
    # As the catalogs write it (a right-to-left mark first), and as staff may type a title.
    for text in (
        "\u200f\u2068Nabo\u2069 خدمة عبر \u2068/mydata\u2069 للجميع.",
        "Nabo خدمة عبر \u2068/mydata\u2069 للجميع.",
    ):
        sheet = Sheet(120, 30)
        sheet.add_page()
        sheet.paragraph("ar", text, 5, 5, 110, 14)
        document = pypdfium2.PdfDocument(bytes(sheet.output()))
        try:
            page = document[0].get_textpage()
            found = page.get_text_range()
            left = {ch: page.get_charbox(found.index(ch))[0] for ch in "N/m.خ"}
        finally:
            document.close()
        assert left["N"] > left["خ"] > left["."], text
        assert left["/"] < left["m"], text


def test_arabic_paper_names_the_month_as_the_chat_does(data: Data, catalogs: Catalogs) -> None:
    # The chat writes آذار (مارس): both names, for readers from the Levant and Iraq and
    # for the others (README: Languages). Paper says the same: a day, a series' dates.
    ar = catalogs.translator("ar")
    for activity_id, kind in (
        (data.single, Kind.POSTER),
        (data.single, Kind.DOOR),
        (data.series[1], Kind.POSTER),
    ):
        made = make(data, catalogs, activity_id, kind=kind, languages=("ar",))
        starts = asyncio.run(_starts_at(data, activity_id))
        text = flat(pdf_text(made.data))
        # Both names (read back from the PDF, whose text layer mirrors the brackets).
        names = ARABIC_MONTHS[starts.astimezone(ar.timezone).month].strip(")").split(" (")
        assert len(names) == 2
        for name in names:
            assert flat(name) in text, (kind, activity_id, name)


async def _starts_at(data: Data, activity_id: int) -> datetime:
    store = await Store.open(data.path)
    try:
        activity = await ActivityRepository(store).get(activity_id)
        assert activity is not None
        return activity.starts_at
    finally:
        await store.close()

"""The staff workbook: sheets, headers and rows read back; text that looks like a formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from babel.messages.pofile import read_po
from openpyxl.utils import get_column_letter

from bot.core.clock import to_db
from bot.core.config import DEFAULT_AREAS
from bot.core.i18n import Catalogs
from bot.db.residents import PRIVACY_NOTICE_VERSION
from bot.offline.export import (
    CSV,
    _CsvTexts,
    export_file,
    report_file,
    write_csv_zip,
    write_xlsx,
)
from bot.offline.periods import parse_period
from bot.offline.sheets import Column, ExportFilter, Kind, Sheet, local_texts, local_times
from tests.known_data import (
    ACTIVITIES,
    FEEDBACK,
    FORMULA_CR,
    FORMULA_DESCRIPTION,
    FORMULA_NOTE,
    FORMULA_PLACE,
    FORMULA_TAB,
    FORMULA_TITLE,
    NOW,
    OFFERS,
    R1,
    R2,
    RESIDENTS,
    SIGNUPS,
    build_known_database,
)

CPH = ZoneInfo("Europe/Copenhagen")
SHEETS = [
    "Aktiviteter",
    "Tilmeldinger",
    "Frivillige",
    "Tilbagemeldinger",
    "Udsendelser",
    "Beboere",
    "Værter",
]
HEADERS = {
    "Aktiviteter": (
        "Aktivitet nr.",
        "Titel (dansk)",
        "Titel (arabisk)",
        "Titel (engelsk)",
        "Beskrivelse (dansk)",
        "Beskrivelse (arabisk)",
        "Beskrivelse (engelsk)",
        "Start",
        "Slut",
        "Sted",
        "Delaftale",
        "Område",
        "Status",
        "Serie nr.",
        "Pladser",
        "Maks. pr. tilmelding",
        "Tilmeldingsfrist",
        "Tilmeldinger",
        "Tilmeldte personer",
        "Venteliste",
        "Afmeldinger",
        "Fremmøde (personer)",
        "Uden tilmelding",
        "Fremmøde registreret",
        "Oprettet",
        "Ændret",
        "Arrangør (type)",
        "Arrangør",
    ),
    "Tilmeldinger": (
        "Tilmelding nr.",
        "Aktivitet nr.",
        "Aktivitet",
        "Aktivitetens start",
        "Beboernummer",
        "Voksne",
        "Børn",
        "Status",
        "Tilmeldt",
        "Fik plads",
        "Afmeldt",
        "Mødt op",
        "Tilmeldt af teamet (uden Telegram)",
    ),
    "Frivillige": (
        "Tilbud nr.",
        "Beboernummer",
        "Hjælp med",
        "Anden hjælp",
        "Sprog til oversættelse og tolkning",
        "Hvornår",
        "Kontakt",
        "Telefon",
        "Bemærkning",
        "Status",
        "Oversættelser brugt",
        "Modtaget",
        "Ændret",
    ),
    "Tilbagemeldinger": (
        "Tilbagemelding nr.",
        "Dato",
        "Emne",
        "Aktivitet nr.",
        "Aktivitet",
        "Vurdering (1-5)",
        "Kommentar",
        "Beboernummer",
    ),
    "Udsendelser": (
        "Udsendelse nr.",
        "Type",
        "Målgruppe",
        "Aktivitet nr.",
        "Tekst (dansk)",
        "Status",
        "Oprettet",
        "Sendes",
        "Færdig",
        "Modtagere",
        "Sendt",
        "Blokeret",
        "Mislykket",
        "Venter",
    ),
    "Beboere": (
        "Beboernummer",
        "Sprog",
        "Første gang set",
        "Samtykke givet",
        "Samtykke (version)",
        "Meddelelser",
        "Påmindelser",
        "Status",
    ),
    "Værter": (
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
    ),
}
ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"^B-[0-9A-F]{10}$")


@pytest.fixture(scope="module")
def danish() -> Any:
    return Catalogs(CPH).translator("da")


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    path = tmp_path / "nabo.sqlite3"
    await build_known_database(path)
    return path


def rows(book: Any, name: str) -> list[tuple[Any, ...]]:
    return list(book[name].iter_rows(min_row=2, values_only=True))


async def test_every_sheet_header_and_row(database: Path, tmp_path: Path, danish: Any) -> None:
    out = tmp_path / "eksport.xlsx"
    size = export_file(database, out, CPH, danish)
    assert size == out.stat().st_size
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        sheet = book[name]
        assert next(sheet.iter_rows(max_row=1, values_only=True)) == HEADERS[name], name
        assert sheet.freeze_panes == "A2", name
        last = get_column_letter(len(HEADERS[name]))
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", name
    assert len(rows(book, "Aktiviteter")) == len(ACTIVITIES)
    assert len(rows(book, "Tilmeldinger")) == len(SIGNUPS)
    assert len(rows(book, "Frivillige")) == len(OFFERS)
    assert len(rows(book, "Tilbagemeldinger")) == len(FEEDBACK)
    assert len(rows(book, "Udsendelser")) == 4
    assert len(rows(book, "Beboere")) == len(RESIDENTS)

    # Activities in order of start; activity 1 in full, with its counts and local times.
    activities = {row[0]: row for row in rows(book, "Aktiviteter")}
    assert [row[0] for row in rows(book, "Aktiviteter")] == [6, 7, 1, 2, 3, 4, 5]
    assert activities[1] == (
        1,
        "Lektiecafé",
        None,
        None,
        FORMULA_DESCRIPTION,
        None,
        None,
        datetime(2030, 1, 10, 16, 0),
        datetime(2030, 1, 10, 18, 0),
        FORMULA_PLACE,
        "Uddannelse og livschancer",
        "Houlkær",
        "Udgivet",
        None,
        10,
        6,
        None,
        3,
        5,
        1,
        1,
        5,
        2,
        None,
        datetime(2029, 9, 1, 10, 0),
        None,
        "Teamet",
        "Det boligsociale team",
    )
    assert activities[4][11:13] == ("Andet område", "Aflyst")
    # Local time, real Excel dates: 23:30 UTC on New Year's Eve is 00:30 on 1 January.
    assert activities[7][7] == datetime(2030, 1, 1, 0, 30)
    start_cell = book["Aktiviteter"]["H2"]
    assert start_cell.is_date
    assert start_cell.number_format == "dd-mm-yyyy hh:mm"

    numbers = {row[0] for row in rows(book, "Beboere")}
    assert len(numbers) == len(RESIDENTS)
    assert all(NUMBER.match(number) for number in numbers)
    signups = rows(book, "Tilmeldinger")
    by_id = {row[0]: row for row in signups}
    r1_number = by_id[1][4]
    assert r1_number in numbers
    assert by_id[3][4] == by_id[11][4] == r1_number  # the same resident, the same number
    assert by_id[7][4] is None  # an erased resident's sign-up has no number
    assert by_id[3] == (
        3,
        1,
        "Lektiecafé",
        datetime(2030, 1, 10, 16, 0),
        r1_number,
        2,
        1,
        "Bekræftet",
        datetime(2029, 12, 1, 11, 0),
        datetime(2029, 12, 1, 11, 0),
        None,
        "Ja",
        "Nej",
    )
    assert by_id[6][7:] == (
        "Afmeldt",
        datetime(2029, 12, 1, 11, 0),
        None,
        datetime(2029, 12, 2, 11, 0),
        None,
        "Nej",
    )

    # Offers in the order they came; kinds, times and status in Danish.
    offers = rows(book, "Frivillige")
    assert [row[0] for row in offers] == [3, 1, 2]
    assert offers[0] == (
        3,
        residents_number(book, 2),
        "Sport og friluftsliv, Oversættelse af skrevne tekster",
        None,
        "Dansk, Arabisk",
        "Weekender",
        "Gennem Nabo",
        None,
        None,
        "Aktiv",
        2,  # translations of theirs the team used (tests/known_data.py)
        datetime(2029, 11, 1, 13, 0),
        datetime(2029, 11, 1, 13, 0),
    )
    assert offers[1][1:11] == (
        r1_number,
        "Lektiehjælp, Digital hjælp (MitID, e-Boks, blanketter)",
        None,
        None,
        "Aftener",
        "Telefon",
        "+4512345678",
        FORMULA_NOTE,
        "Aktiv",
        0,
    )
    assert offers[2][7] is None  # no phone unless the resident shared it

    feedback = {row[0]: row for row in rows(book, "Tilbagemeldinger")}
    assert feedback[1] == (
        1,
        datetime(2030, 1, 11),  # a date cell reads back as midnight
        "Aktivitet",
        1,
        "Lektiecafé",
        5,
        None,
        r1_number,
    )
    assert feedback[3] == (
        3,
        datetime(2030, 2, 21),
        "Aktivitet",
        3,
        FORMULA_TITLE,
        2,
        FORMULA_TAB,
        None,
    )
    assert book["Tilbagemeldinger"]["B2"].number_format == "dd-mm-yyyy"
    # A carriage return is written as a line feed (XML would turn it into one anyway).
    assert feedback[5][2:] == ("Område", None, None, None, FORMULA_CR.replace("\r", "\n"), None)

    broadcasts = {row[0]: row for row in rows(book, "Udsendelser")}
    assert broadcasts[1][1:3] == ("Besked", "Alle, der får meddelelser")
    assert broadcasts[1][9:] == (5, 3, 1, 1, 0)
    assert broadcasts[2][1:4] == ("Ny aktivitet", "Interesserede i aktivitet 2", 2)
    assert broadcasts[3][2] == "Alle, der får meddelelser på arabisk"
    assert broadcasts[3][5] == "Planlagt"

    residents = rows(book, "Beboere")
    assert residents[0] == (
        r1_number,
        "Dansk",
        datetime(2029, 10, 1, 10, 0),
        datetime(2029, 10, 1, 10, 1),
        PRIVACY_NOTICE_VERSION,
        "Ja",
        "Ja",
        "Aktiv",
    )
    assert residents[4][7] == "Har blokeret Nabo"

    # No Telegram id and no first name anywhere in the workbook.
    texts = {str(value) for name in SHEETS for row in rows(book, name) for value in row}
    for user_id in RESIDENTS:
        assert not any(str(user_id) in text for text in texts)
    assert "Fornavn" not in texts
    assert R2 not in {value for row in residents for value in row}


def residents_number(book: Any, index: int) -> str:
    return rows(book, "Beboere")[index][0]


async def test_formula_looking_text_stays_text(database: Path, tmp_path: Path, danish: Any) -> None:
    out = tmp_path / "eksport.xlsx"
    export_file(database, out, CPH, danish)
    book = openpyxl.load_workbook(out)
    risky = {
        FORMULA_CR.replace("\r", "\n"),
        FORMULA_TITLE,
        FORMULA_PLACE,
        FORMULA_DESCRIPTION,
        FORMULA_NOTE,
        FORMULA_TAB,
    }
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in risky:
                    assert cell.data_type == "s"
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen.add(cell.value)
    assert seen == risky


async def test_csv_variant_round_trips(database: Path, tmp_path: Path, danish: Any) -> None:
    workbook, archive = tmp_path / "eksport.xlsx", tmp_path / "eksport.zip"
    export_file(database, workbook, CPH, danish)
    export_file(database, archive, CPH, danish, fmt=CSV)
    book = openpyxl.load_workbook(workbook)
    with zipfile.ZipFile(archive) as files:
        assert files.namelist() == [f"{name}.csv" for name in SHEETS]
        for name in SHEETS:
            raw = files.read(f"{name}.csv")
            assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
            table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
            sheet = list(book[name].iter_rows(values_only=True))
            expected = [
                [as_csv(header, value) for header, value in zip(sheet[0], row, strict=True)]
                for row in sheet
            ]
            assert table == expected, name


def as_csv(header: str, value: Any) -> str:
    """What the CSV holds for a workbook value: the same, as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # openpyxl reads a date cell back as midnight
        return f"{value:%Y-%m-%d}" if header == "Dato" else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\n"):
        return "'" + value  # the same rule as the workbook, the usual way for CSV
    return str(value)


async def test_since_and_until_pick_rows_by_their_own_dates(
    database: Path, tmp_path: Path, danish: Any
) -> None:
    out = tmp_path / "eksport.xlsx"
    export_file(database, out, CPH, danish, where=ExportFilter(date(2030, 1, 1), date(2030, 1, 31)))
    book = openpyxl.load_workbook(out)
    # Activity 7 starts at 00:30 on 1 January, local time: it is in.
    assert [row[0] for row in rows(book, "Aktiviteter")] == [7, 1]
    assert {row[1] for row in rows(book, "Tilmeldinger")} == {7, 1}
    assert [row[0] for row in rows(book, "Frivillige")] == [1]
    assert [row[0] for row in rows(book, "Tilbagemeldinger")] == [1, 2]
    assert [row[0] for row in rows(book, "Udsendelser")] == [1]
    assert rows(book, "Beboere") == []  # all first seen in October 2029


async def test_numbers_are_stable_and_unrelated_to_the_id(
    database: Path, tmp_path: Path, danish: Any
) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    export_file(database, first, CPH, danish)
    export_file(database, second, CPH, danish)
    one = rows(openpyxl.load_workbook(first), "Beboere")
    two = rows(openpyxl.load_workbook(second), "Beboere")
    assert [row[0] for row in one] == [row[0] for row in two]
    # Another database has another key, so the same Telegram id gets another number.
    other = tmp_path / "other.sqlite3"
    await build_known_database(other)
    export_file(other, tmp_path / "c.xlsx", CPH, danish)
    three = rows(openpyxl.load_workbook(tmp_path / "c.xlsx"), "Beboere")
    assert {row[0] for row in one}.isdisjoint({row[0] for row in three})
    assert R1 not in [row[0] for row in one]


# The words the staff workbooks share with the bot, as the bot's Danish says them, and the
# words they used before, which the bot does not use (the glossary's terms).
SHARED_WORDS = ("Uden tilmelding", "Bemærkning", "Mislykket", "Udgivet", "Gennem Nabo")
OLD_WORDS = ("Walk-in", "walk-in", "Note", "Fejlet", "Offentliggjort", "Via Nabo", "Alle der")


async def test_the_workbooks_speak_the_bots_danish(
    database: Path, tmp_path: Path, danish: Any
) -> None:
    export, report = tmp_path / "eksport.xlsx", tmp_path / "rapport.xlsx"
    export_file(database, export, CPH, danish)
    report_file(database, report, parse_period("2030Q1"), NOW, CPH, DEFAULT_AREAS)
    texts = [
        cell
        for path in (export, report)
        for sheet in openpyxl.load_workbook(path).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    everything = "\n".join(texts)
    for word in OLD_WORDS:
        assert word not in everything, word
    # Danish dashes and quotation marks: "–" and »…«, never "—", '…', «…» or „…".
    for mark in ("—", "'", "„"):
        assert mark not in everything, mark
    assert re.search("«[^«»\n]*»", everything) is None
    bot_danish = "\n".join(
        message.string if isinstance(message.string, str) else "\n".join(message.string)
        for message in read_po((ROOT / "locales/da/LC_MESSAGES/messages.po").open("rb"))
    )
    for word in SHARED_WORDS:
        assert word in everything, word
        assert word in bot_danish, word


def width(sheet: Any, cell: Any) -> float:
    # A width is set on a range of columns (neighbours of one width share a <col> element).
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= cell.column <= dimension.max:
            return float(dimension.width or 0)
    return 0.0


async def test_dates_and_headers_fit_their_columns(
    database: Path, tmp_path: Path, danish: Any
) -> None:
    # Excel shows ### for a date wider than its column (a column's width counts digits of
    # the body font), and cuts a header in the middle of a word; headers wrap instead.
    export, report = tmp_path / "eksport.xlsx", tmp_path / "rapport.xlsx"
    export_file(database, export, CPH, danish)
    report_file(database, report, parse_period("2030Q1"), NOW, CPH, DEFAULT_AREAS)
    dates = 0
    for path in (export, report):
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if getattr(cell, "is_date", False):
                        dates += 1
                        fits = len(cell.number_format) + 2
                        assert width(sheet, cell) >= fits, (sheet.title, cell.coordinate)
            if sheet.title in ("Nøgletal", "Vurderinger"):
                continue  # headers in the first column, or short ones
            for cell in sheet[1]:
                if isinstance(cell.value, str):
                    assert cell.alignment.wrap_text, (sheet.title, cell.coordinate)
                    longest = max(len(word) for word in cell.value.split())
                    assert width(sheet, cell) >= longest + 2, (sheet.title, cell.value)
    assert dates > 50


def test_dated_cells_keep_each_rows_own_value(tmp_path: Path) -> None:
    # Each dated column's cell is set anew for every row; every row must keep its own value,
    # with rows without a date in between, in the workbook and in the CSV file alike.
    columns = (
        Column("Nr.", Kind.INT),
        Column("Start", Kind.DATETIME),
        Column("Dato", Kind.DATE),
        Column("Beløb", Kind.DECIMAL),
        Column("Tekst"),
    )
    values = [
        (1, datetime(2030, 1, 1, 0, 30), date(2030, 1, 1), 1.5, "=1+1"),
        (2, None, None, None, "en"),
        (3, datetime(2030, 3, 31, 2, 15), date(2030, 3, 31), 2.25, "to"),
        (4, datetime(2030, 10, 27, 23, 59), date(2030, 10, 27), None, "=1+1"),
        (5, datetime(2031, 2, 28, 12, 0), None, 0.0, None),
    ]
    workbook, archive = tmp_path / "dates.xlsx", tmp_path / "dates.zip"
    write_xlsx([Sheet("Ark", columns, iter(values))], workbook)
    write_csv_zip([Sheet("Ark", columns, iter(values))], archive)

    sheet = openpyxl.load_workbook(workbook)["Ark"]
    read = list(sheet.iter_rows(min_row=2, values_only=True))
    as_read = [
        (n, start, None if day is None else datetime(day.year, day.month, day.day), amount, text)
        for n, start, day, amount, text in values
    ]
    assert read == as_read
    formats = ("dd-mm-yyyy hh:mm", "dd-mm-yyyy", "0.00")
    for row in sheet.iter_rows(min_row=2):
        for cell, number_format in zip(row[1:4], formats, strict=True):
            if cell.value is not None:
                assert cell.number_format == number_format, cell.coordinate
        assert row[0].number_format == "General"  # a number after a date keeps its own format
    assert [row[4].quotePrefix for row in sheet.iter_rows(min_row=2)] == [1, 0, 0, 1, 0]

    with zipfile.ZipFile(archive) as files:
        table = list(csv.reader(io.StringIO(files.read("Ark.csv").decode("utf-8-sig"))))
    assert table[1:] == [
        ["1", "2030-01-01 00:30", "2030-01-01", "1.5", "'=1+1"],
        ["2", "", "", "", "en"],
        ["3", "2030-03-31 02:15", "2030-03-31", "2.25", "to"],
        ["4", "2030-10-27 23:59", "2030-10-27", "", "'=1+1"],
        ["5", "2031-02-28 12:00", "", "0.0", ""],
    ]


def test_local_times_match_the_time_zone_around_every_change() -> None:
    # Times are converted with each hour's offset worked out once: they must agree with
    # the time zone minute by minute around both changes of a year, and for texts in
    # other shapes (no seconds, fractions, another offset, no offset).
    moment, text = local_times(CPH), local_texts(CPH)
    stored = []
    for change in (
        datetime(2030, 3, 31, 1, 0, tzinfo=UTC),
        datetime(2030, 10, 27, 1, 0, tzinfo=UTC),
    ):
        for minutes in range(-150, 151, 7):
            stored.append(to_db(change + timedelta(minutes=minutes, seconds=minutes % 60)))
    stored *= 2  # the second time from what was worked out the first
    stored += [
        "2030-03-31T01:30",
        "2030-03-31T00:59:59.500000+00:00",
        "2030-10-27T02:30:00+02:00",
        "2030-07-01T12:00:00",
    ]
    for value in stored:
        expected = datetime.fromisoformat(value)
        if expected.tzinfo is None:
            expected = expected.replace(tzinfo=UTC)
        local = expected.astimezone(CPH).replace(tzinfo=None)
        assert moment(value) == local, value
        assert text(value) == local.isoformat(sep=" ", timespec="minutes"), value
    assert moment(None) is None
    assert text(None) is None


def test_a_sheets_text_cache_stays_bounded(tmp_path: Path) -> None:
    # Texts are cleaned once each, but a sheet of many different texts must not keep them
    # all: the CSV file still holds every one, cleaned.
    texts = [f"=tekst {n}" for n in range(30_000)] + ["x" * 5_000 + "\x07"]
    columns = (Column("Tekst"),)
    archive = tmp_path / "mange.zip"
    write_csv_zip([Sheet("Ark", columns, ((text,) for text in texts))], archive)
    with zipfile.ZipFile(archive) as files:
        table = list(csv.reader(io.StringIO(files.read("Ark.csv").decode("utf-8-sig"))))
    assert [row[0] for row in table[1:]] == ["'" + t for t in texts[:-1]] + ["x" * 5_000]
    cache = _CsvTexts()
    for text in texts:
        assert cache[text]
    assert len(cache) <= 20_000
    assert texts[-1] not in cache

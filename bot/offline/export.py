"""Staff workbooks: the export of everything (xlsx or a zip of CSVs) and the period report.

Building a workbook is seconds of CPU work: the bot runs these functions in another
process (bot/offline/worker.py), the command line calls them directly. Sheet names and
headers are Danish on purpose (see bot/offline/sheets.py), so nothing here goes through
gettext.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.core.i18n import Translator
from bot.db.activities import DELAFTALER_DA, ORGANISER_KINDS_DA, TEAM_NAME_DA
from bot.offline.periods import Period
from bot.offline.reporting import REPORT_COLUMNS, Figures, Report, build_report
from bot.offline.sheets import Column, ExportFilter, Kind, Sheet, area_da, export_sheets
from bot.offline.snapshot import snapshot

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
# Excel would run these as a formula (or DDE) if the cell were typed in (CSV injection).
# A line feed too: line breaks are written as one (XML turns a carriage return into it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER_FORMATS = {
    Kind.DATETIME: "dd-mm-yyyy hh:mm",
    Kind.DATE: "dd-mm-yyyy",
    Kind.DECIMAL: "0.00",
}
# The body's font, named: a bold font without a name is drawn in another typeface.
_BOLD = Font(name="Calibri", bold=True)
# Headers wrap at spaces rather than being cut off by the next column.
_WRAP = Alignment(wrap_text=True, vertical="top")
# Distinct people cannot be counted once sign-ups are unlinked (retention, /deleteme);
# every other figure stays the same however late the report is made.
PARTICIPANTS_NOTE = (
    "Unikke, nye og tilbagevendende deltagere tælles kun ud fra tilmeldinger, der stadig er "
    "knyttet til en beboer. Nabo fjerner den kobling, når en beboer sletter sine data, og "
    "SIGNUP_RETENTION_DAYS (normalt 180) dage efter aktiviteten. Lav derfor kvartalets "
    "rapport inden da: en senere rapport viser færre deltagere, og en deltager, hvis "
    "tidligere fremmøde ikke længere er knyttet, tælles som ny. Alle andre tal er de samme."
)


# Offers of help, and feedback and broadcasts not about an activity, are in the total only.
OUTSIDE_NOTE = (
    "Tilbud om hjælp hører ikke til en delaftale eller et område, og tilbagemeldinger og "
    "udsendelser kun, når de handler om en aktivitet; de andre tælles kun i »I alt«."
)


def is_formula_like(text: str) -> bool:
    """Tell whether a spreadsheet could take this text for a formula or an error value."""
    return text.startswith(FORMULA_STARTS) or text in ERROR_CODES


def _clean(text: str) -> str:
    # Control characters other than tab and line breaks are not allowed in xlsx files,
    # and XML reads a carriage return as a line feed: write every line break as one.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text)


class _Quoted(str):
    """A cleaned text a spreadsheet would take for a formula: it goes in a quoted cell."""

    __slots__ = ()


# What a sheet's text cache keeps: the short texts that repeat (an activity's title on each
# of its sign-ups, a place, a status), not long comments, which seldom do; and at most so
# many, so a sheet's memory stays bounded however many rows it has.
_CACHED_LENGTH = 200
_CACHED_TEXTS = 20_000


class _Texts(dict[str, str]):
    """Texts as a sheet holds them, each short one worked out once (see ``_CACHED_TEXTS``)."""

    def __missing__(self, text: str) -> str:
        value = self.work_out(text)
        if len(text) <= _CACHED_LENGTH and len(self) < _CACHED_TEXTS:
            self[text] = value
        return value

    def work_out(self, text: str) -> str:
        """Return the text as the sheet holds it."""
        raise NotImplementedError


class _SheetTexts(_Texts):
    """Texts as a workbook's sheet holds them: cleaned, formulas marked."""

    def work_out(self, text: str) -> str:
        """Return the cleaned text, marked if a spreadsheet would take it for a formula."""
        value = _clean(text)
        return _Quoted(value) if is_formula_like(value) else value


class _CellMaker:
    """Turns a sheet's rows into write-only cells: text stays text, dates get a date format.

    Only text and dated columns need work; numbers and labels go as they are.
    """

    def __init__(self, sheet: WriteOnlyWorksheet, columns: tuple[Column, ...]) -> None:
        self._sheet = sheet
        self._texts = _SheetTexts()
        self._text_columns = [i for i, column in enumerate(columns) if column.kind == Kind.TEXT]
        self._formats = [
            (i, NUMBER_FORMATS[column.kind])
            for i, column in enumerate(columns)
            if column.kind in NUMBER_FORMATS
        ]
        # One cell per dated column, its format set once and its value set for each row:
        # the write-only sheet writes a row out as it is appended, so the cell is free
        # again for the next row.
        self._dated: dict[int, Cell] = {}

    def row(self, values: tuple[Any, ...]) -> list[Any]:
        cells = list(values)
        texts = self._texts
        for index in self._text_columns:
            value = cells[index]
            if value.__class__ is str:
                value = cells[index] = texts[value]
                if value.__class__ is _Quoted:
                    cells[index] = self._quoted(value)
        for index, number_format in self._formats:
            value = cells[index]
            if isinstance(value, date | datetime | float):
                cells[index] = self._dated_cell(index, value, number_format)
        return cells

    def _quoted(self, text: str) -> Cell:
        cell = WriteOnlyCell(self._sheet, str(text))
        # Stored as a plain string, shown with Excel's quote prefix, so neither opening
        # nor editing the cell ever evaluates it.
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    def _dated_cell(self, index: int, value: date | datetime | float, number_format: str) -> Cell:
        cell = self._dated.get(index)
        if cell is None:
            # Set after creating: the same as passing it, but typeshed's stub of
            # WriteOnlyCell leaves out dates, which openpyxl takes.
            cell = self._dated[index] = WriteOnlyCell(self._sheet)
            cell.value = value
            cell.number_format = number_format
        else:
            cell.value = value
        return cell


def column_width(header: str, kind: str = Kind.TEXT, width: float = 0) -> float:
    """Return a column's width: at least its header's longest word, and room for its dates.

    Excel's width unit is one digit of the body font. A date wider than its column shows
    as ###, so a date column fits its format and the cell's margins; a bold header word
    is a little wider than digits.
    """
    needed = max(len(word) for word in header.split()) * 1.1 + 2
    number_format = NUMBER_FORMATS.get(kind)
    if kind in (Kind.DATE, Kind.DATETIME) and number_format is not None:
        needed = max(needed, len(number_format) + 2)
    return max(width, round(needed))


def header_height(headers: Iterable[tuple[str, float]]) -> float:
    """Return the height in points of a header row whose headers wrap in their widths.

    Neither Excel nor LibreOffice grows a row for wrapped text it did not lay out itself.
    """
    most = 1
    for header, width in headers:
        fits, lines, used = width - 1, 1, 0
        for word in header.split():
            if used and used + 1 + len(word) > fits:
                lines, used = lines + 1, len(word)
            else:
                used += (1 if used else 0) + len(word)
        most = max(most, lines)
    return 15.0 * most


def _header(sheet: WriteOnlyWorksheet, columns: tuple[Column, ...]) -> list[Cell]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.header)
        cell.font = _BOLD
        cell.alignment = _WRAP
        cells.append(cell)
    return cells


def write_xlsx(sheets: Iterable[Sheet], out: Path) -> None:
    """Write sheets to an xlsx file, streaming rows (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        # Widths, heights and the frozen header must be set before the first row is written.
        widths = [column_width(c.header, c.kind, c.width) for c in spec.columns]
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        headers = zip((column.header for column in spec.columns), widths, strict=True)
        sheet.row_dimensions[1].height = header_height(headers)
        sheet.freeze_panes = "A2"
        sheet.append(_header(sheet, spec.columns))
        maker = _CellMaker(sheet, spec.columns)
        count = 0
        for values in spec.rows:
            sheet.append(maker.row(values))
            count += 1
        last = get_column_letter(len(spec.columns))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    workbook.save(out)


class _CsvTexts(_Texts):
    """Texts as the CSV file holds them: cleaned, formulas guarded."""

    def work_out(self, text: str) -> str:
        """Return the cleaned text, with an apostrophe before what looks like a formula."""
        value = _clean(text)
        # The usual guard for CSV files: a leading apostrophe makes it text in Excel.
        return "'" + value if is_formula_like(value) else value


def _csv_rows(spec: Sheet) -> Iterator[tuple[Any, ...] | list[Any]]:
    """Turn a sheet's rows into CSV fields; only text (and time) columns need work.

    None, numbers, dates and labels are written as they are (csv.writer writes None as
    nothing); times are text already when the sheet was made for a CSV file.
    """
    texts = _CsvTexts()
    text_columns = [i for i, column in enumerate(spec.columns) if column.kind == Kind.TEXT]
    time_columns = (
        []
        if spec.times_as_text
        else [i for i, column in enumerate(spec.columns) if column.kind == Kind.DATETIME]
    )
    for values in spec.rows:
        fields = list(values)
        for index in text_columns:
            value = fields[index]
            if value.__class__ is str:
                fields[index] = texts[value]
        for index in time_columns:
            value = fields[index]
            if isinstance(value, datetime):
                fields[index] = value.isoformat(sep=" ", timespec="minutes")  # not strftime
        yield fields


# Rows written to the zip at a time: few writes, little memory.
_CSV_CHUNK = 2_000
_CSV_COMPRESSION = 1


def write_csv_zip(sheets: Iterable[Sheet], out: Path) -> None:
    """Write sheets to a zip of UTF-8 CSV files (with a BOM, so Excel reads æøå right)."""
    # Deflate's fastest level: a year's export compresses in a third of the time of the
    # default level, for a file about a quarter larger (still a few MB).
    with zipfile.ZipFile(
        out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_CSV_COMPRESSION
    ) as archive:
        for spec in sheets:
            with archive.open(f"{spec.name}.csv", "w") as raw:
                raw.write(codecs.BOM_UTF8)
                # csv.writer into a text buffer, encoded and written a chunk of rows at a
                # time: the same bytes as writing row by row through a text stream.
                text = io.StringIO()
                writer = csv.writer(text)
                writer.writerow(column.header for column in spec.columns)
                fields = _csv_rows(spec)
                while chunk := list(itertools.islice(fields, _CSV_CHUNK)):
                    writer.writerows(chunk)
                    raw.write(text.getvalue().encode("utf-8"))
                    text.seek(0)
                    text.truncate()
                raw.write(text.getvalue().encode("utf-8"))


def export_file(
    database: Path,
    out: Path,
    timezone: ZoneInfo,
    danish: Translator,
    *,
    fmt: str = XLSX,
    where: ExportFilter | None = None,
) -> int:
    """Export the database to ``out`` from one snapshot; return the file's size in bytes.

    The file appears complete or not at all: it is written beside ``out`` and renamed.
    """
    writer = write_xlsx if fmt == XLSX else write_csv_zip
    with snapshot(database) as connection:
        sheets = export_sheets(
            connection, timezone, danish, where or ExportFilter(), times_as_text=fmt == CSV
        )
        _atomic_write(out, lambda path: writer(sheets, path))
    return out.stat().st_size


def _atomic_write(out: Path, write: Any) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".nabo-", suffix=out.suffix, dir=out.parent)
    os.close(handle)
    try:
        write(Path(name))
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- the report workbook


@dataclass(frozen=True, slots=True)
class ReportFile:
    """A written report: its figures and the file's size."""

    report: Report
    size: int


def report_file(
    database: Path,
    out: Path,
    period: Period,
    now: datetime,
    timezone: ZoneInfo,
    areas: Iterable[str] = (),
) -> ReportFile:
    """Compute the report for ``period`` and write it with charts to ``out``."""
    with snapshot(database) as connection:
        report = build_report(connection, period, now, timezone, areas)
    _atomic_write(out, lambda path: write_report(report, path))
    return ReportFile(report, out.stat().st_size)


def write_report(report: Report, out: Path) -> None:
    """Write the report workbook: key figures, tables per delaftale and area, charts."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Nøgletal"
    _summary_sheet(summary, report)
    _table_sheet(
        workbook.create_sheet("Delaftaler"),
        "Delaftale",
        [(DELAFTALER_DA[code], figures) for code, figures in report.by_delaftale.items()],
        report.total,
    )
    _table_sheet(
        workbook.create_sheet("Områder"),
        "Område",
        [(area_da(area), figures) for area, figures in report.by_area.items()],
        report.total,
    )
    _organisers_sheet(workbook.create_sheet("Arrangører"), report)
    _months_sheet(workbook.create_sheet("Tilmeldinger pr. måned"), report)
    _ratings_sheet(workbook.create_sheet("Vurderinger"), report)
    _sources_sheet(workbook.create_sheet("Kilder"), report)
    for sheet in workbook.worksheets:
        _keep_text(sheet)
    workbook.save(out)


def _keep_text(sheet: Any) -> None:
    # Area names come from the configuration; the same rule as in the export holds.
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _summary_sheet(sheet: Any, report: Report) -> None:
    sheet.append(["Nabo – rapport", report.period.label_da()])
    sheet.append(["Periode", report.period.first, report.period.last])
    sheet.append(["Lavet", report.made_at.replace(tzinfo=None)])
    sheet.append([])
    sheet.append(["Nøgletal", "I alt"])
    for header, read in REPORT_COLUMNS:
        sheet.append([header, read(report.total)])
    # Afdelingsbestyrelser and partners that ran activities held in the period.
    sheet.append(["Partnere involveret", report.partners])
    for row in (1, 5):
        for cell in sheet[row]:
            cell.font = _BOLD
    sheet["B2"].number_format = sheet["C2"].number_format = NUMBER_FORMATS[Kind.DATE]
    sheet["B3"].number_format = NUMBER_FORMATS[Kind.DATETIME]
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = column_width("Lavet", Kind.DATETIME, 14)
    sheet.column_dimensions["C"].width = column_width("Periode", Kind.DATE, 14)


def _table_sheet(sheet: Any, label: str, rows: list[tuple[str, Figures]], total: Figures) -> None:
    headers = [label, *(header for header, _ in REPORT_COLUMNS)]
    sheet.append(headers)
    for name, figures in rows:
        sheet.append([name, *(read(figures) for _, read in REPORT_COLUMNS)])
    sheet.append(["I alt", *(read(total) for _, read in REPORT_COLUMNS)])
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    for cell in sheet[len(rows) + 2]:
        cell.font = _BOLD
    sheet.freeze_panes = "B2"
    widths = [34.0, *(column_width(header, width=13) for header in headers[1:])]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = header_height(zip(headers, widths, strict=True))
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    sheet.append([])
    for note in (OUTSIDE_NOTE, PARTICIPANTS_NOTE):
        _note_row(sheet, note, sum(widths))


def _note_row(sheet: Any, text: str, width: float) -> None:
    # A long note on one line would run far past the table: it wraps across the table's
    # width instead, in a row tall enough for its lines (Excel does not size merged rows).
    sheet.append([text])
    row = sheet.max_row
    last = get_column_letter(sheet.max_column)
    sheet.merge_cells(f"A{row}:{last}{row}")
    sheet[f"A{row}"].alignment = _WRAP
    lines = -(-len(text) // int(width * 0.9)) + 1
    sheet.row_dimensions[row].height = 15 * lines


# Who ran the activities: the figures of the helhedsplan's partnerships, in the words of
# the report's other sheets.
ORGANISER_COLUMNS: tuple[tuple[str, Any], ...] = tuple(
    (header, read)
    for header, read in REPORT_COLUMNS
    if header
    in (
        "Aktiviteter afholdt",
        "Timer med aktiviteter",
        "Tilmeldte personer",
        "Besøg (fremmøde + uden tilmelding)",
        "Unikke deltagere",
    )
)
ORGANISERS_NOTE = (
    "Unikke deltagere tælles pr. arrangør; den samme person kan deltage hos flere, så "
    "rækkerne kan give mere end »I alt«."
)


def _organisers_sheet(sheet: Any, report: Report) -> None:
    headers = ["Arrangør", "Type", *(header for header, _ in ORGANISER_COLUMNS)]
    sheet.append(headers)
    for (kind, name), figures in report.by_organiser.items():
        shown = TEAM_NAME_DA if kind == "team" else name
        sheet.append(
            [shown, ORGANISER_KINDS_DA[kind], *(read(figures) for _, read in ORGANISER_COLUMNS)]
        )
    sheet.append(["I alt", None, *(read(report.total) for _, read in ORGANISER_COLUMNS)])
    # Headers bold and wrapped, as on every sheet; the total bold too.
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    for cell in sheet[len(report.by_organiser) + 2]:
        cell.font = _BOLD
    sheet.freeze_panes = "A2"
    widths = [34.0, 20.0, *(column_width(header, width=13) for header, _ in ORGANISER_COLUMNS)]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = header_height(zip(headers, widths, strict=True))
    sheet.append([])
    _note_row(sheet, ORGANISERS_NOTE, sum(widths))


def _months_sheet(sheet: Any, report: Report) -> None:
    sheet.append(["Måned", *DELAFTALER_DA.values()])
    for month, counts in report.months:
        sheet.append([month.strftime("%Y-%m"), *(counts[code] for code in DELAFTALER_DA)])
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 10
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 32
    rows = len(report.months)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Tilmeldinger pr. måned pr. delaftale"
    chart.y_axis.title = "Tilmeldinger"
    chart.x_axis.title = "Måned"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=4, min_row=1, max_row=rows + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.width, chart.height = 24, 12
    sheet.add_chart(chart, "F2")


def _ratings_sheet(sheet: Any, report: Report) -> None:
    sheet.append(["Vurdering", "Antal"])
    for star, count in enumerate(report.total.ratings, 1):
        sheet.append([star, count])
    for cell in sheet[1]:
        cell.font = _BOLD
    sheet.column_dimensions["A"].width = 12
    chart = BarChart()
    chart.type = "col"
    chart.title = "Fordeling af vurderinger (1-5)"
    chart.y_axis.title = "Antal"
    chart.x_axis.title = "Vurdering"
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=6), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=6))
    sheet.add_chart(chart, "D2")


def _sources_sheet(sheet: Any, report: Report) -> None:
    """Write what each source's links brought: new residents, sign-ups and check-ins."""
    headers = ["Kilde", "Kode", "Slettet", "Nye beboere", "Tilmeldinger", "Tjekket ind ved døren"]
    widths = [40, 10, 10, 14, 14, 14]
    sheet.append(headers)
    for source in report.sources:
        sheet.append(
            [
                source.name,
                source.code,
                "Ja" if source.deleted else "Nej",
                source.residents,
                source.signups,
                source.checkins,
            ]
        )
    sheet.append(
        [
            "I alt",
            None,
            None,
            sum(s.residents for s in report.sources),
            sum(s.signups for s in report.sources),
            sum(s.checkins for s in report.sources),
        ]
    )
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    for cell in sheet[len(report.sources) + 2]:
        cell.font = _BOLD
    sheet.freeze_panes = "A2"
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.row_dimensions[1].height = header_height(zip(headers, widths, strict=True))
    sheet.append([])
    _note_row(
        sheet,
        "Tallene tæller, hvad hvert opslags, hvert flyers og hver delings link har bragt: "
        "nye beboere (deres første start kom via linket), tilmeldinger og fremmøde, tjekket "
        "ind ved døren via linket. De gemmes uden personer og passer også efter sletninger.",
        sum(widths),
    )

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
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.chart_column import ChartColumn
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bot.core.i18n import Translator
from bot.db.activities import DELAFTALER_DA, ORGANISER_KINDS_DA, TEAM_NAME_DA
from bot.offline.periods import Period
from bot.offline.reporting import REPORT_COLUMNS, Figures, Report, build_report
from bot.offline.sheets import ExportFilter, Kind, Sheet, area_da, export_sheets
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
# Excel's error values: a text equal to one would be read as the error, not as text.
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
# Control characters other than tab and line breaks, which an xlsx file may not hold.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
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


class _Formats:
    """A workbook's cell formats, each added to it once and then shared by its cells."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple[bool, bool, str | None, bool], Format] = {}

    def __call__(
        self,
        *,
        bold: bool = False,
        wrap: bool = False,
        number_format: str | None = None,
        quoted: bool = False,
    ) -> Format:
        """Return the format with these properties (the body's Calibri, bold or not)."""
        key = (bold, wrap, number_format, quoted)
        made = self._made.get(key)
        if made is None:
            properties: dict[str, Any] = {}
            if bold:
                properties["bold"] = True
            if wrap:
                # Headers and notes wrap at spaces rather than being cut off.
                properties |= {"text_wrap": True, "valign": "top"}
            if number_format is not None:
                properties["num_format"] = number_format
            if quoted:
                # Stored as a plain string, shown with Excel's quote prefix, so neither
                # opening nor editing the cell ever evaluates it.
                properties["quote_prefix"] = True
            made = self._made[key] = self._workbook.add_format(properties)
        return made


def _workbook(out: Path, *, constant_memory: bool) -> xlsxwriter.Workbook:
    # Text is always text: a string that looks like a formula, a number or a link is
    # written as the string it is (the quote prefix guards what Excel would evaluate).
    return xlsxwriter.Workbook(
        str(out),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def write_xlsx(sheets: Iterable[Sheet], out: Path) -> None:
    """Write sheets to an xlsx file, streaming rows (XlsxWriter's constant-memory mode)."""
    with _workbook(out, constant_memory=True) as workbook:
        formats = _Formats(workbook)
        for spec in sheets:
            sheet = workbook.add_worksheet(spec.name)
            # Streamed rows are written out as the next one starts: widths, the header's
            # height and the frozen header are set before the first row.
            widths = [column_width(c.header, c.kind, c.width) for c in spec.columns]
            for index, width in enumerate(widths):
                sheet.set_column(index, index, width)
            headers = zip((column.header for column in spec.columns), widths, strict=True)
            sheet.set_row(0, header_height(headers))
            sheet.freeze_panes(1, 0)
            header = formats(bold=True, wrap=True)
            for index, column in enumerate(spec.columns):
                sheet.write_string(0, index, column.header, header)
            count = _write_rows(sheet, spec, formats)
            sheet.autofilter(0, 0, count, len(spec.columns) - 1)


def _midnight(day: date) -> datetime:
    # A date is written as its midnight: the same Excel date, and what write_datetime takes.
    return day if isinstance(day, datetime) else datetime.combine(day, time())


def _write_rows(sheet: Worksheet, spec: Sheet, formats: _Formats) -> int:
    """Write a sheet's rows below its header; return how many there were.

    Text is cleaned, each short text once; dates and decimals get their number format;
    everything else is written as the value it is.
    """
    texts = _SheetTexts()
    quoted = formats(quoted=True)
    kinds = [column.kind for column in spec.columns]
    cell_formats = [
        formats(number_format=NUMBER_FORMATS[kind]) if kind in NUMBER_FORMATS else None
        for kind in kinds
    ]
    # A date in a column that is not a date column still reads as a date.
    moment = formats(number_format=NUMBER_FORMATS[Kind.DATETIME])
    day = formats(number_format=NUMBER_FORMATS[Kind.DATE])
    write, write_string = sheet.write, sheet.write_string
    write_number, write_datetime = sheet.write_number, sheet.write_datetime
    count = 0
    for count, values in enumerate(spec.rows, 1):
        for index, value in enumerate(values):
            if value is None:
                continue
            kind = kinds[index]
            if value.__class__ is str:
                if kind == Kind.TEXT:
                    value = texts[value]
                    if value.__class__ is _Quoted:
                        write_string(count, index, value, quoted)
                        continue
                write_string(count, index, value)
            elif value.__class__ is int:
                write_number(count, index, value)
            elif isinstance(value, datetime):
                write_datetime(count, index, value, cell_formats[index] or moment)
            elif isinstance(value, date):
                write_datetime(count, index, _midnight(value), cell_formats[index] or day)
            elif value.__class__ is float:
                write_number(count, index, value, cell_formats[index])
            else:
                write(count, index, value)
    return count


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
    with _workbook(out, constant_memory=False) as workbook:
        formats = _Formats(workbook)

        def sheet(name: str) -> _ReportSheet:
            return _ReportSheet(workbook.add_worksheet(name), name, formats)

        _summary_sheet(sheet("Nøgletal"), report)
        _table_sheet(
            sheet("Delaftaler"),
            "Delaftale",
            [(DELAFTALER_DA[code], figures) for code, figures in report.by_delaftale.items()],
            report.total,
        )
        _table_sheet(
            sheet("Områder"),
            "Område",
            [(area_da(area), figures) for area, figures in report.by_area.items()],
            report.total,
        )
        _organisers_sheet(sheet("Arrangører"), report)
        _months_sheet(sheet("Tilmeldinger pr. måned"), report, workbook)
        _ratings_sheet(sheet("Vurderinger"), report, workbook)
        _sources_sheet(sheet("Kilder"), report)


class _ReportSheet:
    """A report sheet written a row at a time, each value as the cell type it is."""

    def __init__(self, sheet: Worksheet, name: str, formats: _Formats) -> None:
        self.sheet = sheet
        self.name = name
        self._formats = formats
        self.rows = 0  # rows written so far: the next row's index

    def append(
        self,
        values: Iterable[Any],
        *,
        bold: bool = False,
        wrap: bool = False,
        number_formats: dict[int, str] | None = None,
    ) -> int:
        """Write a row below the last one; return its index (0-based)."""
        row, formats = self.rows, self._formats
        for column, value in enumerate(values):
            number_format = (number_formats or {}).get(column)
            if value is None:
                if bold:  # a bold row is bold across, as a row Excel formats
                    self.sheet.write_blank(row, column, "", formats(bold=True))
            elif isinstance(value, str):
                # Area and organiser names come from people: the export's rule holds.
                quoted = is_formula_like(value)
                self.sheet.write_string(
                    row, column, value, formats(bold=bold, wrap=wrap, quoted=quoted)
                )
            elif isinstance(value, date):
                shown = formats(bold=bold, number_format=number_format)
                self.sheet.write_datetime(row, column, _midnight(value), shown)
            else:
                self.sheet.write(row, column, value, formats(bold=bold))
        self.rows += 1
        return row

    def widths(self, widths: Iterable[float]) -> None:
        """Set the columns' widths, from the first."""
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)

    def header(self, headers: list[str], widths: list[float], *, frozen_columns: int = 0) -> None:
        """Write the bold, wrapped header row, tall enough for its lines; freeze it."""
        self.append(headers, bold=True, wrap=True)
        self.widths(widths)
        self.sheet.set_row(0, header_height(zip(headers, widths, strict=True)))
        self.sheet.freeze_panes(1, frozen_columns)

    def notes(self, texts: Iterable[str], columns: int, width: float) -> None:
        """Write notes below a blank row, each wrapped across the table's columns."""
        # A long note on one line would run far past the table: it wraps across the
        # table's width instead, in a row tall enough for its lines (Excel does not size
        # merged rows).
        self.rows += 1
        for text in texts:
            row = self.rows
            self.sheet.merge_range(row, 0, row, columns - 1, text, self._formats(wrap=True))
            self.sheet.set_row(row, 15 * (-(-len(text) // int(width * 0.9)) + 1))
            self.rows += 1


def _summary_sheet(sheet: _ReportSheet, report: Report) -> None:
    date_format = NUMBER_FORMATS[Kind.DATE]
    sheet.append(["Nabo – rapport", report.period.label_da()], bold=True)
    sheet.append(
        ["Periode", report.period.first, report.period.last],
        number_formats={1: date_format, 2: date_format},
    )
    sheet.append(
        ["Lavet", report.made_at.replace(tzinfo=None)],
        number_formats={1: NUMBER_FORMATS[Kind.DATETIME]},
    )
    sheet.rows += 1
    sheet.append(["Nøgletal", "I alt"], bold=True)
    for header, read in REPORT_COLUMNS:
        sheet.append([header, read(report.total)])
    # Afdelingsbestyrelser and partners that ran activities held in the period.
    sheet.append(["Partnere involveret", report.partners])
    sheet.widths(
        [36, column_width("Lavet", Kind.DATETIME, 14), column_width("Periode", Kind.DATE, 14)]
    )


def _table_sheet(
    sheet: _ReportSheet, label: str, rows: list[tuple[str, Figures]], total: Figures
) -> None:
    headers = [label, *(header for header, _ in REPORT_COLUMNS)]
    widths = [34.0, *(column_width(header, width=13) for header in headers[1:])]
    sheet.header(headers, widths, frozen_columns=1)
    for name, figures in rows:
        sheet.append([name, *(read(figures) for _, read in REPORT_COLUMNS)])
    sheet.append(["I alt", *(read(total) for _, read in REPORT_COLUMNS)], bold=True)
    sheet.sheet.autofilter(0, 0, len(rows), len(headers) - 1)
    sheet.notes((OUTSIDE_NOTE, PARTICIPANTS_NOTE), len(headers), sum(widths))


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


def _organisers_sheet(sheet: _ReportSheet, report: Report) -> None:
    headers = ["Arrangør", "Type", *(header for header, _ in ORGANISER_COLUMNS)]
    widths = [34.0, 20.0, *(column_width(header, width=13) for header, _ in ORGANISER_COLUMNS)]
    sheet.header(headers, widths)
    for (kind, name), figures in report.by_organiser.items():
        shown = TEAM_NAME_DA if kind == "team" else name
        sheet.append(
            [shown, ORGANISER_KINDS_DA[kind], *(read(figures) for _, read in ORGANISER_COLUMNS)]
        )
    total = ["I alt", None, *(read(report.total) for _, read in ORGANISER_COLUMNS)]
    sheet.append(total, bold=True)
    sheet.notes([ORGANISERS_NOTE], len(headers), sum(widths))


def _months_sheet(sheet: _ReportSheet, report: Report, workbook: xlsxwriter.Workbook) -> None:
    sheet.header(["Måned", *DELAFTALER_DA.values()], [10, 32, 32, 32])
    for month, counts in report.months:
        sheet.append([month.strftime("%Y-%m"), *(counts[code] for code in DELAFTALER_DA)])
    rows = len(report.months)
    chart = _column_chart(workbook)
    for column in range(1, len(DELAFTALER_DA) + 1):
        chart.add_series(
            {
                "name": [sheet.name, 0, column],
                "categories": [sheet.name, 1, 0, rows, 0],
                "values": [sheet.name, 1, column, rows, column],
            }
        )
    chart.set_title({"name": "Tilmeldinger pr. måned pr. delaftale"})
    chart.set_y_axis({"name": "Tilmeldinger"})
    chart.set_x_axis({"name": "Måned"})
    chart.set_size({"width": 900, "height": 450})  # about 24 × 12 cm: twelve months
    sheet.sheet.insert_chart("F2", chart)


def _column_chart(workbook: xlsxwriter.Workbook) -> ChartColumn:
    """Return a new native column chart (bars standing up) of the workbook."""
    chart = workbook.add_chart({"type": "column"})
    assert isinstance(chart, ChartColumn)  # add_chart's type depends on the "type" given
    return chart


def _ratings_sheet(sheet: _ReportSheet, report: Report, workbook: xlsxwriter.Workbook) -> None:
    sheet.append(["Vurdering", "Antal"], bold=True)
    for star, count in enumerate(report.total.ratings, 1):
        sheet.append([star, count])
    sheet.widths([12])
    chart = _column_chart(workbook)
    chart.add_series(
        {
            "name": [sheet.name, 0, 1],
            "categories": [sheet.name, 1, 0, 5, 0],
            "values": [sheet.name, 1, 1, 5, 1],
        }
    )
    chart.set_title({"name": "Fordeling af vurderinger (1-5)"})
    chart.set_y_axis({"name": "Antal"})
    chart.set_x_axis({"name": "Vurdering"})
    chart.set_legend({"none": True})
    sheet.sheet.insert_chart("D2", chart)


def _sources_sheet(sheet: _ReportSheet, report: Report) -> None:
    """Write what each source's links brought: new residents, sign-ups and check-ins."""
    headers = ["Kilde", "Kode", "Slettet", "Nye beboere", "Tilmeldinger", "Tjekket ind ved døren"]
    widths = [40.0, 10, 10, 14, 14, 14]
    sheet.header(headers, widths)
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
        ],
        bold=True,
    )
    sheet.notes(
        [
            "Tallene tæller, hvad hvert opslags, hvert flyers og hver delings link har bragt: "
            "nye beboere (deres første start kom via linket), tilmeldinger og fremmøde, tjekket "
            "ind ved døren via linket. De gemmes uden personer og passer også efter sletninger."
        ],
        len(headers),
        sum(widths),
    )

"""The page Nabo prints on: fonts for Danish, Arabic and English, fitted text, QR codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TextDirection

FONTS = Path(__file__).resolve().parent / "fonts"
LATIN = "NotoSans"
ARABIC = "NotoSansArabic"
_FONT_FILES = {
    (LATIN, ""): "NotoSans-Regular.ttf",
    (LATIN, "B"): "NotoSans-Bold.ttf",
    (ARABIC, ""): "NotoSansArabic-Regular.ttf",
    (ARABIC, "B"): "NotoSansArabic-Bold.ttf",
}
# Line height as a share of the font size: Arabic's tall letters and dots need more.
LINE_FACTOR = {"ar": 1.45, "da": 1.2, "en": 1.2}
Colour = tuple[int, int, int]
BLACK: Colour = (0, 0, 0)
WHITE: Colour = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class Fit:
    """A text fitted into a box: the font size chosen, its lines, and the height they take."""

    size: float
    lines: int
    height: float
    cut: bool  # even the smallest size did not fit: the text was shortened


class Sheet(FPDF):
    """An FPDF page set up for Nabo's three languages, with helpers for fitted text."""

    def __init__(self, width: float, height: float, *, unit: str = "mm") -> None:
        """Make a document of pages ``width`` × ``height`` (in ``unit``), text shaping on."""
        super().__init__(orientation="P", unit=unit, format=(width, height))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.c_margin = 0
        for (family, style), name in _FONT_FILES.items():
            self.add_font(family, style, str(FONTS / name))
        # HarfBuzz joins the Arabic letters; fpdf2's bidi orders the runs.
        self.set_text_shaping(True)
        self.set_creator("Nabo")
        # Fitting tries many sizes, and a flyer page lays out the same texts four times:
        # shaping a text is the costly part, so each (text, width, size) is measured once.
        self._wrapped: dict[tuple[str, str, float, float, bool], int] = {}

    def use(self, language: str, size: float, *, bold: bool = False) -> None:
        """Choose the font for a language, falling back to the other script's font.

        Noto Sans Arabic has no Latin letters (a place name in an Arabic title), and Noto
        Sans no Arabic ones, so each is the other's fallback.
        """
        main, other = (ARABIC, LATIN) if language == "ar" else (LATIN, ARABIC)
        self.set_font(main, "B" if bold else "", size)
        self.set_fallback_fonts([other], exact_match=False)
        # Each language's paragraphs run its own way, whatever their first letter: fpdf2
        # would guess from it, and set an Arabic sentence that starts with "Nabo" left to
        # right, its full stop on the wrong side. The chat's isolates around left-to-right
        # values (Translator.ltr) stay in the text: fpdf2's bidi honours them and draws no
        # glyph for them, so "/mydata" or a time inside Arabic reads as it does in the chat.
        assert self.text_shaping is not None
        self.text_shaping["direction"] = (
            TextDirection.RTL if language == "ar" else TextDirection.LTR
        )

    def line_height(self, language: str, size: float) -> float:
        """Return the height of one line of text at ``size`` points, in the page's unit."""
        return size / self.k * LINE_FACTOR.get(language, 1.2)

    def wrapped(self, language: str, text: str, width: float, size: float, bold: bool) -> int:
        """Return how many lines ``text`` takes at ``size`` in ``width``."""
        key = (language, text, width, size, bold)
        known = self._wrapped.get(key)
        if known is not None:
            return known
        self.use(language, size, bold=bold)
        lines = self.multi_cell(
            width,
            self.line_height(language, size),
            text,
            dry_run=True,
            output=MethodReturnValue.LINES,
        )
        assert isinstance(lines, list)
        self._wrapped[key] = len(lines)
        return len(lines)

    def fit(
        self,
        language: str,
        text: str,
        width: float,
        height: float,
        *,
        largest: float,
        smallest: float,
        bold: bool = False,
        max_lines: int | None = None,
    ) -> tuple[str, Fit]:
        """Find the largest size (half points) at which ``text`` fits the box.

        When even ``smallest`` does not fit, the text is shortened with an ellipsis until
        it does: nothing ever runs out of its box.
        """

        def fits(size: float, candidate: str) -> int | None:
            lines = self.wrapped(language, candidate, width, size, bold)
            ok = lines * self.line_height(language, size) <= height + 1e-6
            return lines if ok and (max_lines is None or lines <= max_lines) else None

        low, high = int(smallest * 2), int(largest * 2)
        if fits(high / 2, text) is not None:
            best = high
        elif fits(low / 2, text) is None:
            best = -1
        else:
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if fits(middle / 2, text) is not None else (low, middle)
            best = low
        if best > 0:
            size = best / 2
            lines = fits(size, text) or 1
            return text, Fit(size, lines, lines * self.line_height(language, size), cut=False)
        words = text.split()
        while len(words) > 1:
            words.pop()
            candidate = " ".join(words).rstrip(" ,.;:–-") + "…"
            lines_found = fits(smallest, candidate)
            if lines_found is not None:
                height_used = lines_found * self.line_height(language, smallest)
                return candidate, Fit(smallest, lines_found, height_used, cut=True)
        candidate = text[: max(1, int(width / (smallest / self.k) * 1.5))] + "…"
        lines = self.wrapped(language, candidate, width, smallest, bold)
        return candidate, Fit(smallest, lines, lines * self.line_height(language, smallest), True)

    def paragraph(
        self,
        language: str,
        text: str,
        x: float,
        y: float,
        width: float,
        size: float,
        *,
        bold: bool = False,
        align: str | None = None,
        colour: Colour = BLACK,
    ) -> float:
        """Write a paragraph at (x, y) and return the y below it.

        Each language gets a paragraph of its own: pdfium (and readers built on it) would
        reorder Arabic words inside a Latin line when the text is read back.
        """
        self.use(language, size, bold=bold)
        # fpdf2 wraps each line in a graphics state when the fill colour differs from the
        # text colour and then forgets to set the font again after it: with fallback fonts
        # the next line would come out in the wrong font. Keep them the same.
        self.set_text_color(*colour)
        self.set_fill_color(*colour)
        chosen = align or ("R" if language == "ar" else "L")
        self.set_xy(x, y)
        self.multi_cell(
            width,
            self.line_height(language, size),
            text,
            align=Align.coerce(chosen),
            new_x="LEFT",
            new_y="NEXT",
        )
        return self.get_y()

    def box(self, x: float, y: float, width: float, height: float, colour: Colour) -> None:
        """Fill a rectangle with a colour (then set the fill back to the text colour)."""
        self.set_fill_color(*colour)
        self.rect(x, y, width, height, style="F")
        self.set_fill_color(*BLACK)

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        """Draw a QR code of ``data`` as vector squares, with its quiet zone, in a square."""
        code = segno.make(data, error="m", micro=False)
        quiet = 4  # modules of white around it, as the standard asks
        matrix = [list(row) for row in code.matrix]
        count = len(matrix)
        module = size / (count + 2 * quiet)
        self.box(x, y, size, size, WHITE)
        self.set_fill_color(*BLACK)
        for row_index, row in enumerate(matrix):
            column = 0
            while column < count:
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < count and row[column]:
                    column += 1
                # One rectangle per run of dark modules, a hair wider so no seams show.
                self.rect(
                    x + (quiet + start) * module,
                    y + (quiet + row_index) * module,
                    (column - start) * module + 0.01,
                    module + 0.01,
                    style="F",
                )

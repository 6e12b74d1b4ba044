"""Pictograms drawn as vector shapes: each delaftale's, Nabo's house and the door's tick.

Read from two metres by people with little Danish, a picture says what the word may not.
Each is drawn in white on a disc of its colour, in a square of side ``size``.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.offline.printing.sheet import WHITE, Colour, Sheet

# One colour per delaftale, and for Nabo itself and the door; dark enough for white on it.
COLOURS: dict[str, Colour] = {
    "education": (31, 94, 168),  # blue
    "employment": (184, 92, 0),  # amber
    "community": (32, 122, 70),  # green
    "nabo": (106, 52, 140),  # purple
    "door": (32, 122, 70),
}


def _book(sheet: Sheet, x: float, y: float, s: float) -> None:
    """Draw an open book: two pages meeting at the spine."""
    left = [(x + 0.18 * s, y + 0.32 * s), (x + 0.48 * s, y + 0.38 * s)]
    left += [(x + 0.48 * s, y + 0.74 * s), (x + 0.18 * s, y + 0.68 * s)]
    right = [(x + 0.52 * s, y + 0.38 * s), (x + 0.82 * s, y + 0.32 * s)]
    right += [(x + 0.82 * s, y + 0.68 * s), (x + 0.52 * s, y + 0.74 * s)]
    sheet.polygon(left, style="F")
    sheet.polygon(right, style="F")


def _briefcase(sheet: Sheet, x: float, y: float, s: float) -> None:
    """Draw a briefcase: its body and handle."""
    sheet.rect(
        x + 0.22 * s,
        y + 0.38 * s,
        0.56 * s,
        0.36 * s,
        style="F",
        round_corners=True,
        corner_radius=0.05 * s,
    )
    sheet.set_line_width(0.05 * s)
    sheet.set_draw_color(*WHITE)
    sheet.rect(x + 0.40 * s, y + 0.27 * s, 0.20 * s, 0.13 * s, style="D")


def _people(sheet: Sheet, x: float, y: float, s: float) -> None:
    """Draw three people side by side: heads and shoulders."""
    for centre, scale in ((0.30, 0.8), (0.70, 0.8), (0.50, 1.0)):
        head = 0.14 * s * scale
        cx = x + centre * s
        top = y + (0.30 if scale == 1.0 else 0.34) * s
        sheet.ellipse(cx - head / 2, top, head, head, style="F")
        body_w, body_h = 0.24 * s * scale, 0.22 * s * scale
        sheet.rect(
            cx - body_w / 2,
            top + head + 0.02 * s,
            body_w,
            body_h,
            style="F",
            round_corners=True,
            corner_radius=0.08 * s * scale,
        )


def _house(sheet: Sheet, x: float, y: float, s: float) -> None:
    """Draw a house: roof and walls."""
    sheet.polygon(
        [(x + 0.5 * s, y + 0.22 * s), (x + 0.82 * s, y + 0.50 * s), (x + 0.18 * s, y + 0.50 * s)],
        style="F",
    )
    sheet.rect(x + 0.26 * s, y + 0.48 * s, 0.48 * s, 0.30 * s, style="F")


def _tick(sheet: Sheet, x: float, y: float, s: float) -> None:
    """Draw a tick: you are here, you are counted."""
    sheet.set_draw_color(*WHITE)
    sheet.set_line_width(0.09 * s)
    sheet.polyline(
        [(x + 0.27 * s, y + 0.52 * s), (x + 0.44 * s, y + 0.68 * s), (x + 0.74 * s, y + 0.33 * s)]
    )


_DRAW: dict[str, Callable[[Sheet, float, float, float], None]] = {
    "education": _book,
    "employment": _briefcase,
    "community": _people,
    "nabo": _house,
    "door": _tick,
}


def pictogram(sheet: Sheet, kind: str, x: float, y: float, size: float) -> None:
    """Draw the pictogram of ``kind`` (a delaftale, "nabo" or "door") in a square."""
    sheet.set_fill_color(*COLOURS[kind])
    sheet.ellipse(x, y, size, size, style="F")
    sheet.set_fill_color(*WHITE)
    _DRAW[kind](sheet, x, y, size)
    sheet.set_fill_color(0, 0, 0)
    sheet.set_draw_color(0, 0, 0)

"""What a sheet is asked for, and why one cannot be made: light, so the bot can hold them.

The chat builds a ``SheetRequest`` and gets a ``Printed`` back from another process
(bot/offline/worker.py); the drawing itself (fpdf2, fonts, pdfium) is imported there only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.config import LANGUAGES


class Kind(StrEnum):
    """The kinds of sheet."""

    POSTER = "poster"  # A4, for a stairwell or a notice board
    FLYER = "flyer"  # four A6 on an A4 page, to cut and hand out
    DOOR = "door"  # A4 at the door: check in with the code


class Problem(StrEnum):
    """Why a sheet cannot be made."""

    NOT_FOUND = "not_found"
    CANCELLED = "cancelled"
    ENDED = "ended"
    NO_SOURCE = "no_source"  # unknown or deleted source code
    TOO_LONG = "too_long"  # three languages do not fit: choose one per sheet
    DOOR_NEEDS_ACTIVITY = "door_needs_activity"
    FLYER_IMAGE = "flyer_image"  # a flyer is for paper
    PERSON_GONE = "person_gone"  # a slip for a record that was erased meanwhile
    LINK_REPLACED = "link_replaced"  # a slip's link was replaced, used or has expired


class SheetError(Exception):
    """A sheet that cannot be made, and why."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        """Say what is wrong (``detail`` for the command line's message)."""
        super().__init__(detail or problem.value)
        self.problem = problem

    def __reduce__(self) -> tuple[type[SheetError], tuple[Problem, str]]:
        """Travel whole from the process that made the sheet (see bot/offline/worker.py)."""
        return SheetError, (self.problem, str(self))


@dataclass(frozen=True, slots=True)
class SheetRequest:
    """What to make: about which activity (None: Nabo itself), what kind, in which languages."""

    activity_id: int | None
    kind: Kind = Kind.POSTER
    languages: tuple[str, ...] = LANGUAGES
    image: bool = False  # the share image (PNG) instead of a PDF to print
    source: str | None = None  # a source's code, counted when the link is used


@dataclass(frozen=True, slots=True)
class Printed:
    """A sheet made, as the chat sends it: the file's bytes, its name, and its link."""

    data: bytes
    filename: str
    link: str


@dataclass(frozen=True, slots=True)
class SlipRequest:
    """A joining slip: whose record, and its one-time link's token.

    The token travels to the process that draws the slip and no further: the database
    keeps only its digest, which the slip is checked against (a replaced, used or
    expired link makes no slip).
    """

    person_id: int
    token: str

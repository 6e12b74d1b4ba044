"""Phone numbers staff type with a person's consent: one way of writing them, and comparing.

Danish numbers have eight digits; written without a country code they are Danish. Nabo
stores ``+`` and the digits (``+4512345678``), and compares numbers by their digits, so
the number a person shares from Telegram (which gives ``4512345678``) matches the one
staff typed (``12 34 56 78``).
"""

from __future__ import annotations

import re

DENMARK = "45"
# What people type between digits: spaces, dashes, dots, brackets.
_SEPARATORS = re.compile(r"[\s\-.()/]")
_NUMBER = re.compile(r"(\+|00)?(\d{8,15})")


def normalise_phone(text: str) -> str | None:
    """Return the number as ``+`` and digits, or None if ``text`` is not a phone number."""
    match = _NUMBER.fullmatch(_SEPARATORS.sub("", text.strip()))
    if match is None:
        return None
    prefix, digits = match.groups()
    if prefix is None and len(digits) == 8:
        digits = DENMARK + digits  # a Danish number written the Danish way
    if not 10 <= len(digits) <= 15:
        return None
    return f"+{digits}"


def same_phone(stored: str, given: str) -> bool:
    """Tell whether ``given`` (typed, or shared from Telegram) is the number ``stored``."""
    normalised = normalise_phone(given)
    if normalised is None and given.strip().isdigit():
        # Telegram shares a number without its +; its digits include the country code.
        normalised = normalise_phone("+" + given.strip())
    return normalised is not None and normalised == normalise_phone(stored)

"""One-time tokens for links people open (joining a record, a host invitation).

A token is random (128 bits, URL-safe), so no link can be guessed from an id; the
database keeps only its SHA-256 digest, so a copy of the database opens no link.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_LENGTH = 22  # characters of token_urlsafe(16): 128 bits


def new_token() -> str:
    """Return a new random token of ``TOKEN_LENGTH`` characters of ``A-Z a-z 0-9 _ -``."""
    return secrets.token_urlsafe(16)


def token_digest(token: str) -> str:
    """Return what the database keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()

"""The pull feed's cursor: an opaque string for the last event sequence number a partner has read.

It is the event's position in the gateway's own table, so it survives restarts of any process; it is opaque
(versioned, base64url) so that it can change form later without partners parsing it.
"""

from __future__ import annotations

import base64
import binascii

PREFIX = "c1."


def encode(seq: int) -> str:
    return PREFIX + base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")


def decode(cursor: str) -> int | None:
    """The sequence number, or None for a cursor this suite never handed out."""
    if not cursor.startswith(PREFIX) or len(cursor) > 40:
        return None
    raw = cursor[len(PREFIX) :]
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.isdigit() or len(text) > 19:
        return None
    return int(text)

"""The W3C Bitstring Status List (v1.0) of revoked certificates: bits packed most significant first, GZIP,
multibase base64url ("u" prefix). A list holds at least 131,072 entries so that one bit reveals little (herd
privacy); slot n lives in list n // LIST_SIZE, at position n % LIST_SIZE."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable

LIST_SIZE = 131_072
"""16 KB of bits, the specification's minimum."""


def list_of(index: int) -> tuple[int, int]:
    """(list id, position in it) of a status slot."""
    return index // LIST_SIZE, index % LIST_SIZE


def encode(positions: Iterable[int], size: int = LIST_SIZE) -> str:
    """The `encodedList` with the given positions set (bit 0 is the most significant bit of byte 0)."""
    bits = bytearray(size // 8)
    for position in positions:
        if not 0 <= position < size:
            raise ValueError(f"status position {position} outside a list of {size}")
        bits[position // 8] |= 0x80 >> (position % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def is_set(encoded_list: str, position: int) -> bool:
    """Read one bit back, as any verifier does."""
    if not encoded_list.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    text = encoded_list[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return bool(bits[position // 8] & (0x80 >> (position % 8)))

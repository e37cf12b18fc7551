"""Ed25519 checks of the registry's signatures, against the key the registry publishes.

The canonical form is the registry's: JSON with sorted keys, no whitespace, UTF-8 (not ASCII-escaped). A QR
token is the signature over ``skills-certificate-verify:`` + the number.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

QR_TOKEN_CONTEXT = b"skills-certificate-verify:"


def canonical_json(document: Any) -> bytes:
    """The bytes the registry signs."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64url_decode(text: str) -> bytes:
    """base64url without padding, as the registry writes it."""
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _verify(public_raw: bytes, signature: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(b64url_decode(signature), message)
    except (InvalidSignature, ValueError, TypeError, UnicodeEncodeError):
        return False
    return True


def document_signature_valid(public_raw: bytes, document: Any, signature: str) -> bool:
    """True only when ``signature`` signs exactly this document."""
    try:
        message = canonical_json(document)
    except (TypeError, ValueError):
        return False
    return _verify(public_raw, signature, message)


def qr_token_valid(public_raw: bytes, number: str, token: str) -> bool:
    """True only when ``token`` is the registry's signature over this certificate number."""
    try:
        message = QR_TOKEN_CONTEXT + number.encode("ascii")
    except UnicodeEncodeError:
        return False
    return _verify(public_raw, token, message)

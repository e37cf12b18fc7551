"""The registry's Ed25519 key, the QR token it signs over a certificate number, and the check of documents signed
before certificates became Verifiable Credentials (``credential.py``): canonical JSON — keys sorted, no spaces,
UTF-8 (not ASCII-escaped) — signed as is.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM = "Ed25519"
QR_TOKEN_CONTEXT = b"skills-certificate-verify:"


def canonical_json(document: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the byte form every signer and verifier agrees on."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key and the identity of its public half (key id = first 16 hex of SHA-256 of the raw key)."""

    private: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
        )

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.public_raw).hexdigest()[:16]

    def sign_document(self, document: Any) -> str:
        return b64url(self.private.sign(canonical_json(document)))

    def qr_token(self, number: str) -> str:
        """The `t` of the verify link: a signature over the number, checkable with the published key."""
        return b64url(self.private.sign(QR_TOKEN_CONTEXT + number.encode("ascii")))


def verify_document(public_raw: bytes, document: Any, signature: str) -> bool:
    """True only when `signature` is the Ed25519 signature of the canonical JSON of `document`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(public_raw)
        key.verify(b64url_decode(signature), canonical_json(document))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_qr_token(public_raw: bytes, number: str, token: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(public_raw)
        key.verify(b64url_decode(token), QR_TOKEN_CONTEXT + number.encode("ascii"))
    except (InvalidSignature, ValueError, TypeError, UnicodeEncodeError):
        return False
    return True

"""Checks of the registry's signatures, against the keys the registry publishes (its JWKS, retired keys included).

A certificate is a W3C Verifiable Credential secured as a compact JWS (``typ: vc+jwt``, ``alg: EdDSA``, ``kid``),
checked here with joserfc. A QR token is the Ed25519 signature over ``skills-certificate-verify:`` + the number; it
names no key, so every published key is tried (printed QR codes outlive key rotations).
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet

QR_TOKEN_CONTEXT = b"skills-certificate-verify:"
JOSE_ALG = "EdDSA"
TYP = "vc+jwt"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def b64url_decode(text: str) -> bytes:
    """base64url without padding, as the registry writes it."""
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@contextmanager
def _eddsa_accepted() -> Iterator[None]:
    """joserfc warns on the name "EdDSA" (RFC 9864); the registry signs with it on purpose."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
        yield


def header_kid(token: str) -> str | None:
    """The ``kid`` a compact JWS names, read before verification only to choose the key."""
    try:
        header = json.loads(b64url_decode(token.split(".", 1)[0]))
    except (ValueError, UnicodeDecodeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def verified_credential(token: str, keys: Mapping[str, bytes]) -> dict[str, Any] | None:
    """The credential when `token` is a ``vc+jwt`` signed by the published key it names; otherwise None."""
    kid = header_kid(token)
    if kid is None or kid not in keys:
        return None
    jwk: dict[str, Any] = {"kty": "OKP", "crv": "Ed25519", "x": b64url(keys[kid]), "kid": kid}
    try:
        with _eddsa_accepted():
            decoded = jws.deserialize_compact(
                token, KeySet.import_key_set({"keys": [jwk]}), algorithms=[JOSE_ALG]
            )
        if decoded.headers().get("typ") != TYP:
            return None
        credential = json.loads(decoded.payload)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(credential, dict) or VC_CONTEXT not in credential.get("@context", []):
        return None
    return credential


def qr_token_valid(keys: Mapping[str, bytes], number: str, token: str) -> bool:
    """True only when ``token`` is the registry's signature over this number, by any key it has published."""
    try:
        message = QR_TOKEN_CONTEXT + number.encode("ascii")
        signature = b64url_decode(token)
    except (UnicodeEncodeError, ValueError):
        return False
    for raw in keys.values():
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
        except (InvalidSignature, ValueError, TypeError):
            continue
        return True
    return False

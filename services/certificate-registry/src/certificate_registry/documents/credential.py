"""Certificates as W3C Verifiable Credentials (VC Data Model 2.0) secured with JOSE: a compact JWS whose payload
is the credential, header ``typ: vc+jwt``, ``alg: EdDSA`` (Ed25519) and the signing key's ``kid`` (VC-JOSE-COSE).

The registry signs; the certificate names the issuing body and the office that filed it. Revocation is published
as a Bitstring Status List credential signed the same way, and every key that ever signed is published as a JWKS,
so any JOSE library verifies a certificate offline, before or after a key rotation (docs/decisions.md).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

from certificate_registry.documents.signing import SigningKey, b64url

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
MEDIA_TYPE = "application/vc+jwt"
TYP = "vc+jwt"
JOSE_ALG = "EdDSA"
"""RFC 8037's name, which every JOSE library verifies; joserfc flags it only because RFC 9864 adds the
fully specified "Ed25519" name for the same signature."""
ISSUER_NAME = "重庆市职业技能等级认定管理系统"
CREDENTIAL_NAME = "职业技能等级证书"
CERTIFICATE_TYPE = "SkillLevelCertificate"
STATUS_PURPOSE = "revocation"
CHINA_OFFSET = "+08:00"


@contextmanager
def _eddsa_accepted() -> Iterator[None]:
    """joserfc warns on every use of the name "EdDSA" (RFC 9864); the choice is deliberate (docs/decisions.md)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
        yield


@dataclass(frozen=True, slots=True)
class PublicUrls:
    """Where the registry's public routes are reached from outside: through the gateway's relay."""

    base: str
    """e.g. https://gateway.example/api/v1/registry"""

    @classmethod
    def of_gateway(cls, gateway_url: str) -> PublicUrls:
        return cls(f"{gateway_url.rstrip('/')}/api/v1/registry")

    @property
    def jwks(self) -> str:
        return f"{self.base}/credentials/jwks"

    def status_list(self, list_id: int) -> str:
        return f"{self.base}/credentials/status/{list_id}"

    def certificate(self, number: str) -> str:
        return f"{self.base}/certificates/{number}"


def _issuer(urls: PublicUrls) -> dict[str, str]:
    return {"id": urls.base, "name": ISSUER_NAME}


def certificate_credential(
    subject: Mapping[str, Any], *, number: str, issue_date: date, status: tuple[int, int], urls: PublicUrls
) -> dict[str, Any]:
    """The unsecured credential: CR-5's content as `credentialSubject`, its revocation slot as `credentialStatus`."""
    list_id, position = status
    return {
        "@context": [VC_CONTEXT],
        "id": urls.certificate(number),
        "type": ["VerifiableCredential", CERTIFICATE_TYPE],
        "name": CREDENTIAL_NAME,
        "issuer": _issuer(urls),
        "validFrom": f"{issue_date.isoformat()}T00:00:00{CHINA_OFFSET}",
        "credentialSubject": dict(subject),
        "credentialStatus": {
            "id": f"{urls.status_list(list_id)}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(position),
            "statusListCredential": urls.status_list(list_id),
        },
    }


def status_list_credential(
    list_id: int, encoded_list: str, *, urls: PublicUrls, valid_from: datetime
) -> dict[str, Any]:
    """The Bitstring Status List credential of one list (revocation)."""
    url = urls.status_list(list_id)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": _issuer(urls),
        "validFrom": valid_from.isoformat(timespec="seconds"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encoded_list,
        },
    }


def public_jwk(key_id: str, public_raw: bytes) -> dict[str, str]:
    """RFC 8037 OKP key as published in the JWKS."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(public_raw),
        "kid": key_id,
        "alg": JOSE_ALG,
        "use": "sig",
    }


def sign(credential: Mapping[str, Any], key: SigningKey) -> str:
    """Compact JWS of the credential, ``typ: vc+jwt``, ``kid`` = the key's id."""
    private = OKPKey.import_key(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(key.public_raw),
            "d": b64url(key.private.private_bytes_raw()),
        }
    )
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = {"alg": JOSE_ALG, "typ": TYP, "cty": "vc", "kid": key.key_id}
    with _eddsa_accepted():
        return jws.serialize_compact(header, payload, private, algorithms=[JOSE_ALG])


@dataclass(frozen=True, slots=True)
class Verified:
    key_id: str
    credential: dict[str, Any]


def verify(token: str, keys: Mapping[str, bytes]) -> Verified | None:
    """The credential when `token` is a ``vc+jwt`` signed by one of `keys` (kid → raw public key); else None."""
    if not keys:
        return None
    jwks: list[dict[str, Any]] = [public_jwk(kid, raw) for kid, raw in keys.items()]
    key_set = KeySet.import_key_set({"keys": jwks})
    try:
        with _eddsa_accepted():
            decoded = jws.deserialize_compact(token, key_set, algorithms=[JOSE_ALG])
        header = decoded.headers()
        if header.get("typ") != TYP:
            return None
        credential = json.loads(decoded.payload)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(credential, dict) or VC_CONTEXT not in credential.get("@context", []):
        return None
    return Verified(str(header.get("kid", "")), credential)

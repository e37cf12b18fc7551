"""The one fake service left in the gateway's tests: a certificate registry the verify page and the look-up's hot
path can be tested against where the real one cannot serve (a tampered signed document, a registry that goes
silent or closes its connections, counted look-ups behind the rate limiter).

Every workflow is tested against the real services (``gateway_suite``); this fake speaks the registry's v1
contracts (``skills_shared.contracts.v1.registry``), which its answers are validated against, so it cannot drift
from what the registry answers. The other services are sinks here: a ``Switch`` in front of an empty app that
counts what reached it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI, Request
from fastapi.responses import Response
from gateway_suite import Switch

from gateway.upstreams import ORG_FILING, REGISTRY, SUBSIDY, VOUCHER
from skills_shared.contracts.v1.pagination import Page
from skills_shared.contracts.v1.registry import PublicCertificate

PROBLEM = "application/problem+json"


def problem(status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {
        "type": f"https://skills.example.gov.cn/problems/{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=PROBLEM)


def claims_of(request: Request) -> dict[str, Any]:
    """The forwarded token's claims (the fake trusts the gateway's verification; real services check again)."""
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        return {}
    decoded: dict[str, Any] = jwt.decode(auth[7:], options={"verify_signature": False})
    return decoded


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def canonical(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass
class Certificate:
    number: str
    holder_name: str
    id_number: str
    body_code: str = "S000050050001"
    body_name: str = "重庆市某某职业技能评价中心"
    occupation_code: str = "4-01-02-01"
    occupation_name: str = "中式烹调师"
    work_type: str | None = None
    level: int = 3
    issue_date: str = "2025-10-20"
    status: str = "valid"
    revoked_reason: str | None = None
    revoked_on: str | None = None

    def masked(self) -> str:
        return self.id_number[:3] + "*" * 11 + self.id_number[-4:]

    def public(self) -> dict[str, Any]:
        """The CR-6 public view, checked against the registry's contract so the fake cannot drift from it."""
        return PublicCertificate.model_validate(self.public_fields()).model_dump(mode="json")

    def public_fields(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "holder_name": self.holder_name,
            "id_number_masked": self.masked(),
            "occupation_code": self.occupation_code,
            "occupation_name": self.occupation_name,
            "work_type": self.work_type,
            "level": self.level,
            "level_name": "三级/高级工",
            "issue_date": self.issue_date,
            "body_name": self.body_name,
            "status": self.status,
            "revoked_reason": self.revoked_reason,
            "revoked_on": self.revoked_on,
        }

    def document(self) -> dict[str, Any]:
        return {
            "version": 1,
            "number": self.number,
            "holder_name": self.holder_name,
            "id_number": self.id_number,
            "occupation_code": self.occupation_code,
            "occupation_name": self.occupation_name,
            "work_type": self.work_type or "——",
            "level": self.level,
            "level_name": "三级/高级工",
            "issue_date": self.issue_date,
            "body_code": self.body_code,
            "body_name": self.body_name,
            "obtained_by": "evaluation",
            "status": self.status,
            "revoked_reason": self.revoked_reason,
            "revoked_on": self.revoked_on,
            "query_address": "http://gateway/verify",
            "filing_authority": "重庆市大渡口区人力社保部门",
        }


@dataclass
class FakeRegistry:
    """certificate-registry as the verify page and the look-up see it: look-up, the holder's certificates, the
    signing key, signed documents — with the switches a test needs (a tampered document, counted look-ups)."""

    certificates: dict[str, Certificate] = field(default_factory=dict)
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    tamper: bool = False
    lookups: int = 0
    key_fetches: int = 0

    def public_raw(self) -> bytes:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def qr_token(self, number: str) -> str:
        return b64url(self.key.sign(b"skills-certificate-verify:" + number.encode("ascii")))

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/signing-key")
        async def signing_key() -> dict[str, Any]:
            self.key_fetches += 1
            return {
                "key_id": "k1",
                "algorithm": "Ed25519",
                "public_key": b64url(self.public_raw()),
                "public_key_pem": "",
            }

        @app.get("/v1/me/certificates")
        async def mine(request: Request) -> Any:
            sub = claims_of(request).get("sub")
            items = [c.public() for c in self.certificates.values() if c.id_number == sub]
            return Page[dict[str, Any]](items=items, page=1, page_size=50, total=len(items)).model_dump()

        @app.get("/v1/certificates/{number}")
        async def lookup(number: str, name: str | None = None, id_number: str | None = None) -> Any:
            self.lookups += 1
            if (name is None) == (id_number is None):
                return problem(422, "validation_failed", "请填写持证人姓名或身份证号码（二选一）")
            cert = self.certificates.get(number)
            if (
                cert is None
                or (name is not None and name != cert.holder_name)
                or (id_number is not None and id_number != cert.id_number)
            ):
                return problem(404, "certificate_not_found", "未查询到与所填信息相符的证书", rule="CR-6")
            return cert.public()

        @app.get("/v1/credentials/jwks")
        async def jwks() -> dict[str, Any]:
            self.key_fetches += 1
            jwk = {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": b64url(self.public_raw()),
                "kid": "k1",
                "alg": "EdDSA",
            }
            return {"keys": [jwk]}

        @app.get("/v1/certificates/{number}/document")
        async def document(number: str, request: Request) -> Any:
            if claims_of(request).get("role") != "service":
                return problem(403, "forbidden_role", "无权")
            cert = self.certificates.get(number)
            if cert is None:
                return problem(404, "certificate_not_found", "未查询到")
            vc: dict[str, Any] = {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "SkillLevelCertificate"],
                "credentialSubject": cert.document(),
            }
            header = b64url(canonical({"alg": "EdDSA", "typ": "vc+jwt", "kid": "k1"}))
            payload = b64url(canonical(vc))
            signature = b64url(self.key.sign(f"{header}.{payload}".encode("ascii")))
            if self.tamper:
                vc["credentialSubject"] = {
                    **vc["credentialSubject"],
                    "level": 1,
                    "level_name": "一级/高级技师",
                }
                payload = b64url(canonical(vc))
            return {
                "credential": f"{header}.{payload}.{signature}",
                "media_type": "application/vc+jwt",
                "key_id": "k1",
                "algorithm": "EdDSA",
                "document": vc,
                "status": cert.status,
                "revoked_reason": cert.revoked_reason,
                "revoked_on": cert.revoked_on,
            }

        return app


@dataclass
class FakeSuite:
    """The fake registry and, for the other three services, empty apps; each behind a switch, by service name."""

    registry: FakeRegistry = field(default_factory=FakeRegistry)
    switches: dict[str, Switch] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.switches = {REGISTRY: Switch(self.registry.app())}
        self.switches |= {name: Switch(FastAPI()) for name in (ORG_FILING, SUBSIDY, VOUCHER)}

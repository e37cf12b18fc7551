"""Small fake apps of the four services (tests, local demos), speaking the paths and shapes the gateway reads.

Each fake deduplicates keyed writes the way ``skills_shared.idempotency`` does (same key → stored answer), and
counts what it really created, so tests can prove a workflow completed exactly once. A ``Switch`` transport in
front of each fake takes it down (connection refused) or makes it hang.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from gateway import paths
from gateway.upstreams import ORG_FILING, REGISTRY, SUBSIDY, VOUCHER

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
    """The forwarded token's claims (the fakes trust the gateway's verification; real services check again)."""
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        return {}
    decoded: dict[str, Any] = jwt.decode(auth[7:], options={"verify_signature": False})
    return decoded


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def canonical(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Keyed:
    """Replays keyed writes: the first answer per (path, key) is stored and returned again."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], tuple[int, Any]] = {}
        self.keys_seen: list[str] = []
        self.request_ids: list[str] = []
        self.subjects: list[str] = []

    async def run(self, request: Request, call: Callable[[], Awaitable[tuple[int, Any]]]) -> Response:
        self.request_ids.append(request.headers.get("x-request-id", ""))
        self.subjects.append(str(claims_of(request).get("sub", "")))
        key = request.headers.get("idempotency-key")
        if key:
            self.keys_seen.append(key)
            if (request.url.path, key) in self.stored:
                status, body = self.stored[(request.url.path, key)]
                return JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true"})
        status, body = await call()
        if key and status < 400:
            self.stored[(request.url.path, key)] = (status, body)
        if status >= 400:
            return problem(
                status,
                body["code"],
                body["detail"],
                **{k: v for k, v in body.items() if k not in ("code", "detail")},
            )
        return JSONResponse(body, status_code=status)


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
    """certificate-registry: look-up, holder's certificates, signed documents, batches."""

    certificates: dict[str, Certificate] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    keyed: Keyed = field(default_factory=Keyed)
    tamper: bool = False
    lookups: int = 0
    issued: int = 0
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
            return [c.public() for c in self.certificates.values() if c.id_number == sub]

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

        @app.post("/v1/batches", status_code=201)
        async def create_batch(request: Request) -> Response:
            payload = await request.json()

            async def call() -> tuple[int, Any]:
                batch_id = str(uuid.uuid4())
                self.batches[batch_id] = {"id": batch_id, **payload, "status": "draft"}
                return 201, self.batches[batch_id]

            return await self.keyed.run(request, call)

        @app.get("/v1/batches/{batch_id}")
        async def get_batch(batch_id: str) -> Any:
            batch = self.batches.get(batch_id)
            return batch if batch else problem(404, "batch_not_found", "无此批次")

        def move(status: str, code: int = 200) -> Callable[[str, Request], Awaitable[Response]]:
            async def handler(batch_id: str, request: Request) -> Response:
                async def call() -> tuple[int, Any]:
                    batch = self.batches.get(batch_id)
                    if batch is None:
                        return 404, {"code": "batch_not_found", "detail": "无此批次"}
                    batch["status"] = status
                    if status == "issued":
                        self.issued += 1
                        return code, {"batch_id": batch_id, "issued_count": 1}
                    return code, batch

                return await self.keyed.run(request, call)

            return handler

        app.put("/v1/batches/{batch_id}/results")(move("draft"))
        app.post("/v1/batches/{batch_id}/publicity")(move("publicity"))
        app.post("/v1/batches/{batch_id}/approval")(move("approved"))
        app.post("/v1/batches/{batch_id}/issue", status_code=201)(move("issued", 201))
        return app


@dataclass
class FakeOrgFiling:
    """org-filing: plans, bodies, applications and status moves."""

    plans: dict[int, dict[str, Any]] = field(default_factory=dict)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    applications: dict[int, dict[str, Any]] = field(default_factory=dict)
    keyed: Keyed = field(default_factory=Keyed)
    moves: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/plans/{plan_id}")
        async def plan(plan_id: int) -> Any:
            return self.plans.get(plan_id) or problem(404, "plan_not_found", "无此计划")

        @app.get("/v1/bodies/{code}")
        async def body(code: str) -> Any:
            return self.bodies.get(code) or problem(404, "body_not_found", "无此机构")

        @app.post("/v1/applications", status_code=201)
        async def draft(request: Request) -> Response:
            form = await request.json()

            async def call() -> tuple[int, Any]:
                if "name" not in form:
                    return 422, {
                        "code": "validation_failed",
                        "detail": "缺少名称",
                        "errors": [{"loc": ["body", "name"], "msg": "必填字段缺失", "type": "missing"}],
                    }
                app_id = len(self.applications) + 1
                self.applications[app_id] = {"id": app_id, "status": "draft", **form}
                return 201, self.applications[app_id]

            return await self.keyed.run(request, call)

        @app.post("/v1/applications/{app_id}/submit")
        async def submit(app_id: int, request: Request) -> Response:
            async def call() -> tuple[int, Any]:
                application = self.applications.get(app_id)
                if application is None:  # as org-filing answers an unknown application
                    return 404, {"code": "application_not_found", "detail": "无此申请"}
                application["status"] = "submitted"
                return 200, application

            return await self.keyed.run(request, call)

        @app.post("/v1/bodies/{code}/plans", status_code=201)
        async def file_plan(code: str, request: Request) -> Response:
            plan = await request.json()

            async def call() -> tuple[int, Any]:
                plan_id = len(self.plans) + 1
                self.plans[plan_id] = {"id": plan_id, "body_code": code, "status": "filed", **plan}
                return 201, self.plans[plan_id]

            return await self.keyed.run(request, call)

        @app.post("/v1/applications/{app_id}/evaluation")
        async def evaluation(app_id: int, request: Request) -> Response:
            async def call() -> tuple[int, Any]:
                application = self.applications.get(app_id)
                if application is None:  # as org-filing answers an unknown application
                    return 404, {"code": "application_not_found", "detail": "无此申请"}
                application["status"] = "evaluated"
                return 200, application

            return await self.keyed.run(request, call)

        @app.post("/v1/applications/{app_id}/filing")
        async def filing(app_id: int, request: Request) -> Response:
            async def call() -> tuple[int, Any]:
                application = self.applications.get(app_id)
                if application is None:
                    return 404, {"code": "application_not_found", "detail": "无此申请"}
                application["status"] = "filed"
                application["body_code"] = "S000050050009"
                return 200, application

            return await self.keyed.run(request, call)

        for action, template in paths.ORG_BODY_STATUS_MOVES.items():
            status = {
                "suspend": "suspended",
                "reinstate": "active",
                "cancel": "cancelled",
                "extend": "active",
            }[action]

            def mover(new_status: str) -> Callable[[str, Request], Awaitable[Response]]:
                async def handler(code: str, request: Request) -> Response:
                    async def call() -> tuple[int, Any]:
                        body = self.bodies.get(code)
                        if body is None:
                            return 404, {"code": "body_not_found", "detail": "无此机构"}
                        self.moves += 1
                        body["status"] = new_status
                        return 200, body

                    return await self.keyed.run(request, call)

                return handler

            app.post(template)(mover(status))
        return app


@dataclass
class FakeSubsidy:
    """subsidy-claims: draft, submit (with a decision record), the applicant's claims."""

    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    keyed: Keyed = field(default_factory=Keyed)
    drafts_created: int = 0
    submissions: int = 0
    decisions: int = 0

    def add(self, *, applicant: str, district: str, policy: str = "cq-eval") -> str:
        """A submitted claim, as if filed earlier."""
        claim_id = str(uuid.uuid4())
        self.claims[claim_id] = {
            "id": claim_id,
            "status": "submitted",
            "applicant": applicant,
            "district": district,
            "policy": policy,
            "payload": {},
        }
        return claim_id

    def view(self, claim: dict[str, Any]) -> dict[str, Any]:
        applicant = str(claim["applicant"])
        return {
            "id": claim["id"],
            "status": claim["status"],
            "policy": claim.get("policy", "cq-eval"),
            "district": claim.get("district"),
            "applicant_id_masked": applicant[:3] + "*" * (len(applicant) - 7) + applicant[-4:],
        }

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/claims", status_code=201)
        async def draft(request: Request) -> Response:
            payload = await request.json()

            async def call() -> tuple[int, Any]:
                self.drafts_created += 1
                claim_id = str(uuid.uuid4())
                self.claims[claim_id] = {
                    "id": claim_id,
                    "status": "draft",
                    "payload": payload,
                    "applicant": payload["applicant"]["id_number"],
                    "district": (payload.get("cq") or {}).get("evaluation_district"),
                    "policy": payload["policy"],
                }
                return 201, {"id": claim_id, "status": "draft"}

            return await self.keyed.run(request, call)

        @app.post("/v1/claims/{claim_id}/submit")
        async def submit(claim_id: str, request: Request) -> Response:
            async def call() -> tuple[int, Any]:
                claim = self.claims.get(claim_id)
                if claim is None:
                    return 404, {"code": "claim_not_found", "detail": "无此申请"}
                self.submissions += 1
                claim["status"] = "submitted"
                decision = {"outcome": "eligible", "rules": ["CQ-1", "CQ-7"], "amount_fen": 150000}
                return 200, {
                    "id": claim_id,
                    "status": "submitted",
                    "decision": decision,
                    "certificate_number": claim["payload"]["certificate"]["number"],
                }

            return await self.keyed.run(request, call)

        @app.get("/v1/claims/mine")
        async def mine(request: Request) -> Any:
            sub = claims_of(request).get("sub")
            return [
                {"id": c["id"], "status": c["status"]} for c in self.claims.values() if c["applicant"] == sub
            ]

        @app.get("/v1/claims/{claim_id}")
        async def get_claim(claim_id: str) -> Any:
            claim = self.claims.get(claim_id)
            return self.view(claim) if claim else problem(404, "claim_not_found", "无此申请")

        def mover(status: str) -> Callable[[str, Request], Awaitable[Response]]:
            async def handler(claim_id: str, request: Request) -> Response:
                async def call() -> tuple[int, Any]:
                    claim = self.claims.get(claim_id)
                    if claim is None:
                        return 404, {"code": "claim_not_found", "detail": "无此申请"}
                    self.decisions += 1
                    claim["status"] = status
                    return 200, self.view(claim)

                return await self.keyed.run(request, call)

            return handler

        app.post("/v1/claims/{claim_id}/approve")(mover("approved"))
        app.post("/v1/claims/{claim_id}/reject")(mover("rejected"))

        return app


@dataclass
class FakeVoucher:
    """voucher: institutions, classes, redemptions, claims, the holder's vouchers."""

    institutions: dict[str, dict[str, Any]] = field(default_factory=dict)
    classes: dict[int, dict[str, Any]] = field(default_factory=dict)
    keyed: Keyed = field(default_factory=Keyed)
    redemptions: int = 0
    claimed: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/institutions/{code}")
        async def institution(code: str) -> Any:
            return self.institutions.get(code) or problem(404, "institution_not_found", "无此机构")

        @app.get("/v1/classes/{class_id}")
        async def training_class(class_id: int) -> Any:
            return self.classes.get(class_id) or problem(404, "class_not_found", "无此培训班")

        @app.post("/v1/redemptions", status_code=201)
        async def redeem(request: Request) -> Response:
            payload = await request.json()

            async def call() -> tuple[int, Any]:
                self.redemptions += 1
                return 201, {
                    "voucher_id": 1,
                    "class_id": payload["class_id"],
                    "uses_this_year": self.redemptions,
                }

            return await self.keyed.run(request, call)

        @app.post("/v1/me/vouchers/claims", status_code=201)
        async def claim(request: Request) -> Response:
            async def call() -> tuple[int, Any]:
                self.claimed += 1
                return 201, {"claimed": [{"id": self.claimed, "type_code": "employment"}]}

            return await self.keyed.run(request, call)

        @app.post("/v1/me/vouchers/{voucher_id}/qr-token")
        async def qr_token(voucher_id: int) -> Any:
            return {"token": f"qr-{voucher_id}", "expires_at": "2026-11-22T12:00:00+08:00"}

        @app.get("/v1/me/vouchers")
        async def mine() -> Any:
            return [{"id": 1, "type_code": "employment", "status": "claimed"}]

        return app


class Switch(httpx.AsyncBaseTransport):
    """In front of a fake: up, down (connection refused), or hanging (never answers)."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.down = False
        self.hang = False
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.hang:
            # What a real socket does when the peer never answers: the client's read timeout fires.
            timeout = request.extensions.get("timeout", {}).get("read")
            if timeout is None:
                await asyncio.Event().wait()
            await asyncio.sleep(float(timeout))
            raise httpx.ReadTimeout("no answer", request=request)
        return await self.inner.handle_async_request(request)


@dataclass
class FakeSuite:
    """The four fakes and their switches, by service name."""

    registry: FakeRegistry = field(default_factory=FakeRegistry)
    org: FakeOrgFiling = field(default_factory=FakeOrgFiling)
    subsidy: FakeSubsidy = field(default_factory=FakeSubsidy)
    voucher: FakeVoucher = field(default_factory=FakeVoucher)
    switches: dict[str, Switch] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.switches = {
            REGISTRY: Switch(self.registry.app()),
            ORG_FILING: Switch(self.org.app()),
            SUBSIDY: Switch(self.subsidy.app()),
            VOUCHER: Switch(self.voucher.app()),
        }

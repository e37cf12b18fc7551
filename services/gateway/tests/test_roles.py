"""Every gateway route × every role: allowed where DESIGN.md allows, 403 elsewhere, 401 without a token;
and the object-level checks (district 05 vs 06, body A vs body B, citizen A vs citizen B)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from gateway.fakes import Certificate, FakeSuite
from gateway.relayed.table import RELAYED_SERVICES
from skills_shared.auth import Role
from skills_shared.testing import auth_headers
from skills_shared.validators import make_resident_id

CITIZEN_ID = make_resident_id("500101", date(1990, 1, 1), "123")
OTHER_ID = make_resident_id("500102", date(1985, 5, 5), "456")
NUMBER = "S000050050001253000001"
BODY_A = "S000050050001"
BODY_B = "S000050060002"
INSTITUTION = "5000001"
BATCH_A = "11111111-1111-4111-8111-111111111111"
BATCH_B = "22222222-2222-4222-8222-222222222222"
CLAIM_05 = "33333333-3333-4333-8333-333333333333"
CLAIM_06 = "44444444-4444-4444-8444-444444444444"

SCOPE_CLAIMS: dict[Role, dict[str, str]] = {
    Role.CITIZEN: {"sub": CITIZEN_ID},
    Role.ORG_STAFF: {"body": BODY_A},
    Role.ORG_ADMIN: {"body": BODY_A},
    Role.INSTITUTION_STAFF: {"institution": INSTITUTION},
    Role.INSTITUTION_ADMIN: {"institution": INSTITUTION},
    Role.DISTRICT_OFFICER: {"district": "05"},
}


def token_for(role: Role, **over: str) -> dict[str, str]:
    claims = {"sub": f"{role.value}-1", **SCOPE_CLAIMS.get(role, {}), **over}
    sub = claims.pop("sub")
    return auth_headers(role, sub, **claims)


def populate(suite: FakeSuite) -> None:
    """One consistent world: body A filed in district 05, body B in 06, a claim in each district."""
    suite.registry.certificates[NUMBER] = Certificate(number=NUMBER, holder_name="张三", id_number=CITIZEN_ID)
    scope = [
        {
            "occupation_code": "4-01-02-01",
            "occupation_name": "中式烹调师",
            "work_types": [],
            "levels": [3, 4, 5],
        }
    ]
    suite.org.bodies[BODY_A] = {"code": BODY_A, "place_code": "05", "status": "active", "scope": scope}
    suite.org.bodies[BODY_B] = {"code": BODY_B, "place_code": "06", "status": "active", "scope": scope}
    suite.org.plans[7] = {
        "id": 7,
        "body_code": BODY_A,
        "status": "filed",
        "occupation_code": "4-01-02-01",
        "levels": [3],
        "starts_on": "2026-10-19",
        "ends_on": "2026-10-23",
        "filed_on": "2026-09-30",
    }
    suite.org.applications[1] = {"id": 1, "status": "published", "name": "某评价中心"}
    suite.registry.batches[BATCH_A] = {"id": BATCH_A, "body_code": BODY_A, "status": "draft"}
    suite.registry.batches[BATCH_B] = {"id": BATCH_B, "body_code": BODY_B, "status": "draft"}
    for claim_id, district, applicant in ((CLAIM_05, "05", CITIZEN_ID), (CLAIM_06, "06", OTHER_ID)):
        suite.subsidy.claims[claim_id] = {
            "id": claim_id,
            "status": "submitted",
            "applicant": applicant,
            "district": district,
            "policy": "cq-eval",
            "payload": {},
        }
    suite.voucher.institutions[INSTITUTION] = {"code": INSTITUTION, "status": "active"}
    suite.voucher.classes[3] = {"id": 3, "institution_code": INSTITUTION}
    suite.voucher.classes[4] = {"id": 4, "institution_code": "5000002"}


APPLICATION = {
    "policy": "cq-eval",
    "certificate_number": NUMBER,
    "holder_name": "张三",
    "cq": {"evaluation_district": "05"},
    "payout": {"bank_account": "6222000011112222"},
}
BATCH_IN = {
    "plan_id": 7,
    "occupation_code": "4-01-02-01",
    "occupation_name": "中式烹调师",
    "level": 3,
    "evaluation_date": "2026-10-20",
    "method": "assessment",
}

ALL_ROLES = tuple(Role)
OFFICERS = (Role.DISTRICT_OFFICER, Role.CITY_OFFICER)
BODY_STAFF = (Role.ORG_STAFF, Role.ORG_ADMIN)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: tuple[Role, ...]
    json: Any = None
    public: bool = False
    expected_ok: int = 200
    extra: dict[str, str] = field(default_factory=dict)


ROUTES = [
    Route("GET", f"/api/v1/certificates/{NUMBER}?name=张三", ALL_ROLES, public=True),
    Route("GET", f"/verify?n={NUMBER}&name=张三", ALL_ROLES, public=True),
    Route("POST", "/api/v1/subsidy-applications", (Role.CITIZEN,), APPLICATION, expected_ok=201),
    Route("GET", f"/api/v1/claims/{CLAIM_05}", (Role.CITIZEN, *OFFICERS, Role.INSPECTOR)),
    Route("POST", f"/api/v1/claims/{CLAIM_05}/approve", OFFICERS, {"amount_fen": 100}),
    Route("POST", f"/api/v1/claims/{CLAIM_05}/reject", OFFICERS, {"reason": "材料不符"}),
    Route("POST", "/api/v1/body-applications", (Role.ORG_ADMIN,), {"name": "某评价中心"}, expected_ok=201),
    Route(
        "POST", "/api/v1/body-applications/1/filing", OFFICERS, {"valid_from": "2026-01-01"}, expected_ok=201
    ),
    Route("POST", "/api/v1/body-applications/1/evaluation", OFFICERS, {"selected": True}),
    Route("POST", f"/api/v1/bodies/{BODY_A}/status", OFFICERS, {"action": "extend"}),
    Route("POST", f"/api/v1/bodies/{BODY_A}/plans", BODY_STAFF, {"name": "计划"}, expected_ok=201),
    Route("POST", "/api/v1/batches", BODY_STAFF, BATCH_IN, expected_ok=201),
    Route("GET", f"/api/v1/batches/{BATCH_A}", (*BODY_STAFF, *OFFICERS, Role.INSPECTOR)),
    Route("PUT", f"/api/v1/batches/{BATCH_A}/results", BODY_STAFF, {"candidates": [{"name": "x"}]}),
    Route("POST", f"/api/v1/batches/{BATCH_A}/publicity", BODY_STAFF),
    Route("POST", f"/api/v1/batches/{BATCH_A}/approval", OFFICERS),
    Route("POST", f"/api/v1/batches/{BATCH_A}/issue", BODY_STAFF, expected_ok=201),
    Route("POST", "/api/v1/vouchers/claims", (Role.CITIZEN,), {}, expected_ok=201),
    Route("POST", "/api/v1/vouchers/1/qr-token", (Role.CITIZEN,)),
    Route(
        "POST",
        "/api/v1/redemptions",
        (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN),
        {"token": "qr", "class_id": 3},
        expected_ok=201,
    ),
    Route("GET", "/api/v1/me", (Role.CITIZEN,)),
    Route("GET", "/v1/audit/verify", (Role.INSPECTOR, Role.CITY_OFFICER, Role.SERVICE)),
]


def test_every_gateway_route_is_in_the_table(gw_app_routes: set[tuple[str, str]]) -> None:
    listed = {(r.method, r.path.split("?")[0]) for r in ROUTES}
    templated = {
        (
            m,
            p.replace(NUMBER, "{number}")
            .replace(CLAIM_05, "{claim_id}")
            .replace(BATCH_A, "{batch_id}")
            .replace(BODY_A, "{code}")
            .replace("/1/", "/{app_id}/"),
        )
        for m, p in listed
    }
    assert gw_app_routes <= templated, f"routes missing from the table: {gw_app_routes - templated}"


@pytest.fixture
def gw_app_routes() -> set[tuple[str, str]]:
    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    app = create_app(GatewaySettings())
    # Relayed routes are the services' own: their roles are the services' to check (reliability/tests walks
    # every service's role matrix); the gateway asks only for a valid token there (test_relay.py).
    relayed = tuple(f"/api/v1/{s.prefix}/" for s in RELAYED_SERVICES)
    out = set()
    for route in app.routes:
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", "")
        if path.startswith(("/api/", "/verify", "/v1/")) and not path.startswith(relayed):
            out |= {(m, path) for m in methods if m != "HEAD"}
    return out


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path.split('?')[0]}")
async def test_route_by_role(route: Route, gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    populate(suite)
    wrong: list[str] = []
    for role in ALL_ROLES:
        headers = {**token_for(role), "Idempotency-Key": f"{role.value}-{uuid.uuid4().hex}"}
        response = await gw.request(route.method, route.path, json=route.json, headers=headers)
        if role in route.allowed:
            if response.status_code != route.expected_ok:
                wrong.append(
                    f"{role.value}: expected {route.expected_ok}, got {response.status_code} {response.text[:200]}"
                )
        elif response.status_code != 403 or response.json().get("code") != "forbidden_role":
            wrong.append(f"{role.value}: expected 403 forbidden_role, got {response.status_code}")
    anonymous = await gw.request(
        route.method, route.path, json=route.json, headers={"Idempotency-Key": "anon"}
    )
    expected_anonymous = route.expected_ok if route.public else 401
    if anonymous.status_code != expected_anonymous:
        wrong.append(f"anonymous: expected {expected_anonymous}, got {anonymous.status_code}")
    assert wrong == []


OBJECT_CASES = [
    (
        "district officer 05 reads a claim of 06",
        "GET",
        f"/api/v1/claims/{CLAIM_06}",
        Role.DISTRICT_OFFICER,
        {},
        None,
    ),
    (
        "district officer 05 approves a claim of 06",
        "POST",
        f"/api/v1/claims/{CLAIM_06}/approve",
        Role.DISTRICT_OFFICER,
        {},
        {"amount_fen": 1},
    ),
    ("citizen A reads citizen B's claim", "GET", f"/api/v1/claims/{CLAIM_06}", Role.CITIZEN, {}, None),
    (
        "staff of body A reads a batch of body B",
        "GET",
        f"/api/v1/batches/{BATCH_B}",
        Role.ORG_STAFF,
        {},
        None,
    ),
    (
        "staff of body A uploads to a batch of body B",
        "PUT",
        f"/api/v1/batches/{BATCH_B}/results",
        Role.ORG_STAFF,
        {},
        {"candidates": []},
    ),
    (
        "admin of body A issues a batch of body B",
        "POST",
        f"/api/v1/batches/{BATCH_B}/issue",
        Role.ORG_ADMIN,
        {},
        None,
    ),
    (
        "district officer 05 approves a batch of a body of 06",
        "POST",
        f"/api/v1/batches/{BATCH_B}/approval",
        Role.DISTRICT_OFFICER,
        {},
        None,
    ),
    (
        "district officer 05 suspends a body of 06",
        "POST",
        f"/api/v1/bodies/{BODY_B}/status",
        Role.DISTRICT_OFFICER,
        {},
        {"action": "suspend", "reason": "投诉"},
    ),
    (
        "staff of body B opens a batch under body A's plan",
        "POST",
        "/api/v1/batches",
        Role.ORG_STAFF,
        {"body": BODY_B},
        BATCH_IN,
    ),
    (
        "institution staff redeems into another institution's class",
        "POST",
        "/api/v1/redemptions",
        Role.INSTITUTION_STAFF,
        {},
        {"token": "qr", "class_id": 4},
    ),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "role", "claims", "body"), OBJECT_CASES, ids=[c[0] for c in OBJECT_CASES]
)
async def test_object_level_checks(
    case: str,
    method: str,
    path: str,
    role: Role,
    claims: dict[str, str],
    body: Any,
    gw: httpx.AsyncClient,
    suite: FakeSuite,
) -> None:
    populate(suite)
    before = (
        suite.subsidy.decisions,
        suite.registry.issued,
        suite.voucher.redemptions,
        suite.org.moves,
        len(suite.registry.batches),
    )
    headers = {**token_for(role, **claims), "Idempotency-Key": uuid.uuid4().hex}
    response = await gw.request(method, path, json=body, headers=headers)
    assert response.status_code == 403, (case, response.text)
    assert response.json()["code"].startswith("forbidden"), response.json()
    after = (
        suite.subsidy.decisions,
        suite.registry.issued,
        suite.voucher.redemptions,
        suite.org.moves,
        len(suite.registry.batches),
    )
    assert after == before, "a refused call changes nothing downstream"


async def test_citizen_b_cannot_apply_with_citizen_as_certificate(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    populate(suite)
    response = await gw.post(
        "/api/v1/subsidy-applications",
        json=APPLICATION,
        headers={**token_for(Role.CITIZEN, sub=OTHER_ID), "Idempotency-Key": "b-1"},
    )
    assert response.status_code == 404 and response.json()["rule"] == "CR-6"
    assert suite.subsidy.drafts_created == 0

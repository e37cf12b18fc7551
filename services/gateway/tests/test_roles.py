"""Every gateway route × every role, against the real services: the roles DESIGN.md allows get past the gateway,
every other role is refused with 403 before any service is asked, no token is 401; and the object-level checks
(district 05 vs 06, body A vs body B, citizen A vs citizen B) refuse without changing anything."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from gateway_suite import Suite
from gateway_world import Body, citizen, expect, filed_body, issued_certificates, key, planned_batch

from gateway.app import create_app
from gateway.relayed.table import RELAYED_SERVICES
from gateway.settings import GatewaySettings
from skills_shared.auth import Role
from skills_shared.testing import auth_headers

NUMBER = "S000050050001253000001"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
BODY_CODE = "S000050050999"
SCOPE_CLAIMS: dict[Role, dict[str, str]] = {
    Role.CITIZEN: {"sub": citizen(9_000)[1]},
    Role.ORG_STAFF: {"body": BODY_CODE},
    Role.ORG_ADMIN: {"body": BODY_CODE},
    Role.INSTITUTION_STAFF: {"institution": "5000001"},
    Role.INSTITUTION_ADMIN: {"institution": "5000001"},
    Role.DISTRICT_OFFICER: {"district": "05"},
}
ALL_ROLES = tuple(Role)
OFFICERS = (Role.DISTRICT_OFFICER, Role.CITY_OFFICER)
BODY_STAFF = (Role.ORG_STAFF, Role.ORG_ADMIN)


def token_for(role: Role, **over: str) -> dict[str, str]:
    claims = {"sub": f"{role.value}-1", **SCOPE_CLAIMS.get(role, {}), **over}
    sub = claims.pop("sub")
    return auth_headers(role, sub, **claims)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: tuple[Role, ...]
    public: bool = False
    body: bool = True
    extra: dict[str, str] = field(default_factory=dict)


ROUTES = [
    Route("GET", f"/api/v1/certificates/{NUMBER}?name=张三", ALL_ROLES, public=True, body=False),
    Route("GET", f"/verify?n={NUMBER}&name=张三", ALL_ROLES, public=True, body=False),
    Route("POST", "/api/v1/subsidy-applications", (Role.CITIZEN,)),
    Route("GET", f"/api/v1/claims/{UNKNOWN}", (Role.CITIZEN, *OFFICERS, Role.INSPECTOR), body=False),
    Route("POST", f"/api/v1/claims/{UNKNOWN}/approve", OFFICERS),
    Route("POST", f"/api/v1/claims/{UNKNOWN}/reject", OFFICERS),
    Route("POST", "/api/v1/body-applications", (Role.ORG_ADMIN,)),
    Route("POST", "/api/v1/body-applications/999999/evaluation", OFFICERS),
    Route("POST", "/api/v1/body-applications/999999/rejection", OFFICERS),
    Route("POST", "/api/v1/body-applications/999999/publication", OFFICERS),
    Route("POST", "/api/v1/body-applications/999999/filing", OFFICERS),
    Route("POST", f"/api/v1/bodies/{BODY_CODE}/status", OFFICERS),
    Route("POST", f"/api/v1/bodies/{BODY_CODE}/plans", BODY_STAFF),
    Route("POST", "/api/v1/batches", BODY_STAFF),
    Route("GET", f"/api/v1/batches/{UNKNOWN}", (*BODY_STAFF, *OFFICERS, Role.INSPECTOR), body=False),
    Route("PUT", f"/api/v1/batches/{UNKNOWN}/results", BODY_STAFF),
    Route("POST", f"/api/v1/batches/{UNKNOWN}/publicity", BODY_STAFF, body=False),
    Route("POST", f"/api/v1/batches/{UNKNOWN}/approval", OFFICERS, body=False),
    Route("POST", f"/api/v1/batches/{UNKNOWN}/issue", BODY_STAFF, body=False),
    Route("POST", "/api/v1/vouchers/claims", (Role.CITIZEN,)),
    Route("POST", "/api/v1/vouchers/999999/qr-token", (Role.CITIZEN,), body=False),
    Route("POST", "/api/v1/redemptions", (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN)),
    Route("GET", "/api/v1/me", (Role.CITIZEN,), body=False),
    Route("GET", "/api/v1/audit/registry/verify", (Role.INSPECTOR,), body=False),
    Route("GET", "/v1/audit/verify", (Role.INSPECTOR, Role.CITY_OFFICER, Role.SERVICE), body=False),
]


def test_every_gateway_route_is_in_the_table() -> None:
    app = create_app(GatewaySettings())
    # Relayed routes are the services' own: their roles are the services' to check (reliability/tests walks
    # every service's role matrix); the gateway asks only for a valid token there (test_relay.py). The sandbox
    # clock is the operator's (test_sandbox_clock.py).
    skipped = (*(f"/api/v1/{s.prefix}/" for s in RELAYED_SERVICES), "/api/v1/sandbox/")
    routed = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", None) or set()
        if route.path.startswith(("/api/", "/verify", "/v1/"))
        and not route.path.startswith(skipped)
        and method != "HEAD"
    }
    templated = {
        (
            r.method,
            r.path.split("?")[0]
            .replace(NUMBER, "{number}")
            .replace(UNKNOWN, "{claim_id}" if "/claims/" in r.path else "{batch_id}")
            .replace(BODY_CODE, "{code}")
            .replace("/999999/qr", "/{voucher_id}/qr")
            .replace("/999999/", "/{app_id}/")
            .replace("/audit/registry/", "/audit/{service}/"),
        )
        for r in ROUTES
    }
    assert routed <= templated, f"routes missing from the table: {routed - templated}"


@pytest.fixture(scope="module")
async def gw(real: Suite) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=real.gateway, timeout=30) as client:
        yield client


def _refused_by_role(response: httpx.Response) -> bool:
    return response.status_code == 403 and response.json().get("code") == "forbidden_role"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path.split('?')[0]}")
async def test_route_by_role(route: Route, gw: httpx.AsyncClient) -> None:
    """Writes carry an empty body: an allowed role gets past the gateway's role check to the body's 422 (or the
    service's 404 for an object that does not exist), so nothing anywhere changes."""
    body = {} if route.body else None
    anonymous = await gw.request(route.method, route.path, json=body, headers={"Idempotency-Key": "anon"})
    wrong: list[str] = []
    for role in ALL_ROLES:
        headers = {**token_for(role), "Idempotency-Key": f"{role.value}-{uuid.uuid4().hex}"}
        response = await gw.request(route.method, route.path, json=body, headers=headers)
        if route.public:
            if response.status_code != anonymous.status_code:
                wrong.append(f"{role.value}: {response.status_code}, anonymous {anonymous.status_code}")
        elif role in route.allowed:
            if response.status_code in (401, 500) or _refused_by_role(response):
                wrong.append(f"{role.value}: refused, {response.status_code} {response.text[:200]}")
        elif not _refused_by_role(response):
            wrong.append(f"{role.value}: expected 403 forbidden_role, got {response.status_code}")
    if not route.public and anonymous.status_code != 401:
        wrong.append(f"anonymous: expected 401, got {anonymous.status_code}")
    assert wrong == []


# --- object-level checks ---------------------------------------------------------------------------------------


@dataclass
class World:
    body_a: Body
    body_b: Body
    plan_a: int
    batch_a: str
    batch_b: str
    claim_05: str
    claim_06: str
    holder_05: dict[str, str]


@pytest.fixture(scope="module")
async def world(gw: httpx.AsyncClient, real: Suite) -> World:
    """Body A filed in district 05, body B in 06, a draft batch of each; claims reviewed in 05 and in 06."""
    body_a = await filed_body(gw, real, district_code="05")
    body_b = await filed_body(gw, real, district_code="06")
    holders = [citizen(), citizen()]
    await issued_certificates(gw, real, body_a, holders)
    batch_a = await planned_batch(gw, real, body_a, [citizen()])
    batch_b = await planned_batch(gw, real, body_b, [citizen()])
    claims = []
    for (name, id_number), district in zip(holders, ("05", "06"), strict=True):
        headers = auth_headers("citizen", id_number)
        mine = expect(await gw.get("/api/v1/me", headers=headers), 200)
        (number,) = [c["number"] for c in mine["certificates"]["items"]]
        application = {
            "policy": "cq-eval",
            "certificate_number": number,
            "holder_name": name,
            "cq": {
                "identity_category": {"value": "4"},
                "district_code": district,
                "applied_amount_fen": 150000,
            },
            "payout": {"bank_account": "6222000011112222", "bank_name": "某银行"},
        }
        claim = expect(
            await gw.post("/api/v1/subsidy-applications", json=application, headers={**headers, **key()}), 201
        )
        assert claim["district_code"] == district, claim
        claims.append(claim["id"])
    return World(
        body_a,
        body_b,
        batch_a["plan_id"],
        batch_a["id"],
        batch_b["id"],
        claims[0],
        claims[1],
        auth_headers("citizen", holders[0][1]),
    )


OFFICER_05 = auth_headers("district_officer", "officer-05", district="05")

OBJECT_CASES: list[tuple[str, str, str, str, Any]] = [
    ("district officer 05 reads a claim of 06", "GET", "/api/v1/claims/{claim_06}", "officer_05", None),
    (
        "district officer 05 approves a claim of 06",
        "POST",
        "/api/v1/claims/{claim_06}/approve",
        "officer_05",
        {"amount_fen": 1},
    ),
    ("citizen A reads citizen B's claim", "GET", "/api/v1/claims/{claim_06}", "holder_05", None),
    ("staff of body A reads a batch of body B", "GET", "/api/v1/batches/{batch_b}", "staff_a", None),
    (
        "staff of body A uploads to a batch of body B",
        "PUT",
        "/api/v1/batches/{batch_b}/results",
        "staff_a",
        {"candidates": [{"name": "李伟", "id_number": "500101199001011234", "gender": "男"}]},
    ),
    ("admin of body A issues a batch of body B", "POST", "/api/v1/batches/{batch_b}/issue", "admin_a", None),
    (
        "district officer 05 approves a batch of a body of 06",
        "POST",
        "/api/v1/batches/{batch_b}/approval",
        "officer_05",
        None,
    ),
    (
        "district officer 05 suspends a body of 06",
        "POST",
        "/api/v1/bodies/{body_b}/status",
        "officer_05",
        {"action": "suspend", "reason": "投诉"},
    ),
    ("staff of body B files a plan for body A", "POST", "/api/v1/bodies/{body_a}/plans", "staff_b", "plan"),
]


def _headers(world: World, who: str) -> dict[str, str]:
    return {
        "officer_05": OFFICER_05,
        "holder_05": world.holder_05,
        "staff_a": world.body_a.staff,
        "admin_a": auth_headers("org_admin", "admin-a", body=world.body_a.code),
        "staff_b": world.body_b.staff,
    }[who]


async def _state(gw: httpx.AsyncClient, world: World) -> tuple[Any, ...]:
    city = auth_headers("city_officer", "city-1")
    return (
        expect(await gw.get(f"/api/v1/claims/{world.claim_06}", headers=city), 200)["status"],
        expect(await gw.get(f"/api/v1/batches/{world.batch_b}", headers=city), 200)["status"],
        expect(await gw.get(f"/api/v1/batches/{world.batch_b}", headers=city), 200)["candidate_count"],
        expect(await gw.get(f"/api/v1/filing/bodies/{world.body_b.code}"), 200)["status"],
    )


@pytest.mark.parametrize(
    ("case", "method", "path", "who", "body"), OBJECT_CASES, ids=[c[0] for c in OBJECT_CASES]
)
async def test_object_level_checks(
    case: str, method: str, path: str, who: str, body: Any, gw: httpx.AsyncClient, world: World
) -> None:
    before = await _state(gw, world)
    target = path.format(
        claim_06=world.claim_06, batch_b=world.batch_b, body_a=world.body_a.code, body_b=world.body_b.code
    )
    if body == "plan":
        plan = expect(await gw.get(f"/api/v1/filing/plans/{world.plan_a}", headers=world.body_a.staff), 200)
        body = {
            k: v for k, v in plan.items() if k in ("name", "occupation_code", "work_type", "levels", "venue")
        }
        body |= {"starts_on": plan["starts_on"], "ends_on": plan["ends_on"], "sessions": 1, "method": "考试"}
        body |= {"candidates": [{"name": "李伟", "id_number": citizen()[1]}]}
        body |= {"assessors": [{"name": "李芳", "id_number": citizen()[1]}]}
        body |= {"supervisors": [{"name": "李娜", "id_number": citizen()[1]}]}
    response = await gw.request(method, target, json=body, headers={**_headers(world, who), **key()})
    assert response.status_code == 403, (case, response.text)
    assert response.json()["code"].startswith("forbidden"), response.json()
    assert await _state(gw, world) == before, "a refused call changes nothing downstream"


async def test_citizen_b_cannot_apply_with_citizen_a_s_certificate(
    gw: httpx.AsyncClient, world: World
) -> None:
    mine = expect(await gw.get("/api/v1/me", headers=world.holder_05), 200)
    number = mine["certificates"]["items"][0]["number"]
    stranger = auth_headers("citizen", citizen()[1])
    application = {
        "policy": "cq-eval",
        "certificate_number": number,
        "holder_name": mine["certificates"]["items"][0]["holder_name"],
        "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150000},
        "payout": {"bank_account": "6222000011112222"},
    }
    response = await gw.post("/api/v1/subsidy-applications", json=application, headers={**stranger, **key()})
    assert response.status_code == 404 and response.json()["rule"] == "CR-6"
    assert expect(await gw.get("/api/v1/me", headers=stranger), 200)["claims"]["items"] == []

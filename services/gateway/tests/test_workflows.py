"""The composed workflows against the real services in this process: happy paths, exactly-once retries, and the
faults a network produces (a service down, hanging, failing half-way) injected in front of the real apps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from gateway_suite import Suite, Switch, switches_around
from gateway_world import CITY, Body, citizen, expect, filed_body, issued_certificates, key, planned_batch
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import GatewaySettings
from skills_shared.testing import auth_headers, running_app

REGISTRY, ORG_FILING, SUBSIDY, VOUCHER = "certificate-registry", "org-filing", "subsidy-claims", "voucher"


@dataclass
class Holder:
    name: str
    id_number: str
    number: str

    @property
    def headers(self) -> dict[str, str]:
        return auth_headers("citizen", self.id_number)


@dataclass
class World:
    body: Body
    holders: list[Holder]


@pytest.fixture(scope="module")
async def gw(real: Suite) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the real gateway over HTTP."""
    async with httpx.AsyncClient(base_url=real.gateway, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
async def world(gw: httpx.AsyncClient, real: Suite) -> World:
    """A filed city-wide body and six holders of certificates it issued, each found by its holder's name."""
    body = await filed_body(gw, real)
    people = [citizen() for _ in range(6)]
    await issued_certificates(gw, real, body, people)
    holders = []
    for name, id_number in people:
        mine = expect(await gw.get("/api/v1/me", headers=auth_headers("citizen", id_number)), 200)
        assert mine["certificates"]["status"] == "ok", mine["certificates"]
        (number,) = [c["number"] for c in mine["certificates"]["items"]]
        holders.append(Holder(name, id_number, number))
    return World(body, holders)


@dataclass
class Faulty:
    """A second gateway in front of the same real services, each behind a switch."""

    client: httpx.AsyncClient
    switches: dict[str, Switch]


@pytest.fixture
async def faulty(real: Suite, settings: GatewaySettings, engine: AsyncEngine) -> AsyncIterator[Faulty]:
    switches = switches_around(real)
    quick = settings.model_copy(
        update={
            "upstream_retries": 1,
            "upstream_backoff_s": 0,
            "mine_timeout_s": 5.0,  # ample for the real parts; a hanging one gives up after its own timeout
            "upstream_timeout_s": 1.0,
            "rate_limit_enabled": False,
        }
    )
    async with running_app(create_app(quick, transports=switches)) as client:
        yield Faulty(client, switches)


def application(holder: Holder, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "policy": "cq-eval",
        "certificate_number": holder.number,
        "holder_name": holder.name,
        "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150000},
        "payout": {"bank_account": "6222000011112222", "bank_name": "某银行"},
    }
    body.update(over)
    return body


async def claims_of(gw: httpx.AsyncClient, holder: Holder) -> list[dict[str, Any]]:
    mine = expect(await gw.get("/api/v1/me", headers=holder.headers), 200)
    assert mine["claims"]["status"] == "ok", mine
    items: list[dict[str, Any]] = mine["claims"]["items"]
    return items


# --- apply for a subsidy ---------------------------------------------------------------------------------------


async def test_apply_verifies_then_submits_and_returns_the_decision(
    gw: httpx.AsyncClient, world: World
) -> None:
    holder = world.holders[0]
    headers = {**holder.headers, "Idempotency-Key": "apply-1"}
    first = await gw.post("/api/v1/subsidy-applications", json=application(holder), headers=headers)
    claim = expect(first, 201)
    assert claim["status"] == "submitted" and claim["certificate_number"] == holder.number
    assert claim["decision"]["policy"] == "cq-eval" and claim["decision"]["results"]
    assert claim["district_code"] == "05" and holder.id_number not in first.text
    again = await gw.post("/api/v1/subsidy-applications", json=application(holder), headers=headers)
    assert again.json() == claim and again.headers.get("idempotent-replayed") == "true"
    assert [c["id"] for c in await claims_of(gw, holder)] == [claim["id"]]
    # the applicant reads the claim; another citizen may not
    expect(await gw.get(f"/api/v1/claims/{claim['id']}", headers=holder.headers), 200)
    other = await gw.get(f"/api/v1/claims/{claim['id']}", headers=world.holders[1].headers)
    assert other.status_code == 403 and other.json()["code"] == "forbidden_subject"


async def test_registry_down_is_503_naming_it_and_nothing_is_created(
    faulty: Faulty, gw: httpx.AsyncClient, world: World
) -> None:
    holder = world.holders[1]
    faulty.switches[REGISTRY].down = True
    response = await faulty.client.post(
        "/api/v1/subsidy-applications", json=application(holder), headers={**holder.headers, **key()}
    )
    assert response.status_code == 503, response.text
    assert response.json()["service"] == REGISTRY and int(response.headers["retry-after"]) >= 1
    assert faulty.switches[SUBSIDY].calls == 0 and await claims_of(gw, holder) == []


async def test_a_retry_after_a_failure_half_way_completes_exactly_once(
    faulty: Faulty, gw: httpx.AsyncClient, world: World
) -> None:
    """subsidy-claims goes away after the draft: the retry with the same key replays the draft step."""
    holder = world.holders[2]
    headers = {**holder.headers, "Idempotency-Key": "half-way"}
    faulty.switches[SUBSIDY].fail_paths = {"/submit"}
    first = await faulty.client.post(
        "/api/v1/subsidy-applications", json=application(holder), headers=headers
    )
    assert first.status_code == 503 and first.json()["service"] == SUBSIDY
    faulty.switches[SUBSIDY].fail_paths = set()
    second = await faulty.client.post(
        "/api/v1/subsidy-applications", json=application(holder), headers=headers
    )
    third = await faulty.client.post(
        "/api/v1/subsidy-applications", json=application(holder), headers=headers
    )
    assert second.status_code == third.status_code == 201, second.text
    assert second.json() == third.json() and third.headers.get("idempotent-replayed") == "true"
    assert len(await claims_of(gw, holder)) == 1


async def test_a_refused_application_leaves_a_draft_the_citizen_sees_and_can_resume(
    gw: httpx.AsyncClient, world: World
) -> None:
    """Issue 20, item 8: the refusal names the draft it leaves, the citizen's own claims list it, and submitting
    it again is the same check with the same answer (abandoned drafts are purged by subsidy-claims)."""
    holder = world.holders[5]
    refused = await gw.post(
        "/api/v1/subsidy-applications",
        json=application(holder, holder_name=holder.name + "某"),
        headers={**holder.headers, **key()},
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "CQ-4", refused.text
    draft_id = refused.json()["draft_claim_id"]
    assert [(c["id"], c["status"]) for c in await claims_of(gw, holder)] == [(draft_id, "draft")]
    resumed = await gw.post(f"/api/v1/subsidy/claims/{draft_id}/submit", headers={**holder.headers, **key()})
    assert resumed.status_code == 422 and resumed.json()["rule"] == "CQ-4", resumed.text
    assert [c["id"] for c in await claims_of(gw, holder)] == [draft_id]


async def test_concurrent_duplicates_complete_once(gw: httpx.AsyncClient, world: World) -> None:
    """The same key raced from several connections: one runs, the others get 409 in flight or the replay."""
    holder = world.holders[3]
    headers = {**holder.headers, "Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *[
            gw.post("/api/v1/subsidy-applications", json=application(holder), headers=headers)
            for _ in range(4)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert len(await claims_of(gw, holder)) == 1


async def test_the_same_key_with_another_body_is_422(gw: httpx.AsyncClient, world: World) -> None:
    holder = world.holders[4]
    headers = {**holder.headers, "Idempotency-Key": "reused"}
    expect(await gw.post("/api/v1/subsidy-applications", json=application(holder), headers=headers), 201)
    other = await gw.post(
        "/api/v1/subsidy-applications",
        json=application(holder, holder_name=holder.name + " "),
        headers=headers,
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


async def test_someone_elses_certificate_is_not_found(faulty: Faulty, world: World) -> None:
    stranger = auth_headers("citizen", citizen()[1])
    response = await faulty.client.post(
        "/api/v1/subsidy-applications", json=application(world.holders[5]), headers={**stranger, **key()}
    )
    assert response.status_code == 404 and response.json()["rule"] == "CR-6"
    assert faulty.switches[SUBSIDY].calls == 0


async def test_bad_input_names_the_field_and_calls_nobody(faulty: Faulty, world: World) -> None:
    holder = world.holders[5]
    bad = application(holder, certificate_number="X1", payout={"bank_account": "12"})
    response = await faulty.client.post(
        "/api/v1/subsidy-applications", json=bad, headers={**holder.headers, **key()}
    )
    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert {("body", "certificate_number"), ("body", "payout", "bank_account")} <= locs, locs
    assert sum(s.calls for s in faulty.switches.values()) == 0


async def test_the_circuit_opens_after_repeated_failures(faulty: Faulty, world: World) -> None:
    switch = faulty.switches[REGISTRY]
    switch.down = True
    number = world.holders[0].number
    for _ in range(5):
        assert (await faulty.client.get(f"/api/v1/certificates/{number}?name=x")).status_code == 503
    calls_when_open = switch.calls
    response = await faulty.client.get(f"/api/v1/certificates/{number}?name=x")
    assert response.status_code == 503 and response.json()["reason"] == "circuit open"
    assert switch.calls == calls_when_open
    mine = expect(await faulty.client.get("/api/v1/me", headers=world.holders[0].headers), 200)
    assert mine["vouchers"]["status"] == "ok", "the other services' circuits are untouched"
    assert mine["certificates"]["status"] == "unavailable" and mine["certificates"]["service"] == REGISTRY


async def test_a_hanging_service_times_out_into_a_503(
    real: Suite, settings: GatewaySettings, engine: AsyncEngine, world: World
) -> None:
    """Every hop has a timeout: a registry that never answers becomes a 503 naming it, after the safe retry."""
    switches = switches_around(real)
    switches[REGISTRY].hang = True
    quick = settings.model_copy(
        update={
            "upstream_timeout_s": 0.05,
            "upstream_retries": 1,
            "upstream_backoff_s": 0,
            "rate_limit_enabled": False,
        }
    )
    async with running_app(create_app(quick, transports=switches)) as client:
        response = await client.get(
            f"/api/v1/certificates/{world.holders[0].number}", params={"name": "张三"}
        )
    assert response.status_code == 503
    assert response.json()["service"] == REGISTRY and response.json()["reason"] == "timeout"
    assert switches[REGISTRY].calls == 2, "one try and one retry: a GET is safe to repeat"


async def test_a_provider_off_its_contract_is_a_502_naming_it(
    real: Suite, settings: GatewaySettings, engine: AsyncEngine, world: World
) -> None:
    """A registry whose batch answer lost a member: the gateway names it and passes nothing half-parsed on."""
    inner = httpx.ASGITransport(app=real.apps[REGISTRY])

    async def renamed(request: httpx.Request) -> httpx.Response:
        answer = await inner.handle_async_request(request)
        await answer.aread()
        if answer.status_code == 200 and "/v1/batches/" in request.url.path:
            batch = answer.json()
            batch["owner_code"] = batch.pop("body_code")
            return httpx.Response(200, json=batch)
        return answer

    batch = await planned_batch_of(world, real)
    transports = {REGISTRY: httpx.MockTransport(renamed)}
    async with running_app(create_app(settings, transports=transports)) as client:
        response = await client.get(f"/api/v1/batches/{batch['id']}", headers=world.body.staff)
    assert response.status_code == 502, response.text
    problem = response.json()
    assert problem["code"] == "upstream_contract_mismatch" and problem["service"] == REGISTRY
    assert "body_code" in problem["fields"] and "2026" not in str(problem), "no part of the answer passed on"


async def planned_batch_of(world: World, real: Suite) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=real.gateway, timeout=30) as gw:
        return await planned_batch(gw, real, world.body, [citizen()])


# --- look-up and "my things" -----------------------------------------------------------------------------------


async def test_the_lookup_passes_the_registry_answer_through(
    gw: httpx.AsyncClient, real: Suite, world: World
) -> None:
    holder = world.holders[0]
    async with httpx.AsyncClient(base_url=real.bases[REGISTRY], timeout=30) as registry:
        direct = await registry.get(f"/v1/certificates/{holder.number}", params={"name": holder.name})
    through = await gw.get(f"/api/v1/certificates/{holder.number}", params={"name": holder.name})
    assert (through.status_code, through.content) == (200, direct.content)
    assert through.json()["holder_name"] == holder.name and holder.id_number not in through.text


async def test_my_things_has_every_part(gw: httpx.AsyncClient, world: World) -> None:
    mine = expect(await gw.get("/api/v1/me", headers=world.holders[0].headers), 200)
    assert mine["complete"] is True
    assert [c["number"] for c in mine["certificates"]["items"]] == [world.holders[0].number]
    assert mine["vouchers"] == {"status": "ok", "items": []}


@pytest.mark.parametrize("fault", ["down", "hang"])
async def test_my_things_is_partial_when_a_service_is_down_or_hangs(
    faulty: Faulty, world: World, fault: str
) -> None:
    setattr(faulty.switches[VOUCHER], fault, True)
    mine = expect(await faulty.client.get("/api/v1/me", headers=world.holders[0].headers), 200)
    assert mine["complete"] is False and mine["certificates"]["status"] == "ok"
    assert mine["vouchers"]["status"] == "unavailable" and mine["vouchers"]["service"] == VOUCHER


# --- bodies and batches ----------------------------------------------------------------------------------------


async def test_a_suspended_body_opens_no_batch_and_only_its_districts_officer_moves_it(
    gw: httpx.AsyncClient, real: Suite
) -> None:
    body = await filed_body(gw, real)
    other_district = auth_headers("district_officer", "officer-06", district="06")
    refused = await gw.post(
        f"/api/v1/bodies/{body.code}/status",
        json={"action": "suspend", "reason": "投诉查实"},
        headers={**other_district, **key()},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_district"
    headers = {**CITY, "Idempotency-Key": f"suspend-{body.code}"}
    suspended = expect(
        await gw.post(
            f"/api/v1/bodies/{body.code}/status",
            json={"action": "suspend", "reason": "投诉查实"},
            headers=headers,
        ),
        200,
    )
    assert suspended["status"] == "suspended" and suspended["code"] == body.code
    replay = await gw.post(
        f"/api/v1/bodies/{body.code}/status",
        json={"action": "suspend", "reason": "投诉查实"},
        headers=headers,
    )
    assert replay.json() == suspended and replay.headers.get("idempotent-replayed") == "true"
    missing_reason = await gw.post(
        f"/api/v1/bodies/{body.code}/status", json={"action": "cancel"}, headers=CITY
    )
    assert missing_reason.status_code == 422


async def test_each_completed_step_is_audited_once_and_inspectors_verify_the_chains(
    gw: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    holder = world.holders[5]
    headers = {**holder.headers, "Idempotency-Key": "audited"}
    for _ in range(2):
        expect(await gw.post("/api/v1/subsidy-applications", json=application(holder), headers=headers), 201)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT action, entity_type, after FROM audit_log WHERE action = 'subsidy.applied'")
            )
        ).all()
    assert [(r.action, r.entity_type) for r in rows] == [("subsidy.applied", "claim")], "a replay adds no row"
    assert rows[0].after["status"] == "submitted" and holder.id_number not in str(rows[0].after)
    inspector = auth_headers("inspector", "inspector-1")
    for service in ("gateway", "registry", "filing", "subsidy", "voucher"):
        report = expect(await gw.get(f"/api/v1/audit/{service}/verify", headers=inspector), 200)
        assert report["service"] == service and report["ok"] is True, report
        assert report["checked"] >= (1 if service != "voucher" else 0)


async def test_only_inspectors_verify_audit_chains_through_the_gateway(gw: httpx.AsyncClient) -> None:
    assert (await gw.get("/api/v1/audit/registry/verify")).status_code == 401
    for role in ("city_officer", "citizen", "service"):
        refused = await gw.get("/api/v1/audit/registry/verify", headers=auth_headers(role, "x"))
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden_role", role
    unknown = await gw.get("/api/v1/audit/payroll/verify", headers=auth_headers("inspector", "i"))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["path", "service"]

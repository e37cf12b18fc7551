"""The composed workflows against fakes of the four services: happy paths, down services, exactly-once retries."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.fakes import Certificate, FakeSuite
from gateway.settings import GatewaySettings
from gateway.upstreams import ORG_FILING, REGISTRY, SUBSIDY, VOUCHER
from skills_shared.testing import auth_headers, running_app
from skills_shared.validators import make_resident_id

CITIZEN_ID = make_resident_id("500101", date(1990, 1, 1), "123")
OTHER_ID = make_resident_id("500102", date(1985, 5, 5), "456")
NUMBER = "S000050050001253000001"
BODY = "S000050050001"


def citizen(sub: str = CITIZEN_ID) -> dict[str, str]:
    return auth_headers("citizen", sub)


def application(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "policy": "cq-eval",
        "certificate_number": NUMBER,
        "holder_name": "张三",
        "cq": {"identity_category": {"value": 4}, "evaluation_district": "05", "applied_amount_fen": 150000},
        "payout": {"bank_account": "6222000011112222", "bank_name": "某银行"},
    }
    body.update(over)
    return body


def with_certificate(suite: FakeSuite, **over: Any) -> Certificate:
    cert = Certificate(number=NUMBER, holder_name="张三", id_number=CITIZEN_ID, **over)
    suite.registry.certificates[NUMBER] = cert
    return cert


# --- apply for a subsidy ---------------------------------------------------------------------------------------


async def test_apply_verifies_then_submits_and_returns_the_decision(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    with_certificate(suite)
    response = await gw.post(
        "/api/v1/subsidy-applications",
        json=application(),
        headers={**citizen(), "Idempotency-Key": "k1", "X-Request-ID": "trace-42"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "submitted" and body["decision"]["outcome"] == "eligible"
    (claim,) = suite.subsidy.claims.values()
    sent = claim["payload"]
    assert sent["applicant"] == {"id_number": CITIZEN_ID, "name": "张三"}
    assert sent["certificate"]["occupation_code"] == "4-01-02-01" and sent["certificate"]["level"] == 3
    assert suite.subsidy.keyed.keys_seen == ["k1:claim-draft", "k1:claim-submit"]
    assert suite.subsidy.keyed.request_ids == ["trace-42", "trace-42"], "the request id crosses every hop"
    assert suite.subsidy.keyed.subjects == [CITIZEN_ID, CITIZEN_ID], "the caller's own token is forwarded"


async def test_registry_down_is_503_naming_it_and_nothing_is_created(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    with_certificate(suite)
    suite.switches[REGISTRY].down = True
    response = await gw.post(
        "/api/v1/subsidy-applications", json=application(), headers={**citizen(), "Idempotency-Key": "k2"}
    )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["service"] == "certificate-registry"
    assert suite.subsidy.drafts_created == 0 and suite.switches[SUBSIDY].calls == 0
    suite.switches[REGISTRY].down = False
    again = await gw.post(
        "/api/v1/subsidy-applications", json=application(), headers={**citizen(), "Idempotency-Key": "k2"}
    )
    assert again.status_code == 201, again.text
    assert suite.subsidy.drafts_created == 1 and suite.subsidy.submissions == 1


async def test_retry_after_a_failure_half_way_completes_exactly_once(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    """The draft exists when subsidy-claims goes down before the submit; the retry replays the draft step."""
    with_certificate(suite)
    switch = suite.switches[SUBSIDY]
    original = switch.handle_async_request
    calls: list[str] = []

    async def fail_submit(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/submit"):
            raise httpx.ConnectError("down", request=request)
        return await original(request)

    switch.handle_async_request = fail_submit  # type: ignore[method-assign]
    first = await gw.post(
        "/api/v1/subsidy-applications", json=application(), headers={**citizen(), "Idempotency-Key": "k3"}
    )
    assert first.status_code == 503 and first.json()["service"] == "subsidy-claims"
    switch.handle_async_request = original  # type: ignore[method-assign]
    second = await gw.post(
        "/api/v1/subsidy-applications", json=application(), headers={**citizen(), "Idempotency-Key": "k3"}
    )
    third = await gw.post(
        "/api/v1/subsidy-applications", json=application(), headers={**citizen(), "Idempotency-Key": "k3"}
    )
    assert second.status_code == third.status_code == 201
    assert second.json() == third.json()
    assert third.headers.get("idempotent-replayed") == "true"
    assert suite.subsidy.drafts_created == 1 and suite.subsidy.submissions == 1


async def test_concurrent_duplicates_complete_once(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    """Same key raced from several connections: one runs, the others get 409 in flight or the replay."""
    with_certificate(suite)
    for round_ in range(3):
        key = f"race-{round_}"
        responses = await asyncio.gather(
            *[
                gw.post(
                    "/api/v1/subsidy-applications",
                    json=application(),
                    headers={**citizen(), "Idempotency-Key": key},
                )
                for _ in range(4)
            ]
        )
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {201, 409}, statuses
        assert 201 in statuses
        assert suite.subsidy.submissions == round_ + 1


async def test_same_key_other_body_is_422(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    with_certificate(suite)
    headers = {**citizen(), "Idempotency-Key": "k4"}
    assert (
        await gw.post("/api/v1/subsidy-applications", json=application(), headers=headers)
    ).status_code == 201
    other = await gw.post(
        "/api/v1/subsidy-applications", json=application(holder_name="张三 "), headers=headers
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


async def test_revoked_certificate_never_reaches_subsidy_claims(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    with_certificate(suite, status="revoked")
    response = await gw.post(
        "/api/v1/subsidy-applications", json=application(), headers={**citizen(), "Idempotency-Key": "k5"}
    )
    assert response.status_code == 409 and response.json()["rule"] == "CQ-1"
    assert suite.switches[SUBSIDY].calls == 0


async def test_someone_elses_certificate_is_not_found(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    with_certificate(suite)
    response = await gw.post(
        "/api/v1/subsidy-applications",
        json=application(),
        headers={**citizen(OTHER_ID), "Idempotency-Key": "k6"},
    )
    assert response.status_code == 404 and response.json()["code"] == "certificate_not_found"
    assert suite.switches[SUBSIDY].calls == 0


async def test_bad_input_names_the_field_and_calls_nobody(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    response = await gw.post(
        "/api/v1/subsidy-applications",
        json=application(certificate_number="X1"),
        headers={**citizen(), "Idempotency-Key": "k7"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "certificate_number"]
    assert sum(s.calls for s in suite.switches.values()) == 0


async def test_circuit_opens_after_repeated_failures(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    switch = suite.switches[REGISTRY]
    switch.down = True
    for _ in range(5):
        assert (await gw.get(f"/api/v1/certificates/{NUMBER}?name=x")).status_code == 503
    calls_when_open = switch.calls
    response = await gw.get(f"/api/v1/certificates/{NUMBER}?name=x")
    assert response.status_code == 503 and response.json()["reason"] == "circuit open"
    assert switch.calls == calls_when_open
    # the other services' circuits are untouched
    assert (await gw.get("/api/v1/me", headers=citizen())).json()["vouchers"]["status"] == "ok"


async def test_a_hanging_service_times_out_into_a_503(
    suite: FakeSuite, fake_settings: GatewaySettings, engine: AsyncEngine
) -> None:
    """Every hop has a timeout: a registry that never answers becomes a 503 naming it, after the safe retry."""
    from gateway.app import create_app

    settings = fake_settings.model_copy(update={"upstream_timeout_s": 0.05})
    suite.switches[REGISTRY].hang = True
    async with running_app(create_app(settings, transports=suite.switches)) as gw:
        response = await gw.get(f"/api/v1/certificates/{NUMBER}", params={"name": "张三"})
    assert response.status_code == 503
    assert response.json()["service"] == "certificate-registry" and response.json()["reason"] == "timeout"
    assert suite.switches[REGISTRY].calls == 2, "one try and one retry: a GET is safe to repeat"


# --- look-up ---------------------------------------------------------------------------------------------------


async def test_lookup_passes_the_registry_answer_through(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    with_certificate(suite)
    found = await gw.get(
        f"/api/v1/certificates/{NUMBER}", params={"name": "张三"}, headers={"X-Request-ID": "r-1"}
    )
    assert found.status_code == 200
    assert found.json()["id_number_masked"].startswith("500***")
    assert CITIZEN_ID not in found.text
    assert found.headers["x-request-id"] == "r-1"
    missing = await gw.get(f"/api/v1/certificates/{NUMBER}", params={"name": "李四"})
    assert missing.status_code == 404 and missing.json()["rule"] == "CR-6"
    malformed = await gw.get("/api/v1/certificates/not-a-number", params={"name": "张三"})
    assert malformed.status_code == 422


# --- my things -------------------------------------------------------------------------------------------------


async def test_my_things_all_parts(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    with_certificate(suite)
    response = await gw.get("/api/v1/me", headers=citizen())
    assert response.status_code == 200
    body = response.json()
    assert body["complete"] is True
    assert [c["number"] for c in body["certificates"]["items"]] == [NUMBER]


async def test_my_things_is_partial_when_a_service_hangs_or_is_down(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    with_certificate(suite)
    suite.switches[VOUCHER].hang = True
    suite.switches[SUBSIDY].down = True
    response = await gw.get("/api/v1/me", headers=citizen())
    assert response.status_code == 200
    body = response.json()
    assert body["complete"] is False
    assert body["certificates"]["status"] == "ok"
    assert body["claims"] == {
        "status": "unavailable",
        "service": "subsidy-claims",
        "reason": "service_unavailable",
    }
    assert body["vouchers"] == {"status": "unavailable", "service": "voucher", "reason": "timeout"}


# --- bodies ----------------------------------------------------------------------------------------------------


def body_record(code: str = BODY, place: str = "05", status: str = "active") -> dict[str, Any]:
    return {
        "code": code,
        "place_code": place,
        "status": status,
        "scope": [
            {
                "occupation_code": "4-01-02-01",
                "occupation_name": "中式烹调师",
                "work_types": [],
                "levels": [3, 4, 5],
            }
        ],
    }


async def test_apply_and_file_a_body(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    admin = auth_headers("org_admin", "a1", body="S000050059999")
    applied = await gw.post(
        "/api/v1/body-applications", json={"name": "某评价中心"}, headers={**admin, "Idempotency-Key": "b1"}
    )
    assert applied.status_code == 201 and applied.json()["status"] == "submitted"
    refused = await gw.post("/api/v1/body-applications", json={"address": "x"}, headers=admin)
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body", "name"]
    officer = auth_headers("district_officer", "o1", district="05")
    filed = await gw.post(
        "/api/v1/body-applications/1/filing",
        json={"valid_from": "2026-01-01"},
        headers={**officer, "Idempotency-Key": "f1"},
    )
    assert filed.status_code == 201 and filed.json()["body_code"] == "S000050050009"
    keys = suite.org.keyed.keys_seen
    assert keys[:2] == ["b1:application-draft", "b1:application-submit"] and keys[-1] == "f1:filing"


async def test_status_change_checks_the_officers_district(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    suite.org.bodies[BODY] = body_record(place="06")
    change = {"action": "suspend", "reason": "投诉查实"}
    of_05 = await gw.post(
        f"/api/v1/bodies/{BODY}/status",
        json=change,
        headers=auth_headers("district_officer", "o", district="05"),
    )
    assert of_05.status_code == 403 and suite.org.moves == 0
    of_06 = await gw.post(
        f"/api/v1/bodies/{BODY}/status",
        json=change,
        headers={**auth_headers("district_officer", "o", district="06"), "Idempotency-Key": "s1"},
    )
    assert of_06.status_code == 200 and of_06.json()["status"] == "suspended"
    no_reason = await gw.post(
        f"/api/v1/bodies/{BODY}/status", json={"action": "cancel"}, headers=auth_headers("city_officer", "c")
    )
    assert no_reason.status_code == 422


# --- batches ---------------------------------------------------------------------------------------------------


def plan_record(**over: Any) -> dict[str, Any]:
    plan = {
        "id": 7,
        "body_code": BODY,
        "status": "filed",
        "occupation_code": "4-01-02-01",
        "levels": [3],
        "starts_on": "2026-10-19",
        "ends_on": "2026-10-23",
        "filed_on": "2026-09-30",
        "work_type": None,
    }
    plan.update(over)
    return plan


BATCH_IN = {
    "plan_id": 7,
    "occupation_code": "4-01-02-01",
    "occupation_name": "中式烹调师",
    "level": 3,
    "evaluation_date": "2026-10-20",
    "method": "assessment",
}


async def test_batch_workflow_end_to_end(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    suite.org.plans[7] = plan_record()
    suite.org.bodies[BODY] = body_record()
    staff = auth_headers("org_staff", "s", body=BODY)
    opened = await gw.post("/api/v1/batches", json=BATCH_IN, headers={**staff, "Idempotency-Key": "o1"})
    assert opened.status_code == 201, opened.text
    batch_id = opened.json()["id"]
    assert opened.json()["plan_ref"] == "7" and opened.json()["body_code"] == BODY
    assert (
        await gw.put(
            f"/api/v1/batches/{batch_id}/results", json={"candidates": [{"name": "x"}]}, headers=staff
        )
    ).status_code == 200
    assert (await gw.post(f"/api/v1/batches/{batch_id}/publicity", headers=staff)).json()[
        "status"
    ] == "publicity"
    officer = auth_headers("district_officer", "o", district="05")
    approved = await gw.post(
        f"/api/v1/batches/{batch_id}/approval", headers={**officer, "Idempotency-Key": "a1"}
    )
    assert approved.json()["status"] == "approved"
    for _ in range(2):
        issued = await gw.post(
            f"/api/v1/batches/{batch_id}/issue", headers={**staff, "Idempotency-Key": "i1"}
        )
        assert issued.status_code == 201
    assert suite.registry.issued == 1
    assert "i1:issue" in suite.registry.keyed.keys_seen


async def test_batch_refused_when_plan_late_or_body_suspended(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    suite.org.plans[7] = plan_record(filed_on="2026-10-12")
    suite.org.bodies[BODY] = body_record(status="suspended")
    response = await gw.post(
        "/api/v1/batches", json=BATCH_IN, headers=auth_headers("org_staff", "s", body=BODY)
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["rule"] == "OF-5" and {e["type"] for e in problem["errors"]} == {
        "plan_filed_late",
        "body_not_active",
    }
    assert suite.registry.batches == {}


async def test_org_filing_down_stops_the_batch_before_the_registry(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    suite.switches[ORG_FILING].down = True
    response = await gw.post(
        "/api/v1/batches", json=BATCH_IN, headers=auth_headers("org_staff", "s", body=BODY)
    )
    assert response.status_code == 503 and response.json()["service"] == "org-filing"
    assert suite.switches[REGISTRY].calls == 0


# --- vouchers --------------------------------------------------------------------------------------------------


async def test_claim_and_redeem(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    suite.voucher.institutions["5000001"] = {"code": "5000001", "status": "active"}
    suite.voucher.institutions["5000002"] = {"code": "5000002", "status": "suspended"}
    suite.voucher.classes[3] = {"id": 3, "institution_code": "5000001"}
    claimed = await gw.post(
        "/api/v1/vouchers/claims", json={}, headers={**citizen(), "Idempotency-Key": "c1"}
    )
    assert claimed.status_code == 201
    staff = auth_headers("institution_staff", "st", institution="5000001")
    for _ in range(2):
        redeemed = await gw.post(
            "/api/v1/redemptions",
            json={"token": "qr", "class_id": 3},
            headers={**staff, "Idempotency-Key": "r1"},
        )
        assert redeemed.status_code == 201
    assert suite.voucher.redemptions == 1
    suspended = auth_headers("institution_staff", "st", institution="5000002")
    refused = await gw.post(
        "/api/v1/redemptions",
        json={"token": "qr", "class_id": 3},
        headers={**suspended, "Idempotency-Key": "r2"},
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "V-6"
    assert suite.voucher.redemptions == 1


async def test_missing_key_on_a_money_route_is_422_naming_the_header(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    with_certificate(suite)
    response = await gw.post("/api/v1/subsidy-applications", json=application(), headers=citizen())
    assert response.status_code == 422
    assert ["header", "idempotency-key"] in [e["loc"] for e in response.json()["errors"]]
    assert sum(s.calls for s in suite.switches.values()) == 0


async def test_keyless_workflow_still_sends_keys_downstream(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    """Services that require a key (money, legal status) get a request-scoped one when the client sent none."""
    await gw.post("/api/v1/vouchers/claims", json={}, headers=citizen())
    (key,) = suite.voucher.keyed.keys_seen
    assert key.startswith("gw-") and key.endswith(":voucher-claim")


# --- claims after submission -----------------------------------------------------------------------------------


async def test_claim_review_is_bound_to_the_officers_district(
    gw: httpx.AsyncClient, suite: FakeSuite
) -> None:
    claim_06 = suite.subsidy.add(applicant=CITIZEN_ID, district="06")
    of_05 = auth_headers("district_officer", "o", district="05")
    of_06 = auth_headers("district_officer", "o", district="06")
    assert (await gw.get(f"/api/v1/claims/{claim_06}", headers=of_05)).status_code == 403
    refused = await gw.post(
        f"/api/v1/claims/{claim_06}/approve",
        json={"amount_fen": 100},
        headers={**of_05, "Idempotency-Key": "ap1"},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_district"
    assert suite.subsidy.decisions == 0
    for _ in range(2):
        approved = await gw.post(
            f"/api/v1/claims/{claim_06}/approve",
            json={"amount_fen": 100},
            headers={**of_06, "Idempotency-Key": "ap2"},
        )
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert suite.subsidy.decisions == 1


async def test_citizen_sees_only_their_own_claim(gw: httpx.AsyncClient, suite: FakeSuite) -> None:
    claim = suite.subsidy.add(applicant=CITIZEN_ID, district="05")
    assert (await gw.get(f"/api/v1/claims/{claim}", headers=citizen())).status_code == 200
    other = await gw.get(f"/api/v1/claims/{claim}", headers=citizen(OTHER_ID))
    assert other.status_code == 403 and other.json()["code"] == "forbidden_subject"


async def test_each_completed_step_is_audited_once(
    gw: httpx.AsyncClient, suite: FakeSuite, engine: AsyncEngine
) -> None:
    with_certificate(suite)
    headers = {**citizen(), "Idempotency-Key": "audit-1"}
    for _ in range(2):
        assert (
            await gw.post("/api/v1/subsidy-applications", json=application(), headers=headers)
        ).status_code == 201
    suite.switches[REGISTRY].down = True
    failed = await gw.post(
        "/api/v1/subsidy-applications",
        json=application(),
        headers={**citizen(), "Idempotency-Key": "audit-2"},
    )
    assert failed.status_code == 503
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT action, entity_type, after FROM audit_log ORDER BY id"))
        ).all()
    assert [(r.action, r.entity_type) for r in rows] == [("subsidy.applied", "claim")], (
        "a replay or a failure adds no row"
    )
    assert rows[0].after["status"] == "submitted" and CITIZEN_ID not in str(rows[0].after)
    verified = await gw.get("/v1/audit/verify", headers=auth_headers("inspector", "i"))
    assert verified.json()["ok"] is True and verified.json()["checked"] == 1

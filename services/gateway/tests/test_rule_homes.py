"""One rule, one home: the gateway holds no batch rule (OF-5, CR-3), no redeem permission (V-6) and no certificate
check of a claim (CQ-1, CQ-4). Each is the owning service's, so the gateway's composed route and the relayed
service route refuse the same request with the same status, code, rule ID and field errors — there is no way
around a rule by choosing the other door."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from gateway_suite import Suite
from gateway_world import OCCUPATION, Body, citizen, expect, filed_body, issued_certificates, key, plan_of
from voucher_testdata import Scenario

from skills_shared.testing import auth_headers
from skills_shared.workdays import add_working_days


@pytest.fixture(scope="module")
async def gw(real: Suite) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=real.gateway, timeout=30) as client:
        yield client


@dataclass
class Planned:
    body: Body
    plan: dict[str, Any]


@pytest.fixture(scope="module")
async def planned(gw: httpx.AsyncClient, real: Suite) -> Planned:
    """A filed body with a plan filed in time for level 3 of its occupation."""
    body = await filed_body(gw, real)
    day = add_working_days(real.today, 12)
    plan = expect(
        await gw.post(
            f"/api/v1/bodies/{body.code}/plans", json=plan_of(day, [citizen()]), headers=body.staff
        ),
        201,
    )
    return Planned(body, plan)


def refusal(response: httpx.Response) -> tuple[Any, ...]:
    """What a client acts on: status, code, rule, and each field error's place and kind."""
    problem = response.json()
    errors = sorted((tuple(e["loc"][1:]), e["type"]) for e in problem.get("errors", []))
    return response.status_code, problem["code"], problem.get("rule"), errors


async def both_doors(gw: httpx.AsyncClient, planned: Planned, batch: dict[str, Any]) -> tuple[Any, ...]:
    """The same batch opened through the composed route and through the relayed registry route."""
    headers = {**planned.body.staff, **key()}
    composed = await gw.post("/api/v1/batches", json=batch, headers=headers)
    relayed = await gw.post(
        "/api/v1/registry/batches",
        json={"body_code": planned.body.code, **batch},
        headers={**headers, **key()},
    )
    assert composed.headers["content-type"] == relayed.headers["content-type"] == "application/problem+json"
    assert refusal(composed) == refusal(relayed), (composed.text, relayed.text)
    return refusal(composed)


def batch_of(planned: Planned, **over: Any) -> dict[str, Any]:
    plan = planned.plan
    return {
        "plan_id": plan["id"],
        **OCCUPATION,
        "level": 3,
        "evaluation_date": plan["starts_on"],
        "method": "examination",
        **over,
    }


async def test_a_batch_for_an_unfiled_plan(gw: httpx.AsyncClient, planned: Planned) -> None:
    status, code, rule, _ = await both_doors(gw, planned, batch_of(planned, plan_id=2_000_000_000))
    assert (status, code, rule) == (404, "plan_not_found", "OF-5")


async def test_a_plan_filed_too_late_for_the_batch(
    gw: httpx.AsyncClient, planned: Planned, real: Suite
) -> None:
    early = add_working_days(real.today, 3).isoformat()
    status, _, rule, errors = await both_doors(gw, planned, batch_of(planned, evaluation_date=early))
    assert rule == "OF-5" and status in (409, 422)
    assert (("evaluation_date",), "plan_filed_late") in errors, errors


async def test_an_occupation_outside_the_scope(gw: httpx.AsyncClient, planned: Planned) -> None:
    other = {"occupation_code": "4-01-02-01", "occupation_name": "中式烹调师", "work_type": None}
    status, _, _, errors = await both_doors(gw, planned, batch_of(planned, **other))
    assert status in (409, 422)
    assert "outside_scope" in {kind for _, kind in errors}, errors


async def test_a_batch_the_plan_allows_opens_through_either_door(
    gw: httpx.AsyncClient, planned: Planned
) -> None:
    composed = expect(
        await gw.post("/api/v1/batches", json=batch_of(planned), headers=planned.body.staff), 201
    )
    relayed = expect(
        await gw.post(
            "/api/v1/registry/batches",
            json={"body_code": planned.body.code, **batch_of(planned)},
            headers=planned.body.staff,
        ),
        201,
    )
    assert composed.keys() == relayed.keys() and composed["plan_id"] == relayed["plan_id"]


async def test_an_unpermitted_redeem(gw: httpx.AsyncClient, real: Suite) -> None:
    """V-6: staff the institution never granted the redeem permission are refused by voucher on both routes;
    the one it granted redeems."""
    async with httpx.AsyncClient(base_url=real.bases["voucher"], timeout=30) as voucher:
        scenario = Scenario(voucher)
        await scenario.price_all_types()
        institution = await scenario.institution(code="5000101", district="05")
        await scenario.grant(institution, "scanner-granted")
        class_id = await scenario.open_class(
            institution, starts_on=real.today, ends_on=add_working_days(real.today, 40)
        )
        campaign = await scenario.campaign(real.today.year)
        _, holder = citizen()
        await scenario.issue(campaign, [holder], district="05")
    holder_headers = auth_headers("citizen", holder)
    claimed = expect(
        await gw.post("/api/v1/vouchers/claims", json={}, headers={**holder_headers, **key()}), 201
    )
    voucher_id = next(v["id"] for v in claimed["vouchers"] if v["type_code"] == "employment_skills")
    token = expect(await gw.post(f"/api/v1/vouchers/{voucher_id}/qr-token", headers=holder_headers), 200)[
        "token"
    ]
    redeem = {"token": token, "class_id": class_id}

    stranger = auth_headers("institution_staff", "scanner-never-granted", institution=institution.code)
    composed = await gw.post("/api/v1/redemptions", json=redeem, headers={**stranger, **key()})
    relayed = await gw.post("/api/v1/voucher/redemptions", json=redeem, headers={**stranger, **key()})
    assert refusal(composed) == refusal(relayed), (composed.text, relayed.text)
    assert composed.status_code == 403 and composed.json()["rule"] == "V-6", composed.text

    granted = auth_headers("institution_staff", "scanner-granted", institution=institution.code)
    redeemed = expect(await gw.post("/api/v1/redemptions", json=redeem, headers={**granted, **key()}), 201)
    assert redeemed["voucher_id"] == voucher_id and redeemed["uses_this_year"] == 1


async def test_a_claim_on_a_revoked_certificate_or_under_another_name(
    gw: httpx.AsyncClient, real: Suite
) -> None:
    """subsidy-claims checks the certificate against the registry's record at submission (CQ-1, CQ-4); through
    the gateway's application and through the relayed draft-and-submit the refusal is the same."""
    body = await filed_body(gw, real)
    named = [citizen(), citizen()]
    await issued_certificates(gw, real, body, named)
    (_, id_number), (other_name, revoked_id) = named
    numbers = {}
    for holder_id in (id_number, revoked_id):
        mine = expect(await gw.get("/api/v1/me", headers=auth_headers("citizen", holder_id)), 200)
        numbers[holder_id] = mine["certificates"]["items"][0]
    revoked = numbers[revoked_id]["number"]
    expect(
        await gw.post(
            f"/api/v1/registry/certificates/{revoked}/revocation",
            json={"reason": "以不正当手段取得"},
            headers={**auth_headers("city_officer", "city-1"), **key()},
        ),
        200,
    )
    cases = [(id_number, numbers[id_number]["number"], "王某"), (revoked_id, revoked, other_name)]
    for holder_id, number, typed_name in cases:
        headers = {**auth_headers("citizen", holder_id), **key()}
        application = {
            "policy": "cq-eval",
            "certificate_number": number,
            "holder_name": typed_name,
            "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150000},
            "payout": {"bank_account": "6222000011112222"},
        }
        composed = await gw.post("/api/v1/subsidy-applications", json=application, headers=headers)
        certificate = numbers[holder_id]
        draft = {
            "policy": "cq-eval",
            "applicant": {"id_number": holder_id, "name": typed_name},
            "certificate": {
                "number": number,
                "occupation_code": certificate["occupation_code"],
                "occupation_name": certificate["occupation_name"],
                "work_type": certificate["work_type"],
                "level": certificate["level"],
                "kind": "skill_level",
                "issue_date": certificate["issue_date"],
            },
            "cq": application["cq"],
            "payout": application["payout"],
        }
        drafted = expect(
            await gw.post("/api/v1/subsidy/claims", json=draft, headers={**headers, **key()}), 201
        )
        relayed = await gw.post(
            f"/api/v1/subsidy/claims/{drafted['id']}/submit", headers={**headers, **key()}
        )
        assert refusal(composed) == refusal(relayed), (composed.text, relayed.text)
        assert composed.status_code == 422 and composed.json()["rule"] == "CQ-4", composed.text

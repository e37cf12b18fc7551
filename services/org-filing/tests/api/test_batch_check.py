"""POST /v1/plans/{id}/batch-check: the registry asks before opening a batch; every plan and body rule answers."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
from of_factories import TODAY, applicant, city, filed_body, guantong_registration, resident_id
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.contracts.v1.org_filing import BatchPlanClearance
from skills_shared.testing import auth_headers
from skills_shared.workdays import add_working_days, latest_filing_date

SERVICE = auth_headers("service", sub="certificate-registry")
STARTS = add_working_days(TODAY, 12)
ENDS = add_working_days(TODAY, 14)


def person(role: str | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"name": "某人", "id_number": resident_id()}
    if role:
        p["role"] = role
    return p


def plan_body(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "2026年第三批电工认定",
        "occupation_code": "6-31-01-03",
        "work_type": "维修电工",
        "levels": [4, 5],
        "starts_on": STARTS.isoformat(),
        "ends_on": ENDS.isoformat(),
        "venue": "实训楼",
        "sessions": 2,
        "method": "理论知识考试 + 技能操作考核",
        "candidates": [person()],
        "assessors": [person("考评员")],
        "supervisors": [person("督导员")],
    }
    base.update(kw)
    return base


def check(code: str, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "body_code": code,
        "occupation_code": "6-31-01-03",
        "work_type": "维修电工",
        "level": 4,
        "evaluation_date": STARTS.isoformat(),
    }
    base.update(kw)
    return base


async def body_and_plan(client: httpx.AsyncClient, **plan_kw: Any) -> tuple[str, int, dict[str, str]]:
    code, _, officer = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.post(f"/v1/bodies/{code}/plans", json=plan_body(**plan_kw), headers=applicant(code))
    assert r.status_code == 201, r.text
    return code, r.json()["id"], officer


async def test_a_batch_the_plan_announced_is_cleared(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code), headers=SERVICE)
    assert r.status_code == 200, r.text
    cleared = BatchPlanClearance.model_validate(r.json())
    assert cleared.plan_id == plan_id and cleared.body_code == code
    assert cleared.levels == [4, 5] and cleared.filed_on == TODAY and cleared.district_code == "00"
    assert cleared.title_specialties == []


async def test_only_a_service_may_ask(client: httpx.AsyncClient) -> None:
    code, plan_id, officer = await body_and_plan(client)
    for headers in (applicant(code), officer, auth_headers("inspector")):
        r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code), headers=headers)
        assert r.status_code == 403, r.text
    assert (await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code))).status_code == 401


async def test_an_unfiled_plan_is_refused_with_of5(client: httpx.AsyncClient) -> None:
    code, _, _ = await body_and_plan(client)
    r = await client.post("/v1/plans/999999/batch-check", json=check(code), headers=SERVICE)
    assert r.status_code == 404
    p = r.json()
    assert (p["rule"], p["code"]) == ("OF-5", "plan_not_found")
    assert p["errors"][0]["loc"] == ["path", "plan_id"]


async def test_another_bodys_plan_is_forbidden(client: httpx.AsyncClient) -> None:
    _, plan_id, _ = await body_and_plan(client)
    other, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(other), headers=SERVICE)
    assert r.status_code == 403
    assert (r.json()["rule"], r.json()["code"]) == ("OF-5", "forbidden_body")


async def test_a_batch_the_plan_did_not_announce_lists_every_mismatch(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)
    bad = check(
        code,
        occupation_code="6-18-02-04",
        work_type="电焊工",
        level=3,
        evaluation_date=add_working_days(ENDS, 1).isoformat(),
        route="贯通",
    )
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=bad, headers=SERVICE)
    assert r.status_code == 422
    p = r.json()
    assert (p["rule"], p["code"]) == ("OF-5", "plan_occupation_mismatch")
    codes = [e["type"] for e in p["errors"]]
    for expected in (
        "plan_occupation_mismatch",
        "plan_work_type_mismatch",
        "plan_level_mismatch",
        "outside_plan_dates",
        "plan_route_mismatch",
        "guantong_not_registered",
    ):
        assert expected in codes, codes
    assert p["starts_on"] == STARTS.isoformat() and p["ends_on"] == ENDS.isoformat()
    assert all(r["rule"] for r in p["refusals"])


async def test_a_withdrawn_plan_opens_no_batch(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)
    r = await client.post(
        f"/v1/plans/{plan_id}/withdrawal", json={"reason": "考点调整"}, headers=applicant(code)
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    again = await client.post(
        f"/v1/plans/{plan_id}/withdrawal", json={"reason": "考点调整"}, headers=applicant(code)
    )
    assert again.status_code == 409 and again.json()["current_state"] == "withdrawn"
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code), headers=SERVICE)
    assert r.status_code == 422
    assert (r.json()["rule"], r.json()["code"]) == ("OF-5", "plan_not_standing")


async def test_a_plan_filed_late_is_refused_with_both_dates(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    code, plan_id, _ = await body_and_plan(client)
    late = add_working_days(TODAY, 5)  # a plan recorded as filed 7 working days before its batch
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE plans SET filed_on = :d WHERE id = :id"), {"d": late, "id": plan_id})
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code), headers=SERVICE)
    assert r.status_code == 422
    p = r.json()
    assert (p["rule"], p["code"]) == ("OF-5", "plan_filed_late")
    assert p["latest_filing_date"] == latest_filing_date(STARTS, 10).isoformat()
    assert p["earliest_evaluation_date"] == add_working_days(late, 10).isoformat()
    assert p["errors"][0]["loc"] == ["body", "evaluation_date"]


async def test_a_suspended_body_opens_no_batch(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)
    r = await client.post(f"/v1/bodies/{code}/suspension", json={"reason": "整改"}, headers=city())
    assert r.status_code == 200, r.text
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code), headers=SERVICE)
    assert r.status_code == 422
    p = r.json()
    assert (p["rule"], p["code"], p["body_status"]) == ("OF-6", "body_not_active", "suspended")


async def test_a_scope_narrowed_after_the_plan_refuses_with_outside_scope(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)
    scope = [
        {
            "occupation_code": "6-31-01-03",
            "occupation_name": "电工",
            "work_types": ["维修电工"],
            "levels": [5],
        }
    ]
    r = await client.put(f"/v1/bodies/{code}/scope", json={"scope": scope}, headers=city())
    assert r.status_code == 200, r.text
    r = await client.post(f"/v1/plans/{plan_id}/batch-check", json=check(code), headers=SERVICE)
    assert r.status_code == 422
    p = r.json()
    assert (p["rule"], p["code"]) == ("CR-3", "outside_scope")
    assert p["filed_levels"] == [5] and p["errors"][0]["loc"] == ["body", "level"]


async def test_only_a_registered_guantong_body_files_and_runs_guantong(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    guantong = plan_body(name="2026年电工贯通评价", is_guantong=True, levels=[3])
    r = await client.post(f"/v1/bodies/{code}/plans", json=guantong, headers=applicant(code))
    assert r.status_code == 422
    assert (r.json()["rule"], r.json()["code"]) == ("OF-8", "guantong_not_registered")
    assert r.json()["errors"][0]["loc"] == ["body", "is_guantong"]

    r = await client.post("/v1/guantong/bodies", json=guantong_registration(code), headers=city())
    assert r.status_code == 201, r.text
    # a level the registration does not cover is still refused (OF-8, seed 002 七(二))
    r = await client.post(
        f"/v1/bodies/{code}/plans", json={**guantong, "levels": [2, 3]}, headers=applicant(code)
    )
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        422,
        "outside_guantong_registration",
        "OF-8",
    )
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        json={**guantong, "occupation_code": "6-18-02-04", "work_type": None},
        headers=applicant(code),
    )
    assert (r.status_code, r.json()["code"]) == (422, "outside_guantong_registration")

    r = await client.post(f"/v1/bodies/{code}/plans", json=guantong, headers=applicant(code))
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    ok = await client.post(
        f"/v1/plans/{plan_id}/batch-check", json=check(code, level=3, route="贯通"), headers=SERVICE
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["title_specialties"] == ["电气工程"]
    ordinary = await client.post(
        f"/v1/plans/{plan_id}/batch-check", json=check(code, level=3), headers=SERVICE
    )
    assert (ordinary.status_code, ordinary.json()["code"]) == (422, "plan_route_mismatch")


async def test_a_registration_by_name_confines_by_the_filed_occupation_name(
    client: httpx.AsyncClient,
) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.post("/v1/guantong/bodies", json=guantong_registration(code, None), headers=city())
    assert r.status_code == 201, r.text
    guantong = plan_body(name="2026年电工贯通评价", is_guantong=True, levels=[3])
    r = await client.post(f"/v1/bodies/{code}/plans", json=guantong, headers=applicant(code))
    assert r.status_code == 201, r.text


async def test_bad_check_bodies_name_each_field(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)
    r = await client.post(
        f"/v1/plans/{plan_id}/batch-check",
        json={"body_code": code, "level": 9, "evaluation_date": "someday", "colour": "red"},
        headers=SERVICE,
    )
    assert r.status_code == 422
    locs = {tuple(e["loc"]) for e in r.json()["errors"]}
    assert {
        ("body", "level"),
        ("body", "evaluation_date"),
        ("body", "occupation_code"),
        ("body", "colour"),
    } <= locs


async def test_the_december_plan_for_january_is_checked_without_the_next_years_calendar(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    code, plan_id, _ = await body_and_plan(client)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE plans SET filed_on = :f, starts_on = :s, ends_on = :s WHERE id = :id"),
            {"f": date(2026, 12, 7), "s": date(2027, 1, 15), "id": plan_id},
        )
        await conn.execute(
            text("UPDATE bodies SET valid_to = :t WHERE code = :c"), {"t": date(2028, 1, 1), "c": code}
        )
    r = await client.post(
        f"/v1/plans/{plan_id}/batch-check", json=check(code, evaluation_date="2027-01-15"), headers=SERVICE
    )
    assert r.status_code == 200, r.text


async def test_two_withdrawals_at_once_withdraw_once(client: httpx.AsyncClient) -> None:
    code, plan_id, _ = await body_and_plan(client)

    async def withdraw() -> httpx.Response:
        return await client.post(
            f"/v1/plans/{plan_id}/withdrawal", json={"reason": "考点调整"}, headers=applicant(code)
        )

    results = await asyncio.gather(*(withdraw() for _ in range(6)))
    assert sorted(r.status_code for r in results) == [200] + [409] * 5
    assert all(r.json()["current_state"] == "withdrawn" for r in results if r.status_code == 409)
    listed = await client.get(
        f"/v1/bodies/{code}/plans", params={"status": "withdrawn"}, headers=applicant(code)
    )
    assert listed.json()["total"] == 1

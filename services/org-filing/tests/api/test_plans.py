"""Plans (OF-5, CR-3) over HTTP: timing in working days, scope, validity, the 贯通 mark."""

from __future__ import annotations

from typing import Any

import httpx
from of_factories import TODAY, applicant, city, district, filed_body, guantong_registration, resident_id

from skills_shared.testing import auth_headers
from skills_shared.workdays import add_working_days, latest_filing_date


def person(role: str | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"name": "某人", "id_number": resident_id()}
    if role:
        p["role"] = role
    return p


def plan(**kw: Any) -> dict[str, Any]:
    starts = add_working_days(TODAY, 12)
    base: dict[str, Any] = {
        "name": "2026年第一批电工认定",
        "occupation_code": "6-31-01-03",
        "work_type": "维修电工",
        "levels": [4, 5],
        "starts_on": starts.isoformat(),
        "ends_on": starts.isoformat(),
        "venue": "实训楼",
        "sessions": 2,
        "method": "理论知识考试 + 技能操作考核",
        "candidates": [person(), person()],
        "assessors": [person("考评员")],
        "supervisors": [person("督导员")],
    }
    base.update(kw)
    return base


async def test_plan_in_time_and_scope_is_filed_and_readable_by_the_gateway(client: httpx.AsyncClient) -> None:
    code, _, officer = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.post(f"/v1/bodies/{code}/plans", json=plan(), headers=applicant(code))
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    got = await client.get(f"/v1/plans/{plan_id}", headers=auth_headers("service", sub="gateway"))
    assert got.status_code == 200
    out = got.json()
    assert out["body_code"] == code and out["body_status"] == "active" and out["candidate_count"] == 2
    assert all("*" in c["id_number"] for c in out["candidates"])
    assert (await client.get(f"/v1/plans/{plan_id}", headers=officer)).status_code == 200
    assert (await client.get(f"/v1/plans/{plan_id}", headers=district("09"))).status_code == 403
    assert (await client.get(f"/v1/plans/{plan_id}", headers=auth_headers("citizen"))).status_code == 403
    listed = (await client.get(f"/v1/bodies/{code}/plans", headers=officer)).json()
    assert [p["id"] for p in listed["items"]] == [plan_id]
    assert (listed["page"], listed["page_size"], listed["total"]) == (1, 50, 1)


async def test_late_plan_names_rule_and_dates(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    starts = add_working_days(TODAY, 5)
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        json=plan(starts_on=starts.isoformat(), ends_on=starts.isoformat()),
        headers=applicant(code),
    )
    assert r.status_code == 422
    p = r.json()
    assert p["rule"] == "OF-5" and p["code"] == "plan_filed_late"
    assert p["latest_filing_date"] == latest_filing_date(starts, 10).isoformat()
    assert p["earliest_evaluation_date"] == add_working_days(TODAY, 10).isoformat()
    assert (await client.get(f"/v1/bodies/{code}/plans", headers=applicant(code))).json()["items"] == []


async def test_out_of_scope_plans_are_refused_with_cr3(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(
        client, level_scope="district", place="03", levels=(3, 4, 5), valid_from=TODAY.isoformat()
    )
    for bad in ({"levels": [2, 3]}, {"occupation_code": "4-01-01-01"}, {"work_type": "高压电工"}):
        r = await client.post(f"/v1/bodies/{code}/plans", json=plan(**bad), headers=applicant(code))
        assert r.status_code == 422, bad
        assert (r.json()["rule"], r.json()["code"]) == ("CR-3", "outside_scope")


async def test_guantong_plan_must_say_so(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    registration = guantong_registration(code)
    assert (await client.post("/v1/guantong/bodies", json=registration, headers=city())).status_code == 201
    r = await client.post(
        f"/v1/bodies/{code}/plans", json=plan(is_guantong=True, levels=[3]), headers=applicant(code)
    )
    assert r.status_code == 422 and r.json()["rule"] == "OF-5"
    assert r.json()["errors"][0]["type"] == "guantong_name_missing"
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        json=plan(is_guantong=True, levels=[3], name="2026年贯通评价第一批"),
        headers=applicant(code),
    )
    assert r.status_code == 201, r.text


async def test_only_the_bodys_own_staff_file_its_plans_and_a_suspended_body_cannot(
    client: httpx.AsyncClient,
) -> None:
    code, _, officer = await filed_body(client, valid_from=TODAY.isoformat())
    other, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    assert (
        await client.post(f"/v1/bodies/{code}/plans", json=plan(), headers=applicant(other))
    ).status_code == 403
    await client.post(f"/v1/bodies/{code}/suspension", json={"reason": "检查"}, headers=officer)
    r = await client.post(f"/v1/bodies/{code}/plans", json=plan(), headers=applicant(code))
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "body_not_active"
    assert (r.json()["rule"], r.json()["body_status"]) == ("OF-6", "suspended")


async def test_plan_outside_validity_is_refused(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from="2024-01-01")  # valid until 2026-12-31
    starts = add_working_days(TODAY, 12)
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        json=plan(starts_on=starts.isoformat(), ends_on="2027-01-05"),
        headers=applicant(code),
    )
    assert r.status_code == 422
    assert "outside_validity" in {e["type"] for e in r.json()["errors"]}
    assert r.json()["valid_to"] == "2026-12-31"


async def test_refusals_point_at_the_field(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    starts = add_working_days(TODAY, 3).isoformat()
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        json=plan(starts_on=starts, ends_on=starts, levels=[4], occupation_code="4-01-01-01"),
        headers=applicant(code),
    )
    assert {tuple(e["loc"]) for e in r.json()["errors"]} == {
        ("body", "starts_on"),
        ("body", "occupation_code"),
    }

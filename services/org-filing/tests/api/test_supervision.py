"""Supervision (OF-6) over HTTP: complaints, reproducible 双随机 draws, published results, violations, extension."""

from __future__ import annotations

from datetime import timedelta

import httpx
from of_factories import TODAY, applicant, city, district, filed_body

from org_filing.supervision.rules import draw_inspections
from skills_shared.testing import auth_headers


async def test_complaint_intake_and_handling(client: httpx.AsyncClient) -> None:
    code, _, officer = await filed_body(client, level_scope="district", place="10", levels=(3, 4, 5))
    complaint = {"complainant_name": "王某", "complainant_contact": "13800000000", "content": "收费未公示"}
    assert (await client.post(f"/v1/bodies/{code}/complaints", json=complaint)).status_code == 401
    r = await client.post(f"/v1/bodies/{code}/complaints", json=complaint, headers=auth_headers("citizen"))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["status"] == "received"
    assert [c["id"] for c in (await client.get("/v1/complaints", headers=officer)).json()["items"]] == [cid]
    assert (await client.get("/v1/complaints", headers=district("11"))).json()["items"] == []
    by_body = await client.get(
        "/v1/complaints", params={"body_code": code, "status": "received"}, headers=officer
    )
    assert by_body.json()["total"] == 1
    r = await client.post(
        f"/v1/complaints/{cid}/handling", json={"action": "start", "note": "已受理"}, headers=district("11")
    )
    assert r.status_code == 403
    r = await client.post(
        f"/v1/complaints/{cid}/handling", json={"action": "dismiss", "note": "经查不属实"}, headers=officer
    )
    assert r.status_code == 200 and r.json()["status"] == "unfounded"
    r = await client.post(
        f"/v1/complaints/{cid}/handling", json={"action": "start", "note": "x"}, headers=officer
    )
    assert r.status_code == 409 and r.json()["current_state"] == "unfounded"


async def test_random_inspection_is_reproducible_recorded_and_published(client: httpx.AsyncClient) -> None:
    codes = sorted([(await filed_body(client))[0] for _ in range(5)])
    inspectors = ["insp-3", "insp-1", "insp-2", "insp-4"]
    draw = {
        "title": "2026年第四季度双随机检查",
        "place_code": "00",
        "seed": "2026-Q4-公开种子",
        "bodies_to_draw": 2,
        "inspectors_per_body": 2,
        "inspector_ids": inspectors,
    }
    assert (await client.post("/v1/inspections", json=draw, headers=district("05"))).status_code == 403
    r = await client.post("/v1/inspections", json=draw, headers=city())
    assert r.status_code == 201, r.text
    out = r.json()
    expected = draw_inspections(draw["seed"], codes, inspectors, 2, 2)
    assert [(a["body_code"], tuple(a["inspectors"])) for a in out["assignments"]] == list(
        expected.assignments
    )
    assert out["body_pool"] == codes and out["seed"] == draw["seed"]
    iid = out["id"]

    # not public before publication
    assert (await client.get(f"/v1/inspections/{iid}")).status_code == 404
    r = await client.post(f"/v1/inspections/{iid}/publication", headers=city())
    assert r.status_code == 409 and r.json()["code"] == "results_missing"

    first, second = out["assignments"]
    outsider = next(i for i in inspectors if i not in first["inspectors"])
    r = await client.put(
        f"/v1/inspections/{iid}/results/{first['body_code']}",
        json={"result": "compliant", "findings": "规范"},
        headers=auth_headers("inspector", sub=outsider),
    )
    assert r.status_code == 403
    r = await client.put(
        f"/v1/inspections/{iid}/results/{first['body_code']}",
        json={"result": "compliant", "findings": "规范"},
        headers=auth_headers("inspector", sub=first["inspectors"][0]),
    )
    assert r.status_code == 200, r.text
    r = await client.put(
        f"/v1/inspections/{iid}/results/{second['body_code']}",
        json={"result": "non_compliant", "findings": "考务记录不全"},
        headers=auth_headers("inspector", sub=second["inspectors"][1]),
    )
    assert r.status_code == 200
    r = await client.post(f"/v1/inspections/{iid}/publication", headers=city())
    assert r.status_code == 200 and r.json()["status"] == "published"
    public = await client.get(f"/v1/inspections/{iid}")
    assert public.status_code == 200
    assert {a["result"] for a in public.json()["assignments"]} == {"compliant", "non_compliant"}
    assert [i["id"] for i in (await client.get("/v1/inspections")).json()["items"]] == [iid]
    assert (await client.get("/v1/inspections", params={"district_code": "07"})).json()["total"] == 0
    # non-compliance became a violation on the body's record
    v = await client.get(f"/v1/bodies/{second['body_code']}/violations", headers=city())
    assert [x["source"] for x in v.json()["items"]] == ["inspection"]
    r = await client.put(
        f"/v1/inspections/{iid}/results/{first['body_code']}",
        json={"result": "non_compliant", "findings": "改"},
        headers=city(),
    )
    assert r.status_code == 409 and r.json()["current_state"] == "published"


async def test_draw_larger_than_the_pool_is_refused(client: httpx.AsyncClient) -> None:
    await filed_body(client)
    draw = {
        "title": "t",
        "place_code": "00",
        "seed": "s",
        "bodies_to_draw": 2,
        "inspectors_per_body": 1,
        "inspector_ids": ["a"],
    }
    r = await client.post("/v1/inspections", json=draw, headers=city())
    assert r.status_code == 422 and r.json()["rule"] == "OF-6"


async def test_violation_with_suspension_suspends_the_body(client: httpx.AsyncClient) -> None:
    code, _, officer = await filed_body(client)
    r = await client.post(
        f"/v1/bodies/{code}/violations",
        json={"found_on": "2026-11-20", "description": "超范围评价", "action": "suspension"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert (await client.get(f"/v1/bodies/{code}")).json()["status"] == "suspended"
    assert (await client.get(f"/v1/bodies/{code}/violations", headers=applicant(code))).json()["total"] == 1


async def test_three_clean_years_extend_validity_once(client: httpx.AsyncClient) -> None:
    today = TODAY
    valid_from = (today.replace(year=today.year - 3) + timedelta(days=30)).isoformat()
    clean, _, officer = await filed_body(client, valid_from=valid_from)
    before = (await client.get(f"/v1/bodies/{clean}")).json()["valid_to"]
    r = await client.post(f"/v1/bodies/{clean}/extension", headers=officer)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["extended"] is True
    assert after["valid_to"] == str(int(before[:4]) + 3) + before[4:]
    again = await client.post(f"/v1/bodies/{clean}/extension", headers=officer)
    assert again.status_code == 422 and again.json()["rule"] == "OF-6"
    assert {e["type"] for e in again.json()["errors"]} == {"not_extended_before", "window"}

    complained, _, _ = await filed_body(client, valid_from=valid_from)
    await client.post(
        f"/v1/bodies/{complained}/complaints",
        headers=auth_headers("citizen"),
        json={"complainant_name": "某", "complainant_contact": "x", "content": "投诉"},
    )
    r = await client.post(f"/v1/bodies/{complained}/extension", headers=officer)
    assert r.status_code == 422 and [e["type"] for e in r.json()["errors"]] == ["no_complaints"]

    young, _, _ = await filed_body(client, valid_from=today.isoformat())
    r = await client.post(f"/v1/bodies/{young}/extension", headers=officer)
    assert r.status_code == 422 and [e["type"] for e in r.json()["errors"]] == ["window"]

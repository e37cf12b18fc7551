"""Batch creation and result upload over HTTP: CR-3 scope, CR-8 panels, one 422 for every bad row, bulk speed."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.testdata import bad_checksum, random_ids
from certificate_registry.testkit import CITY_BODY, DISTRICT_BODY, OCCUPATION, Registry, candidate
from skills_shared.validators import resident_id_gender


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def _batch(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "body_code": DISTRICT_BODY,
        "plan_ref": "P-1",
        **OCCUPATION,
        "work_type": "维修电工",
        "level": 4,
        "evaluation_date": "2025-09-20",
        "method": "examination",
    }
    body.update(overrides)
    return body


async def test_batch_creation_respects_scope(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    staff = registry.staff()
    cases: list[tuple[dict[str, Any], str, str]] = [
        (_batch(level=2), "level_out_of_scope", "CR-3"),
        (_batch(occupation_code="4-01-01-02"), "occupation_out_of_scope", "CR-3"),
        (_batch(work_type="高压电工"), "work_type_out_of_scope", "CR-3"),
        (_batch(evaluation_date="2028-03-01"), "issuer_out_of_validity", "CR-3"),
        (_batch(guantong=True, method="examination", level=3), "method_not_allowed", "CR-9"),
    ]
    for body, code, rule in cases:
        response = await client.post("/v1/batches", json=body, headers=staff)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == code and response.json()["rule"] == rule
    unknown = await client.post(
        "/v1/batches", json=_batch(body_code="S000050070009"), headers=registry.staff("S000050070009")
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "body_code"]
    foreign = await client.post("/v1/batches", json=_batch(), headers=registry.staff("S000050070009"))
    assert foreign.status_code == 403
    absurd = await client.post("/v1/batches", json=_batch(evaluation_date="9999-12-31"), headers=staff)
    assert absurd.status_code == 422 and absurd.json()["errors"][0]["loc"] == ["body", "evaluation_date"]
    await registry.put_issuer(status="suspended")
    suspended = await client.post("/v1/batches", json=_batch(), headers=staff)
    assert suspended.status_code == 422 and suspended.json()["code"] == "issuer_not_active"
    assert await _count(engine, "batches") == 0


async def test_one_422_lists_every_bad_row_and_stores_nothing(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    good = candidate(1)
    rows = [
        good,
        candidate(2, id_number=bad_checksum(str(candidate(2)["id_number"]))),
        {**candidate(3), "id_number": good["id_number"]},
        candidate(4, gender="女"),
        candidate(5, scores={"theory": 75}),
        candidate(6, name=""),
        candidate(7, id_number="50010620991301001X"),
    ]
    response = await registry.upload(batch_id, rows)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_results"
    locs = {tuple(e["loc"]) for e in problem["errors"]}
    assert locs == {
        ("body", "candidates", 1, "id_number"),
        ("body", "candidates", 2, "id_number"),
        ("body", "candidates", 3, "gender"),
        ("body", "candidates", 4, "scores", "skill"),
        ("body", "candidates", 5, "name"),
        ("body", "candidates", 6, "id_number"),
    }
    typed = await registry.upload(batch_id, [candidate(1, scores={"theory": "75", "skill": 80.5})])
    assert typed.status_code == 422 and typed.json()["errors"][0]["loc"][:3] == ["body", "candidates", 0]
    assert await _count(engine, "candidates") == 0
    assert (await registry.upload(batch_id, [good])).status_code == 200
    other_body = await client.put(
        f"/v1/batches/{batch_id}/results",
        json={"candidates": [good]},
        headers=registry.staff("S000050070009"),
    )
    assert other_body.status_code == 403
    await client.post(f"/v1/batches/{batch_id}/publicity", headers=registry.staff())
    late = await registry.upload(batch_id, [good])
    assert late.status_code == 409 and late.json()["rule"] == "CR-4"


async def test_guantong_panel_is_judged_by_cr8(registry: Registry, client: httpx.AsyncClient) -> None:
    await registry.put_issuer(CITY_BODY)
    batch_id = await registry.create_batch(CITY_BODY, level=2, method="panel_review", guantong=True)
    panel_pass = {"theory": [60, 61, 59], "skill": [100, 100, 0], "comprehensive": [61, 61, 58]}
    panel_fail_share = {**panel_pass, "skill": [59, 59, 100]}
    panel_fail_mean = {**panel_pass, "theory": [60, 60, 0]}
    rows = [
        {**candidate(i), "scores": {}, "panel": panel}
        for i, panel in enumerate([panel_pass, panel_fail_share, panel_fail_mean])
    ]
    response = await registry.upload(batch_id, rows, CITY_BODY)
    assert response.status_code == 200, response.text
    assert response.json()["passed_count"] == 1
    await registry.publicise_and_approve(batch_id, CITY_BODY)
    issued = await registry.issue(batch_id, CITY_BODY)
    assert issued.status_code == 201 and issued.json()["issued_count"] == 1
    assert issued.json()["first_number"] == f"{CITY_BODY}252000001"
    assessment = await registry.create_batch(CITY_BODY, level=3, method="assessment", guantong=True)
    skill_only = [{**candidate(9), "scores": {}, "panel": {"skill": [70, 70, 70]}}]
    assert (await registry.upload(assessment, skill_only, CITY_BODY)).status_code == 200


async def test_ten_thousand_candidates_in_one_upload(registry: Registry, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    rows = [
        {
            "name": f"考生{i}",
            "id_number": id_number,
            "gender": "男" if resident_id_gender(id_number) == "M" else "女",
            "scores": {"theory": 60 + i % 40, "skill": 55 + i % 45},
        }
        for i, id_number in enumerate(random_ids(10_000))
    ]
    response = await registry.upload(batch_id, rows)
    assert response.status_code == 200, response.text[:500]
    expected_pass = sum(1 for i in range(10_000) if 55 + i % 45 >= 60)
    assert response.json() == {"batch_id": batch_id, "candidate_count": 10_000, "passed_count": expected_pass}
    assert await _count(engine, "candidates") == 10_000
    await registry.publicise_and_approve(batch_id)
    issued = await registry.issue(batch_id)
    assert issued.status_code == 201 and issued.json()["issued_count"] == expected_pass
    assert issued.json()["last_number"].endswith(f"{expected_pass:06d}")
    assert await _count(engine, "certificates") == expected_pass


async def test_hostile_bodies(registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    huge = b'{"candidates": [' + b",".join([b'{"name": "' + b"x" * 1000 + b'"}'] * 21_000) + b"]}"
    too_big = await client.put(
        f"/v1/batches/{batch_id}/results",
        content=huge,
        headers={**registry.staff(), "Content-Type": "application/json"},
    )
    assert too_big.status_code == 413
    nul = await client.put(
        f"/v1/batches/{batch_id}/results",
        content=b'{"candidates": [{"name": "a\\u0000b"}]}',
        headers={**registry.staff(), "Content-Type": "application/json"},
    )
    assert nul.status_code == 422
    many = await registry.upload(batch_id, [candidate(1)] * 10_001)
    assert many.status_code == 422
    assert await _count(engine, "candidates") == 0

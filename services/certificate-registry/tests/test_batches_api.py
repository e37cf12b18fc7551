"""Result upload over HTTP: one 422 for every bad row, CR-4 order, CR-8 panels, CR-9 titles once, bulk size."""

from __future__ import annotations

from datetime import timedelta

import httpx
from registry_testdata import bad_checksum, random_ids
from registry_testkit import CITY_BODY, EVALUATION_DAY, TITLE, YEAR, Registry, candidate, person_name
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.validators import resident_id_gender


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_one_422_lists_every_bad_row_and_stores_nothing(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    good = candidate(1)
    rows = [
        good,
        candidate(2, id_number=bad_checksum(str(candidate(2)["id_number"]))),
        candidate(3, name="张\u200d三"),
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
        ("body", "candidates", 2, "name"),
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
    registry.on(EVALUATION_DAY + timedelta(days=2))
    await client.post(f"/v1/batches/{batch_id}/publicity", headers=registry.staff())
    late = await registry.upload(batch_id, [good])
    assert late.status_code == 409 and late.json()["rule"] == "CR-4"
    assert (late.json()["code"], late.json()["current_state"]) == ("illegal_state", "publicity")


async def test_results_and_publicity_wait_for_the_evaluation(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """CR-4 (seed 001 二(四) 2→3): an evaluation dated in the future has no results and no publicity yet."""
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    registry.on(EVALUATION_DAY - timedelta(days=1))
    early = await client.put(
        f"/v1/batches/{batch_id}/results", json={"candidates": [candidate(1)]}, headers=registry.staff()
    )
    assert early.status_code == 409
    problem = early.json()
    assert (problem["rule"], problem["code"]) == ("CR-4", "evaluation_not_held")
    assert problem["earliest_date"] == EVALUATION_DAY.isoformat()
    assert EVALUATION_DAY.isoformat() in problem["detail"]
    assert await _count(engine, "candidates") == 0
    registry.on(EVALUATION_DAY)
    on_the_day = await client.put(
        f"/v1/batches/{batch_id}/results", json={"candidates": [candidate(1)]}, headers=registry.staff()
    )
    assert on_the_day.status_code == 200, on_the_day.text
    registry.on(EVALUATION_DAY - timedelta(days=1))
    publicity = await client.post(f"/v1/batches/{batch_id}/publicity", headers=registry.staff())
    assert publicity.status_code == 409 and publicity.json()["code"] == "evaluation_not_held"
    batch = await client.get(f"/v1/batches/{batch_id}", headers=registry.staff())
    assert batch.json()["status"] == "draft" and batch.json()["publicity_starts"] is None


INTERMEDIATE = {"level": "intermediate", "specialty": "电气工程", "related_work_years": 6}


async def test_guantong_panel_is_judged_by_cr8(registry: Registry, client: httpx.AsyncClient) -> None:
    await registry.put_issuer(CITY_BODY)
    batch_id = await registry.create_batch(CITY_BODY, level=2, method="panel_review", guantong=True)
    panel_pass = {"theory": [60, 61, 59], "skill": [100, 100, 0], "comprehensive": [61, 61, 58]}
    panel_fail_share = {**panel_pass, "skill": [59, 59, 100]}
    panel_fail_mean = {**panel_pass, "theory": [60, 60, 0]}
    rows = [
        {**candidate(i), "scores": {}, "panel": panel, "title": INTERMEDIATE}
        for i, panel in enumerate([panel_pass, panel_fail_share, panel_fail_mean])
    ]
    response = await registry.upload(batch_id, rows, CITY_BODY)
    assert response.status_code == 200, response.text
    assert response.json()["passed_count"] == 1
    await registry.publicise_and_approve(batch_id, CITY_BODY)
    issued = await registry.issue(batch_id, CITY_BODY)
    assert issued.status_code == 201 and issued.json()["issued_count"] == 1
    assert issued.json()["first_number"] == f"{CITY_BODY}{YEAR}2000001"


async def test_guantong_assessment_is_scored_by_assessors(registry: Registry) -> None:
    """Seed 002 六(三): 高级工 by 考核评价 is a skill-operation score by assessors, not a 3-expert panel."""
    await registry.put_issuer(CITY_BODY)
    batch_id = await registry.create_batch(CITY_BODY, level=3, method="assessment", guantong=True)
    skill_only = [
        {**candidate(1), "scores": {"skill": 72}, "title": TITLE},
        {**candidate(2), "scores": {"skill": 59}, "title": TITLE},
    ]
    uploaded = await registry.upload(batch_id, skill_only, CITY_BODY)
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["passed_count"] == 1
    panel = [{**candidate(3), "scores": {}, "panel": {"skill": [70, 70, 70]}, "title": TITLE}]
    refused = await registry.upload(batch_id, panel, CITY_BODY)
    assert refused.status_code == 422
    assert {tuple(e["loc"][3:]) for e in refused.json()["errors"]} == {("panel",), ("scores", "skill")}


async def test_a_guantong_row_carries_the_title_that_allows_its_level(
    registry: Registry, engine: AsyncEngine
) -> None:
    """CR-9 (seed 002 二): the title held decides the level; the refusal cites CR-9 and says what would do."""
    await registry.put_issuer(CITY_BODY)
    batch_id = await registry.create_batch(CITY_BODY, level=2, method="panel_review", guantong=True)
    panel = {"theory": [70, 70, 70], "skill": [70, 70, 70], "comprehensive": [70, 70, 70]}
    promoted = {**TITLE, "skill_level_held": 3, "skill_level_years": 2, "related_work_years": 4}
    rows = [
        {**candidate(1), "scores": {}, "panel": panel, "title": INTERMEDIATE},
        {**candidate(2), "scores": {}, "panel": panel, "title": TITLE},  # 助理级 → 高级工 only
        {**candidate(3), "scores": {}, "panel": panel},  # no title at all
        {**candidate(4), "scores": {}, "panel": panel, "title": promoted},  # 二(二) promotion → 技师
        # a specialty the body's 贯通 registration does not map to 电工 (OF-8, seed 002 七(一))
        {**candidate(6), "scores": {}, "panel": panel, "title": {**INTERMEDIATE, "specialty": "机械工程"}},
    ]
    refused = await registry.upload(batch_id, rows, CITY_BODY)
    assert refused.status_code == 422
    problem = refused.json()
    assert (problem["rule"], problem["code"]) == ("CR-9", "invalid_results")
    assert [e["loc"] for e in problem["errors"]] == [
        ["body", "candidates", 1, "title"],
        ["body", "candidates", 2, "title"],
        ["body", "candidates", 4, "title"],
    ]
    assert "满4年" in problem["errors"][0]["msg"] and "电气工程" in problem["errors"][2]["msg"]
    assert await _count(engine, "candidates") == 0
    ok = await registry.upload(batch_id, [rows[0], rows[3]], CITY_BODY)
    assert ok.status_code == 200, ok.text
    ordinary = await registry.create_batch(CITY_BODY, level=4)
    stray = await registry.upload(ordinary, [{**candidate(5), "title": TITLE}], CITY_BODY)
    assert stray.status_code == 422 and stray.json()["errors"][0]["loc"][-1] == "title"


async def test_ten_thousand_candidates_in_one_upload(registry: Registry, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    rows = [
        {
            "name": person_name(i),
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

"""Issue 20 item 10 in the registry: a count, level, score, flag or date of the wrong JSON type is a 422 naming the
field, never coerced (``true`` is not 1, ``"4"`` not 4, ``0`` not 1970-01-01), and nothing is stored; every
candidate name passes the suite's one name check."""

from __future__ import annotations

from typing import Any

import pytest
from registry_testkit import DISTRICT_BODY, TITLE, Registry, candidate, issuer_payload
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.testing import auth_headers

SERVICE = auth_headers("service", sub="org-filing")
EPOCH_2026 = 1_767_225_600
"""2026-01-01 as Unix seconds: pydantic's lax date took it for that day."""


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("level", True),
        ("level", "4"),
        ("guantong", 1),
        ("guantong", "false"),
        ("evaluation_date", EPOCH_2026),
        ("evaluation_date", True),
        ("evaluation_date", "20261228"),
        ("plan_id", True),
    ],
)
async def test_a_batch_field_of_the_wrong_type_is_named(
    registry: Registry, engine: AsyncEngine, field: str, value: Any
) -> None:
    await registry.put_issuer()
    body = {**registry.batch_body(), "plan_id": 1, field: value}
    response = await registry.client.post("/v1/batches", json=body, headers=registry.staff())
    assert response.status_code == 422, response.text
    assert ["body", field] in [e["loc"][:2] for e in response.json()["errors"]]
    assert await _count(engine, "batches") == 0


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"valid_from": EPOCH_2026}, ["body", "valid_from"]),
        ({"valid_to": True}, ["body", "valid_to"]),
        (
            {"scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [True, 4]}]},
            ["body", "scope", 0, "levels", 0],
        ),
        (
            {"scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": ["4"]}]},
            ["body", "scope", 0, "levels", 0],
        ),
    ],
)
async def test_an_issuer_field_of_the_wrong_type_is_named(
    registry: Registry, engine: AsyncEngine, change: dict[str, Any], loc: list[Any]
) -> None:
    await registry.file_body()
    response = await registry.client.put(
        f"/v1/issuers/{DISTRICT_BODY}", json={**issuer_payload(), **change}, headers=SERVICE
    )
    assert response.status_code == 422, response.text
    assert loc in [e["loc"] for e in response.json()["errors"]]
    assert await _count(engine, "issuers") == 0


@pytest.mark.parametrize(
    ("row", "loc"),
    [
        (candidate(1, scores={"theory": True, "skill": 80}), ["scores", "theory"]),
        (candidate(1, scores={"theory": "75", "skill": 80}), ["scores", "theory"]),
        (candidate(1, title={**TITLE, "related_work_years": True}), ["title", "related_work_years"]),
        (candidate(1, title={**TITLE, "related_work_years": "5"}), ["title", "related_work_years"]),
        (candidate(1, title={**TITLE, "front_line": 1}), ["title", "front_line"]),
        (candidate(1, name="张\u202e三"), ["name"]),
        (candidate(1, name="张\u200d三"), ["name"]),
        (candidate(1, name="Ｚhang"), ["name"]),
        (candidate(1, name="张\u3000三"), ["name"]),
        (candidate(1, name="张三😀"), ["name"]),
    ],
)
async def test_a_result_row_of_the_wrong_type_or_name_is_named(
    registry: Registry, engine: AsyncEngine, row: dict[str, Any], loc: list[str]
) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    response = await registry.upload(batch_id, [candidate(0), row])
    assert response.status_code == 422, response.text
    assert ["body", "candidates", 1, *loc] in [e["loc"][: 3 + len(loc)] for e in response.json()["errors"]]
    assert await _count(engine, "candidates") == 0


async def test_an_objection_names_its_candidate_by_an_integer(registry: Registry) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    for value in (True, "1"):
        response = await registry.client.post(
            f"/v1/batches/{batch_id}/objections",
            json={"candidate_id": value, "reason": "该考生未实际参加技能操作考核"},
            headers=auth_headers("citizen", sub="c-1"),
        )
        assert response.status_code == 422, response.text
        assert ["body", "candidate_id"] in [e["loc"][:2] for e in response.json()["errors"]]

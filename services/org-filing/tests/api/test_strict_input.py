"""Strict types and one name validator on org-filing's inputs (issue 20, item 10): a boolean is not a count, a
string is not a number, a number is not a date, and a name with invisible or look-alike characters is refused,
each with a 422 naming the field, and nothing stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from of_factories import TODAY, applicant, city, filed_body, resident_id
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.workdays import add_working_days


def plan(**over: Any) -> dict[str, Any]:
    starts = add_working_days(TODAY, 12).isoformat()
    body: dict[str, Any] = {
        "name": "2026年第一批电工认定",
        "occupation_code": "6-31-01-03",
        "work_type": "维修电工",
        "levels": [4, 5],
        "starts_on": starts,
        "ends_on": starts,
        "venue": "实训楼",
        "sessions": 2,
        "method": "理论知识考试 + 技能操作考核",
        "candidates": [{"name": "张三", "id_number": resident_id()}],
        "assessors": [{"name": "李四", "id_number": resident_id(), "role": "考评员"}],
        "supervisors": [{"name": "王五", "id_number": resident_id(), "role": "督导员"}],
    }
    body.update(over)
    return body


BAD_PLANS = {
    "sessions as a boolean": ({"sessions": True}, ["body", "sessions"]),
    "sessions as a string": ({"sessions": "2"}, ["body", "sessions"]),
    "a level as a boolean": ({"levels": [True]}, ["body", "levels", 0]),
    "a start as a number": ({"starts_on": 0}, ["body", "starts_on"]),
    "the guantong mark as a number": ({"is_guantong": 1}, ["body", "is_guantong"]),
    "a zero-width joiner in a name": (
        {"candidates": [{"name": "张\u200d三", "id_number": resident_id()}]},
        ["body", "candidates", 0, "name"],
    ),
    "a right-to-left override in a name": (
        {"assessors": [{"name": "\u202e李四", "id_number": resident_id(), "role": "考评员"}]},
        ["body", "assessors", 0, "name"],
    ),
    "full-width Latin in a name": (
        {"supervisors": [{"name": "ＡＢＣ", "id_number": resident_id(), "role": "督导员"}]},
        ["body", "supervisors", 0, "name"],
    ),
    "an ideographic space in a name": (
        {"candidates": [{"name": "张\u3000三", "id_number": resident_id()}]},
        ["body", "candidates", 0, "name"],
    ),
    "an emoji in a name": (
        {"candidates": [{"name": "张三😀", "id_number": resident_id()}]},
        ["body", "candidates", 0, "name"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PLANS))
async def test_a_plan_with_a_loose_value_is_refused_naming_the_field(
    client: httpx.AsyncClient, engine: AsyncEngine, case: str
) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    over, loc = BAD_PLANS[case]
    response = await client.post(f"/v1/bodies/{code}/plans", json=plan(**over), headers=applicant(code))
    assert response.status_code == 422, response.text
    assert loc in [e["loc"] for e in response.json()["errors"]], response.text
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM plans"))).scalar_one() == 0


@pytest.mark.parametrize(
    ("field", "value"), [("min_total", True), ("min_years", "3"), ("min_per_occupation", 1.0)]
)
async def test_thresholds_take_whole_numbers_only(client: httpx.AsyncClient, field: str, value: Any) -> None:
    body: dict[str, Any] = {"min_years": 3, "min_total": 100, "min_per_occupation": 10, field: value}
    response = await client.put("/v1/districts/11/thresholds", json=body, headers=city())
    assert response.status_code == 422, response.text
    assert ["body", field] in [e["loc"] for e in response.json()["errors"]]

"""Every bulk write of org-filing refuses a repeated row with a 422 naming both rows, and stores nothing
(issue 20, item 4): a property test over the plan's three people lists, a body's scope lines, a 贯通
registration's mappings and staff, and the inspectors of a random inspection."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from of_factories import TODAY, applicant, city, credit_code, filed_body, guantong_registration, resident_id
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.duplicates import find_repeats
from skills_shared.workdays import add_working_days

TABLES = ("plans", "body_scopes", "guantong_bodies", "inspections")
CODES = ["6-31-01-03", "4-10-01-05", "6-18-02-01", "4-01-02-03"]


@dataclass(frozen=True)
class Bulk:
    """One bulk list of one route: how to make a row, the row's key, how to repeat a key, and the request."""

    row: st.SearchStrategy[dict[str, Any]]
    key: Callable[[dict[str, Any]], Hashable]
    repeat: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    field: str
    member: str | None
    request: Callable[[str, list[Any]], tuple[str, str, dict[str, Any], dict[str, str]]]


def _person(role: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda: {"name": "某人", "id_number": resident_id(), "role": role})


def _same_id(row: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
    return {**row, "id_number": earlier["id_number"]}


def _plan(field: str) -> Callable[[str, list[Any]], tuple[str, str, dict[str, Any], dict[str, str]]]:
    def request(code: str, rows: list[Any]) -> tuple[str, str, dict[str, Any], dict[str, str]]:
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
            "candidates": [{"name": "某人", "id_number": resident_id()}],
            "assessors": [{"name": "某人", "id_number": resident_id(), "role": "考评员"}],
            "supervisors": [{"name": "某人", "id_number": resident_id(), "role": "督导员"}],
        }
        body[field] = rows
        return "POST", f"/v1/bodies/{code}/plans", body, applicant(code)

    return request


SCOPE_LINE = st.builds(
    lambda code, levels: {"occupation_code": code, "occupation_name": "某职业", "levels": levels},
    st.sampled_from(CODES),
    st.sampled_from([[4], [5], [4, 5]]),
)
MAPPING = st.builds(
    lambda level: {
        "occupation_name": "电工",
        "occupation_code": "6-31-01-03",
        "level": level,
        "title_specialties": ["电气工程"],
    },
    st.integers(min_value=1, max_value=3),
)


def _guantong(field: str) -> Callable[[str, list[Any]], tuple[str, str, dict[str, Any], dict[str, str]]]:
    def request(code: str, rows: list[Any]) -> tuple[str, str, dict[str, Any], dict[str, str]]:
        return "POST", "/v1/guantong/bodies", {**guantong_registration(code), field: rows}, city()

    return request


def _inspection(code: str, rows: list[Any]) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    draw = {
        "title": "2026年第四季度双随机检查",
        "place_code": "00",
        "seed": "2026-Q4-公开种子",
        "bodies_to_draw": 1,
        "inspectors_per_body": 1,
        "inspector_ids": rows,
    }
    return "POST", "/v1/inspections", draw, city()


BULKS: dict[str, Bulk] = {
    **{
        f"plan {field}": Bulk(
            _person(role), lambda r: r["id_number"], _same_id, field, "id_number", _plan(field)
        )
        for field, role in (("candidates", "考生"), ("assessors", "考评员"), ("supervisors", "督导员"))
    },
    "scope": Bulk(
        SCOPE_LINE,
        lambda r: r["occupation_code"],
        lambda row, earlier: {**row, "occupation_code": earlier["occupation_code"]},
        "scope",
        "occupation_code",
        lambda code, rows: ("PUT", f"/v1/bodies/{code}/scope", {"scope": rows}, city()),
    ),
    "guantong mappings": Bulk(
        MAPPING,
        lambda r: (r["occupation_code"], r.get("work_type"), r["level"]),
        lambda row, earlier: {**row, "level": earlier["level"]},
        "mappings",
        None,
        _guantong("mappings"),
    ),
    "guantong staff": Bulk(
        st.builds(
            lambda: {
                "name": "某",
                "id_number": resident_id(),
                "title": "主任",
                "education": "本科",
                "duties": "组织",
            }
        ),
        lambda r: r["id_number"],
        _same_id,
        "staff",
        "id_number",
        _guantong("staff"),
    ),
    "inspectors": Bulk(
        st.sampled_from([f"insp-{i}" for i in range(12)]),
        lambda r: r,
        lambda row, earlier: earlier,
        "inspector_ids",
        None,
        _inspection,
    ),
}


@st.composite
def with_duplicate(draw: st.DrawFn) -> tuple[str, list[Any], int, int]:
    """A bulk list and rows in which row ``later`` repeats row ``earlier``'s key (others may repeat too)."""
    name = draw(st.sampled_from(sorted(BULKS)))
    bulk = BULKS[name]
    rows = draw(st.lists(bulk.row, min_size=2, max_size=6))
    earlier = draw(st.integers(min_value=0, max_value=len(rows) - 2))
    later = draw(st.integers(min_value=earlier + 1, max_value=len(rows) - 1))
    rows[later] = bulk.repeat(rows[later], rows[earlier])
    return name, rows, earlier, later


@pytest.fixture
async def body_code(client: httpx.AsyncClient) -> str:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    return code


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {t: (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one() for t in TABLES}


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=with_duplicate())
async def test_every_bulk_write_refuses_a_repeated_row_naming_both(
    client: httpx.AsyncClient, engine: AsyncEngine, body_code: str, case: tuple[str, list[Any], int, int]
) -> None:
    name, rows, earlier, later = case
    bulk = BULKS[name]
    before = await _counts(engine)
    method, path, body, headers = bulk.request(body_code, rows)
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == 422, (name, response.text)
    problem = response.json()
    assert problem["code"] == "duplicate_rows", (name, problem)
    pairs = {tuple(p["rows"]) for p in problem["duplicates"]}
    assert pairs == set(find_repeats(rows, bulk.key))
    assert any(lt == later and bulk.key(rows[e]) == bulk.key(rows[earlier]) for e, lt in pairs)
    tail = [bulk.member] if bulk.member else []
    assert ["body", bulk.field, later, *tail] in [e["loc"] for e in problem["errors"]]
    assert all(e["type"] == "duplicate_rows" for e in problem["errors"])
    assert await _counts(engine) == before


async def test_merging_one_body_twice_names_both_rows(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    merge = {
        "merged_codes": [code, code],
        "district_code": "00",
        "level_scope": "city",
        "name": "重庆市合并后评价中心",
        "credit_code": credit_code(),
        "registered_address": "重庆市江北区",
        "office_address": "重庆市江北区",
        "legal_representative": "周九",
        "scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [1, 2, 3]}],
        "valid_from": "2026-11-01",
    }
    before = await _counts(engine)
    response = await client.post("/v1/bodies/mergers", json=merge, headers=city())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["duplicates"]) == (
        "duplicate_rows",
        [{"rows": [0, 1], "field": "merged_codes", "member": None}],
    )
    assert [e["loc"] for e in problem["errors"]] == [["body", "merged_codes", 1]]
    assert await _counts(engine) == before

"""Issue 20 item 4: every bulk write refuses a repeated key in its input with a 422 naming both rows.

Two entries for one occupation in ``PUT /v1/policies/sh-upgrade/catalogue`` used to reach PostgreSQL as one
upsert and come back as a 500 ("ON CONFLICT DO UPDATE command cannot affect row a second time"). The property
test feeds each bulk route of the service (SH-2 catalogue, CQ-10 amount table, past subsidies) lists in which a
later row repeats an earlier row's key, whatever the other members say, and expects a 422 ``duplicate_rows``
naming both rows, with nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.auth import Role
from skills_shared.duplicates import find_repeats as duplicate_pairs
from skills_shared.testing import auth_headers

CITY = auth_headers(Role.CITY_OFFICER, sub="city-1")
OCCUPATIONS = st.sampled_from(["4-01-02-03", "4-07-01-01", "4-10-01-05", "6-18-02-01", "2-02-07-04"])
WORK_TYPES = st.one_of(st.none(), st.sampled_from(["养老护理员", "网商", "维修电工"]))
LEVELS = st.integers(min_value=1, max_value=5)


@dataclass(frozen=True)
class BulkRoute:
    """A bulk write: how to send rows, which member holds them, how to key a row, which table it fills."""

    method: str
    path: str
    field: str
    row: st.SearchStrategy[dict[str, Any]]
    key: Callable[[dict[str, Any]], Any]
    rekey: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    """``rekey(later, earlier)``: ``later`` with ``earlier``'s key, its other members kept."""
    table: str
    wrap: Callable[[list[dict[str, Any]]], dict[str, Any]]


CATALOGUE_ROW = st.fixed_dictionaries(
    {"occupation_code": OCCUPATIONS, "catalogue_class": st.sampled_from(["A", "B", "C"])},
    optional={"work_type": WORK_TYPES.filter(lambda w: w is not None)},
)
AMOUNT_ROW = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["skill_level", "vocational_qualification", "special_ability"]),
        "level": st.integers(min_value=0, max_value=5),
        "amount_fen": st.integers(min_value=1, max_value=10_000_000),
    }
)
PAST_ROW = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["cq-eval", "cq-jianding", "sh-upgrade", "sh-training"]),
        "occupation_code": OCCUPATIONS,
        "level": LEVELS,
        "year": st.integers(min_value=2015, max_value=2026),
    },
    optional={"as_in_service": st.booleans()},
)


def _copy(*members: str) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    def rekey(later: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in later.items() if k not in members}
        out.update({k: earlier[k] for k in members if k in earlier})
        return out

    return rekey


ROUTES = {
    "catalogue": BulkRoute(
        "PUT",
        "/v1/policies/sh-upgrade/catalogue",
        "entries",
        CATALOGUE_ROW,
        lambda r: (r["occupation_code"], r.get("work_type") or ""),
        _copy("occupation_code", "work_type"),
        "sh_catalogue",
        lambda rows: {"entries": rows},
    ),
    "amount_table": BulkRoute(
        "PUT",
        "/v1/policies/cq-eval/amount-table",
        "amounts",
        AMOUNT_ROW,
        lambda r: (r["kind"], r["level"]),
        _copy("kind", "level"),
        "cq_amount_tables",
        lambda rows: {"version": "渝人社发〔2024〕13号", "amounts": rows},
    ),
    "past_subsidies": BulkRoute(
        "POST",
        "/v1/past-subsidies",
        "subsidies",
        PAST_ROW,
        lambda r: (r["kind"], r["occupation_code"], r.get("work_type") or "", r["level"], r["year"]),
        _copy("kind", "occupation_code", "work_type", "level", "year"),
        "past_subsidies",
        lambda rows: {
            "applicant_id_number": "11010519491231002X",
            "source": "原鉴定补贴台账",
            "subsidies": rows,
        },
    ),
}


@st.composite
def bulk_with_duplicate(draw: st.DrawFn) -> tuple[BulkRoute, list[dict[str, Any]], int, int]:
    """A route and rows in which row ``later`` repeats row ``earlier``'s key (and maybe others do too)."""
    route = ROUTES[draw(st.sampled_from(sorted(ROUTES)))]
    rows = draw(st.lists(route.row, min_size=2, max_size=8))
    earlier = draw(st.integers(min_value=0, max_value=len(rows) - 2))
    later = draw(st.integers(min_value=earlier + 1, max_value=len(rows) - 1))
    rows[later] = route.rekey(rows[later], rows[earlier])
    return route, rows, earlier, later


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=bulk_with_duplicate())
async def test_every_bulk_write_refuses_a_repeated_key_naming_both_rows(
    client: httpx.AsyncClient, engine: AsyncEngine, case: tuple[BulkRoute, list[dict[str, Any]], int, int]
) -> None:
    route, rows, earlier, later = case
    async with engine.connect() as conn:
        before = (await conn.execute(text(f"SELECT count(*) FROM {route.table}"))).scalar_one()
    response = await client.request(route.method, route.path, json=route.wrap(rows), headers=CITY)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "duplicate_rows"
    named = {tuple(e["loc"]) for e in problem["errors"]}
    assert ("body", route.field, later) in named
    pairs = {tuple(p["rows"]) for p in problem["duplicates"]}
    assert pairs == set(duplicate_pairs(rows, route.key))
    first_earlier, first_later = min(pairs, key=lambda p: p[1])
    assert f"第{first_later + 1}项与第{first_earlier + 1}项" in problem["detail"]
    assert any(p[1] == later and rows[p[0]] is not None for p in pairs)  # the repeat names its first row
    assert route.key(rows[earlier]) == route.key(rows[later])
    async with engine.connect() as conn:
        after = (await conn.execute(text(f"SELECT count(*) FROM {route.table}"))).scalar_one()
    assert after == before


async def test_the_catalogue_put_of_the_report_is_a_422_not_a_500(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The attack's exact input: two entries for one occupation code."""
    response = await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={
            "entries": [
                {"occupation_code": "4-01-02-03", "catalogue_class": "A"},
                {"occupation_code": "4-07-01-01", "catalogue_class": "C"},
                {"occupation_code": "4-01-02-03", "catalogue_class": "B"},
            ]
        },
        headers=CITY,
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["rule"]) == ("duplicate_rows", "SH-2")
    message = "第3项与第1项的职业（工种）重复"
    assert problem["errors"] == [{"loc": ["body", "entries", 2], "msg": message, "type": "duplicate_rows"}]
    assert problem["duplicates"] == [{"rows": [0, 2], "field": "entries", "member": None}]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM sh_catalogue"))).scalar_one() == 0
    distinct = await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={
            "entries": [
                {"occupation_code": "4-01-02-03", "catalogue_class": "A"},
                {"occupation_code": "4-01-02-03", "work_type": "网商", "catalogue_class": "B"},
            ]
        },
        headers=CITY,
    )
    assert distinct.status_code == 200 and distinct.json()["rows"] == 2


@given(rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=12))
def test_duplicate_pairs_name_each_repeat_and_its_first_row(rows: list[tuple[int, int]]) -> None:
    pairs = duplicate_pairs(rows, lambda r: r[0])
    assert len(pairs) == len(rows) - len({r[0] for r in rows})
    for earlier, later in pairs:
        assert earlier < later and rows[earlier][0] == rows[later][0]
        assert all(rows[i][0] != rows[earlier][0] for i in range(earlier))

"""Issue 20 item 4: every bulk write of the voucher service refuses a repeated row with a 422 naming both rows.

The property test feeds each list-taking write (the issue list, an institution's sites, a class's sites, the
types of a claim, the vouchers of a settlement, the staff granted redeem permission) lists in which a later row
repeats an earlier row's key, whatever its other members say, and expects one 422 ``duplicate_rows`` whose
``duplicates`` are exactly the repeated pairs, with nothing stored anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Institution, Scenario, holder_id, holder_ids, institution_payload

from skills_shared.reference import VoucherProjectType
from voucher.duplicates import find_repeats

TABLES = (
    "grants",
    "institutions",
    "institution_sites",
    "training_classes",
    "class_sites",
    "vouchers",
    "settlements",
    "settlement_items",
    "redeem_permissions",
    "audit_log",
)
HOLDERS = holder_ids(12, start=700)
DISTRICTS = st.sampled_from(["01", "04", "07", "41"])


@dataclass(frozen=True)
class Setting:
    scenario: Scenario
    inst: Institution
    campaign: int


@dataclass(frozen=True)
class BulkRoute:
    """A bulk write: the list member, a row strategy, the row's key, and how to send a list of rows."""

    field: str
    member: str | None
    row: st.SearchStrategy[Any]
    key: Callable[[Any], Any]
    rekey: Callable[[Any, Any], Any]
    """``rekey(later, earlier)``: ``later`` carrying ``earlier``'s key, its other members kept."""
    send: Callable[[httpx.AsyncClient, Setting, list[Any]], Any]


def _copy(member: str) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    return lambda later, earlier: {**later, member: earlier[member]}


def _same(later: Any, earlier: Any) -> Any:
    return earlier


async def _issue(client: httpx.AsyncClient, s: Setting, rows: list[Any]) -> httpx.Response:
    return await client.post(
        f"/v1/campaigns/{s.campaign}/issues", json={"holders": rows}, headers=s.scenario.city
    )


async def _register(client: httpx.AsyncClient, s: Setting, rows: list[Any]) -> httpx.Response:
    body = institution_payload("5000777", "04", holder_id(777), sites=rows)
    return await client.post("/v1/institutions", json=body, headers=s.scenario.district("04"))


async def _open_class(client: httpx.AsyncClient, s: Setting, rows: list[Any]) -> httpx.Response:
    body = {
        "name": "电工培训班",
        "project_type": "employment_skills",
        "starts_on": "2026-06-01",
        "ends_on": "2026-07-31",
        "site_ids": rows,
    }
    return await client.post(f"/v1/institutions/{s.inst.code}/classes", json=body, headers=s.inst.admin)


async def _claim(client: httpx.AsyncClient, s: Setting, rows: list[Any]) -> httpx.Response:
    return await client.post(
        "/v1/me/vouchers/claims", json={"types": rows}, headers=s.scenario.citizen(HOLDERS[0])
    )


async def _settle(client: httpx.AsyncClient, s: Setting, rows: list[Any]) -> httpx.Response:
    return await client.post("/v1/settlements", json={"voucher_ids": rows}, headers=s.inst.admin)


async def _grant(client: httpx.AsyncClient, s: Setting, rows: list[Any]) -> httpx.Response:
    return await client.post(
        f"/v1/institutions/{s.inst.code}/redeemers", json={"staff_subjects": rows}, headers=s.inst.admin
    )


ROUTES = {
    "issue": BulkRoute(
        "holders",
        "id_number",
        st.fixed_dictionaries({"id_number": st.sampled_from(HOLDERS), "district_code": DISTRICTS}),
        lambda r: r["id_number"],
        _copy("id_number"),
        _issue,
    ),
    "sites": BulkRoute(
        "sites",
        "name",
        st.fixed_dictionaries(
            {
                "name": st.sampled_from(["朝天门教学点", "解放碑教学点", "本部教学楼", "实训车间"]),
                "latitude": st.floats(min_value=29.0, max_value=30.0),
                "longitude": st.floats(min_value=106.0, max_value=107.0),
            }
        ),
        lambda r: r["name"],
        _copy("name"),
        _register,
    ),
    "class_sites": BulkRoute(
        "site_ids", None, st.integers(min_value=1, max_value=30), lambda r: r, _same, _open_class
    ),
    "claim_types": BulkRoute(
        "types", None, st.sampled_from([t.value for t in VoucherProjectType]), lambda r: r, _same, _claim
    ),
    "settlement": BulkRoute(
        "voucher_ids", None, st.integers(min_value=1, max_value=10**6), lambda r: r, _same, _settle
    ),
    "redeemers": BulkRoute(
        "staff_subjects",
        None,
        st.sampled_from(["staff-001", "staff-002", "scanner-9", "11010519491231002X"]),
        lambda r: r,
        _same,
        _grant,
    ),
}


@st.composite
def bulk_with_duplicate(draw: st.DrawFn) -> tuple[BulkRoute, list[Any], int, int]:
    """A route and rows in which row ``later`` repeats row ``earlier``'s key (and maybe others do too)."""
    route = ROUTES[draw(st.sampled_from(sorted(ROUTES)))]
    rows = draw(st.lists(route.row, min_size=2, max_size=8))
    earlier = draw(st.integers(min_value=0, max_value=len(rows) - 2))
    later = draw(st.integers(min_value=earlier + 1, max_value=len(rows) - 1))
    rows[later] = route.rekey(rows[later], rows[earlier])
    return route, rows, earlier, later


@pytest.fixture
async def setting(scenario: Scenario) -> Setting:
    await scenario.price_all_types()
    inst = await scenario.institution("5000701", "04")
    campaign = await scenario.campaign(2026)
    await scenario.issue(campaign, HOLDERS[:1])
    return Setting(scenario, inst, campaign)


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {t: int((await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()) for t in TABLES}


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=bulk_with_duplicate())
async def test_every_bulk_write_refuses_a_repeated_row_naming_both(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    setting: Setting,
    case: tuple[BulkRoute, list[Any], int, int],
) -> None:
    route, rows, earlier, later = case
    before = await _counts(engine)
    response = await route.send(client, setting, rows)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "duplicate_rows"
    pairs = {tuple(p["rows"]) for p in problem["duplicates"]}
    assert pairs == set(find_repeats(rows, route.key))
    # the row made a repeat is named, with the first row that has its key
    assert any(p[1] == later and route.key(rows[p[0]]) == route.key(rows[earlier]) for p in pairs)
    tail = [route.member] if route.member else []
    locs = [e["loc"] for e in problem["errors"]]
    for first, second in pairs:
        assert ["body", route.field, second, *tail] in locs
        assert any(f"第{second + 1}项与第{first + 1}项" in e["msg"] for e in problem["errors"])
    assert await _counts(engine) == before


async def test_the_same_lists_without_the_repeat_are_accepted(
    client: httpx.AsyncClient, setting: Setting
) -> None:
    """The refusals above are about the repeat alone: the de-duplicated lists go through."""
    issued = await _issue(client, setting, [{"id_number": h, "district_code": "04"} for h in HOLDERS[1:4]])
    assert issued.status_code == 201, issued.text
    granted = await _grant(client, setting, ["staff-001", "staff-002"])
    assert granted.status_code == 200 and len(granted.json()["granted"]) == 2
    opened = await _open_class(client, setting, setting.inst.site_ids)
    assert opened.status_code == 201, opened.text
    claimed = await _claim(client, setting, ["employment_skills", "entrepreneurship"])
    assert claimed.status_code == 201, claimed.text

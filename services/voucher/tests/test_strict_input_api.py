"""Issue 20 item 10 and issue 16 item 12 through the API.

Money, counts, identifiers, flags and dates are strict: ``true`` is not 1 fen, ``"150000"`` is not a number and
``0`` is not a date; every personal name goes through the suite's one name check. Each refusal is a 422 naming
the field, and nothing is stored. A campaign whose validity has already ended is not opened (V-4), and the
refusal says which campaign would be accepted instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_id, institution_payload

from skills_shared.clock import SHANGHAI, FixedClock
from skills_shared.testing import auth_headers

CITY = auth_headers("city_officer", "city-1")
ADMIN = auth_headers("institution_admin", holder_id(900_000), institution="5000001")
STAFF = auth_headers("institution_staff", "scanner-1", institution="5000001")
CITIZEN = auth_headers("citizen", holder_id(1))
DISTRICT = auth_headers("district_officer", "district-04", district="04")
COUNTED = ("campaigns", "grants", "institutions", "training_classes", "vouchers", "settlements", "audit_log")

BAD: list[tuple[str, str, dict[str, str], dict[str, Any], list[str | int]]] = [
    ("PUT", "/v1/voucher-types/entrepreneurship", CITY, {"face_value_fen": True}, ["face_value_fen"]),
    ("PUT", "/v1/voucher-types/entrepreneurship", CITY, {"face_value_fen": "150000"}, ["face_value_fen"]),
    ("PUT", "/v1/voucher-types/entrepreneurship", CITY, {"face_value_fen": 1.5}, ["face_value_fen"]),
    ("PUT", "/v1/voucher-types/entrepreneurship", CITY, {"face_value_fen": 100, "active": 1}, ["active"]),
    ("POST", "/v1/lapse-runs", CITY, {"as_of": 0}, ["as_of"]),
    ("POST", "/v1/lapse-runs", CITY, {"as_of": True}, ["as_of"]),
    ("POST", "/v1/lapse-runs", CITY, {"as_of": "20260601"}, ["as_of"]),
    ("POST", "/v1/campaigns", CITY, {"year": "2026", "kind": "annual", "name": "x"}, ["year"]),
    ("POST", "/v1/campaigns", CITY, {"year": True, "kind": "annual", "name": "x"}, ["year"]),
    (
        "POST",
        "/v1/campaigns",
        CITY,
        {"year": 2026, "kind": "annual", "name": "x", "valid_until": 0},
        ["valid_until"],
    ),
    (
        "POST",
        "/v1/settlements",
        ADMIN,
        {"voucher_ids": [1], "claimed_amount_fen": True},
        ["claimed_amount_fen"],
    ),
    ("POST", "/v1/settlements", ADMIN, {"voucher_ids": ["1"]}, ["voucher_ids", 0]),
    ("POST", "/v1/settlements", ADMIN, {"voucher_ids": [True]}, ["voucher_ids", 0]),
    ("POST", "/v1/settlements/1/decision", DISTRICT, {"approve": 1}, ["approve"]),
    (
        "POST",
        "/v1/settlements/1/decision",
        DISTRICT,
        {"approve": True, "approved_amount_fen": True},
        ["approved_amount_fen"],
    ),
    ("POST", "/v1/classes/1/completions", ADMIN, {"voucher_id": 1, "completed": "true"}, ["completed"]),
    ("POST", "/v1/classes/1/completions", ADMIN, {"voucher_id": True, "completed": True}, ["voucher_id"]),
    ("POST", "/v1/classes/1/check-ins", CITIZEN, {"latitude": True, "longitude": 106.5}, ["latitude"]),
    ("POST", "/v1/classes/1/check-ins", CITIZEN, {"latitude": "29.5", "longitude": 106.5}, ["latitude"]),
    ("POST", "/v1/redemptions", STAFF, {"token": "VQ1.x", "class_id": "7"}, ["class_id"]),
    (
        "POST",
        "/v1/institutions/5000001/classes",
        ADMIN,
        {
            "name": "班",
            "project_type": "employment_skills",
            "starts_on": 20260601,
            "ends_on": "2026-07-01",
            "site_ids": [1],
        },
        ["starts_on"],
    ),
    (
        "POST",
        "/v1/institutions/5000001/classes",
        ADMIN,
        {
            "name": "班",
            "project_type": "employment_skills",
            "starts_on": "2026-06-01",
            "ends_on": "2026-07-01",
            "site_ids": [True],
        },
        ["site_ids", 0],
    ),
]


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {t: int((await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()) for t in COUNTED}


@pytest.mark.parametrize(("method", "path", "headers", "body", "field"), BAD)
async def test_loose_values_are_refused_naming_the_field(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    clock: FixedClock,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    field: list[str | int],
) -> None:
    before = await _counts(engine)
    r = await client.request(method, path, json=body, headers={**headers, "Idempotency-Key": "strict-1"})
    assert r.status_code == 422, r.text
    assert any(e["loc"][: len(field) + 1] == ["body", *field] for e in r.json()["errors"]), r.json()
    assert await _counts(engine) == before


NAMES = {
    "rtl_override": "王\u202e专员",
    "zero_width_joiner": "王\u200d专员",
    "fullwidth_latin": "ＷＡＮＧ",
    "ideographic_space": "王\u3000专员",
    "emoji": "王专员😀",
    "digits": "王专员1",
}


@pytest.mark.parametrize("name", sorted(NAMES))
async def test_personal_names_go_through_the_one_name_check(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine, name: str
) -> None:
    before = await _counts(engine)
    created = await client.post(
        "/v1/institutions",
        json=institution_payload("5000901", "04", holder_id(901), admin_name=NAMES[name]),
        headers=scenario.district("04"),
    )
    assert created.status_code == 422, created.text
    assert [e["loc"] for e in created.json()["errors"]] == [["body", "admin_name"]]
    assert created.json()["errors"][0]["type"].startswith("person_name_")
    assert await _counts(engine) == before
    inst = await scenario.institution("5000902", "04")
    changed = await client.patch(
        f"/v1/institutions/{inst.code}",
        json={"admin_name": NAMES[name], "admin_id_number": holder_id(902)},
        headers=scenario.district("04"),
    )
    assert changed.status_code == 422 and changed.json()["errors"][0]["loc"] == ["body", "admin_name"]


async def test_real_names_pass(client: httpx.AsyncClient, scenario: Scenario) -> None:
    for i, name in enumerate(["王晓燕", "阿卜杜·热合曼", "Anna-Maria O'Neil"]):
        r = await client.post(
            "/v1/institutions",
            json=institution_payload(f"500091{i}", "04", holder_id(910 + i), admin_name=name),
            headers=scenario.district("04"),
        )
        assert r.status_code == 201 and r.json()["admin_name"] == name, r.text


async def test_a_campaign_already_ended_is_not_opened_and_the_refusal_names_the_one_that_would_be(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine, clock: FixedClock
) -> None:
    """Issue 16 item 12: on 7 December 2026 the 2026 campaign (valid to 30 November) is refused, 2027's opens."""
    clock.at = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    before = await _counts(engine)
    ended = await client.post(
        "/v1/campaigns",
        json={"year": 2026, "kind": "annual", "name": "2026年职业培训券"},
        headers=scenario.city,
    )
    problem = ended.json()
    assert (ended.status_code, problem["code"], problem["rule"]) == (422, "campaign_expired", "V-4")
    assert problem["errors"][0]["loc"] == ["body", "year"]
    assert (problem["last_opening_date"], problem["open_year"]) == ("2026-11-30", 2027)
    assert "2027年度" in problem["detail"]
    assert await _counts(engine) == before
    # a validity that ended earlier in a year still open: the refusal gives the range that would pass
    clock.at = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
    early = await client.post(
        "/v1/campaigns",
        json={"year": 2026, "kind": "annual", "name": "2026年职业培训券", "valid_until": "2026-05-31"},
        headers=scenario.city,
    )
    assert early.status_code == 422 and early.json()["errors"][0]["loc"] == ["body", "valid_until"]
    assert (early.json()["earliest_valid_until"], early.json()["latest_valid_until"]) == (
        "2026-06-01",
        "2026-11-30",
    )
    clock.at = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    opened = await scenario.campaign(2027)
    assert opened > 0

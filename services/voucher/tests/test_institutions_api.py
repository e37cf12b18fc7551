"""V-6 through the API: 附件2 fields, scopes, the 专员 and redeem permissions, nothing stored on bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_id, institution_payload

from skills_shared.testing import auth_headers


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_register_institution_with_every_field(client: httpx.AsyncClient, scenario: Scenario) -> None:
    admin = holder_id(77)
    r = await client.post(
        "/v1/institutions", json=institution_payload("5001234", "04", admin), headers=scenario.district("04")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["district_name"] == "渝中区" and body["type_name"] == "民办职业培训学校"
    assert body["admin_id_number"] == admin[:3] + "*" * 11 + admin[-4:]
    assert body["status"] == "active" and len(body["sites"]) == 2
    got = await client.get(
        "/v1/institutions/5001234", headers=auth_headers("institution_staff", "s", institution="5001234")
    )
    assert got.status_code == 200 and got.json()["code"] == "5001234"
    again = await client.post(
        "/v1/institutions", json=institution_payload("5001234", "04", admin), headers=scenario.district("04")
    )
    assert again.status_code == 409 and again.json()["code"] == "institution_exists"


async def test_type_is_optional(client: httpx.AsyncClient, scenario: Scenario) -> None:
    payload = institution_payload("5001235", "04", holder_id(78))
    del payload["type"]
    r = await client.post("/v1/institutions", json=payload, headers=scenario.district("04"))
    assert r.status_code == 201, r.text
    assert r.json()["type"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "500123"}, "code"),
        ({"code": "50012345"}, "code"),
        ({"code": "５００１２３４"}, "code"),
        ({"district_code": "42"}, "district_code"),
        ({"district_code": "00"}, "district_code"),
        ({"phone": "12345"}, "phone"),
        (
            {"admin_id_number": holder_id(5)[:-1] + ("0" if holder_id(5)[-1] != "0" else "1")},
            "admin_id_number",
        ),
        ({"type": "university"}, "type"),
        ({"sites": []}, "sites"),
        ({"sites": [{"name": "x", "latitude": 91, "longitude": 106}]}, "sites"),
        ({"name": ""}, "name"),
        ({"address": None}, "address"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
async def test_bad_institution_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine, change: dict[str, Any], field: str
) -> None:
    payload = {**institution_payload("5001236", "04", holder_id(79)), **change}
    r = await client.post("/v1/institutions", json=payload, headers=scenario.district("04"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(field in e["loc"] for e in r.json()["errors"]), r.json()
    assert await _count(engine, "institutions") == 0
    assert await _count(engine, "institution_sites") == 0
    assert await _count(engine, "audit_log") == 0


async def test_scopes(client: httpx.AsyncClient, scenario: Scenario) -> None:
    r = await client.post(
        "/v1/institutions",
        json=institution_payload("5001237", "04", holder_id(80)),
        headers=scenario.district("05"),
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden_district"
    inst = await scenario.institution("5001237", "04")
    other = await client.get(
        f"/v1/institutions/{inst.code}", headers=auth_headers("institution_staff", "s", institution="5009999")
    )
    assert other.status_code == 403
    listed = await client.get("/v1/institutions", headers=scenario.district("05"))
    assert listed.status_code == 200 and listed.json()["items"] == []
    own = (await client.get("/v1/institutions", headers=scenario.district("04"))).json()
    assert len(own["items"]) == own["total"] == 1
    citizen = await client.get(f"/v1/institutions/{inst.code}", headers=scenario.citizen(holder_id(1)))
    assert citizen.status_code == 403


async def test_designated_admin_grants_and_withdraws_with_audit(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    inst = await scenario.institution("5001238", "04")
    granted = await client.put(f"/v1/institutions/{inst.code}/redeemers/scanner-7", headers=inst.admin)
    assert granted.status_code == 201, granted.text
    again = await client.put(f"/v1/institutions/{inst.code}/redeemers/scanner-7", headers=inst.admin)
    assert again.status_code == 200
    # An institution_admin token for this institution whose subject is not the registered 专员 is refused.
    impostor = auth_headers("institution_admin", holder_id(81), institution=inst.code)
    r = await client.put(f"/v1/institutions/{inst.code}/redeemers/scanner-8", headers=impostor)
    assert r.status_code == 403 and r.json()["rule"] == "V-6"
    staff = await client.put(
        f"/v1/institutions/{inst.code}/redeemers/scanner-8", headers=inst.staff("scanner-7")
    )
    assert staff.status_code == 403
    listed = await client.get(f"/v1/institutions/{inst.code}/redeemers", headers=inst.admin)
    assert [p["staff_subject"] for p in listed.json()["items"]] == ["scanner-7"]
    gone = await client.delete(f"/v1/institutions/{inst.code}/redeemers/scanner-7", headers=inst.admin)
    assert gone.status_code == 204
    missing = await client.delete(f"/v1/institutions/{inst.code}/redeemers/scanner-7", headers=inst.admin)
    assert missing.status_code == 404
    async with engine.connect() as conn:
        actions = (await conn.execute(text("SELECT action FROM audit_log ORDER BY id"))).scalars().all()
    assert actions == ["institution.create", "institution.redeemer.grant", "institution.redeemer.withdraw"]


async def test_change_of_admin_and_status(client: httpx.AsyncClient, scenario: Scenario) -> None:
    inst = await scenario.institution("5001239", "04")
    new_admin = holder_id(82)
    half = await client.patch(
        f"/v1/institutions/{inst.code}", json={"admin_name": "李专员"}, headers=scenario.district("04")
    )
    assert half.status_code == 422
    r = await client.patch(
        f"/v1/institutions/{inst.code}",
        json={"admin_name": "李专员", "admin_id_number": new_admin, "status": "suspended"},
        headers=scenario.district("04"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["admin_name"] == "李专员" and r.json()["status"] == "suspended"
    old = await client.put(f"/v1/institutions/{inst.code}/redeemers/x", headers=inst.admin)
    assert old.status_code == 403
    new = await client.put(
        f"/v1/institutions/{inst.code}/redeemers/x",
        headers=auth_headers("institution_admin", new_admin, institution=inst.code),
    )
    assert new.status_code == 201
    closed = await client.patch(
        f"/v1/institutions/{inst.code}", json={"status": "closed"}, headers=scenario.city
    )
    assert closed.status_code == 200
    reopen = await client.patch(
        f"/v1/institutions/{inst.code}", json={"status": "active"}, headers=scenario.city
    )
    assert reopen.status_code == 409 and reopen.json()["rule"] == "V-6"


async def test_add_site(client: httpx.AsyncClient, scenario: Scenario) -> None:
    inst = await scenario.institution("5001240", "04")
    r = await client.post(
        f"/v1/institutions/{inst.code}/sites",
        json={"name": "江北教学点", "latitude": 29.57, "longitude": 106.57},
        headers=inst.admin,
    )
    assert r.status_code == 201, r.text
    got = await client.get(f"/v1/institutions/{inst.code}", headers=inst.admin)
    assert len(got.json()["sites"]) == 3
    bad = await client.post(
        f"/v1/institutions/{inst.code}/sites",
        json={"name": "x", "latitude": "NaN", "longitude": 106.57},
        headers=inst.admin,
    )
    assert bad.status_code == 422

"""The issuer list over HTTP against real PostgreSQL: idempotent upsert of the v1 contract, CR-2 retirement.

The scope org-filing sends is stored as sent: whether it fits the body's jurisdiction (CR-3) is org-filing's check.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.contracts.v1.registry import IssuerRecord, IssuerSync, example_of
from skills_shared.testing import auth_headers

SERVICE = auth_headers("service", sub="org-filing")
CODE = "S000050070001"


def issuer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "重庆市沙坪坝区某职业技能评价中心",
        "status": "active",
        "scope": [
            {
                "occupation_code": "4-01-01-01",
                "occupation_name": "电工",
                "work_types": ["维修电工"],
                "levels": [3, 4, 5],
            }
        ],
        "level_scope": "district",
        "valid_from": "2025-01-01",
        "valid_to": "2027-12-31",
    }
    body.update(overrides)
    return body


async def _count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_put_creates_then_is_idempotent_and_audited(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    created = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(), headers=SERVICE)
    assert created.status_code == 201, created.text
    out = created.json()
    assert (out["category"], out["route"], out["province"], out["district_code"], out["sequence"]) == (
        "S",
        "0000",
        "50",
        "07",
        "0001",
    )
    assert out["district_name"] == "沙坪坝区" and out["retired"] is False
    assert IssuerRecord.model_validate(out).code == CODE
    again = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(), headers=SERVICE)
    assert again.status_code == 200 and again.json() == out
    changed = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(status="suspended"), headers=SERVICE)
    assert changed.status_code == 200 and changed.json()["status"] == "suspended"
    assert await _count(engine, "SELECT count(*) FROM audit_log WHERE entity_type = 'issuer'") == 2
    public = await client.get(f"/v1/issuers/{CODE}")
    assert public.status_code == 200 and public.json()["status"] == "suspended"


async def test_retired_code_never_comes_back(client: httpx.AsyncClient) -> None:
    assert (await client.put(f"/v1/issuers/{CODE}", json=issuer_body(), headers=SERVICE)).status_code == 201
    cancelled = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(status="cancelled"), headers=SERVICE)
    assert cancelled.status_code == 200
    for status in ("active", "suspended", "merged"):
        refused = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(status=status), headers=SERVICE)
        assert refused.status_code == 409, refused.text
        assert refused.json()["rule"] == "CR-2" and refused.json()["code"] == "issuer_retired"
    renamed = await client.put(
        f"/v1/issuers/{CODE}", json=issuer_body(status="cancelled", name="新名称"), headers=SERVICE
    )
    assert renamed.status_code == 409
    replay = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(status="cancelled"), headers=SERVICE)
    assert replay.status_code == 200 and replay.json()["retired"] is True


async def test_only_the_service_role_writes(client: httpx.AsyncClient) -> None:
    assert (await client.put(f"/v1/issuers/{CODE}", json=issuer_body())).status_code == 401
    staff = auth_headers("org_admin", body=CODE)
    refused = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(), headers=staff)
    assert refused.status_code == 403
    assert (await client.get(f"/v1/issuers/{CODE}")).status_code == 404


async def test_bad_input_names_the_field_and_stores_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    cases: list[tuple[str, dict[str, Any], list[Any]]] = [
        ("S00005007000X", issuer_body(), ["path", "code"]),
        ("S000050990001", issuer_body(), ["path", "code"]),
        (CODE, issuer_body(valid_to="2024-01-01"), ["body"]),
        (CODE, issuer_body(valid_from="1899-01-01"), ["body", "valid_from"]),
        (CODE, issuer_body(status="dormant"), ["body", "status"]),
        (
            CODE,
            issuer_body(scope=[{"occupation_code": "4-1-1", "occupation_name": "电工", "levels": [3]}]),
            ["body", "scope", 0, "occupation_code"],
        ),
        (
            CODE,
            issuer_body(
                scope=[{"occupation_code": "4-01-01-01", "occupation_name": "电工", "levels": [3, 3]}]
            ),
            ["body", "scope", 0, "levels"],
        ),
        (CODE, issuer_body(name="  "), ["body", "name"]),
        (CODE, issuer_body(district="07"), ["body", "district"]),
    ]
    for code, body, loc in cases:
        response = await client.put(f"/v1/issuers/{code}", json=body, headers=SERVICE)
        assert response.status_code == 422, (code, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert any(error["loc"][: len(loc)] == loc for error in response.json()["errors"]), response.json()
    malformed = await client.put("/v1/issuers/s00005007000X", json=issuer_body(), headers=SERVICE)
    problem = malformed.json()
    assert (problem["code"], problem["rule"]) == ("invalid_body_code", "CR-1")
    assert [f["position"] for f in problem["faults"]] == [1, 13]
    nul = await client.put(f"/v1/issuers/{CODE}", json=issuer_body(name="电\u0000工"), headers=SERVICE)
    assert nul.status_code == 422
    assert await _count(engine, "SELECT count(*) FROM issuers") == 0
    assert await _count(engine, "SELECT count(*) FROM audit_log") == 0


async def test_city_body_defaults_from_place_00(client: httpx.AsyncClient) -> None:
    body = issuer_body(scope=[{"occupation_code": "4-01-01-01", "occupation_name": "电工", "levels": [1, 2]}])
    del body["level_scope"]
    response = await client.put("/v1/issuers/S000050000001", json=body, headers=SERVICE)
    assert response.status_code == 201 and response.json()["level_scope"] == "city"


async def test_the_documented_example_is_accepted(client: httpx.AsyncClient) -> None:
    example = example_of(IssuerSync)
    response = await client.put(f"/v1/issuers/{CODE}", json=example, headers=SERVICE)
    assert response.status_code == 201, response.text

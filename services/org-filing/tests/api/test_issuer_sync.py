"""Issuer sync through the transactional outbox, delivered to a fake registry over ASGI."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from of_factories import filed_body
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.clients import ServiceClient
from skills_shared.outbox import OutboxDelivery


class FakeRegistry:
    """Stands in for certificate-registry's PUT /v1/issuers/{code}: can be taken down and brought back."""

    def __init__(self) -> None:
        self.up = False
        self.received: dict[str, tuple[str, dict[str, Any]]] = {}
        self.calls = 0
        self.app = FastAPI()

        @self.app.put("/v1/issuers/{code}")
        async def put_issuer(code: str, request: Request, idempotency_key: str = Header()) -> JSONResponse:
            self.calls += 1
            if not self.up:
                return JSONResponse(
                    {"code": "down", "detail": "维护中", "status": 503},
                    status_code=503,
                    media_type="application/problem+json",
                )
            assert request.headers["authorization"].startswith("Bearer ")
            self.received.setdefault(idempotency_key, (code, await request.json()))
            return JSONResponse({"code": code}, status_code=200)


def delivery_for(app: FastAPI, registry: FakeRegistry) -> OutboxDelivery:
    client = ServiceClient(
        "registry", "http://registry", retries=0, transport=httpx.ASGITransport(app=registry.app)
    )
    return OutboxDelivery(app.state.db.sessionmaker, {"registry": client}, token="service-token")


async def outbox_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT * FROM outbox WHERE target = 'registry' ORDER BY id"))
        return [dict(r) for r in rows.mappings()]


async def test_registry_down_delays_but_never_loses_the_change(
    client: httpx.AsyncClient, app: FastAPI, engine: AsyncEngine
) -> None:
    code, _, _ = await filed_body(client)
    registry = FakeRegistry()
    delivery = delivery_for(app, registry)

    assert await delivery.deliver_once() == 0
    [row] = await outbox_rows(engine)
    assert row["delivered_at"] is None and row["attempts"] == 1 and "503" in row["last_error"]
    assert row["method"] == "PUT" and row["path"] == f"/v1/issuers/{code}"

    registry.up = True
    async with engine.begin() as conn:  # the back-off has elapsed
        await conn.execute(text("UPDATE outbox SET next_attempt_at = now() WHERE delivered_at IS NULL"))
    assert await delivery.deliver_once() == 1
    assert await delivery.deliver_once() == 0
    [row] = await outbox_rows(engine)
    assert row["delivered_at"] is not None and row["attempts"] == 2
    assert len(registry.received) == 1
    [(got_code, body)] = registry.received.values()
    assert got_code == code
    assert body["status"] == "active" and body["level_scope"] == "city"
    assert body["valid_from"] == "2026-11-01" and body["valid_to"] == "2029-10-31"
    assert body["scope"][1] == {
        "occupation_code": "6-31-01-03",
        "occupation_name": "电工",
        "work_types": ["维修电工"],
        "levels": [1, 2, 3, 4, 5],
    }


async def test_every_change_that_matters_to_issuing_is_sent_in_order(
    client: httpx.AsyncClient, app: FastAPI, engine: AsyncEngine
) -> None:
    code, _, officer = await filed_body(client)
    reason = {"reason": "整改"}
    assert (
        await client.post(f"/v1/bodies/{code}/suspension", json=reason, headers=officer)
    ).status_code == 200
    assert (
        await client.post(f"/v1/bodies/{code}/reinstatement", json=reason, headers=officer)
    ).status_code == 200
    scope = {"scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [3, 4, 5]}]}
    assert (await client.put(f"/v1/bodies/{code}/scope", json=scope, headers=officer)).status_code == 200
    assert (
        await client.post(f"/v1/bodies/{code}/cancellation", json=reason, headers=officer)
    ).status_code == 200
    # a refused move writes nothing to the outbox
    assert (
        await client.post(f"/v1/bodies/{code}/suspension", json=reason, headers=officer)
    ).status_code == 409

    rows = await outbox_rows(engine)
    statuses = [r["body"]["status"] for r in rows]
    assert statuses == ["active", "suspended", "active", "active", "cancelled"]
    assert [len(r["body"]["scope"]) for r in rows] == [2, 2, 2, 1, 1]
    assert len({r["idempotency_key"] for r in rows}) == 5

    registry = FakeRegistry()
    registry.up = True
    assert await delivery_for(app, registry).deliver_once() == 5
    assert [b["status"] for _, b in registry.received.values()] == statuses

"""The certificate-registry service starts, is migrated, and speaks the suite's conventions."""

from __future__ import annotations

import httpx

from skills_shared.testing import auth_headers


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["migrations"] == "current"


async def test_unknown_route_is_problem_json_with_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-route", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "req-123"
    assert response.json()["request_id"] == "req-123"


async def test_metrics_and_audit_chain(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    metrics = await client.get("/metrics")
    assert 'service="certificate-registry"' in metrics.text
    assert (await client.get("/v1/audit/verify")).status_code == 401
    verified = await client.get("/v1/audit/verify", headers=auth_headers("inspector"))
    assert verified.status_code == 200
    assert verified.json()["ok"] is True

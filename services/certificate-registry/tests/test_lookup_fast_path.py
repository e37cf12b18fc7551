"""The public look-up's pure-ASGI path answers as the documented route would, and is counted under its name."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY
from registry_testkit import Registry, candidate

ROUTE = "/v1/certificates/{number}"


def served(status: str) -> float:
    value = REGISTRY.get_sample_value(
        "http_requests_total",
        {"service": "certificate-registry", "method": "GET", "route": ROUTE, "status": status},
    )
    return value or 0.0


async def _one_number(registry: Registry) -> str:
    await registry.put_issuer()
    batch_id = await registry.ready_batch([candidate(0)])
    assert (await registry.issue(batch_id)).status_code == 201
    roster = await registry.client.get(f"/v1/batches/{batch_id}/roster", headers=registry.staff())
    number: str = roster.json()["entries"][0]["number"]
    return number


async def test_lookups_are_counted_under_the_route_and_carry_one_request_id(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    number = await _one_number(registry)
    ok_before, missing_before, bad_before = served("200"), served("404"), served("422")
    ok = await client.get(
        f"/v1/certificates/{number}", params={"name": "考生甲"}, headers={"X-Request-ID": "r-1"}
    )
    wrong = await client.get(
        f"/v1/certificates/{number}", params={"name": "别人"}, headers={"X-Request-ID": "r-2"}
    )
    bad = await client.get("/v1/certificates/S00005007000125400000X", params={"name": "考生甲"})
    assert ok.status_code == 200 and ok.json()["number"] == number
    assert ok.headers["content-type"] == "application/json"
    assert wrong.status_code == 404 and wrong.json()["request_id"] == "r-2"
    assert wrong.headers["content-type"] == "application/problem+json"
    assert ok.headers.get_list("x-request-id") == ["r-1"]
    assert wrong.headers.get_list("x-request-id") == ["r-2"]  # one header, not one per layer
    assert bad.status_code == 422 and bad.json()["rule"] == "CR-1"
    assert (served("200"), served("404"), served("422")) == (
        ok_before + 1,
        missing_before + 1,
        bad_before + 1,
    )


async def test_head_answers_and_a_lookup_the_fast_path_cannot_answer_reaches_the_documented_route(
    registry: Registry, client: httpx.AsyncClient, app: FastAPI
) -> None:
    """A failure the fast path does not expect is answered by the route's handlers: the database's 503."""
    number = await _one_number(registry)
    head = await client.head(f"/v1/certificates/{number}", params={"name": "考生甲"})
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 100

    class Down:
        def acquire(self) -> Any:
            raise asyncpg.CannotConnectNowError("the database is starting up")

    pool = app.state.lookup_pool
    app.state.lookup_pool = Down()
    try:
        down = await client.get(f"/v1/certificates/{number}", params={"name": "考生甲"})
    finally:
        app.state.lookup_pool = pool
    assert down.status_code == 503, down.text
    assert down.json()["code"] == "database_unavailable" and down.headers["retry-after"] == "2"

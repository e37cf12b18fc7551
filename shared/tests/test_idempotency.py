"""Idempotency-Key semantics of DESIGN.md, against the real database, including a real race."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.db.tables import audit_log, idempotency_keys
from skills_shared.testing import auth_headers

OFFICER = auth_headers("city_officer", "officer-1")


async def count(engine: AsyncEngine, table: object) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_replay_returns_the_first_response_and_runs_once(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    headers = {**OFFICER, "Idempotency-Key": "k-1"}
    first = await client.post("/v1/items", json={"name": "a", "count": 1}, headers=headers)
    again = await client.post(
        "/v1/items", json={"count": 1, "name": "a"}, headers=headers
    )  # same body, other order
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(engine, audit_log) == 1
    assert await count(engine, idempotency_keys) == 1


async def test_same_key_other_body_is_422_and_stores_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    headers = {**OFFICER, "Idempotency-Key": "k-2"}
    await client.post("/v1/items", json={"name": "a", "count": 1}, headers=headers)
    other = await client.post("/v1/items", json={"name": "b", "count": 1}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await count(engine, audit_log) == 1


async def test_keys_are_per_principal(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    body = {"name": "a", "count": 1}
    await client.post("/v1/items", json=body, headers={**OFFICER, "Idempotency-Key": "shared"})
    other = auth_headers("city_officer", "officer-2")
    response = await client.post("/v1/items", json=body, headers={**other, "Idempotency-Key": "shared"})
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers
    assert await count(engine, audit_log) == 2


async def test_failed_call_stores_no_key(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    headers = {**OFFICER, "Idempotency-Key": "k-boom"}
    assert (
        await client.post("/v1/items", json={"name": "boom", "count": 1}, headers=headers)
    ).status_code == 409
    assert await count(engine, idempotency_keys) == 0


async def test_concurrent_duplicates_run_once(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    """Ten copies at once: one runs; the others are told it is in flight (409) or get the replay."""
    headers = {**OFFICER, "Idempotency-Key": "k-race"}
    for round_ in range(5):
        key_headers = {**headers, "Idempotency-Key": f"k-race-{round_}"}
        responses = await asyncio.gather(
            *[
                client.post("/v1/items", json={"name": "slow", "count": round_}, headers=key_headers)
                for _ in range(10)
            ]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses.count(201) >= 1
        assert set(statuses) <= {201, 409}
        in_flight = [r for r in responses if r.status_code == 409]
        assert all(r.json()["code"] == "idempotency_in_flight" for r in in_flight)
        first_bodies = {r.json()["call"] for r in responses if r.status_code == 201}
        assert len(first_bodies) == 1
    assert await count(engine, audit_log) == 5


async def test_bad_key_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/items", json={"name": "a", "count": 1}, headers={**OFFICER, "Idempotency-Key": "x" * 201}
    )
    assert response.status_code == 422


async def test_keys_are_scoped_to_the_whole_principal_not_role_and_sub(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Issue 20, item 9: another district's token with the same sub, key and body runs its own call; it never
    gets a replay of the first district's answer."""
    body = {"name": "a", "count": 1}
    first = auth_headers("district_officer", "officer-9", district="05")
    second = auth_headers("district_officer", "officer-9", district="06")
    one = await client.post("/v1/items", json=body, headers={**first, "Idempotency-Key": "same"})
    two = await client.post("/v1/items", json=body, headers={**second, "Idempotency-Key": "same"})
    assert one.status_code == two.status_code == 201
    assert "idempotent-replayed" not in two.headers
    assert two.json()["call"] != one.json()["call"]
    assert await count(engine, audit_log) == 2
    replay = await client.post("/v1/items", json=body, headers={**first, "Idempotency-Key": "same"})
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == one.json()

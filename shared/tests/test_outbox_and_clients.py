"""Outbox delivery and service clients against a fake downstream service (our own database is real)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from skills_shared.clients import ServiceClient
from skills_shared.db.tables import outbox
from skills_shared.outbox import BatchRoute, OutboxDelivery, backoff_s, enqueue, pending_count
from skills_shared.problems import Problem


class FakeDownstream:
    """A stand-in for another service: records calls, can be switched off."""

    def __init__(self) -> None:
        self.up = True
        self.calls: list[httpx.Request] = []
        self.seen_keys: set[str] = set()

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if not self.up:
            raise httpx.ConnectError("refused", request=request)
        key = request.headers.get("idempotency-key", "")
        status = 200 if key in self.seen_keys else 201
        self.seen_keys.add(key)
        return httpx.Response(status, json={"ok": True})


@pytest.fixture
def downstream() -> FakeDownstream:
    return FakeDownstream()


def client_for(fake: FakeDownstream, **kw: object) -> ServiceClient:
    return ServiceClient(
        "registry", "http://registry", transport=httpx.MockTransport(fake.handler), backoff_s=0, **kw
    )  # type: ignore[arg-type]


async def test_outbox_survives_an_outage_and_delivers_once(
    app: FastAPI, engine: AsyncEngine, downstream: FakeDownstream
) -> None:
    sessionmaker = async_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        await enqueue(
            session, target="registry", method="put", path="/v1/issuers/S1", body={"a": 1}, key="m-1"
        )
        await enqueue(
            session, target="registry", method="put", path="/v1/issuers/S1", body={"a": 1}, key="m-1"
        )
    delivery = OutboxDelivery(sessionmaker, {"registry": client_for(downstream, retries=0)}, token="t")
    downstream.up = False
    assert await delivery.deliver_once() == 0
    async with sessionmaker() as session:
        assert await pending_count(session) == 1
        row = (await session.execute(select(outbox))).mappings().one()
        assert row["attempts"] == 1
        assert "503" in row["last_error"]
        assert row["next_attempt_at"] > row["created_at"]
    downstream.up = True
    async with engine.begin() as conn:  # time passes: the message is due again
        await conn.execute(outbox.update().values(next_attempt_at=outbox.c.created_at))
    assert await delivery.deliver_once() == 1
    assert await delivery.deliver_once() == 0
    async with sessionmaker() as session:
        assert await pending_count(session) == 0
    delivered = [c for c in downstream.calls if downstream.up]
    assert delivered[-1].headers["idempotency-key"] == "m-1"
    assert delivered[-1].headers["authorization"] == "Bearer t"


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff_s(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff_s(50) == 300.0


async def test_client_retries_only_safe_calls(downstream: FakeDownstream) -> None:
    downstream.up = False
    client = client_for(downstream, retries=2)
    with pytest.raises(Problem) as exc:
        await client.request("GET", "/x")
    assert exc.value.status == 503
    assert exc.value.extra["service"] == "registry"
    assert "Retry-After" in exc.value.headers
    assert len(downstream.calls) == 3
    downstream.calls.clear()
    with pytest.raises(Problem):
        await client.request("POST", "/x", json={})
    assert len(downstream.calls) == 1, "an unkeyed POST is never repeated"
    downstream.calls.clear()
    with pytest.raises(Problem):
        await client.request("POST", "/x", json={}, idempotency_key="k")
    assert len(downstream.calls) == 3, "a keyed POST may be"


async def test_circuit_opens_after_failures_and_recovers(downstream: FakeDownstream) -> None:
    client = client_for(downstream, retries=0, breaker_threshold=2, breaker_reset_s=0.001)
    downstream.up = False
    for _ in range(2):
        with pytest.raises(Problem):
            await client.request("GET", "/x")
    assert client.breakers.state("reads") == "opened"
    await asyncio.sleep(0.01)
    downstream.up = True
    assert (await client.request("GET", "/x")).status_code == 201
    assert client.breakers.state("reads") == "closed"


async def test_open_circuit_fails_fast(downstream: FakeDownstream) -> None:
    client = client_for(downstream, retries=0, breaker_threshold=1, breaker_reset_s=60)
    downstream.up = False
    with pytest.raises(Problem):
        await client.request("GET", "/x")
    calls = len(downstream.calls)
    with pytest.raises(Problem) as exc:
        await client.request("GET", "/x")
    assert len(downstream.calls) == calls
    assert exc.value.extra["reason"] == "circuit open"


class PerPathDownstream(FakeDownstream):
    """Fails every call to some paths; answers others with a status chosen per Idempotency-Key."""

    def __init__(self) -> None:
        super().__init__()
        self.down_paths: set[str] = set()
        self.status_for: dict[str, int] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.path in self.down_paths:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(self.status_for.get(request.headers["idempotency-key"], 200), json={"ok": True})


async def enqueue_many(engine: AsyncEngine, messages: list[tuple[str, str]]) -> None:
    sessionmaker = async_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        for path, key in messages:
            await enqueue(session, target="registry", method="PUT", path=path, body={"k": key}, key=key)


async def test_a_later_message_never_overtakes_an_earlier_one_for_the_same_resource(
    engine: AsyncEngine,
) -> None:
    fake = PerPathDownstream()
    await enqueue_many(
        engine, [("/v1/issuers/A", "a-filed"), ("/v1/issuers/A", "a-cancelled"), ("/v1/issuers/B", "b-1")]
    )
    fake.down_paths.add("/v1/issuers/A")
    delivery = OutboxDelivery(async_sessionmaker(engine), {"registry": client_for(fake, retries=0)})
    assert await delivery.deliver_once() == 1, "B is delivered although A is failing"
    sent = [(c.url.path, c.headers["idempotency-key"]) for c in fake.calls]
    assert ("/v1/issuers/A", "a-cancelled") not in sent
    fake.down_paths.clear()
    async with engine.begin() as conn:
        await conn.execute(outbox.update().values(next_attempt_at=outbox.c.created_at))
    fake.calls.clear()
    assert await delivery.deliver_once() == 2
    assert [c.headers["idempotency-key"] for c in fake.calls] == ["a-filed", "a-cancelled"]


async def test_a_permanent_refusal_closes_the_message_and_frees_the_queue(engine: AsyncEngine) -> None:
    fake = PerPathDownstream()
    fake.status_for["bad"] = 422
    await enqueue_many(engine, [("/v1/issuers/A", "bad"), ("/v1/issuers/A", "next")])
    delivery = OutboxDelivery(async_sessionmaker(engine), {"registry": client_for(fake, retries=0)})
    assert await delivery.deliver_once() == 1, (
        "the refused message is closed and the next one goes in the same pass"
    )
    async with async_sessionmaker(engine)() as session:
        rows = {r["idempotency_key"]: r for r in (await session.execute(select(outbox))).mappings()}
        assert await pending_count(session) == 0
    assert rows["bad"]["last_error"].startswith("rejected 422")
    assert rows["next"]["last_error"] is None


async def test_an_auth_refusal_is_retried_not_dropped(engine: AsyncEngine) -> None:
    fake = PerPathDownstream()
    fake.status_for["k"] = 401
    await enqueue_many(engine, [("/v1/issuers/A", "k")])
    delivery = OutboxDelivery(async_sessionmaker(engine), {"registry": client_for(fake, retries=0)})
    assert await delivery.deliver_once() == 0
    async with async_sessionmaker(engine)() as session:
        assert await pending_count(session) == 1


class SlowDownstream(PerPathDownstream):
    """Answers after a pause, so that two deliverers are sending at the same time."""

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.002)
        return self.handler(request)


async def test_a_large_backlog_goes_in_batches_each_message_once_and_in_order_per_resource(
    engine: AsyncEngine,
) -> None:
    """Two deliverers (two replicas) race over 400 messages to 130 resources: every message is sent exactly once,
    each resource's messages in the order they were written, and all of it in one call of each."""
    fake = SlowDownstream()
    messages = [(f"/v1/issuers/R{i % 130}", f"m{i:04d}") for i in range(400)]
    await enqueue_many(engine, messages)
    clients = {
        "registry": ServiceClient(
            "registry", "http://registry", transport=httpx.MockTransport(fake.handle_async), backoff_s=0
        )
    }
    first = OutboxDelivery(async_sessionmaker(engine), clients)
    second = OutboxDelivery(async_sessionmaker(engine), clients)
    delivered = await asyncio.gather(first.deliver_once(), second.deliver_once())
    assert sum(delivered) == 400
    sent = [c.headers["idempotency-key"] for c in fake.calls]
    assert sorted(sent) == sorted(key for _, key in messages), "each message sent exactly once"
    by_resource: dict[str, list[str]] = {}
    for call in fake.calls:
        by_resource.setdefault(call.url.path, []).append(call.headers["idempotency-key"])
    for path, keys in by_resource.items():
        assert keys == sorted(keys), f"{path} received out of order: {keys}"
    async with async_sessionmaker(engine)() as session:
        assert await pending_count(session) == 0


class BatchDownstream(PerPathDownstream):
    """Takes batches at one path; refuses a batch (422) that holds a body marked bad, as a strict receiver would."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        payload = json.loads(request.content)
        bodies = payload["messages"] if request.url.path == "/v1/batch" else [payload]
        if any(b.get("bad") for b in bodies):
            return httpx.Response(422, json={"code": "bad"})
        return httpx.Response(202, json={"stored": len(bodies)})


async def enqueue_bodies(
    engine: AsyncEngine, target: str, bodies: list[tuple[str, str, dict[str, Any]]]
) -> None:
    async with async_sessionmaker(engine)() as session, session.begin():
        for path, key, body in bodies:
            await enqueue(session, target=target, method="POST", path=path, body=body, key=key)


async def test_messages_of_a_batch_target_go_many_to_a_request(engine: AsyncEngine) -> None:
    fake = BatchDownstream()
    await enqueue_bodies(engine, "events", [(f"/v1/items/{i}", f"k{i:03d}", {"n": i}) for i in range(100)])
    delivery = OutboxDelivery(
        async_sessionmaker(engine),
        {"events": client_for(fake, retries=0)},
        batches={"events": BatchRoute("/v1/batch", "messages")},
    )
    assert await delivery.deliver_once() == 100
    assert [c.url.path for c in fake.calls] == ["/v1/batch", "/v1/batch"], "64 and 36, not 100 requests"
    sent = [b["n"] for c in fake.calls for b in json.loads(c.content)["messages"]]
    assert sent == list(range(100))
    async with async_sessionmaker(engine)() as session:
        assert await pending_count(session) == 0


async def test_a_refused_batch_is_sent_again_one_by_one_so_only_the_bad_message_is_closed(
    engine: AsyncEngine,
) -> None:
    fake = BatchDownstream()
    await enqueue_bodies(
        engine,
        "events",
        [
            ("/v1/items/a", "a", {"n": 1}),
            ("/v1/items/b", "b", {"n": 2, "bad": True}),
            ("/v1/items/c", "c", {"n": 3}),
        ],
    )
    delivery = OutboxDelivery(
        async_sessionmaker(engine),
        {"events": client_for(fake, retries=0)},
        batches={"events": BatchRoute("/v1/batch", "messages")},
    )
    assert await delivery.deliver_once() == 2
    assert fake.calls[0].url.path == "/v1/batch"
    assert sorted(c.url.path for c in fake.calls[1:]) == ["/v1/items/a", "/v1/items/b", "/v1/items/c"]
    async with async_sessionmaker(engine)() as session:
        rows = {r["idempotency_key"]: r for r in (await session.execute(select(outbox))).mappings()}
    assert rows["b"]["last_error"].startswith("rejected 422")
    assert rows["a"]["last_error"] is None and rows["c"]["last_error"] is None
    assert all(r["delivered_at"] is not None for r in rows.values())

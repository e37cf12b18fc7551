"""Protection at the edge: rate limits (memory and real Redis), size limit, CORS, request ids."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from gateway_fakes import Certificate, FakeSuite
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.ratelimit.counters import Limiter
from gateway.settings import GatewaySettings
from gateway.upstreams import VOUCHER
from skills_shared.testing import auth_headers, running_app

REDIS_URL = "redis://127.0.0.1:6379/0"
NUMBER = "S000050050001253000001"


async def _redis_reachable() -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:  # pragma: no cover - the message is the point
        raise AssertionError(f"these tests need Redis at {REDIS_URL} (apt-get install redis-server)") from exc
    finally:
        await redis.aclose()


@pytest.fixture(params=["memory", "redis"])
async def limited(
    request: pytest.FixtureRequest, database_url: str, engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, FakeSuite]]:
    """A gateway with small budgets (3 public, 5 default per window), counting in memory or in Redis."""
    redis_url = None
    if request.param == "redis":
        await _redis_reachable()
        redis_url = REDIS_URL
    settings = GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        redis_url=redis_url,
        rate_limit_window_s=3600,
        rate_limit_per_window=5,
        public_rate_limit_per_window=3,
        cors_allow_origins=["https://app.example.cn"],
        max_body_bytes=4096,
    )
    suite = FakeSuite()
    suite.registry.certificates[NUMBER] = Certificate(
        number=NUMBER, holder_name="张三", id_number="500101199001011234"
    )
    app = create_app(settings, transports=suite.switches)
    if redis_url:
        app.state.rate_limiter.prefix = f"gw-test-{uuid.uuid4().hex}"
    async with running_app(app) as client:
        yield client, suite


async def test_public_lookups_get_the_stricter_budget(limited: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    client, suite = limited
    statuses = [(await client.get(f"/api/v1/certificates/{NUMBER}?name=张三")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await client.get(f"/api/v1/certificates/{NUMBER}?name=张三", headers={"X-Request-ID": "rl-1"})
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert refused.json()["code"] == "rate_limited" and refused.json()["request_id"] == "rl-1"
    assert suite.registry.lookups == 3, "refused requests never reach the registry"
    # the public budget is spent, the default one is not
    assert (
        await client.get("/api/v1/me", headers=auth_headers("citizen", "500101199001011234"))
    ).status_code == 200


async def test_each_token_subject_has_its_own_budget(limited: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    client, _ = limited
    alice = auth_headers("citizen", "500101199001011234")
    bob = auth_headers("citizen", "500102198505054567")
    alice_statuses = [(await client.get("/api/v1/me", headers=alice)).status_code for _ in range(6)]
    assert alice_statuses == [200] * 5 + [429]
    assert (await client.get("/api/v1/me", headers=bob)).status_code == 200
    # a forged token counts against the address, it does not buy a fresh budget
    forged = {"Authorization": "Bearer not-a-token"}
    statuses = [(await client.get("/api/v1/me", headers=forged)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


async def test_services_posting_events_are_not_limited_and_nobody_else_is_exempt(
    limited: tuple[httpx.AsyncClient, FakeSuite],
) -> None:
    """A busy hour's partner events from the services must not be throttled by the people's budget (5 here)."""
    client, _ = limited
    path = "/internal/v1/events/claim/1"
    service = auth_headers("service", "subsidy-claims")
    statuses = {(await client.post(path, json={}, headers=service)).status_code for _ in range(8)}
    assert 429 not in statuses and statuses == {422}  # refused for its body, never for its rate
    citizen = auth_headers("citizen", "500101199001011234")
    tried = [(await client.post(path, json={}, headers=citizen)).status_code for _ in range(6)]
    assert tried[-1] == 429 and 429 not in tried[:5]


async def test_probes_are_never_limited(limited: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    client, _ = limited
    assert {(await client.get("/healthz")).status_code for _ in range(10)} == {200}


async def test_body_size_limit_is_413(limited: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    client, suite = limited
    response = await client.post(
        "/api/v1/vouchers/claims",
        content=b'{"types": ["' + b"x" * 5000 + b'"]}',
        headers={**auth_headers("citizen", "500101199001011234"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert suite.switches[VOUCHER].calls == 0, "a refused body never reaches the service"


async def test_bulk_uploads_have_their_own_body_limit(limited: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    """A 10,000-candidate result list is larger than any other request: its paths get GATEWAY_BULK_BODY_BYTES
    (here the default, 40 MB) while everything else keeps the small limit (here 4 KiB)."""
    client, _ = limited
    big = b'{"candidates": [' + b",".join([b'{"name": "x"}'] * 2000) + b"]}"  # about 28 KB
    assert len(big) > 4096
    headers = {
        **auth_headers("org_staff", "staff-1", body="S000050070001"),
        "Content-Type": "application/json",
    }
    for path in ("/api/v1/batches/b-1/results", "/api/v1/registry/batches/b-1/results"):
        answered = await client.put(path, content=big, headers=headers)
        assert answered.status_code != 413, (path, answered.text)
    refused = await client.post("/api/v1/registry/batches", content=big, headers=headers)
    assert refused.status_code == 413 and refused.json()["code"] == "payload_too_large"
    elsewhere = await client.put("/api/v1/batches/b-1/publicity", content=big, headers=headers)
    assert elsewhere.status_code == 413


async def test_cors_preflight_and_headers(limited: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    client, _ = limited
    preflight = await client.options(
        "/api/v1/me",
        headers={
            "Origin": "https://app.example.cn",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.cn"
    stranger = await client.options(
        "/api/v1/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in stranger.headers
    simple = await client.get("/healthz", headers={"Origin": "https://app.example.cn"})
    assert simple.headers["access-control-allow-origin"] == "https://app.example.cn"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


async def test_memory_limiter_counts_per_key() -> None:
    limiter = Limiter(None, prefix=f"t-{uuid.uuid4().hex}")
    assert [(await limiter.hit("a", 3, 60)).allowed for _ in range(4)] == [True, True, True, False]
    assert (await limiter.hit("b", 3, 60)).allowed
    refused = await limiter.hit("a", 3, 60)
    assert 1 <= refused.retry_after_s <= 60 and refused.limit == 3


async def test_redis_limits_are_shared_and_atomic_under_concurrency() -> None:
    """Two gateway processes share Redis: of 50 concurrent hits from two limiters exactly the budget passes."""
    await _redis_reachable()
    prefix = f"gw-test-{uuid.uuid4().hex}"
    first, second = Limiter(REDIS_URL, prefix=prefix), Limiter(REDIS_URL, prefix=prefix)
    for round_ in range(3):
        key = f"client-{round_}"
        hits = await asyncio.gather(*[(first if i % 2 else second).hit(key, 20, 60) for i in range(50)])
        assert sum(h.allowed for h in hits) == 20
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(match=f"*{prefix}*")]
        assert keys, "the counters live in Redis"
        ttls = [await redis.ttl(k) for k in keys]
        assert all(0 < ttl <= 61 for ttl in ttls), "window keys expire on their own"
    finally:
        await redis.aclose()


async def test_redis_outage_falls_back_to_per_process_limits() -> None:
    """Redis down: callers are still limited, per process, and nobody is refused for the outage itself."""
    limiter = Limiter("redis://127.0.0.1:1/0", prefix=f"t-{uuid.uuid4().hex}")
    assert [(await limiter.hit("a", 2, 60)).allowed for _ in range(3)] == [True, True, False]
    assert (await limiter.hit("b", 2, 60)).allowed

"""The gateway's own figures on /metrics (issue 19, item 2): every 429 counted per budget, and the breaker of an
upstream's route class reading 1 once the upstream's failures opened it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gateway_fakes import Certificate, FakeSuite
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import GatewaySettings
from gateway.upstreams import REGISTRY
from skills_shared.testing import metric_value, running_app

NUMBER = "S000050050001253000001"


@pytest.fixture
async def gateway(
    database_url: str, engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, FakeSuite]]:
    """A gateway with a public budget of 3 per hour and a breaker that opens after 2 failures."""
    settings = GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        redis_url=None,
        rate_limit_window_s=3600,
        public_rate_limit_per_window=3,
        breaker_threshold=2,
        breaker_reset_s=3600,
    )
    suite = FakeSuite()
    suite.registry.certificates[NUMBER] = Certificate(
        number=NUMBER, holder_name="张三", id_number="500101199001011234"
    )
    app = create_app(settings, transports=suite.switches)
    async with running_app(app) as client:
        yield client, suite


async def test_every_429_is_counted_per_budget(gateway: tuple[httpx.AsyncClient, FakeSuite]) -> None:
    client, _ = gateway
    before = await metric_value(client, "gateway_rate_limited_total", budget="public")
    statuses = [(await client.get(f"/api/v1/certificates/{NUMBER}?name=张三")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert await metric_value(client, "gateway_rate_limited_total", budget="public") == before + 2


async def test_an_open_breaker_reads_1_for_its_service_and_class(
    gateway: tuple[httpx.AsyncClient, FakeSuite],
) -> None:
    client, suite = gateway
    suite.switches[REGISTRY].down = True
    statuses = [(await client.get(f"/api/v1/certificates/{NUMBER}?name=张三")).status_code for _ in range(3)]
    assert statuses == [503, 503, 503]
    opened = [
        route_class
        for route_class in ("lookup", "reads")
        if await metric_value(
            client, "upstream_circuit_open", service="certificate-registry", route_class=route_class
        )
        == 1
    ]
    assert opened, "the registry's breaker is exported as open"

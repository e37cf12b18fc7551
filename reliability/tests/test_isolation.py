"""One caller's flood and one route's bugs stay theirs (issue 20, item 1).

Before: one circuit breaker per service. 300 concurrent PDF downloads by one citizen made the registry slow,
the gateway's registry breaker opened, and every anonymous look-up got a 503 for about 20 s; five 500s from
one bad catalogue PUT opened the breaker for all subsidy routes. Now breakers are per route class and each
class has bulkheads per caller, PDFs with the smallest budget.
"""

from __future__ import annotations

import asyncio
import json

import httpx
from rel_apps import build_gateway
from rel_support import bearer

from gateway.upstreams import DOCUMENTS, REGISTRY, SUBSIDY
from skills_shared.certnumber import build
from skills_shared.testing import running_app

NUMBER = build("S", "0000", "50", "05", 1, 2026, 4, 1)
LIMITS = {"rate_limit_per_window": 1_000_000, "public_rate_limit_per_window": 1_000_000}


class SlowPdfRegistry(httpx.AsyncBaseTransport):
    """A registry whose PDF renderer is overwhelmed (two seconds a document) while look-ups stay quick."""

    def __init__(self) -> None:
        self.pdf_calls = 0
        self.lookups = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/document.pdf"):
            self.pdf_calls += 1
            read_timeout = request.extensions.get("timeout", {}).get("read") or 60
            if read_timeout < 2:  # what a real socket would do to the caller: give up after its timeout
                await asyncio.sleep(read_timeout)
                raise httpx.ReadTimeout("renderer too slow", request=request)
            await asyncio.sleep(2)
            return httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
        self.lookups += 1
        return httpx.Response(200, json={"number": NUMBER, "holder_name": "张*", "status": "valid"})


class BuggyCatalogueSubsidy(httpx.AsyncBaseTransport):
    """A subsidy service whose catalogue PUT has a bug (500) while claims work."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/catalogue"):
            return httpx.Response(500, text="Internal Server Error")
        if request.method == "GET":
            return httpx.Response(200, json={"items": [], "page": 1, "page_size": 20, "total": 0})
        return httpx.Response(201, json={"id": "c-1"})


async def test_one_citizens_pdf_flood_leaves_everyone_elses_lookups_at_200(
    database_urls: dict[str, str],
) -> None:
    registry = SlowPdfRegistry()
    gateway = build_gateway(
        database_urls["gateway"], {REGISTRY: registry}, upstream_timeout_s=0.3, upstream_retries=0, **LIMITS
    )
    flooder = bearer("citizen", "500101199001011234")
    async with running_app(gateway) as client:

        async def pdf() -> int:
            r = await client.get(f"/api/v1/registry/certificates/{NUMBER}/document.pdf", headers=flooder)
            return r.status_code

        flood = [asyncio.create_task(pdf()) for _ in range(300)]
        await asyncio.sleep(0.1)
        others = []
        for _ in range(40):
            r = await client.get(f"/api/v1/certificates/{NUMBER}", params={"name": "张三"})
            others.append(r.status_code)
            await asyncio.sleep(0.01)
        flooded = await asyncio.gather(*flood)
        after = [
            (await client.get(f"/api/v1/certificates/{NUMBER}", params={"name": "李四"})).status_code
            for _ in range(10)
        ]
    assert others == [200] * 40, others
    assert after == [200] * 10, after
    assert flooded.count(429) >= 300 - DOCUMENTS.per_caller, "the flood was held by the caller's bulkhead"
    assert set(flooded) <= {429, 503}, "the few admitted time out into a 503 naming the registry"
    assert registry.pdf_calls <= DOCUMENTS.per_caller * 2, "the slow renderer saw a handful, not 300"
    assert gateway.state.upstreams.registry.breakers.state("lookup") == "closed"


async def test_a_buggy_route_class_opens_only_its_own_breaker(database_urls: dict[str, str]) -> None:
    gateway = build_gateway(
        database_urls["gateway"],
        {SUBSIDY: BuggyCatalogueSubsidy()},
        upstream_retries=0,
        breaker_threshold=5,
        breaker_reset_s=60,
        **LIMITS,
    )
    officer = bearer("city_officer", "officer-1")
    citizen = bearer("citizen", "500101199001011234")
    async with running_app(gateway) as client:
        puts = []
        for _ in range(7):
            r = await client.put(
                "/api/v1/subsidy/policies/sh-upgrade/catalogue",
                content=json.dumps({"version": "2025", "rows": []}),
                headers={**officer, "Content-Type": "application/json"},
            )
            puts.append(r.status_code)
            assert r.status_code != 500, r.text
        last = r.json()
        mine = await client.get("/api/v1/subsidy/claims/mine", headers=citizen)
        created = await client.post(
            "/api/v1/subsidy/claims",
            content=b"{}",
            headers={**citizen, "Content-Type": "application/json", "Idempotency-Key": "k-1"},
        )
    assert puts == [503] * 7
    assert last["reason"] == "circuit open" and last["route_class"] == "policy-admin"
    assert mine.status_code == 200, mine.text
    assert created.status_code == 201, created.text
    breakers = gateway.state.upstreams.subsidy.breakers
    assert breakers.state("policy-admin") == "opened"
    assert breakers.state("reads") == "closed" and breakers.state("claim-writes") == "closed"

"""Enumeration (CR-6): the public look-up answers "no such number" and "wrong name / wrong ID" identically, is
rate-limited at the gateway (429 with Retry-After), and never shows a full ID number in any public answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from registry_testkit import Registry, candidate
from rel_apps import build_gateway
from rel_support import Service, contains_full_id, without_request_id


@pytest.fixture(scope="module")
async def issued(suite: dict[str, Service]) -> AsyncIterator[dict[str, Any]]:
    """One issued certificate (real issuance through the registry's API), with its holder's name and ID."""
    service = suite["certificate-registry"]
    helper = Registry(service.client, service.app, suite["org-filing"].client)
    saved = service.app.state.clock
    try:
        code = await helper.new_body("07")  # filed in org-filing, so its plans clear the batch (OF-5)
        row = candidate(88_001)
        batch_id = await helper.ready_batch([row], code)
        issued = await helper.issue(batch_id, code)
        assert issued.status_code == 201, issued.text
        number = issued.json()["first_number"]
        yield {"number": number, "name": row["name"], "id_number": row["id_number"], "batch_id": batch_id}
    finally:
        service.app.state.clock = saved


def _unknown(number: str) -> str:
    serial = int(number[-6:])
    return f"{number[:-6]}{(serial + 500_000) % 1_000_000:06d}"


@pytest.mark.parametrize("name", ["certificate-registry", "gateway"])
async def test_not_found_and_wrong_holder_look_the_same(
    name: str, suite: dict[str, Service], issued: dict[str, Any]
) -> None:
    client = suite[name].client
    base = "/v1/certificates" if name == "certificate-registry" else "/api/v1/certificates"
    number, unknown = issued["number"], _unknown(issued["number"])
    right = await client.get(f"{base}/{number}", params={"name": issued["name"]})
    assert right.status_code == 200, right.text
    probes = [
        await client.get(f"{base}/{unknown}", params={"name": issued["name"]}),
        await client.get(f"{base}/{number}", params={"name": "王某某"}),
        await client.get(f"{base}/{unknown}", params={"name": "王某某"}),
        await client.get(f"{base}/{number}", params={"id_number": "11010519491231002X"}),
        await client.get(f"{base}/{unknown}", params={"id_number": issued["id_number"]}),
    ]
    first = probes[0]
    assert first.status_code == 404
    for probe in probes[1:]:
        assert probe.status_code == first.status_code
        assert probe.headers.get("content-type") == first.headers.get("content-type")
        assert without_request_id(probe.json()) == without_request_id(first.json())
    assert not contains_full_id([right.text, *(p.text for p in probes)]), right.text


async def test_no_public_answer_carries_a_full_id_number(
    suite: dict[str, Service], issued: dict[str, Any]
) -> None:
    registry, gateway = suite["certificate-registry"].client, suite["gateway"].client
    number = issued["number"]
    answers = [
        await registry.get(f"/v1/certificates/{number}", params={"name": issued["name"]}),
        await registry.get(f"/v1/certificates/{number}", params={"id_number": issued["id_number"]}),
        await registry.get(f"/v1/certificates/{number}/verification"),
        await registry.get(f"/v1/batches/{issued['batch_id']}/publicity"),
        await registry.get("/v1/issuers/" + number[:13]),
        await gateway.get(f"/api/v1/certificates/{number}", params={"id_number": issued["id_number"]}),
        await gateway.get("/verify", params={"n": number}),
    ]
    for a in answers:
        assert a.status_code < 500, (a.request.url, a.status_code, a.text[:300])
    leaks = contains_full_id([a.text for a in answers])
    assert not leaks, f"full ID numbers in public answers: {leaks}"
    assert issued["id_number"] not in "".join(a.text for a in answers)


async def test_public_lookup_is_rate_limited_at_the_gateway(
    suite: dict[str, Service], database_urls: dict[str, str], issued: dict[str, Any]
) -> None:
    """A small budget makes the limit visible: past it, 429 problem+json with Retry-After, and no more look-ups."""
    from gateway.upstreams import REGISTRY

    registry_app = suite["certificate-registry"].app
    budget = 5
    gateway = build_gateway(
        database_urls["gateway"],
        {REGISTRY: httpx.ASGITransport(app=registry_app, raise_app_exceptions=False)},
        public_rate_limit_per_window=budget,
        rate_limit_window_s=60,
    )
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(gateway.router.lifespan_context(gateway))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://testserver")
        )
        statuses = []
        for i in range(budget + 3):
            number = issued["number"] if i % 2 else _unknown(issued["number"])
            r = await client.get(f"/api/v1/certificates/{number}", params={"name": f"猜测{i}"})
            statuses.append(r.status_code)
            last = r
        assert statuses[:budget] == [404] * budget, statuses
        assert statuses[budget:] == [429] * 3, statuses
        assert last.headers.get("content-type", "").startswith("application/problem+json")
        assert int(last.headers["Retry-After"]) > 0
        # the verify page shares the public budget
        v = await client.get("/verify", params={"n": issued["number"]})
        assert v.status_code == 429

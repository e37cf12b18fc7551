"""ServiceClient under failure: any error is a 503 naming the service, breakers per route class with one trial
call when half-open, and bulkheads per caller (issue 20, items 1 and 3; issue 19, item 6)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from skills_shared.clients import RouteClass, ServiceClient, bind_caller
from skills_shared.problems import Problem

LOOKUP = RouteClass("lookup", per_caller=50, total=100)
PDF = RouteClass("pdf", per_caller=2, total=4)


def classes(method: str, path: str) -> RouteClass:
    return PDF if path.endswith(".pdf") else LOOKUP


def client_with(handler: object, **kw: object) -> ServiceClient:
    return ServiceClient(
        "certificate-registry",
        "http://registry",
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        backoff_s=0,
        classify=classes,
        **kw,  # type: ignore[arg-type]
    )


async def test_any_exception_from_the_client_library_is_a_503_naming_the_service() -> None:
    """The peer died mid-answer and httpx raised something that is not an httpx error (seen: AttributeError
    'NoneType' object has no attribute 'getpeername'): still a 503 problem naming the service, never a 500."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise AttributeError("'NoneType' object has no attribute 'getpeername'")

    client = client_with(handler, retries=1)
    for method in ("GET", "POST"):
        with pytest.raises(Problem) as refused:
            await client.request(method, "/v1/certificates/x")
        assert refused.value.status == 503
        assert refused.value.extra["service"] == "certificate-registry"
        assert "AttributeError" in refused.value.extra["reason"]
        assert "Retry-After" in refused.value.headers


async def test_a_route_class_failing_opens_only_its_own_breaker() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(".pdf"):
            return httpx.Response(500, text="renderer crashed")
        return httpx.Response(200, json={"ok": True})

    client = client_with(handler, retries=0, breaker_threshold=3, breaker_reset_s=60)
    for _ in range(5):
        with pytest.raises(Problem):
            await client.request("GET", "/v1/certificates/x/document.pdf")
    assert client.breakers.state("pdf") == "opened"
    assert client.breakers.state("lookup") == "closed"
    assert (await client.request("GET", "/v1/certificates/x")).status_code == 200
    with pytest.raises(Problem) as refused:
        await client.request("GET", "/v1/certificates/y/document.pdf")
    assert refused.value.extra["reason"] == "circuit open"
    assert refused.value.extra["route_class"] == "pdf"


async def test_half_open_lets_exactly_one_trial_call_through() -> None:
    """Issue 19: the hand-written breaker let every call through after the reset time."""
    calls = 0
    release = asyncio.Event()
    healthy = False

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if not healthy:
            return httpx.Response(502)
        await release.wait()
        return httpx.Response(200, json={})

    client = client_with(handler, retries=0, breaker_threshold=1, breaker_reset_s=0.05)
    with pytest.raises(Problem):
        await client.request("GET", "/v1/certificates/x")
    assert client.breakers.state("lookup") == "opened"
    await asyncio.sleep(0.1)
    healthy, calls = True, 0
    attempts = [asyncio.create_task(client.request("GET", "/v1/certificates/x")) for _ in range(10)]
    await asyncio.sleep(0.05)
    release.set()
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    assert calls == 1, "only the trial call reached the service"
    assert sum(isinstance(o, httpx.Response) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, Problem)]
    assert len(refused) == 9 and all(p.extra["reason"] == "circuit open" for p in refused)
    assert client.breakers.state("lookup") == "closed"
    assert (await client.request("GET", "/v1/certificates/x")).status_code == 200


async def test_one_callers_flood_is_held_by_its_bulkhead_and_others_pass() -> None:
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(".pdf"):
            await release.wait()
        return httpx.Response(200, json={})

    client = client_with(handler, retries=0)

    async def as_caller(caller: str, path: str) -> httpx.Response | Problem:
        bind_caller(caller)
        try:
            return await client.request("GET", path)
        except Problem as problem:
            return problem

    flood = [
        asyncio.create_task(as_caller("citizen:a", "/v1/certificates/x/document.pdf")) for _ in range(30)
    ]
    await asyncio.sleep(0.05)
    other = await as_caller("citizen:b", "/v1/certificates/x")
    assert isinstance(other, httpx.Response) and other.status_code == 200
    others_pdf = asyncio.create_task(as_caller("citizen:b", "/v1/certificates/x/document.pdf"))
    await asyncio.sleep(0.05)
    release.set()
    outcomes = await asyncio.gather(*flood)
    admitted = [o for o in outcomes if isinstance(o, httpx.Response)]
    refused = [o for o in outcomes if isinstance(o, Problem)]
    assert len(admitted) == PDF.per_caller
    assert {p.status for p in refused} == {429}
    assert all(p.extra["route_class"] == "pdf" for p in refused)
    mine = await others_pdf
    assert isinstance(mine, httpx.Response) and mine.status_code == 200
    assert client.bulkheads.by_caller == {} and set(client.bulkheads.by_class.values()) == {0}

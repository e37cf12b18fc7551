"""The lean look-up path (pyreqwest) over real sockets: pass-through, kept-alive reuse, stale connections, timeouts,
the breaker, odd responses — and the gateway's answer through it equal to the general path's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from gateway_fakes import Certificate, FakeRegistry
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import GatewaySettings
from skills_shared.clients import ServiceClient
from skills_shared.fastget import FastGet
from skills_shared.problems import Problem
from skills_shared.testing import free_port, running_app, served

NUMBER = "S000050050001253000001"
ID_NUMBER = "500101199001011234"
LOOKUP = f"/v1/certificates/{NUMBER}?name=%E5%BC%A0%E4%B8%89"


@pytest.fixture
async def registry() -> AsyncIterator[tuple[str, FakeRegistry]]:
    """The fake registry served by a real uvicorn on a free port."""
    fake = FakeRegistry()
    fake.certificates[NUMBER] = Certificate(number=NUMBER, holder_name="张三", id_number=ID_NUMBER)
    async with served(fake.app()) as url:
        yield url, fake


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def raw_server(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def client(base: str, **kw: float | int) -> ServiceClient:
    return ServiceClient(
        name="certificate-registry",
        base_url=base,
        timeout_s=float(kw.get("timeout_s", 2.0)),
        retries=int(kw.get("retries", 1)),
        backoff_s=0,
        breaker_threshold=int(kw.get("threshold", 5)),
    )


async def test_answers_pass_through_and_connections_are_reused(registry: tuple[str, FakeRegistry]) -> None:
    base, fake = registry
    fast = FastGet(client(base))
    try:
        found = await fast.get(LOOKUP, ((b"X-Request-ID", b"r-1"),))
        assert found.status == 200 and found.content_type == b"application/json"
        assert httpx.Response(200, content=found.body).json()["holder_name"] == "张三"
        missing = await fast.get(f"/v1/certificates/{NUMBER}?name=%E6%9D%8E")
        assert missing.status == 404 and missing.content_type == b"application/problem+json"
        for _ in range(5):
            assert (await fast.get(LOOKUP)).status == 200
        answers = await asyncio.gather(*[fast.get(LOOKUP) for _ in range(20)])
        assert {a.status for a in answers} == {200}
        assert fake.lookups == 27
    finally:
        await fast.aclose()


async def test_a_connection_closed_while_idle_is_not_a_failure() -> None:
    """The peer drops kept-alive connections after answering: every call still succeeds, the breaker stays shut."""
    body = b'{"ok":true}'

    async def answer_once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
            % (len(body), body)
        )
        await writer.drain()
        writer.close()

    server, base = await raw_server(answer_once_then_close)
    service = client(base, retries=0)
    fast = FastGet(service)
    try:
        for _ in range(4):
            answer = await fast.get("/x")
            assert (answer.status, answer.body) == (200, body)
            await asyncio.sleep(0.01)
        assert service.breakers.state("reads") == "closed"
    finally:
        await fast.aclose()
        server.close()


async def test_silence_times_out_into_a_503_and_opens_the_breaker() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    server, base = await raw_server(never_answer)
    service = client(base, timeout_s=0.05, retries=1, threshold=2)
    fast = FastGet(service)
    try:
        for _ in range(2):
            with pytest.raises(Problem) as caught:
                await fast.get("/x")
            assert caught.value.status == 503 and caught.value.extra["reason"] == "timeout"
        with pytest.raises(Problem) as caught:
            await fast.get("/x")
        assert caught.value.extra["reason"] == "circuit open"
        assert int(caught.value.headers["Retry-After"]) >= 1
    finally:
        await fast.aclose()
        server.close()


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n", "status 502"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "transport"),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort", "transport"),
    ],
)
async def test_odd_answers_are_failed_attempts(response: bytes, reason: str) -> None:
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(response)
        await writer.drain()
        writer.close()

    server, base = await raw_server(reply)
    fast = FastGet(client(base, retries=1))
    try:
        with pytest.raises(Problem) as caught:
            await fast.get("/x")
        assert caught.value.status == 503 and caught.value.extra["reason"].startswith(reason)
    finally:
        await fast.aclose()
        server.close()


async def test_nothing_listening_is_a_503_naming_the_registry() -> None:
    fast = FastGet(client(f"http://127.0.0.1:{free_port()}", retries=1))
    with pytest.raises(Problem) as caught:
        await fast.get("/x")
    assert caught.value.extra["service"] == "certificate-registry"
    assert caught.value.extra["reason"].startswith("transport")


async def test_warming_a_service_that_is_not_up_yet_leaves_its_breaker_closed(
    registry: tuple[str, FakeRegistry],
) -> None:
    """Start-up warming dials a registry that may start later: its refusals must not open the breaker, or the
    first real look-ups fail fast with "circuit open" for the breaker's whole reset time."""
    base, _ = registry
    fast = FastGet(client(f"http://127.0.0.1:{free_port()}", threshold=2))
    try:
        await fast.warm(8)  # nothing listens there: eight refusals, quietly
        fast.base = base  # the registry is up now
        assert (await fast.get(LOOKUP)).status == 200
    finally:
        await fast.aclose()


async def test_gateway_fast_path_equals_the_general_path(
    registry: tuple[str, FakeRegistry], database_url: str, engine: AsyncEngine
) -> None:
    """Through the gateway: the hot path (real socket) and the documented route answer alike."""
    base, _ = registry
    settings = GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        registry_url=base,
        database_pool_size=2,
    )
    app = create_app(settings)
    queries = ({"name": "张三"}, {"name": "李四"}, {"id_number": ID_NUMBER})
    counted_before = looked_up()
    async with running_app(app) as gw:
        fast_answers = [
            await gw.get(f"/api/v1/certificates/{NUMBER}", params=q, headers={"X-Request-ID": "fp-1"})
            for q in queries
        ]
        assert [a.status_code for a in fast_answers] == [200, 404, 200]
        assert fast_answers[0].headers.get_list("x-request-id") == ["fp-1"]
        assert ID_NUMBER not in fast_answers[2].text
        # counted under the documented route's template, as the general path below is, not as "unmatched"
        assert looked_up() == counted_before + 3
        assert (await gw.get("/api/v1/certificates/not-a-number?name=x")).status_code == 422
        app.state.registry_get = None  # the documented route's general path
        general = [await gw.get(f"/api/v1/certificates/{NUMBER}", params=q) for q in queries]
        assert [(a.status_code, a.json()) for a in general] == [
            (a.status_code, a.json()) for a in fast_answers
        ]
        assert looked_up() == counted_before + 7  # and the malformed number, which the route answered


def looked_up() -> float:
    """The gateway's count of answered look-ups, all statuses, under the route's template."""
    total = 0.0
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            labels = sample.labels
            if (
                sample.name == "http_requests_total"
                and labels.get("service") == "gateway"
                and labels.get("route") == "/api/v1/certificates/{number}"
            ):
                total += sample.value
    return total


async def test_fast_path_is_rate_limited_like_the_route(
    registry: tuple[str, FakeRegistry], database_url: str, engine: AsyncEngine
) -> None:
    """The hot path sits behind the limiter: the public budget holds on it too, before the registry is asked."""
    base, fake = registry
    settings = GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        registry_url=base,
        database_pool_size=2,
        public_rate_limit_per_window=2,
        rate_limit_window_s=3600,
    )
    async with running_app(create_app(settings)) as gw:
        statuses = [
            (await gw.get(f"/api/v1/certificates/{NUMBER}", params={"name": "张三"})).status_code
            for _ in range(3)
        ]
    assert statuses == [200, 200, 429]
    assert fake.lookups == 2


def test_tls_services_take_the_lean_path_too() -> None:
    """pyreqwest speaks TLS: an https registry no longer falls back to the general client."""
    assert FastGet.for_service(client("https://registry.example.gov.cn")) is not None
    assert FastGet.for_service(client("http://127.0.0.1:8001")) is not None
    assert FastGet.for_service(client("unix:///run/registry.sock")) is None


async def test_sequential_calls_reuse_one_kept_alive_connection() -> None:
    accepted = 0
    body = b'{"ok":true}'

    async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server, base = await raw_server(keep_alive)
    fast = FastGet(client(base))
    try:
        for _ in range(6):
            assert (await fast.get("/x")).body == body
        assert accepted == 1
    finally:
        await fast.aclose()
        server.close()


async def test_chunked_answers_are_read_whole() -> None:
    """What the hand-written parser refused as odd is ordinary HTTP/1.1 for a maintained client."""

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        await writer.drain()
        writer.close()

    server, base = await raw_server(chunked)
    fast = FastGet(client(base))
    try:
        assert (await fast.get("/x")).body == b"hello"
    finally:
        await fast.aclose()
        server.close()

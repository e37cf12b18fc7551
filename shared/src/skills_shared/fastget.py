"""The lean GET between services, on pyreqwest: keep-alive pooling, TLS, and far less CPU per call than httpx.

The gateway's public look-up and subsidy-claims' registry check (every claim submit) take this road. One httpx
request costs about 1 ms of CPU on the development machine, several times what the registry spends answering.
pyreqwest is Rust's reqwest (hyper, rustls) behind a small Python surface: measured against the same tiny ASGI
app with 16 concurrent callers, about 100 µs of process CPU per GET against 215–255 µs for aiohttp, which this
module used before (bench/README.md, "The lean GET"). It keeps the ServiceClient's contract, because it runs
through the same `ServiceClient.guarded`: the route class's bulkhead and breaker, retries by tenacity (a GET is
safe to repeat), a timeout on every attempt, and a 503 problem naming the service with Retry-After when it is
down. https URLs work the same way (verified TLS, pooled connections). Addresses are resolved per new connection
(no cache), so a container restarted on a new address is found again as soon as its old connections fail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from pyreqwest.client import Client, ClientBuilder
from pyreqwest.exceptions import PyreqwestError, ReadTimeoutError, RequestTimeoutError

from skills_shared.clients import Failed, ServiceClient

MAX_CONNECTIONS = 256
"""Connections per service; keep-alive keeps them open, so busy look-ups never dial."""
KEEPALIVE_S = 30.0
MAX_BODY_BYTES = 1_000_000


@dataclass(slots=True)
class Answer:
    """Status, the content type, a Retry-After if any, and the body bytes."""

    status: int
    content_type: bytes
    retry_after: bytes | None
    body: bytes


class FastGet:
    """GETs to one service over pyreqwest's pooled connections, under the service client's guards."""

    def __init__(self, service: ServiceClient) -> None:
        self.service = service
        self.base = service.base_url.rstrip("/")
        if not self.base.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {service.base_url!r}")
        self._client: Client | None = None

    @classmethod
    def for_service(cls, service: ServiceClient) -> FastGet | None:
        """The lean client, or None when the service's URL is not http(s)."""
        try:
            return cls(service)
        except ValueError:
            return None

    @property
    def client(self) -> Client:
        """The pooled client (created on first use, inside the running loop)."""
        if self._client is None:
            self._client = (
                ClientBuilder()
                .timeout(timedelta(seconds=self.service.timeout_s))
                .max_connections(MAX_CONNECTIONS)
                .pool_idle_timeout(timedelta(seconds=KEEPALIVE_S))
                .error_for_status(False)
                .build()
            )
        return self._client

    async def _exchange(self, target: str, headers: tuple[tuple[bytes, bytes], ...]) -> Answer:
        """One GET, unguarded: any answer below 500 is returned, anything else raises `Failed`."""
        try:
            request = self.client.get(self.base + target)
            for name, value in headers:
                request = request.header(name.decode("latin-1"), value.decode("latin-1"))
            response = await request.build().send()
            length = response.get_header("content-length")
            if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
                raise Failed("answer too large", retryable=False)
            body = bytes(await response.bytes())  # a body cut short raises
            if len(body) > MAX_BODY_BYTES:
                raise Failed("answer too large", retryable=False)
            answer = Answer(
                response.status,
                (response.get_header("content-type") or "application/octet-stream").encode("latin-1"),
                (response.get_header("retry-after") or "").encode("latin-1") or None,
                body,
            )
        except Failed:
            raise
        except (TimeoutError, RequestTimeoutError, ReadTimeoutError) as exc:
            raise Failed("timeout") from exc
        except asyncio.CancelledError:
            raise
        except (PyreqwestError, Exception) as exc:  # any way the exchange broke is the service being unwell
            raise Failed(f"transport: {type(exc).__name__}") from exc
        if answer.status < 500:
            return answer
        raise Failed("downstream 503" if answer.status == 503 else f"status {answer.status}")

    async def get(self, target: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Answer:
        """GET ``target`` (path and query, already encoded) under the service's guards; any answer below 500 is
        returned."""

        async def attempt() -> Answer:
            return await self._exchange(target, headers)

        result: Answer = await self.service.guarded("GET", target, attempt, repeatable=True)
        return result

    async def warm(self, connections: int, path: str = "/healthz") -> None:
        """Open ``connections`` kept-alive connections at once (start-up, `skills_shared.warmup`).

        Outside the guards on purpose: at start-up the other service may not be up yet, and those refusals must
        not count against the breaker (eight of them opened it, and the first real calls then failed fast with
        "circuit open" for its whole reset time). The answers are not read for anything."""
        await asyncio.gather(*(self._exchange(path, ()) for _ in range(connections)), return_exceptions=True)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._client is not None:
            await self._client.close()
            self._client = None

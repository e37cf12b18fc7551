"""The lean GET between services, on aiohttp: keep-alive pooling, TLS, and far less CPU per call than httpx.

The gateway's public look-up and subsidy-claims' registry check (every claim submit) take this road. On the
development machine one httpx request costs about 1 ms of CPU, several times what the registry spends
answering; aiohttp's C-accelerated client costs a fraction of that. It keeps the ServiceClient's contract,
because it runs through the same `ServiceClient.guarded`: the route class's bulkhead and breaker, retries by
tenacity (a GET is safe to repeat), a timeout on every attempt, and a 503 problem naming the service with
Retry-After when it is down. https URLs work the same way (verified TLS, pooled connections).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from yarl import URL

from skills_shared.clients import Failed, ServiceClient

MAX_CONNECTIONS = 256
"""Connections per service; keep-alive keeps them open, so busy look-ups never dial."""
KEEPALIVE_S = 30.0
DNS_TTL_S = 10
"""How long a service's resolved address is trusted. A restarted container (compose, podman) comes back on a new
address; a long cache kept dialling the dead one, and the look-up stayed 503 for minutes after the service was
back. Kept-alive connections do not resolve at all, so this costs a lookup only when a new connection is dialled."""
MAX_BODY_BYTES = 1_000_000


@dataclass(slots=True)
class Answer:
    """Status, the content type, a Retry-After if any, and the body bytes."""

    status: int
    content_type: bytes
    retry_after: bytes | None
    body: bytes


class FastGet:
    """GETs to one service over aiohttp's pooled connections, under the service client's guards."""

    def __init__(self, service: ServiceClient) -> None:
        self.service = service
        self.base = service.base_url.rstrip("/")
        if not self.base.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {service.base_url!r}")
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def for_service(cls, service: ServiceClient) -> FastGet | None:
        """The lean client, or None when the service's URL is not http(s)."""
        try:
            return cls(service)
        except ValueError:
            return None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The pooled session (created on first use, inside the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_S, ttl_dns_cache=DNS_TTL_S
                ),
                timeout=aiohttp.ClientTimeout(total=self.service.timeout_s),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )
        return self._session

    async def get(self, target: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Answer:
        """GET ``target`` (path and query, already encoded); any answer below 500 is returned."""
        url = URL(self.base + target, encoded=True)
        sent = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}

        async def attempt() -> Answer:
            try:
                async with self.session.get(url, headers=sent, allow_redirects=False) as response:
                    if (response.content_length or 0) > MAX_BODY_BYTES:
                        raise Failed("answer too large", retryable=False)
                    body = await response.read()  # a body cut short raises ClientPayloadError
                    if len(body) > MAX_BODY_BYTES:
                        raise Failed("answer too large", retryable=False)
                    answer = Answer(
                        response.status,
                        response.headers.get("Content-Type", "application/octet-stream").encode("latin-1"),
                        (response.headers.get("Retry-After") or "").encode("latin-1") or None,
                        body,
                    )
            except Failed:
                raise
            except TimeoutError as exc:
                raise Failed("timeout") from exc
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any way the exchange broke is the service being unwell
                raise Failed(f"transport: {type(exc).__name__}") from exc
            if answer.status < 500:
                return answer
            raise Failed("downstream 503" if answer.status == 503 else f"status {answer.status}")

        result: Answer = await self.service.guarded("GET", target, attempt, repeatable=True)
        return result

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

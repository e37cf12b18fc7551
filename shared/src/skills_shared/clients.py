"""Typed calls to another service: timeouts, bounded safe retries, request-id and key propagation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from skills_shared.problems import Problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; lets one trial call through after ``reset_s``."""

    threshold: int = 5
    reset_s: float = 10.0
    failures: int = 0
    opened_at: float | None = None

    def allow(self) -> bool:
        """Whether a call may go out now."""
        if self.opened_at is None:
            return True
        return time.monotonic() - self.opened_at >= self.reset_s

    def success(self) -> None:
        """Close the circuit."""
        self.failures = 0
        self.opened_at = None

    def failure(self) -> None:
        """Count a failure; open (or re-open) when the threshold is reached."""
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()

    def retry_after_s(self) -> int:
        """Seconds until a trial call will be let through."""
        if self.opened_at is None:
            return 1
        return max(1, int(self.reset_s - (time.monotonic() - self.opened_at)) + 1)


def service_unavailable(name: str, breaker: CircuitBreaker, why: str) -> Problem:
    """The 503 every caller gets when a neighbour is down: names the service, says when to retry."""
    return Problem(
        503,
        "service_unavailable",
        f"依赖服务 {name} 暂不可用，请稍后重试",
        title="Service unavailable",
        headers={"Retry-After": str(breaker.retry_after_s())},
        extra={"service": name, "reason": why},
    )


@dataclass
class ServiceClient:
    """A client for one downstream service.

    Retries only what is safe to repeat: GET/HEAD, or a call carrying an Idempotency-Key that the receiver
    deduplicates. Any transport failure, timeout or 5xx after the retries becomes a 503 problem naming the service,
    so a caller never half-finishes a record because a neighbour is down.
    """

    name: str
    base_url: str
    timeout_s: float = 3.0
    retries: int = 2
    backoff_s: float = 0.1
    transport: httpx.AsyncBaseTransport | None = None
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    _client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The pooled httpx client (created on first use)."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.base_url, timeout=self.timeout_s, transport=self.transport
            )
        return self._client

    async def aclose(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _unavailable(self, why: str) -> Problem:
        return service_unavailable(self.name, self.breaker, why)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        token: str | None = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """Send a request; return any response below 500 (the caller interprets 4xx), raise 503 otherwise.

        ``timeout_s`` overrides the client's per-attempt timeout for a call known to take longer (a bulk upload).

        ``json`` is encoded here; ``content`` is sent as given (the gateway's relay passes a caller's body
        bytes untouched). A write is retried only when it carries an Idempotency-Key, as an argument or among
        ``headers``: without one, a retry after a lost answer could do it twice.
        """
        method = method.upper()
        if not self.breaker.allow():
            raise self._unavailable("circuit open")
        out: dict[str, str] = dict(headers or {})
        named = {name.lower() for name in out}
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id and "x-request-id" not in named:
            out["X-Request-ID"] = str(request_id)
        if token:
            out["Authorization"] = f"Bearer {token}"
        if idempotency_key:
            out["Idempotency-Key"] = idempotency_key
        repeatable = method in SAFE_METHODS or bool(idempotency_key) or "idempotency-key" in named
        attempts = 1 + (self.retries if repeatable else 0)
        last = "no attempt"
        for attempt in range(attempts):
            try:
                response = await self.client.request(
                    method,
                    path,
                    json=json,
                    content=content,
                    params=params,
                    headers=out,
                    timeout=timeout_s if timeout_s is not None else self.timeout_s,
                )
            except httpx.TimeoutException:
                last = "timeout"
            except httpx.TransportError as exc:
                last = f"transport: {type(exc).__name__}"
            else:
                if response.status_code < 500:
                    self.breaker.success()
                    return response
                if response.status_code == 503 and response.headers.get("content-type", "").startswith(
                    "application/problem+json"
                ):
                    last = "downstream 503"
                else:
                    last = f"status {response.status_code}"
            if attempt + 1 < attempts:
                await asyncio.sleep(self.backoff_s * (2**attempt))
        self.breaker.failure()
        raise self._unavailable(last)

    async def get_json(self, path: str, **kw: Any) -> Any:
        """GET and decode JSON, passing a downstream 4xx problem through unchanged."""
        response = await self.request("GET", path, **kw)
        raise_for_problem(response)
        return response.json()


def raise_for_problem(response: httpx.Response) -> None:
    """Re-raise a downstream 4xx problem+json as our own Problem (same status, code, rule, errors)."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    raise Problem(
        response.status_code,
        str(body.get("code", "downstream_error")),
        str(body.get("detail", response.text[:500])),
        title=body.get("title"),
        rule=body.get("rule"),
        errors=body.get("errors"),
        headers={k: v for k, v in response.headers.items() if k.lower() == "retry-after"},
    )

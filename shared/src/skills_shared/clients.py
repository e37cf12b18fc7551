"""Typed calls to another service: timeouts, bounded safe retries, breakers and bulkheads per route class.

Libraries do the mechanics: `purgatory` keeps the circuit breakers, `tenacity` the retries with exponential
back-off, httpx the pooled connections. What is ours is the policy:

- **Route classes.** Every call belongs to a class of its service's routes (`RouteClass`: the public look-up,
  PDF documents, reads, writes, administrative writes …), chosen by the client's classifier. Each class has its
  own breaker, so a slow PDF renderer or one buggy catalogue PUT opens only its own class (issue 20, item 1).
- **Bulkheads.** Each class admits at most ``per_caller`` concurrent calls from one caller (the rate-limit
  identity the gateway binds with `bind_caller`) and ``total`` from everyone together; a call over either limit
  is refused at once (429 for the caller's own flood, 503 for a full class) instead of queueing behind it.
- **Half-open means one trial.** After an open breaker's reset time exactly one call goes through; the others
  keep failing fast until it has answered.
- **Any failure is a 503 naming the service.** Transport errors, timeouts, 5xx after the retries, and anything
  else the client library raises while the peer dies mid-answer (issue 20, item 3) become the same problem with
  Retry-After, so a caller never sees a 500 or half-finishes a record because a neighbour is down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import structlog
from prometheus_client import Gauge
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from purgatory.service._async.circuitbreaker import AsyncCircuitBreaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from skills_shared.metric_series import series
from skills_shared.problems import Problem


def service_path(template: str, **params: object) -> str:
    """``template`` with each parameter percent-encoded as one whole path segment.

    A caller's value (a certificate number, a body code) goes into another service's path; unencoded, a ``/``,
    ``..``, ``?`` or ``#`` in it would reach a different route, and a control character would make the URL
    invalid (a 503 instead of the provider's own refusal). Encoded, the provider sees exactly what was sent."""
    return template.format(**{name: quote(str(value), safe="") for name, value in params.items()})


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = structlog.get_logger(__name__)

BREAKER_OPEN = Gauge(
    "upstream_circuit_open",
    "1 while the circuit breaker of a service's route class is open or half-open",
    ["service", "route_class"],
)

_caller: ContextVar[str] = ContextVar("skills_caller", default="")


def bind_caller(caller: str) -> None:
    """Name the caller of the current request (the gateway's rate-limit identity) for the bulkheads."""
    _caller.set(caller)


def current_caller() -> str:
    """The caller bound for this request, or ``""`` (a service's own calls share one bulkhead)."""
    return _caller.get()


@dataclass(frozen=True, slots=True)
class RouteClass:
    """A class of one service's routes that share a breaker and a concurrency budget."""

    name: str
    per_caller: int = 32
    """Concurrent calls one caller may have in this class."""
    total: int = 256
    """Concurrent calls everyone together may have in this class."""


READS = RouteClass("reads")
WRITES = RouteClass("writes", per_caller=16, total=128)


def default_classes(method: str, path: str) -> RouteClass:
    """Reads and writes apart; services with finer classes give the client their own classifier."""
    return READS if method in SAFE_METHODS else WRITES


Classifier = Callable[[str, str], RouteClass]


@dataclass
class Bulkheads:
    """In-flight counts per (class, caller) and per class; a full one refuses at once."""

    by_caller: dict[tuple[str, str], int] = field(default_factory=dict)
    by_class: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def admit(self, service: str, route_class: RouteClass, caller: str) -> Iterator[None]:
        """Hold one place of ``caller`` in ``route_class`` for the duration, or raise 429/503."""
        key = (route_class.name, caller)
        mine = self.by_caller.get(key, 0)
        everyone = self.by_class.get(route_class.name, 0)
        if mine >= route_class.per_caller:
            raise Problem(
                429,
                "too_many_concurrent",
                f"同时进行的请求过多（{route_class.name} 类每位调用方最多 {route_class.per_caller} 个），请稍后重试",
                title="Too many concurrent requests",
                headers={"Retry-After": "1"},
                extra={"service": service, "route_class": route_class.name},
            )
        if everyone >= route_class.total:
            raise Problem(
                503,
                "service_unavailable",
                f"依赖服务 {service} 的 {route_class.name} 类请求已满，请稍后重试",
                title="Service unavailable",
                headers={"Retry-After": "1"},
                extra={"service": service, "route_class": route_class.name, "reason": "bulkhead full"},
            )
        self.by_caller[key] = mine + 1
        self.by_class[route_class.name] = everyone + 1
        try:
            yield
        finally:
            left = self.by_caller[key] - 1
            if left:
                self.by_caller[key] = left
            else:
                del self.by_caller[key]
            self.by_class[route_class.name] -= 1


class BreakerOpen(Exception):
    """The class's breaker refuses the call (open, or half-open with its one trial under way)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("circuit open")
        self.retry_after_s = retry_after_s


class Failed(Exception):
    """One attempt failed in a way that says the service is unwell; counted by the breaker, maybe retried."""

    def __init__(self, why: str, *, retryable: bool = True) -> None:
        super().__init__(why)
        self.why = why
        self.retryable = retryable


class Breakers:
    """`purgatory` breakers, one per route class of one service, with a single trial call when half-open."""

    def __init__(self, service: str, *, threshold: int = 5, reset_s: float = 10.0) -> None:
        self.service = service
        self.threshold = threshold
        self.reset_s = reset_s
        self.factory = AsyncCircuitBreakerFactory(default_threshold=threshold, default_ttl=reset_s)
        self._trials: set[str] = set()
        self._breakers: dict[str, AsyncCircuitBreaker] = {}

    def state(self, route_class: str) -> str:
        """``closed``, ``opened`` or ``half-opened`` (tests and metrics)."""
        context = self.factory.uow.contexts.breakers.get(route_class)  # type: ignore[attr-defined]
        return "closed" if context is None else str(context.state)

    def _retry_after(self, route_class: str) -> int:
        context = self.factory.uow.contexts.breakers.get(route_class)  # type: ignore[attr-defined]
        opened_at = getattr(context, "opened_at", None) if context is not None else None
        if opened_at is None:
            return 1
        return max(1, int(self.reset_s - (time.time() - opened_at)) + 1)

    async def call(self, route_class: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``attempt`` under the class's breaker; `Failed` counts against it, anything else does not."""
        breaker = self._breakers.get(route_class)
        if breaker is None:  # once per class: the factory's lookup costs a unit of work on every call
            breaker = self._breakers[route_class] = await self.factory.get_breaker(route_class)
        context = breaker.context
        trial = context.state != "closed"
        if trial:
            if route_class in self._trials:
                raise BreakerOpen(self._retry_after(route_class))
            self._trials.add(route_class)
        try:
            try:
                async with breaker:
                    return await attempt()
            except OpenedState as exc:
                raise BreakerOpen(self._retry_after(route_class)) from exc
        finally:
            if trial:
                self._trials.discard(route_class)
            series(BREAKER_OPEN, self.service, route_class).set(0 if context.state == "closed" else 1)


def service_unavailable(
    name: str, why: str, retry_after_s: int = 1, route_class: str | None = None
) -> Problem:
    """The 503 every caller gets when a neighbour is down: names the service, says when to retry."""
    extra: dict[str, Any] = {"service": name, "reason": why}
    if route_class is not None:
        extra["route_class"] = route_class
    return Problem(
        503,
        "service_unavailable",
        f"依赖服务 {name} 暂不可用，请稍后重试",
        title="Service unavailable",
        headers={"Retry-After": str(retry_after_s)},
        extra=extra,
    )


@dataclass
class ServiceClient:
    """A client for one downstream service.

    Retries only what is safe to repeat: GET/HEAD, or a call carrying an Idempotency-Key that the receiver
    deduplicates. Any failure after the retries becomes a 503 problem naming the service (see the module).
    """

    name: str
    base_url: str
    timeout_s: float = 3.0
    retries: int = 2
    backoff_s: float = 0.1
    transport: httpx.AsyncBaseTransport | None = None
    breaker_threshold: int = 5
    breaker_reset_s: float = 10.0
    classify: Classifier = default_classes
    _client: httpx.AsyncClient | None = None
    breakers: Breakers = field(init=False)
    bulkheads: Bulkheads = field(default_factory=Bulkheads)

    def __post_init__(self) -> None:
        self.breakers = Breakers(self.name, threshold=self.breaker_threshold, reset_s=self.breaker_reset_s)

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

    async def guarded(
        self, method: str, path: str, attempt: Callable[[], Awaitable[Any]], *, repeatable: bool
    ) -> Any:
        """Run ``attempt`` (one exchange, raising `Failed` when the service is unwell) with the class's bulkhead,
        breaker and retries; every way of failing ends as a Problem (503 naming the service, or a bulkhead's 429).

        Shared by `request` and the lean GET (`skills_shared.fastget`), so both keep one contract.
        """
        route_class = self.classify(method, path.partition("?")[0])
        attempts = 1 + (self.retries if repeatable else 0)

        async def retried() -> Any:
            # The first attempt runs bare: building tenacity's retry state costs more than a look-up's whole hop,
            # and almost every call succeeds at once. Only a failed attempt that may be repeated enters tenacity.
            try:
                return await attempt()
            except Failed as exc:
                if attempts == 1 or not exc.retryable:
                    raise
            await asyncio.sleep(self.backoff_s)
            async for step in AsyncRetrying(
                stop=stop_after_attempt(attempts - 1),
                wait=wait_exponential(multiplier=self.backoff_s * 2, max=max(self.backoff_s * 8, 0.001)),
                retry=retry_if_exception(lambda exc: isinstance(exc, Failed) and exc.retryable),
                reraise=True,
            ):
                with step:
                    return await attempt()
            raise AssertionError("unreachable: tenacity re-raises the last failure")

        with self.bulkheads.admit(self.name, route_class, current_caller()):
            try:
                return await self.breakers.call(route_class.name, retried)
            except BreakerOpen as exc:
                raise service_unavailable(
                    self.name, "circuit open", exc.retry_after_s, route_class.name
                ) from exc
            except Failed as exc:
                log.warning(
                    "upstream_failed", service=self.name, route_class=route_class.name, reason=exc.why
                )
                raise service_unavailable(
                    self.name, exc.why, self.breakers._retry_after(route_class.name), route_class.name
                ) from exc

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

        async def attempt() -> httpx.Response:
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
            except httpx.TimeoutException as exc:
                raise Failed("timeout") from exc
            except httpx.TransportError as exc:
                raise Failed(f"transport: {type(exc).__name__}") from exc
            except Exception as exc:  # e.g. AttributeError from a socket closed mid-answer
                raise Failed(f"client: {type(exc).__name__}") from exc
            if response.status_code < 500:
                return response
            if response.status_code == 503 and response.headers.get("content-type", "").startswith(
                "application/problem+json"
            ):
                raise Failed("downstream 503")
            raise Failed(f"status {response.status_code}")

        result: httpx.Response = await self.guarded(method, path, attempt, repeatable=repeatable)
        return result

    async def get_json(self, path: str, **kw: Any) -> Any:
        """GET and decode JSON, passing a downstream 4xx problem through unchanged."""
        response = await self.request("GET", path, **kw)
        raise_for_problem(response)
        return response.json()


_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "rule", "errors", "request_id"})
"""Members every problem has; the others are a refusal's own fields (``latest_filing_date``, ``faults``)."""


def raise_for_problem(response: httpx.Response) -> None:
    """Re-raise a downstream 4xx problem+json as our own Problem (same status, code, rule, errors, and the
    refusal's own fields, which tell the client when or how it would be accepted); the request id is ours."""
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
        extra={k: v for k, v in body.items() if k not in _PROBLEM_MEMBERS},
    )

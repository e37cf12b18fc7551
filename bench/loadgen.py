"""A small asyncio + httpx load client: constant arrival rate (no wrk2 here) and closed loop, for requests that
need a distinct body each (claims, redeems). Its own cost is measured against the floor and reported.

Latency is taken from the moment a request was *due*, not when it was sent, so a client or server that falls
behind shows up in the percentiles instead of silently lowering the rate (coordinated omission).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

RequestOf = Callable[[int], tuple[str, str, Any, dict[str, str]]]
"""i → (method, path, json body or None, headers)."""


@dataclass
class LoadResult:
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]
    cpu_s: float
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        k = min(len(data) - 1, max(0, round(p / 100 * len(data)) - 1))
        return data[k]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_s / self.sent * 1e6 if self.sent else float("nan")

    def summary(self) -> str:
        mean = statistics.fmean(self.latencies_ms) if self.latencies_ms else float("nan")
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.ok:,}/{self.sent:,} ok at {self.rate:,.0f}/s; p50 {self.pct(50):.1f} / p95 {self.pct(95):.1f}"
            f" / p99 {self.pct(99):.1f} ms (mean {mean:.1f}); client CPU {self.cpu_us_per_request:,.0f} µs/req;"
            f" statuses {codes}"
        )


async def _send(
    client: httpx.AsyncClient,
    request_of: RequestOf,
    i: int,
    due: float,
    result: LoadResult,
    ok_statuses: tuple[int, ...],
) -> None:
    method, path, body, headers = request_of(i)
    try:
        resp = await client.request(method, path, json=body, headers=headers)
        status = resp.status_code
        if status not in ok_statuses and not result.first_error:
            result.first_error = f"{status} {resp.text[:200]}"
    except httpx.HTTPError as exc:
        status = 0
        if not result.first_error:
            result.first_error = f"{type(exc).__name__}: {exc}"
    result.latencies_ms.append((time.perf_counter() - due) * 1000)
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if status in ok_statuses:
        result.ok += 1


def _client(base: str) -> httpx.AsyncClient:
    """One client per connection: httpx's shared pool rescans its waiting requests on every release, which costs
    more CPU than the request itself once a few hundred are queued; our own queue does not."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    # Plain HTTP on loopback: skip loading the CA bundle, which costs ~0.2 s of CPU per client.
    return httpx.AsyncClient(base_url=base, timeout=30, limits=limits, verify=False)  # noqa: S501 - http only


async def _run_workers(
    clients: list[httpx.AsyncClient],
    queue: asyncio.Queue[tuple[int, float] | None],
    request_of: RequestOf,
    result: LoadResult,
    ok_statuses: tuple[int, ...],
) -> None:
    async def worker(client: httpx.AsyncClient) -> None:
        while (item := await queue.get()) is not None:
            i, due = item
            await _send(client, request_of, i, due, result, ok_statuses)

    await asyncio.gather(*(worker(c) for c in clients))


async def constant_rate(
    base: str,
    request_of: RequestOf,
    *,
    rate: float,
    seconds: float,
    ok_statuses: tuple[int, ...] = (200, 201),
    connections: int = 32,
) -> LoadResult:
    """Request ``i`` is due at ``t0 + i / rate`` whatever happened to the earlier ones; ``connections`` keep-alive
    connections take due requests in order, and a request that waits for a free one counts that wait."""
    total = int(rate * seconds)
    result = LoadResult(sent=total, ok=0, seconds=0.0, latencies_ms=[], cpu_s=0.0)
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    clients = [_client(base) for _ in range(connections)]
    try:
        cpu0 = time.process_time()
        workers = asyncio.create_task(_run_workers(clients, queue, request_of, result, ok_statuses))
        t0 = time.perf_counter()
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((i, due))
        for _ in range(connections):
            queue.put_nowait(None)
        await workers
        result.seconds = time.perf_counter() - t0
        result.cpu_s = time.process_time() - cpu0
    finally:
        for c in clients:
            await c.aclose()
    return result


async def closed_loop(
    base: str,
    request_of: RequestOf,
    *,
    total: int,
    concurrency: int,
    ok_statuses: tuple[int, ...] = (200, 201),
    seconds: float | None = None,
) -> LoadResult:
    """``concurrency`` connections each send their next request as soon as the previous one answered, until
    ``total`` were sent or ``seconds`` have passed."""
    result = LoadResult(sent=0, ok=0, seconds=0.0, latencies_ms=[], cpu_s=0.0)
    counter = iter(range(total))
    clients = [_client(base) for _ in range(concurrency)]
    deadline = time.perf_counter() + seconds if seconds else float("inf")

    async def worker(client: httpx.AsyncClient) -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            result.sent += 1
            await _send(client, request_of, i, time.perf_counter(), result, ok_statuses)

    try:
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in clients))
        result.seconds = time.perf_counter() - t0
        result.cpu_s = time.process_time() - cpu0
    finally:
        for c in clients:
            await c.aclose()
    return result

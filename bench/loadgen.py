"""A lean load client for requests that need a distinct body or headers each (claim submits, redeems):
constant arrival rate (no wrk2 here) and closed loop, over raw HTTP/1.1 keep-alive connections (``http1``).

Latency is taken from the moment a request was *due*, not when it was sent, so a client or server that falls
behind shows up in the percentiles instead of silently lowering the rate (coordinated omission). Every request
is encoded before the clock starts; the client's own CPU per request is measured on the thread that runs it
(the bench's memory and database samplers run on other threads of the same process) and reported beside each
figure, and its overhead is measured against the floor app at the same rate.

The httpx client this replaces cost 1.6–3.5 ms of CPU per request (up to 0.7 of the machine's two cores at
200 requests a second), competing with the service it measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.http1 import Connection

TIMEOUT_S = 30.0


@dataclass
class LoadResult:
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]
    cpu_s: float
    statuses: dict[int, int] = field(default_factory=dict)
    """Status → count; 0 counts requests that got no answer (refused, reset, timed out)."""
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
    def errors(self) -> int:
        return self.sent - self.ok

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
    conn: Connection, data: bytes, since: float, result: LoadResult, ok_statuses: tuple[int, ...]
) -> None:
    """One request on ``conn``; its latency counts from ``since`` (the due time, or the send in a closed loop)."""
    try:
        async with asyncio.timeout(TIMEOUT_S):
            status, body = await conn.request(data)
        if status not in ok_statuses and not result.first_error:
            result.first_error = f"{status} {body[:200].decode(errors='replace')}"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError) as exc:
        status = 0
        if not result.first_error:
            result.first_error = f"{type(exc).__name__}: {exc}"
    result.latencies_ms.append((time.perf_counter() - since) * 1000)
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if status in ok_statuses:
        result.ok += 1


async def _connect(base: str, count: int) -> list[Connection]:
    """Open every connection before the clock starts: connecting is not what the figures measure."""
    conns = [Connection(base) for _ in range(count)]
    for conn in conns:
        with contextlib.suppress(OSError):  # a refused one is retried, and counted, by its first request
            await conn.open()
    return conns


async def constant_rate(
    base: str,
    requests: Sequence[bytes],
    *,
    rate: float,
    seconds: float,
    ok_statuses: tuple[int, ...] = (200, 201),
    connections: int = 32,
) -> LoadResult:
    """Request ``i`` (``requests[i % len(requests)]``) is due at ``t0 + i / rate`` whatever happened to the
    earlier ones; ``connections`` keep-alive connections take due requests in order, and a request that waits
    for a free connection counts that wait."""
    total = int(rate * seconds)
    result = LoadResult(sent=total, ok=0, seconds=0.0, latencies_ms=[], cpu_s=0.0)
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    conns = await _connect(base, connections)

    async def worker(conn: Connection) -> None:
        while (item := await queue.get()) is not None:
            i, due = item
            await _send(conn, requests[i % len(requests)], due, result, ok_statuses)

    try:
        cpu0 = time.thread_time()
        workers = asyncio.gather(*(worker(c) for c in conns))
        t0 = time.perf_counter()
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((i, due))
        for _ in conns:
            queue.put_nowait(None)
        await workers
        result.seconds = time.perf_counter() - t0
        result.cpu_s = time.thread_time() - cpu0
    finally:
        for c in conns:
            c.close()
    return result


async def closed_loop(
    base: str,
    requests: Sequence[bytes],
    *,
    concurrency: int,
    total: int | None = None,
    ok_statuses: tuple[int, ...] = (200, 201),
    seconds: float | None = None,
) -> LoadResult:
    """``concurrency`` connections each send their next request as soon as the previous one answered, until
    ``total`` (default: each of ``requests`` once) were sent or ``seconds`` have passed."""
    result = LoadResult(sent=0, ok=0, seconds=0.0, latencies_ms=[], cpu_s=0.0)
    count = len(requests) if total is None else total
    counter = iter(range(count))
    conns = await _connect(base, concurrency)

    async def worker(conn: Connection) -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            result.sent += 1
            await _send(conn, requests[i % len(requests)], time.perf_counter(), result, ok_statuses)

    try:
        cpu0 = time.thread_time()
        t0 = time.perf_counter()
        deadline = t0 + seconds if seconds else float("inf")
        await asyncio.gather(*(worker(c) for c in conns))
        result.seconds = time.perf_counter() - t0
        result.cpu_s = time.thread_time() - cpu0
    finally:
        for c in conns:
            c.close()
    return result

"""Cold start: the hot paths' connections are open before the process takes its first request.

uvicorn accepts connections only once the lifespan's start-up has finished, so whatever is warmed here is warm
before ``/readyz`` can first answer 200 and before a load balancer sends a request. Without it the first second
after a start or a rollout pays for dialling and authenticating every database connection (and, in the gateway
and subsidy-claims, every kept-alive connection to the registry) inside the requests themselves.

Warming is best effort and bounded: a database that is down, or a registry that starts after the gateway, must
not keep the process from starting — ``/readyz`` then says what is missing, as it always did, and the
connections open on first use.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import structlog
from sqlalchemy import text

from skills_shared.db import Database

WARM_TIMEOUT_S = 10.0
"""The longest a start-up waits for warming; after it the process serves and opens connections on demand."""

Warmer = Callable[[], Awaitable[Any]]
log = structlog.get_logger(__name__)


async def warm_database(db: Database, connections: int, *, lean: bool) -> None:
    """Open ``connections`` pooled connections together (SQLAlchemy's pool, and the lean pool when the service
    has lean hot paths), so the pools keep that many open."""
    if connections <= 0:
        return

    async def orm() -> None:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await barrier.wait()  # held until all are open: none is reused for another

    barrier = asyncio.Barrier(connections)
    jobs = [_together(orm, barrier) for _ in range(connections)]
    if lean:
        jobs.append(warm_pool(await db.lean_pool(), connections))
    for result in await asyncio.gather(*jobs, return_exceptions=True):
        if isinstance(result, BaseException) and not isinstance(result, asyncio.BrokenBarrierError):
            raise result


async def warm_pool(
    pool: asyncpg.Pool[Any], connections: int, statements: Sequence[tuple[str, tuple[Any, ...]]] = ()
) -> None:
    """Open ``connections`` of an asyncpg pool together and run each hot statement once on every one of them
    (with arguments that match nothing), so its prepared statement is in that connection's cache: the first
    real request then skips the Parse round trip as every later one does."""
    if connections <= 0:
        return

    async def one() -> None:
        async with pool.acquire() as conn:
            for sql, args in statements:
                await conn.fetch(sql, *args)
            await barrier.wait()

    barrier = asyncio.Barrier(connections)
    for result in await asyncio.gather(
        *(_together(one, barrier) for _ in range(connections)), return_exceptions=True
    ):
        if isinstance(result, BaseException) and not isinstance(result, asyncio.BrokenBarrierError):
            raise result


async def _together(open_one: Callable[[], Awaitable[None]], barrier: asyncio.Barrier) -> None:
    """One connection of a group; a failure breaks the group's barrier, so the others stop waiting."""
    try:
        await open_one()
    except BaseException:
        await barrier.abort()
        raise


def freeze_startup_heap() -> None:
    """Move every object alive after start-up out of the garbage collector's reach (`gc.freeze`).

    A service imports FastAPI, SQLAlchemy, pydantic models and its routes: hundreds of thousands of long-lived
    objects that every full collection walks again, stopping the event loop for each request in flight. Frozen,
    they are never traversed; what requests allocate is collected as before. Collected first, so no garbage of
    the start-up is kept for ever.
    """
    gc.collect()
    gc.freeze()


async def warm_up(warmers: list[Warmer], service: str) -> bool:
    """Run every warmer at once within `WARM_TIMEOUT_S`, then freeze the start-up heap; True when every warmer
    finished without error."""
    try:
        return await _run_warmers(warmers, service)
    finally:
        freeze_startup_heap()


async def _run_warmers(warmers: list[Warmer], service: str) -> bool:
    if not warmers:
        return True
    started = asyncio.get_running_loop().time()
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(w() for w in warmers), return_exceptions=True), WARM_TIMEOUT_S
        )
    except TimeoutError:
        log.warning("warm_up_incomplete", service=service, reason=f"timeout after {WARM_TIMEOUT_S:.0f} s")
        return False
    failures = [repr(r) for r in results if isinstance(r, BaseException)]
    elapsed_ms = round((asyncio.get_running_loop().time() - started) * 1000, 1)
    if failures:
        log.warning("warm_up_incomplete", service=service, reason="; ".join(failures)[:300], ms=elapsed_ms)
        return False
    log.info("warm_up_done", service=service, ms=elapsed_ms)
    return True

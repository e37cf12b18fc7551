"""Cold start: a fresh process has its pools open before its first request; a database that is down does not
keep it from starting (issue 21, cold start)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import asyncpg

from skills_shared.db import Database
from skills_shared.settings import ServiceSettings
from skills_shared.testing import running_app
from skills_shared.warmup import warm_database, warm_pool, warm_up

MIGRATIONS = Path(__file__).parent / "platform_migrations"


async def test_a_started_app_holds_its_warm_connections_open(database_url: str, app_factory: Any) -> None:
    settings = ServiceSettings(
        database_url=database_url,
        service_name="platform-test",
        log_level="WARNING",
        database_pool_size=6,
        database_warm_connections=5,
    )
    app = app_factory(settings, MIGRATIONS)
    async with running_app(app) as client:
        pool = app.state.db.engine.pool
        assert (pool.checkedin(), pool.checkedout()) == (5, 0)  # opened before any request, kept by the pool
        assert (await client.get("/readyz")).status_code == 200
        assert pool.checkedin() == 5  # the probe reused one of them


async def test_the_lean_pool_is_warmed_too(database_url: str) -> None:
    db = Database.from_urls(database_url, pool_size=4)
    try:
        await warm_database(db, 3, lean=True)
        lean = await db.lean_pool()
        assert (lean.get_size(), lean.get_idle_size()) == (3, 3)
        assert db.engine.pool.checkedin() == 3  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_a_database_that_is_down_is_reported_and_the_process_still_starts(app_factory: Any) -> None:
    settings = ServiceSettings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", service_name="platform-test"
    )
    app = app_factory(settings, MIGRATIONS)
    async with running_app(app) as client:  # start-up finished although nothing could be warmed
        ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()["code"]) == (503, "not_ready")


async def test_warm_up_says_what_failed_instead_of_raising() -> None:
    async def refused() -> None:
        raise asyncpg.exceptions.CannotConnectNowError("starting up")

    async def fine() -> None:
        return None

    assert await warm_up([fine], "unit") is True
    assert await warm_up([fine, refused], "unit") is False


async def test_no_warm_connections_opens_nothing(database_url: str) -> None:
    db = Database.from_urls(database_url, pool_size=4)
    try:
        await warm_database(db, 0, lean=True)
        assert db._lean is None and db.engine.pool.checkedin() == 0  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_a_warmed_pool_has_its_hot_statement_prepared_on_every_connection(database_url: str) -> None:
    pool = await asyncpg.create_pool(database_url.replace("+asyncpg", ""), min_size=0, max_size=4)
    try:
        await warm_pool(pool, 3, [("SELECT $1::text AS number", ("",))])
        assert (pool.get_size(), pool.get_idle_size()) == (3, 3)
        held = [await pool.acquire() for _ in range(3)]
        try:
            cached = [len(c._con._stmt_cache) for c in held]  # type: ignore[union-attr]
        finally:
            for c in held:
                await pool.release(c)
        assert cached == [1, 1, 1]
    finally:
        await pool.close()


async def test_start_up_freezes_the_heap_it_leaves_so_full_collections_skip_it() -> None:
    """Objects alive after start-up go to the permanent generation; garbage made later is still collected."""
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        assert await warm_up([], "test") is True
        frozen = gc.get_freeze_count()
        assert frozen > 10_000, "the imported modules' objects are frozen"

        class Cycle:
            other: Any = None

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2, "a cycle made after the freeze is collected as before"
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()

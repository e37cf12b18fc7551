"""Fixtures of the voucher tests: a fresh migrated database, the app over ASGI, clean tables per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.clock import SHANGHAI, FixedClock
from skills_shared.testing import fresh_database, log_lean_statements, running_app, truncate_all
from voucher.app import MIGRATIONS_DIR, create_app
from voucher.settings import VoucherSettings

sys.path.insert(0, str(Path(__file__).parent))  # voucher_testdata: a name unique to this package

from voucher_testdata import Scenario

KEEP_TABLES: tuple[str, ...] = ("voucher_types",)
"""Reference-data tables loaded by migrations, kept between tests."""


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("voucher", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> VoucherSettings:
    return VoucherSettings(database_url=database_url, environment="test", log_level="WARNING")


@pytest.fixture(scope="session")
def app(settings: VoucherSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


@pytest.fixture(scope="session")
def engine(app: FastAPI, client: httpx.AsyncClient) -> AsyncEngine:
    engine: AsyncEngine = app.state.db.engine
    return engine


@pytest.fixture
def clock(app: FastAPI) -> Iterator[FixedClock]:
    """Pin the service's business date (default 2026-06-01 10:00 Shanghai); tests move it by setting ``at``."""
    fixed = FixedClock(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))
    app.state.clock = fixed
    yield fixed
    app.state.clock = None


@pytest.fixture
def scenario(client: httpx.AsyncClient, clock: FixedClock) -> Scenario:
    return Scenario(client)


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Tests that touched the database leave it empty for the next one; pure tests never start it."""
    uses_db = any(f in request.fixturenames for f in ("engine", "client", "scenario"))
    engine: AsyncEngine | None = request.getfixturevalue("engine") if uses_db else None
    yield
    if engine is not None:
        await truncate_all(engine, keep=KEEP_TABLES)
        async with engine.begin() as conn:  # face values are configuration a test may have set
            await conn.execute(text("UPDATE voucher_types SET face_value_fen = NULL, active = true"))


@pytest.fixture
def lean_statements(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the app's lean units of work send from now on, in order (asyncpg's query logger).

    One statement is one round trip once it is prepared on the connection: count after a warm-up request.
    """
    return log_lean_statements(app, monkeypatch)

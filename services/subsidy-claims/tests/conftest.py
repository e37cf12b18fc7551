"""Fixtures of the subsidy-claims tests: a fresh migrated database, the app over ASGI, clean tables per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from subsidy_claims.app import MIGRATIONS_DIR, create_app
from subsidy_claims.settings import SubsidySettings
from skills_shared.testing import fresh_database, running_app, truncate_all

KEEP_TABLES: tuple[str, ...] = ()
"""Reference-data tables loaded by migrations, kept between tests."""


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("subsidy_claims", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> SubsidySettings:
    return SubsidySettings(database_url=database_url, environment="test", log_level="WARNING")


@pytest.fixture(scope="session")
def app(settings: SubsidySettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


@pytest.fixture(scope="session")
def engine(app: FastAPI, client: httpx.AsyncClient) -> AsyncEngine:
    engine: AsyncEngine = app.state.db.engine
    return engine


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Tests that touched the database leave it empty for the next one; pure tests never start it."""
    uses_db = "engine" in request.fixturenames or "client" in request.fixturenames
    engine: AsyncEngine | None = request.getfixturevalue("engine") if uses_db else None
    yield
    if engine is not None:
        await truncate_all(engine, keep=KEEP_TABLES)

"""Fixtures of the org-filing tests: a fresh migrated database, the app over ASGI, clean tables per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from org_filing.app import MIGRATIONS_DIR, create_app
from org_filing.settings import OrgFilingSettings
from skills_shared.clock import FixedClock
from skills_shared.testing import fresh_database, running_app, truncate_all

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (of_factories) import by a name unique to us

KEEP_TABLES: tuple[str, ...] = ()
"""Reference-data tables loaded by migrations, kept between tests."""


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("org_filing", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> OrgFilingSettings:
    return OrgFilingSettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        outbox_enabled=False,
        database_pool_size=20,
    )


@pytest.fixture(scope="session")
def app(settings: OrgFilingSettings) -> FastAPI:
    """The app with the business date pinned, so date rules are tested against a known calendar year."""
    import of_factories
    from of_factories import TODAY

    application = create_app(settings)
    application.state.clock = FixedClock.on(TODAY)
    of_factories.APP[:] = [application]
    return application


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
    """Empty the tables after every test that touched the database (pure rule tests never start it)."""
    uses_db = "engine" in request.fixturenames or "client" in request.fixturenames
    engine: AsyncEngine | None = request.getfixturevalue("engine") if uses_db else None
    yield
    if engine is not None:
        await truncate_all(engine, keep=KEEP_TABLES)

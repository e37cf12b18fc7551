"""Fixtures of the certificate-registry tests: a fresh migrated database, the app over ASGI, clean tables per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.app import MIGRATIONS_DIR, create_app
from certificate_registry.settings import RegistrySettings
from skills_shared.testing import fresh_database, running_app, truncate_all

KEEP_TABLES: tuple[str, ...] = ()
"""Reference-data tables loaded by migrations, kept between tests."""


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("certificate_registry", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> RegistrySettings:
    return RegistrySettings(database_url=database_url, environment="test", log_level="WARNING")


@pytest.fixture(scope="session")
def app(settings: RegistrySettings) -> FastAPI:
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


from certificate_registry.clock import business_today  # noqa: E402
from certificate_registry.testkit import Registry  # noqa: E402


@pytest.fixture
async def registry(app: FastAPI, client: httpx.AsyncClient) -> AsyncIterator[Registry]:
    helper = Registry(client, app)
    app.dependency_overrides[business_today] = lambda: helper.today[0]
    yield helper
    app.dependency_overrides.pop(business_today, None)

"""Fixtures of the certificate-registry tests: fresh migrated databases, the registry over ASGI with the real
org-filing app (its own database) behind its plan check, clean tables per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent
ORG_TESTS = HERE.parents[1] / "org-filing" / "tests"
sys.path.insert(0, str(HERE))  # registry_testkit, registry_testdata: names unique to this package
sys.path.insert(0, str(ORG_TESTS))  # of_factories: org-filing's own way of filing a body

from registry_testkit import PUBLICITY_START, Registry  # noqa: E402

from certificate_registry.app import MIGRATIONS_DIR, create_app  # noqa: E402
from certificate_registry.settings import RegistrySettings  # noqa: E402
from org_filing.app import MIGRATIONS_DIR as ORG_MIGRATIONS_DIR  # noqa: E402
from org_filing.app import create_app as create_org_app  # noqa: E402
from org_filing.settings import OrgFilingSettings  # noqa: E402
from skills_shared.clock import FixedClock  # noqa: E402
from skills_shared.testing import fresh_database, running_app, truncate_all  # noqa: E402

KEEP_TABLES: tuple[str, ...] = ()
"""Reference-data tables loaded by migrations, kept between tests."""


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("certificate_registry", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def org_database_url() -> Iterator[str]:
    with fresh_database("org_filing", ORG_MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def org_app(org_database_url: str) -> FastAPI:
    """The real org-filing app on its own database, its business date pinned where its factories expect it."""
    import of_factories
    from of_factories import TODAY

    app = create_org_app(
        OrgFilingSettings(
            database_url=org_database_url, environment="test", log_level="WARNING", outbox_enabled=False
        )
    )
    app.state.clock = FixedClock.on(TODAY)
    of_factories.APP[:] = [app]  # the factories move org-filing's clock while an application is selected
    return app


@pytest.fixture(scope="session")
async def org_client(org_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(org_app) as c:
        yield c


@pytest.fixture(scope="session")
def settings(database_url: str) -> RegistrySettings:
    return RegistrySettings(database_url=database_url, environment="test", log_level="WARNING")


@pytest.fixture(scope="session")
def app(settings: RegistrySettings, org_app: FastAPI) -> FastAPI:
    return create_app(settings, org_filing_transport=httpx.ASGITransport(app=org_app))


@pytest.fixture(scope="session")
async def client(app: FastAPI, org_client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


@pytest.fixture(scope="session")
def engine(app: FastAPI, client: httpx.AsyncClient) -> AsyncEngine:
    engine: AsyncEngine = app.state.db.engine
    return engine


@pytest.fixture(scope="session")
def org_engine(org_app: FastAPI, org_client: httpx.AsyncClient) -> AsyncEngine:
    engine: AsyncEngine = org_app.state.db.engine
    return engine


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Tests that touched a database leave both empty for the next one; pure tests never start them."""
    uses_db = "engine" in request.fixturenames or "client" in request.fixturenames
    engines: list[AsyncEngine] = (
        [request.getfixturevalue("engine"), request.getfixturevalue("org_engine")] if uses_db else []
    )
    yield
    for engine in engines:
        await truncate_all(engine, keep=KEEP_TABLES)


@pytest.fixture
async def registry(
    app: FastAPI, client: httpx.AsyncClient, org_client: httpx.AsyncClient
) -> AsyncIterator[Registry]:
    helper = Registry(client, app, org_client)
    helper.on(PUBLICITY_START)
    yield helper
    app.state.clock = None

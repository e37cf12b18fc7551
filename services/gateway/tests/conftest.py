"""Fixtures of the gateway tests: a fresh migrated database, the app over ASGI, clean tables per test, and the
real suite in this process (the four services' own apps on their own databases, the gateway in front)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import MIGRATIONS_DIR, create_app
from gateway.settings import GatewaySettings
from skills_shared.testing import fresh_database, running_app, truncate_all

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # gateway_suite, gateway_world, gateway_fakes: names unique to this package
sys.path.insert(0, str(HERE.parents[1] / "voucher" / "tests"))  # voucher_testdata: voucher's own set-up steps

from gateway_suite import TODAY, Suite, provider_databases, running_suite  # noqa: E402

KEEP_TABLES: tuple[str, ...] = ()
"""Reference-data tables loaded by migrations, kept between tests."""


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("gateway", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> GatewaySettings:
    return GatewaySettings(
        database_url=database_url, environment="test", log_level="WARNING", database_pool_size=4
    )


@pytest.fixture(scope="session")
def app(settings: GatewaySettings) -> FastAPI:
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
    uses_db = any(name in request.fixturenames for name in ("engine", "client", "real"))
    engine: AsyncEngine | None = request.getfixturevalue("engine") if uses_db else None
    yield
    if engine is not None:
        await truncate_all(engine, keep=KEEP_TABLES)


@pytest.fixture
def fake_settings(database_url: str) -> GatewaySettings:
    """Settings for a gateway in front of recording or fake services: no back-off sleeps, one retry."""
    return GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        upstream_retries=1,
        upstream_backoff_s=0,
        mine_timeout_s=0.5,
        upstream_timeout_s=1.0,
        database_pool_size=4,
    )


@pytest.fixture(scope="session")
def provider_dbs() -> Iterator[dict[str, str]]:
    """A fresh migrated database for each of the four services, for the whole session."""
    with provider_databases() as urls:
        yield urls


@pytest.fixture(scope="session")
async def real(
    provider_dbs: dict[str, str], settings: GatewaySettings, engine: AsyncEngine
) -> AsyncIterator[Suite]:
    """The real suite in this process, started once per session; tests create their own data in it."""
    # Budgets far above what any hop needs, so a loaded machine never turns a part of "my things" into a gap.
    gateway_settings = settings.model_copy(
        update={
            "rate_limit_enabled": False,
            "upstream_backoff_s": 0,
            "upstream_timeout_s": 15.0,
            "mine_timeout_s": 15.0,
        }
    )
    async with running_suite(provider_dbs, gateway_settings, TODAY) as suite:
        yield suite

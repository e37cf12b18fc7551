"""Fixtures of the platform tests: a migrated database with only the platform tables, and a small app on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.app import create_service_app
from skills_shared.audit import record
from skills_shared.auth import Principal, Role, require
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import Problem, problem_responses
from skills_shared.settings import ServiceSettings
from skills_shared.testing import fresh_database, running_app, truncate_all

MIGRATIONS = Path(__file__).parent / "platform_migrations"


class Item(BaseModel):
    name: str = Field(max_length=50)
    count: int = Field(ge=0, le=1000)
    nested: dict[str, Any] | None = None


def build_app(settings: ServiceSettings, migrations: Path) -> Any:
    router = APIRouter()
    writers = require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER)
    calls = {"n": 0}

    @router.post("/v1/items", status_code=201, responses=problem_responses(401, 403, 409, 422))
    async def create_item(
        item: Item, session: SessionDep, idem: IdempotencyDep, principal: Principal = Depends(writers)
    ) -> Any:
        async def work() -> dict[str, Any]:
            calls["n"] += 1
            if item.name == "slow":
                await asyncio.sleep(0.5)
            if item.name == "boom":
                raise Problem(409, "boom", "冲突")
            await record(
                session,
                actor=principal,
                action="item.create",
                entity_type="item",
                entity_id=item.name,
                after=item.model_dump(),
            )
            return {"name": item.name, "count": item.count, "call": calls["n"]}

        return await idem.run(work, status_code=201)

    @router.get("/v1/district/{code}")
    async def district(
        code: str, principal: Principal = Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER))
    ) -> dict[str, str]:
        principal.require_district(code)
        return {"district": code}

    @router.get("/v1/numbers/{n}")
    async def number(n: int, session: SessionDep) -> dict[str, int]:
        value = (await session.execute(text("SELECT CAST(:n AS bigint) + 1"), {"n": n})).scalar_one()
        return {"next": int(value)}

    app = create_service_app(settings, title="platform test", routers=[router], migrations_dir=migrations)
    app.state.calls = calls
    return app


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("platform", MIGRATIONS) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> ServiceSettings:
    return ServiceSettings(
        database_url=database_url, service_name="platform-test", log_level="WARNING", max_body_bytes=100_000
    )


@pytest.fixture(scope="session")
def app_factory() -> Any:
    """Build another instance of the test app (e.g. pointed at a database that is down)."""
    return build_app


@pytest.fixture(scope="session")
def app(settings: ServiceSettings) -> FastAPI:
    return build_app(settings, MIGRATIONS)


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
    uses_db = "engine" in request.fixturenames or "client" in request.fixturenames
    engine: AsyncEngine | None = request.getfixturevalue("engine") if uses_db else None
    yield
    if engine is not None:
        await truncate_all(engine)

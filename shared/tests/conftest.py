"""Fixtures of the platform tests: a migrated database with only the platform tables, and a small app on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared import events
from skills_shared.app import create_service_app
from skills_shared.audit import record
from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.events import DomainEventV1, EventType, VoucherEventData, new_event_id
from skills_shared.db import SessionDep, database_of
from skills_shared.db.lean import LeanTxDep
from skills_shared.idempotency import IdempotencyDep, LeanIdempotencyDep
from skills_shared.problems import Problem, problem_responses
from skills_shared.settings import ServiceSettings
from skills_shared.testing import fresh_database, log_lean_statements, running_app, truncate_all

MIGRATIONS = Path(__file__).parent / "platform_migrations"


class Item(BaseModel):
    name: str = Field(max_length=50)
    count: int = Field(ge=0, le=1000)
    nested: dict[str, Any] | None = None


def item_event(item: Item) -> DomainEventV1:
    """An event about a test item (the contract has no item kind: it borrows the voucher's)."""
    return DomainEventV1(
        id=new_event_id(),
        type=EventType.VOUCHER_CLAIMED,
        occurred_at=datetime.now(UTC),
        resource_id=item.name,
        data=VoucherEventData(status="claimed", holder_id_number="500***********123X"),
    )


async def commit_key_elsewhere(request: Request, principal: Principal, key: str) -> None:
    """Another connection commits an answer under this request's key, as a first request finishing late would."""
    pool = await database_of(request).lean_pool()
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status_code, response, "
            "created_at) VALUES ($1, $2, 'POST', '/v1/lean-items', $3, 201, '{}', now())",
            principal.scope_key,
            key,
            b"elsewhere",
        )


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

    @router.post("/v1/lean-items", status_code=201, responses=problem_responses(401, 403, 409, 422))
    async def create_lean_item(
        item: Item,
        request: Request,
        tx: LeanTxDep,
        idem: LeanIdempotencyDep,
        principal: Principal = Depends(writers),
    ) -> Any:
        """The same write on a lean unit of work: an audit row and an outbox event, both held for its last trip.

        ``refuse`` refuses after both were recorded; ``taken`` lets another transaction commit this request's key
        while it runs (the window between the key's claim and its store that the store's 409 covers).
        """

        async def work() -> dict[str, Any]:
            await record(
                tx,
                actor=principal,
                action="item.create",
                entity_type="item",
                entity_id=item.name,
                after=item.model_dump(),
            )
            await events.record(tx, item_event(item))
            if item.name == "refuse":
                raise Problem(409, "refused", "拒绝")
            if item.name == "taken":
                await commit_key_elsewhere(request, principal, idem.key or "")
            return {"name": item.name, "count": item.count}

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


@pytest.fixture
def lean_statements(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the app's lean units of work send from now on, in order (asyncpg's query logger).

    One statement is one round trip once it is prepared on the connection: count after a warm-up request.
    """
    return log_lean_statements(app, monkeypatch)

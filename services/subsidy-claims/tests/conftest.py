"""Fixtures of the subsidy-claims tests: a fresh migrated database, the app over ASGI with a fake certificate
registry (another service, so faking it is fair; our own database is always real), clean tables per test."""

from __future__ import annotations

import itertools
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.auth import Role
from skills_shared.certnumber import build
from skills_shared.clock import FixedClock
from skills_shared.contracts.v1.registry import CertificateRecord
from skills_shared.settings import DEV_JWT_SECRET
from skills_shared.testing import auth_headers, fresh_database, log_lean_statements, running_app, truncate_all
from skills_shared.validators import make_resident_id
from subsidy_claims.app import MIGRATIONS_DIR, create_app
from subsidy_claims.settings import SubsidySettings

sys.path.insert(
    0, str(Path(__file__).parent)
)  # subsidy_fact_edits: test scaffolding, a name unique to this package

KEEP_TABLES: tuple[str, ...] = ()
"""Reference-data tables loaded by migrations, kept between tests."""

TODAY = date(2026, 6, 15)
"""The pinned business date of the API tests (a Monday); deadline tests move it."""


@dataclass
class Clock:
    """The business clock of the API tests (``skills_shared.clock.Clock``): ten o'clock Shanghai time on ``today``,
    which a test moves by setting ``today``."""

    today: date = TODAY

    def now(self) -> datetime:
        return FixedClock.on(self.today).now()


@dataclass
class FakeRegistry:
    """Stands in for certificate-registry's GET /v1/certificates/{number}/record (service token required).

    Its records are built from the registry's own contract (``CertificateRecord``), so they cannot drift from what
    the registry answers; ``tests/test_registry_contract.py`` checks the contract against the registry's real app.
    """

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    down: bool = False
    calls: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/certificates/{number}/record")
        async def record(number: str, authorization: str = Header("")) -> JSONResponse:
            import jwt

            claims = jwt.decode(
                authorization.removeprefix("Bearer "),
                DEV_JWT_SECRET,
                algorithms=["HS256"],
                audience="skills-suite",
            )
            assert claims["role"] == "service"
            self.calls += 1
            if number not in self.records:
                return JSONResponse(
                    {"code": "certificate_not_found", "status": 404},
                    status_code=404,
                    media_type="application/problem+json",
                )
            return JSONResponse(self.records[number])

        return app


class SwitchableTransport(httpx.AsyncBaseTransport):
    """ASGI transport to the fake registry that can be switched off, as if the registry were down."""

    def __init__(self, registry: FakeRegistry) -> None:
        self.registry = registry
        self.inner = httpx.ASGITransport(app=registry.app())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.registry.down:
            raise httpx.ConnectError("registry down", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("subsidy_claims", MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> SubsidySettings:
    return SubsidySettings(
        database_url=database_url, environment="test", log_level="WARNING", database_pool_size=25
    )


@pytest.fixture(scope="session")
def fake_registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def app(settings: SubsidySettings, fake_registry: FakeRegistry, clock: Clock) -> FastAPI:
    return create_app(settings, registry_transport=SwitchableTransport(fake_registry), clock=clock)


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
    if uses_db:
        registry: FakeRegistry = request.getfixturevalue("fake_registry")
        registry.records.clear()
        registry.down = False
        request.getfixturevalue("clock").today = TODAY
    yield
    if engine is not None:
        await truncate_all(engine, keep=KEEP_TABLES)


_serials = itertools.count(1)
_people = itertools.count(1)


class Factory:
    """Builds people, registry records and claim bodies for the API tests."""

    def __init__(self, registry: FakeRegistry) -> None:
        self.registry = registry

    def person(self, birth: date = date(1990, 3, 7), male: bool = True) -> str:
        n = next(_people) % 500
        return make_resident_id("500103", birth, 2 * n + (1 if male else 0))

    def certificate(
        self,
        holder: str,
        *,
        name: str = "张三",
        province: str = "50",
        occupation: str = "4-01-02-03",
        work_type: str | None = None,
        level: int = 3,
        issued: date = date(2026, 5, 20),
        via: str = "evaluation",
        register: bool = True,
    ) -> dict[str, Any]:
        number = build("S", "0000", province, "05", 1, issued.year, level or 5, next(_serials))
        record = CertificateRecord(
            number=number,
            holder_name=name,
            id_number=holder,
            occupation_code=occupation,
            occupation_name="电子商务师",
            work_type=work_type,
            level=level or 5,
            issue_date=issued,
            body_code=number[:13],
            body_name="重庆市某职业技能评价中心",
            obtained_by=via,
            status="valid",
        ).model_dump(mode="json")
        if register:
            self.registry.records[number] = record
        return record

    @staticmethod
    def declared(record: dict[str, Any]) -> dict[str, Any]:
        return {
            "number": record["number"],
            "occupation_code": record["occupation_code"],
            "occupation_name": record["occupation_name"],
            "work_type": record["work_type"],
            "level": record["level"],
            "kind": record["kind"],
            "issue_date": record["issue_date"],
        }

    def cq_body(self, holder: str, record: dict[str, Any], **cq: Any) -> dict[str, Any]:
        return {
            "policy": "cq-eval",
            "applicant": {"id_number": holder, "name": record["holder_name"]},
            "certificate": self.declared(record),
            "cq": {
                "identity_category": {"value": "4"},
                "district_code": "05",
                "applied_amount_fen": 150_000,
                **cq,
            },
            "payout": {
                "card_number": "6217000012345678",
                "card_financial_enabled": True,
                "bank_account": "6222020200112233445",
                "bank_name": "工商银行",
            },
        }

    def sh_body(self, holder: str, record: dict[str, Any], **sh: Any) -> dict[str, Any]:
        return {
            "policy": "sh-upgrade",
            "applicant": {"id_number": holder, "name": record["holder_name"]},
            "certificate": self.declared(record),
            "sh": {
                "group": {"value": "flexible"},
                "hukou_shanghai": {"value": True},
                "hukou_district": "310115",
                "insurance_district": "310104",
                **sh,
            },
            "payout": {"bank_account": "6222020200112233445", "bank_name": "建设银行"},
        }


@pytest.fixture
def factory(fake_registry: FakeRegistry) -> Factory:
    return Factory(fake_registry)


def citizen(id_number: str) -> dict[str, str]:
    return auth_headers(Role.CITIZEN, sub=id_number)


def officer(district: str = "05", *perms: str) -> dict[str, str]:
    return auth_headers(
        Role.DISTRICT_OFFICER, sub=f"officer-{district}", district=district, perms=list(perms)
    )


def city() -> dict[str, str]:
    return auth_headers(Role.CITY_OFFICER, sub="city-1")


def service() -> dict[str, str]:
    return auth_headers(Role.SERVICE, sub="gateway")


@pytest.fixture
def tokens() -> Any:
    """Header builders, as a fixture because test modules cannot import conftest under importlib mode."""

    class Tokens:
        citizen = staticmethod(citizen)
        officer = staticmethod(officer)
        city = staticmethod(city)
        service = staticmethod(service)

    return Tokens


@pytest.fixture
def lean_statements(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the app's lean units of work send from now on, in order (asyncpg's query logger).

    One statement is one round trip once it is prepared on the connection: count after a warm-up request.
    """
    return log_lean_statements(app, monkeypatch)

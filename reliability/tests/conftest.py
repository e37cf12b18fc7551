"""Fixtures of the reliability tests: the whole suite in-process on real PostgreSQL, one fresh database each.

The five apps are wired to one another over ASGI (gateway → the four services, subsidy-claims → the real
certificate registry), so attacks go through the same code paths as in production, minus the sockets. The
fault tests start real processes of their own.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack
from datetime import date
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # rel_support: a name unique to this package
sys.path.insert(0, str(Path(__file__).parents[2] / "services/certificate-registry/tests"))  # registry_testkit
sys.path.insert(0, str(Path(__file__).parents[2] / "services/org-filing/tests"))  # of_factories
# voucher_testdata: the voucher service's scripted set-up steps live with its tests, never in its src/.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "voucher" / "tests"))

from rel_apps import (
    Refused,
    build_gateway,
    build_org,
    build_registry,
    build_subsidy,
    build_voucher,
)
from rel_support import Day, Service

from skills_shared.testing import fresh_database

SERVICE_PACKAGES = {
    "gateway": "gateway",
    "certificate-registry": "certificate_registry",
    "org-filing": "org_filing",
    "subsidy-claims": "subsidy_claims",
    "voucher": "voucher",
}

REGISTRY_DAY = date(2025, 9, 30)
ORG_DAY = date(2026, 9, 1)
SUBSIDY_DAY = date(2026, 6, 15)


def _migrations(name: str) -> Path:
    from importlib import import_module

    return Path(import_module(f"{SERVICE_PACKAGES[name]}.app").MIGRATIONS_DIR)


class ByService(dict):  # type: ignore[type-arg]
    """Services by name; a service whose database could not be made fails the tests that need it, by name and
    reason, instead of taking every other test down with it."""

    def __init__(self, *args: object, unavailable: dict[str, str] | None = None) -> None:
        super().__init__(*args)
        self.unavailable = unavailable if unavailable is not None else {}

    def __missing__(self, name: str) -> object:
        raise AssertionError(f"{name} is not available: {self.unavailable.get(name, 'unknown service')}")


@pytest.fixture(scope="session")
def database_urls() -> Iterator[ByService]:
    """A freshly migrated database per service for this run, dropped at the end."""
    unavailable: dict[str, str] = {}
    urls = ByService(unavailable=unavailable)
    with ExitStack() as stack:
        for name in SERVICE_PACKAGES:
            try:
                urls[name] = stack.enter_context(
                    fresh_database("rel_" + SERVICE_PACKAGES[name], _migrations(name))
                )
            except Exception as exc:  # e.g. a migration needing an extension this server lacks
                unavailable[name] = (
                    f"its migrations failed on this PostgreSQL: {str(exc).splitlines()[0][:300]}"
                )
        yield urls


def _org_factories_drive(org: object) -> None:
    """The registry's test drivers file bodies and plans through org-filing's own factories, on this org app."""
    import of_factories

    of_factories.APP[:] = [org]  # type: ignore[list-item]


def asgi(app: object) -> httpx.ASGITransport:
    """An in-process transport that turns an unhandled error into the 500 a client would see, not an exception."""
    return httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def suite(database_urls: ByService) -> AsyncIterator[dict[str, Service]]:
    """The five apps running their lifespans on the test loop, wired to one another over ASGI."""
    from gateway.upstreams import ORG_FILING, REGISTRY, SUBSIDY, VOUCHER

    registry_day, org_day, subsidy_day = Day(REGISTRY_DAY), Day(ORG_DAY), Day(SUBSIDY_DAY)
    org = build_org(database_urls["org-filing"], org_day)
    registry = build_registry(database_urls["certificate-registry"], registry_day, asgi(org))
    _org_factories_drive(org)
    voucher = build_voucher(database_urls["voucher"])
    subsidy = None
    if "subsidy-claims" in database_urls:
        subsidy = build_subsidy(database_urls["subsidy-claims"], subsidy_day, asgi(registry))
    gateway = build_gateway(
        database_urls["gateway"],
        {
            REGISTRY: asgi(registry),
            ORG_FILING: asgi(org),
            SUBSIDY: asgi(subsidy) if subsidy is not None else Refused(),
            VOUCHER: asgi(voucher),
        },
        rate_limit_per_window=1_000_000,
        public_rate_limit_per_window=1_000_000,
    )
    apps = {
        "certificate-registry": (registry, registry_day),
        "org-filing": (org, org_day),
        "subsidy-claims": (subsidy, subsidy_day),
        "voucher": (voucher, None),
        "gateway": (gateway, None),
    }
    async with AsyncExitStack() as stack:
        services = ByService(unavailable=database_urls.unavailable)
        for name, (app, day) in apps.items():
            if app is None:
                continue
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=asgi(app), base_url="http://testserver", timeout=60)
            )
            services[name] = Service(name, app, database_urls[name], client, day)
        yield services

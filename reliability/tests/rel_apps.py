"""Builders of the five apps for the reliability tests, with pinned business dates and test settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from rel_support import Day


def build_registry(url: str, day: Day, org_filing: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The registry on ``day``; batches open only under plans the in-process org-filing clears (OF-5)."""
    from certificate_registry.app import create_app
    from certificate_registry.settings import RegistrySettings

    app = create_app(
        RegistrySettings(database_url=url, environment="test", log_level="WARNING"),
        org_filing_transport=org_filing,
    )
    app.state.clock = day
    return app


def build_org(url: str, day: Day) -> FastAPI:
    from org_filing.app import create_app
    from org_filing.settings import OrgFilingSettings

    app = create_app(
        OrgFilingSettings(database_url=url, environment="test", log_level="WARNING", outbox_enabled=False)
    )
    app.state.clock = day
    return app


def build_subsidy(url: str, day: Day, registry: httpx.AsyncBaseTransport) -> FastAPI:
    from subsidy_claims.app import create_app
    from subsidy_claims.settings import SubsidySettings

    settings = SubsidySettings(
        database_url=url, environment="test", log_level="WARNING", database_pool_size=25
    )
    return create_app(settings, registry_transport=registry, clock=day)


def build_voucher(url: str) -> FastAPI:
    from skills_shared.clock import SHANGHAI, FixedClock
    from voucher.app import create_app
    from voucher.settings import VoucherSettings

    app = create_app(VoucherSettings(database_url=url, environment="test", log_level="WARNING"))
    app.state.clock = FixedClock(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))
    return app


def build_gateway(url: str, transports: dict[str, httpx.AsyncBaseTransport], **overrides: Any) -> FastAPI:
    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    settings = GatewaySettings(
        database_url=url,
        environment="test",
        log_level="WARNING",
        database_pool_size=4,
        upstream_backoff_s=0,
        **overrides,
    )
    return create_app(settings, transports=transports)


class Refused(httpx.AsyncBaseTransport):
    """A downstream service that is not there: every connection is refused."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

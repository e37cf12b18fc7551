"""Application factory of the org-filing service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from org_filing.applications.api import router as applications_router
from org_filing.bodies.api import router as bodies_router
from org_filing.calendar.api import router as calendar_router
from org_filing.guantong.api import router as guantong_router
from org_filing.issuer_sync.rules import ISSUER_TARGET
from org_filing.plans.api import router as plans_router
from org_filing.settings import OrgFilingSettings
from org_filing.supervision.api import router as supervision_router
from skills_shared.app import create_service_app
from skills_shared.auth import Role, mint_token
from skills_shared.clients import ServiceClient
from skills_shared.contracts.v1.events import EVENTS_TARGET
from skills_shared.events import EVENT_BATCHES, events_client
from skills_shared.outbox import OutboxDelivery

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: OrgFilingSettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn org_filing.app:create_app --factory``."""
    settings = settings or OrgFilingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Start the outbox delivery loop that carries issuer changes to the registry (issuer sync)."""
        registry = ServiceClient(ISSUER_TARGET, settings.registry_url, timeout_s=settings.request_timeout_s)
        events = events_client(settings)  # partner events go to the gateway through the same outbox

        def token() -> str:
            return mint_token(
                settings.jwt_secret,
                sub="org-filing",
                role=Role.SERVICE,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                ttl_s=settings.service_token_ttl_s,
            )

        delivery = OutboxDelivery(
            app.state.db.sessionmaker,
            {ISSUER_TARGET: registry, EVENTS_TARGET: events},
            token=token,
            poll_s=settings.outbox_poll_s,
            batches=EVENT_BATCHES,
        )
        app.state.outbox = delivery
        if settings.outbox_enabled:
            delivery.start()
        try:
            yield
        finally:
            await delivery.stop()
            await registry.aclose()
            await events.aclose()

    return create_service_app(
        settings,
        title="Org filing",
        description=(
            "Evaluation bodies: application, eligibility, filing codes, plans, supervision and exit (OF-1 … OF-8)."
        ),
        routers=[
            applications_router,
            bodies_router,
            plans_router,
            supervision_router,
            guantong_router,
            calendar_router,
        ],
        migrations_dir=MIGRATIONS_DIR,
        lifespan=lifespan,
    )

"""Application factory of the subsidy-claims service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from skills_shared.app import create_service_app
from skills_shared.auth import ServiceTokens
from skills_shared.clients import ServiceClient
from skills_shared.clock import Clock
from skills_shared.events import delivery_router
from skills_shared.fastget import FastGet
from subsidy_claims.claims.api import router as claims_router
from subsidy_claims.claims.overdue_gauge import install_overdue_gauge
from subsidy_claims.claims.registry import REGISTRY, RegistryClient
from subsidy_claims.outputs.api import router as outputs_router
from subsidy_claims.policies.api import router as policies_router
from subsidy_claims.settings import SubsidySettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(
    settings: SubsidySettings | None = None,
    *,
    registry_transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the app: ``uvicorn subsidy_claims.app:create_app --factory``.

    ``registry_transport`` lets a test put a fake registry app behind the real client; ``clock`` replaces the
    business clock the platform installs (the system clock, or the sandbox clock where one is configured); tests
    pin it here or set ``app.state.clock`` later.
    """
    settings = settings or SubsidySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = ServiceClient(
            REGISTRY,
            settings.registry_url,
            timeout_s=settings.request_timeout_s,
            retries=settings.registry_retries,
            transport=registry_transport,
        )
        tokens = ServiceTokens(
            settings.jwt_secret,
            service=settings.service_name,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            ttl_s=settings.service_token_ttl_s,
        )
        fast = None if registry_transport is not None else FastGet.for_service(client)
        app.state.registry = RegistryClient(client, tokens, fast)
        if fast is not None:  # every claim submit's registry check, open before the first submit
            app.state.warmers.append(lambda: fast.warm(settings.database_warm_connections))
        try:
            yield
        finally:
            await client.aclose()
            if fast is not None:
                await fast.aclose()

    app = create_service_app(
        settings,
        title="Subsidy claims",
        description="Chongqing evaluation subsidy (cq-eval) and Shanghai skill-upgrade subsidy (sh-upgrade): "
        "rules, claims, review, payment.",
        routers=[policies_router, claims_router, outputs_router, delivery_router(settings)],
        migrations_dir=MIGRATIONS_DIR,
        lean_hot_paths=True,
        lifespan=lifespan,
    )
    install_overdue_gauge(app)  # skills_claims_overdue at scrape time (issue 19, item 2)
    if clock is not None:
        app.state.clock = clock
    return app

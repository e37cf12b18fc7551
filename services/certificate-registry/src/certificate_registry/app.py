"""Application factory of the certificate-registry service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware

from certificate_registry.batches.api import router as batches_router
from certificate_registry.certificates.api import router as certificates_router
from certificate_registry.certificates.lookup import BY_NUMBER, LookupFastPath
from certificate_registry.documents.api import router as documents_router
from certificate_registry.documents.keys import key_from_setting, load_or_create_key
from certificate_registry.issuers.api import router as issuers_router
from certificate_registry.numbers.api import router as numbers_router
from certificate_registry.photos.api import router as photos_router
from certificate_registry.plans.check import ORG_FILING, PlanChecker
from certificate_registry.reporting.api import router as reporting_router
from certificate_registry.settings import RegistrySettings
from skills_shared.app import create_service_app
from skills_shared.auth import ServiceTokens
from skills_shared.clients import ServiceClient
from skills_shared.db import Database, stateless_pool, to_asyncpg_dsn
from skills_shared.events import delivery_router
from skills_shared.warmup import warm_pool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _lifespan(
    settings: RegistrySettings, org_filing_transport: httpx.AsyncBaseTransport | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """The look-up pool (asyncpg, prepared statements), the signing key and the client of org-filing's plan
        check live for the process."""
        db: Database = app.state.db
        if settings.signing_key_seed:
            app.state.signing_key = key_from_setting(settings.signing_key_seed)
        elif settings.environment == "production":
            raise RuntimeError("REGISTRY_SIGNING_KEY_SEED must be set in production")
        else:
            app.state.signing_key = await load_or_create_key(db.engine)
        # Read-only and without session state: releasing a connection sends nothing (`stateless_pool`).
        pool = await stateless_pool(
            to_asyncpg_dsn(settings.read_url), min_size=1, max_size=settings.lookup_pool_size
        )
        app.state.lookup_pool = pool
        # The public look-up's connections, each with the look-up prepared, before the first request.
        warm = min(settings.database_warm_connections, settings.lookup_pool_size)
        app.state.warmers.append(lambda: warm_pool(pool, warm, [(BY_NUMBER, ("",))]))
        app.state.plan_checker = PlanChecker(
            ServiceClient(
                ORG_FILING,
                settings.org_filing_url,
                timeout_s=settings.request_timeout_s,
                transport=org_filing_transport,
            ),
            ServiceTokens(
                settings.jwt_secret,
                service=settings.service_name,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                ttl_s=settings.service_token_ttl_s,
            ),
        )
        try:
            yield
        finally:
            await app.state.plan_checker.aclose()
            await pool.close()

    return lifespan


def create_app(
    settings: RegistrySettings | None = None, *, org_filing_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the app: ``uvicorn certificate_registry.app:create_app --factory``.

    ``org_filing_transport`` puts an in-process org-filing app behind the real client (tests).
    """
    settings = settings or RegistrySettings()
    app = create_service_app(
        settings,
        title="Certificate registry",
        description=(
            "Skill certificates: numbers (CR-1), issuance from published and reviewed results, "
            "public look-up and number decode, revocation."
        ),
        routers=[
            issuers_router,
            batches_router,
            certificates_router,
            numbers_router,
            documents_router,
            reporting_router,
            photos_router,
            delivery_router(settings),
        ],
        migrations_dir=MIGRATIONS_DIR,
        lifespan=_lifespan(settings, org_filing_transport),
    )
    # The public look-up is the hot path (CR-6): answered by pure ASGI inside the request-context middleware,
    # ahead of the FastAPI route that documents it in OpenAPI (request IDs, guards, metrics and logs apply).
    app.user_middleware.append(Middleware(LookupFastPath))
    return app

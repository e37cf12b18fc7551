"""Application factory of the gateway service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.audit.api import router as audit_router
from gateway.batches.api import router as batches_router
from gateway.bodies.api import router as bodies_router
from gateway.claims.api import router as claims_router
from gateway.events.api import router as events_router
from gateway.lookup.api import router as lookup_router
from gateway.lookup.fastpath import LookupFastPath
from gateway.mine.api import router as mine_router
from gateway.openapi.document import install_merged_document
from gateway.openapi.snapshot import load_documents
from gateway.paths import BULK_UPLOADS
from gateway.ratelimit.counters import Limiter
from gateway.ratelimit.middleware import ClientIdentity, RateLimitMiddleware
from gateway.ratelimit.rules import Budget
from gateway.reference.api import router as reference_router
from gateway.relayed.routes import install_relay
from gateway.sandbox.api import router as sandbox_router
from gateway.settings import GatewaySettings
from gateway.subsidy.api import router as subsidy_router
from gateway.upstreams import REGISTRY, build_upstreams
from gateway.verify.api import router as verify_router
from gateway.verify.service import KeyCache
from gateway.vouchers.api import router as vouchers_router
from skills_shared.app import create_service_app
from skills_shared.auth import ServiceTokens
from skills_shared.clock import sandbox_path
from skills_shared.fastget import FastGet

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

OPENAPI_TAGS = [
    {"name": "certificates", "description": "Public certificate look-up (CR-6)."},
    {
        "name": "reference",
        "description": "Certificate-number decode (CR-1) and the working-day calendar (P-1, P-2, P-3), public.",
    },
    {"name": "subsidies", "description": "Apply for a skill subsidy (CQ-*, SH-*)."},
    {"name": "bodies", "description": "File an evaluation body and change its status (OF-*)."},
    {"name": "batches", "description": "Batch → publicity → approval → issue (OF-5, CR-3, CR-4)."},
    {"name": "vouchers", "description": "Claim and redeem training vouchers (V-4, V-5, V-6)."},
    {"name": "me", "description": "A citizen's own certificates, claims and vouchers."},
    {"name": "verify", "description": "The public verify page (HTML)."},
    {
        "name": "audit",
        "description": "Audit hash chains of the gateway and each service, for inspectors (CR-7).",
    },
]


def create_app(
    settings: GatewaySettings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Build the app: ``uvicorn gateway.app:create_app --factory``.

    ``transports`` (by service name) puts a fake service behind a client in tests; production dials the URLs.
    """
    settings = settings or GatewaySettings()
    limiter = Limiter(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upstreams = build_upstreams(settings, transports)
        # The lean look-up path dials plain-http sockets; an https registry, or a test that puts a fake registry
        # behind a transport, keeps the general path.
        registry_get = (
            None if REGISTRY in (transports or {}) else FastGet.for_service(app.state.upstreams.registry)
        )
        app.state.registry_get = registry_get
        if registry_get is not None:  # the public look-up's connections, open before the first look-up
            app.state.warmers.append(lambda: registry_get.warm(settings.database_warm_connections))
        app.state.signing_keys = KeyCache()
        app.state.service_tokens = ServiceTokens(
            settings.jwt_secret,
            service=settings.service_name,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            ttl_s=settings.service_token_ttl_s,
        )
        try:
            yield
        finally:
            if registry_get is not None:
                await registry_get.aclose()
            await app.state.upstreams.aclose()
            await limiter.aclose()

    app = create_service_app(
        settings,
        title="Skills suite gateway",
        description="The public API: authentication, rate limits, composed workflows, the public verify page.",
        routers=[
            lookup_router,
            reference_router,
            subsidy_router,
            claims_router,
            bodies_router,
            batches_router,
            vouchers_router,
            mine_router,
            verify_router,
            audit_router,
            events_router,
        ],
        migrations_dir=MIGRATIONS_DIR,
        lifespan=lifespan,
        openapi_tags=OPENAPI_TAGS,
        bulk_uploads=(BULK_UPLOADS, settings.bulk_body_bytes),
    )
    app.state.rate_limiter = limiter
    if sandbox_path() is not None:  # development and demos only; production refuses to start with it
        app.include_router(sandbox_router)
    # Every other route of the services, after the gateway's own; routed and documented from the same documents.
    service_documents = load_documents()
    install_relay(app, service_documents)
    install_merged_document(app, service_documents)
    # Inside the request-id middleware, so a 429 carries the request id and CORS headers.
    app.user_middleware.append(
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Idempotent-Replayed"],
            max_age=settings.cors_max_age_s,
        )
    )
    app.user_middleware.append(
        Middleware(
            RateLimitMiddleware,
            limiter=limiter,
            identity=ClientIdentity(app.state.token_verifier),
            window_s=settings.rate_limit_window_s,
            limits={
                Budget.PUBLIC: settings.public_rate_limit_per_window,
                Budget.DEFAULT: settings.rate_limit_per_window,
            },
            enabled=settings.rate_limit_enabled,
        )
    )
    # Innermost: the look-up's hot path, after request id, CORS and rate limits, before FastAPI's router.
    app.user_middleware.append(Middleware(LookupFastPath))
    return app

"""App factory every service uses: middleware, problem handlers, health, readiness, metrics, audit verifier."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import params as fastapi_params
from fastapi.dependencies.utils import get_flat_params
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from sqlalchemy import text
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from skills_shared.anchors import CheckpointLoop, LocalAnchorStore, Signer
from skills_shared.audit import verify_chain
from skills_shared.auth import Principal, Role, TokenVerifier, require
from skills_shared.clock import SystemClock, install_clock
from skills_shared.db import Database, ReadSessionDep
from skills_shared.db.migrations import current_revisions, head_revisions
from skills_shared.docs import install_docs
from skills_shared.errors import install_error_handlers
from skills_shared.logging import configure_logging
from skills_shared.metrics import READY, record_chain_verification
from skills_shared.metrics import refresh as scrape_refresh
from skills_shared.middleware import RequestContextMiddleware
from skills_shared.problems import Problem, ProblemModel, problem_responses
from skills_shared.settings import DEV_AUDIT_ANCHOR_KEY, ServiceSettings
from skills_shared.tracing import instrument_engine, setup_tracing
from skills_shared.warmup import warm_database, warm_up

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


class Health(BaseModel):
    """Liveness/readiness answer."""

    status: str
    service: str
    checks: dict[str, str] = {}


class ChainReportModel(BaseModel):
    """Result of verifying the audit hash chain."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    heads: dict[int, dict[str, Any]] = {}
    checkpoint: int | None = None
    missing: list[str] = []


def platform_router(settings: ServiceSettings, migrations_dir: Path | None) -> APIRouter:
    """/healthz, /readyz, /metrics and /v1/audit/verify."""
    router = APIRouter()
    heads = head_revisions(migrations_dir) if migrations_dir else set()

    @router.get("/healthz", response_model=Health, tags=["ops"], summary="Liveness: the process answers")
    async def healthz() -> Health:
        return Health(status="ok", service=settings.service_name)

    @router.get(
        "/readyz",
        response_model=Health,
        tags=["ops"],
        summary="Readiness: database reachable and migrations current",
        responses=problem_responses(503),
    )
    async def readyz(request: Request) -> Health:
        ready = READY.labels(settings.service_name)  # the readiness-flapping alert counts its flips
        db: Database | None = getattr(request.app.state, "db", None)
        if db is None:
            ready.set(1)
            return Health(status="ok", service=settings.service_name, checks={"database": "not used"})
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                current = await current_revisions(conn) if heads else set()
        except Exception as exc:
            ready.set(0)
            raise Problem(
                503, "not_ready", f"数据库不可用：{type(exc).__name__}", headers={"Retry-After": "2"}
            ) from exc
        if heads and current != heads:
            ready.set(0)
            raise Problem(
                503,
                "migrations_pending",
                f"数据库迁移未完成：当前 {sorted(current)}，应为 {sorted(heads)}",
                headers={"Retry-After": "5"},
            )
        ready.set(1)
        return Health(
            status="ok", service=settings.service_name, checks={"database": "ok", "migrations": "current"}
        )

    @router.get("/metrics", tags=["ops"], summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        await scrape_refresh(request.app)  # outbox, idempotency store and service figures, bounded in time
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    auditors = require(Role.INSPECTOR, Role.CITY_OFFICER, Role.SERVICE)

    @router.get(
        "/v1/audit/verify",
        response_model=ChainReportModel,
        tags=["audit"],
        summary="Verify the audit hash chain; names the first broken link",
        responses=problem_responses(401, 403),
    )
    async def audit_verify(
        request: Request, session: ReadSessionDep, _: Principal = Depends(auditors)
    ) -> ChainReportModel:
        report = await verify_chain(session, anchors=getattr(request.app.state, "anchors", None))
        record_chain_verification(settings.service_name, report.ok)
        return ChainReportModel(**report.__dict__)

    return router


_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}
_ALWAYS = {
    "422": "Validation failed; `errors` names every bad field.",
    "431": "Request headers too large (a bearer token over 8 KiB alone is a 401).",
    "503": "A dependency (the database or another service) is unavailable; see Retry-After.",
}
_WITH_BODY = {
    "413": "Request body too large.",
    "415": "The body is not JSON; `accepted` lists the media types taken.",
}


def _problem_content(response: dict[str, Any]) -> None:
    """An error response is problem+json: FastAPI's ``application/json`` entry for a problem or validation model
    is replaced (we never send it); any other declared type, such as an HTML page, stays beside it."""
    content = response.setdefault("content", {})
    generic = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    if generic.endswith(("/HTTPValidationError", "/ProblemModel")):
        del content["application/json"]
    content.update(_PROBLEM_CONTENT)


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the platform really answers, on every operation.

    FastAPI documents its 422 as ``application/json``; the suite answers problem+json. The middleware can answer
    422 (NUL characters, repeated query parameters, malformed JSON) and 413 on any route, and any route can meet
    a database outage (503): all of that is written into each operation, so a client generated from the
    document, or a schema checker, meets no undocumented status or content type.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        _, definitions = models_json_schema(
            [(ProblemModel, "validation")], ref_template="#/components/schemas/{model}"
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in definitions.get("$defs", {}).items():
            components.setdefault(name, definition)
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                responses = operation.setdefault("responses", {})
                wanted = {**_ALWAYS, **(_WITH_BODY if "requestBody" in operation else {})}
                for status, description in wanted.items():
                    responses.setdefault(status, {"description": description})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        _problem_content(response)
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_declared_query: dict[int, frozenset[str]] = {}


def _query_names(route: Any) -> frozenset[str] | None:
    """The query parameters a route declares (its dependencies' included), computed once per route."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    names = _declared_query.get(id(route))
    if names is None:
        names = frozenset(
            f.alias for f in get_flat_params(dependant) if isinstance(f.field_info, fastapi_params.Query)
        )
        _declared_query[id(route)] = names
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """A query parameter the route does not declare is refused (422), not ignored.

    Ignoring it turns a typo into a different request: ``?distrct=05`` would quietly return every district's
    figures. Routes that take no query parameters refuse any.
    """
    names = _query_names(request.scope.get("route"))
    if names is None:
        return
    unknown = [key for key in request.query_params if key not in names]
    if unknown:
        raise Problem(
            422,
            "validation_failed",
            f"不支持的查询参数：{', '.join(unknown[:5])}"[:200],
            title="Validation failed",
            errors=[
                {"loc": ["query", k[:50]], "msg": "不支持的查询参数", "type": "unknown_parameter"}
                for k in unknown[:20]
            ],
        )


class UnsafeInProduction(RuntimeError):
    """The process was configured in a way production must never run."""


def refuse_clock_override(app: FastAPI, settings: ServiceSettings) -> None:
    """A production process runs on the system clock: an ``app.state.clock`` put there by configuration or a
    factory argument (a fixed or moved business date) stops it at start-up instead of deciding deadlines wrongly."""
    clock = getattr(app.state, "clock", None)
    if settings.environment == "production" and clock is not None and not isinstance(clock, SystemClock):
        raise UnsafeInProduction(
            f"app.state.clock is {type(clock).__name__}: production runs on the system clock"
        )


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str = "",
    version: str = "0.1.0",
    routers: Sequence[APIRouter] = (),
    migrations_dir: Path | None = None,
    lifespan: Lifespan | None = None,
    use_database: bool = True,
    openapi_tags: list[dict[str, Any]] | None = None,
    bulk_uploads: tuple[re.Pattern[str], int] | None = None,
    lean_hot_paths: bool = False,
) -> FastAPI:
    """Build a service app with the suite's conventions; the service adds its routers and optional lifespan.

    ``bulk_uploads`` (paths, limit) lets the named paths take bodies up to their own limit instead of
    ``settings.max_body_bytes`` — the gateway relays the services' bulk uploads, which are larger than
    anything else it accepts. ``lean_hot_paths``: the service has routes on the lean unit of work
    (`skills_shared.db.lean`), whose pool is warmed at start-up with SQLAlchemy's.

    Start-up ends with `skills_shared.warmup.warm_up`: the database pools, and whatever the service's own
    lifespan added to ``app.state.warmers`` (kept-alive connections to another service), are opened before the
    first request is accepted.
    """
    configure_logging(settings.log_level, json=settings.log_json, service=settings.service_name)

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        refuse_clock_override(app, settings)
        if use_database:
            app.state.db = Database.from_urls(
                settings.database_url, settings.database_read_url, pool_size=settings.database_pool_size
            )
            instrument_engine(app.state.db.engine)
            if app.state.db.read_engine is not app.state.db.engine:
                instrument_engine(app.state.db.read_engine)
        checkpoints = None
        if use_database and app.state.anchors is not None:  # signed audit checkpoints (issue 20, item 5)
            store, signer = app.state.anchors
            checkpoints = CheckpointLoop(
                app.state.db.sessionmaker,
                store,
                signer,
                settings.service_name,
                settings.audit_anchor_interval_s,
            )
            checkpoints.start()
        app.state.checkpoints = checkpoints
        app.state.warmers = []
        if use_database:
            db: Database = app.state.db
            connections = min(settings.database_warm_connections, settings.database_pool_size)
            app.state.warmers.append(lambda: warm_database(db, connections, lean=lean_hot_paths))
        try:
            if lifespan is not None:
                async with lifespan(app):
                    await warm_up(app.state.warmers, settings.service_name)
                    yield
            else:
                await warm_up(app.state.warmers, settings.service_name)
                yield
        finally:
            if checkpoints is not None:
                await checkpoints.stop()
            if use_database:
                await app.state.db.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=_lifespan,
        openapi_tags=openapi_tags,
        dependencies=[Depends(reject_unknown_query_parameters)],
        docs_url=None,
        redoc_url=None,
        # Traces come from `skills_shared.tracing` (OpenTelemetry's FastAPI instrumentation, when an endpoint is
        # set) and metrics from Prometheus; FastAPI's own telemetry would only ask OpenTelemetry for its three
        # providers on every request (2.5 µs each time) to find them unconfigured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_docs(app, settings)
    install_clock(app, settings.environment)
    app.state.settings = settings
    app.state.anchors = (
        (
            LocalAnchorStore(Path(settings.audit_anchor_dir), settings.service_name),
            Signer(settings.audit_anchor_key or DEV_AUDIT_ANCHOR_KEY),
        )
        if settings.audit_anchor_dir
        else None
    )
    app.state.token_verifier = TokenVerifier(
        secret=settings.jwt_secret,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        algorithms=tuple(settings.jwt_algorithms),
        jwks_url=settings.jwks_url,
    )
    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        service=settings.service_name,
        max_body_bytes=settings.max_body_bytes,
        bulk_paths=bulk_uploads[0] if bulk_uploads else None,
        bulk_body_bytes=bulk_uploads[1] if bulk_uploads else None,
        max_header_bytes=settings.max_header_bytes,
        log_access=settings.access_log,
    )
    if settings.trusted_proxies.strip():
        # The one place X-Forwarded-For is believed: only from the configured proxies, outermost so every layer
        # (rate limits, logs) sees the real client. uvicorn runs with --no-proxy-headers (skills_tools.run,
        # deploy/Dockerfile), so its own default trust of 127.0.0.1 never applies.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.include_router(platform_router(settings, migrations_dir))
    for router in routers:
        app.include_router(router)
    document_problems(app)
    setup_tracing(app, settings)  # off unless OTEL_EXPORTER_OTLP_ENDPOINT is set
    return app

"""OpenTelemetry tracing for FastAPI, httpx and SQLAlchemy, switched on only by ``OTEL_EXPORTER_OTLP_ENDPOINT``.

Why it is shaped this way:

- **Off by default, and free when off.** Nothing from ``opentelemetry`` is imported unless an OTLP endpoint is
  configured, so a development run, the tests and a deployment without a collector pay neither the import time
  nor the per-request cost.
- **One trace per workflow.** The FastAPI instrumentation reads the W3C ``traceparent`` header of an incoming
  request and the httpx instrumentation writes it on every outgoing call, so a gateway request and every hop it
  makes to the services (and their SQL) land in one trace.
- **The standard ``OTEL_*`` variables** (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``,
  ``OTEL_TRACES_SAMPLER``, ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES`` ...) are read by the SDK itself,
  so operators configure tracing the way every OpenTelemetry guide tells them to.

The app factory calls :func:`setup_tracing` once per app; the lifespan calls :func:`instrument_engine` for each
engine it creates (engines are built after the app, inside the lifespan).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine

    from skills_shared.settings import ServiceSettings

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
"""Either one switches tracing on; the SDK's exporter reads them itself (the first gets ``/v1/traces`` added)."""

EXCLUDED_URLS = "healthz,readyz,metrics"
"""Probes and scrapes: thousands of spans a minute that say nothing about a workflow."""

_lock = threading.Lock()
_provider: Any = None
_httpx_instrumented = False
_traced_engines: set[int] = set()


def tracing_endpoint(environ: dict[str, str] | None = None) -> str | None:
    """The configured OTLP endpoint, or None when tracing is off (an empty value counts as unset)."""
    env = os.environ if environ is None else environ
    for name in ENDPOINT_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def _tracer_provider(service_name: str, exporter: Any = None) -> Any:
    """The process's one TracerProvider, built on first use and registered globally.

    One provider per process because the global provider can be set only once, and several apps in one process
    (tests) must not each start their own export thread.
    """
    global _provider
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    with _lock:
        if _provider is None:
            attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
            provider = TracerProvider(resource=Resource.create(attributes))
            if exporter is None:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            else:
                # An injected exporter is a test's in-memory one: export at once so the test can read the spans.
                provider.add_span_processor(SimpleSpanProcessor(exporter))
            trace.set_tracer_provider(provider)
            _provider = provider
        return _provider


def setup_tracing(
    app: FastAPI,
    settings: ServiceSettings,
    engine: AsyncEngine | Engine | None = None,
    *,
    exporter: Any = None,
) -> bool:
    """Instrument the app, outgoing httpx calls and (when given) the engine; return whether tracing is on.

    Returns False without importing OpenTelemetry when no OTLP endpoint is configured. ``exporter`` replaces the
    OTLP exporter (tests pass an in-memory one); it also switches tracing on by itself.
    """
    global _httpx_instrumented
    if exporter is None and tracing_endpoint() is None:
        return False
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    except ImportError as exc:  # the endpoint is set, so a missing package is a deployment error: say so
        raise RuntimeError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry packages are not installed: "
            f"{exc.name or exc}"
        ) from exc

    provider = _tracer_provider(settings.service_name, exporter)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
    with _lock:
        if not _httpx_instrumented:
            # Patches httpx's transports process-wide: every ServiceClient and the outbox carry traceparent.
            HTTPXClientInstrumentor().instrument(tracer_provider=provider)
            _httpx_instrumented = True
    if engine is not None:
        instrument_engine(engine)
    app.state.tracing = True
    return True


def instrument_engine(engine: AsyncEngine | Engine) -> bool:
    """Record a span per SQL statement of this engine; a no-op (False) when tracing is off.

    ``SQLAlchemyInstrumentor().instrument(engine=...)`` works only for the first engine of a process (the
    instrumentor is a singleton that refuses a second ``instrument``), and a service has two engines when a read
    replica is configured; so each engine gets its own ``EngineTracer``, which is what that call builds.
    """
    if _provider is None:
        return False
    from opentelemetry import metrics, trace
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    # The async engine runs its statements through its sync core, which is where the events fire.
    core: Any = getattr(engine, "sync_engine", engine)
    with _lock:
        if id(core) in _traced_engines:
            return True
        tracer = trace.get_tracer(__name__, tracer_provider=_provider)
        usage = metrics.get_meter(__name__).create_up_down_counter(
            "db.client.connections.usage", unit="connections", description="Connections by state."
        )
        EngineTracer(tracer, core, usage)  # type: ignore[no-untyped-call]
        _traced_engines.add(id(core))
    return True


def tracing_enabled() -> bool:
    """Whether this process has switched tracing on."""
    return _provider is not None

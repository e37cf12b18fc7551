"""Tracing is off and costs nothing by default; when on, one trace spans a gateway call, its hop and its SQL."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from skills_shared.settings import ServiceSettings
from skills_shared.tracing import setup_tracing, tracing_endpoint


def _run_python(code: str, env: dict[str, str] | None = None) -> str:
    """Run a snippet in a fresh interpreter: the global tracer provider and sys.modules start clean there."""
    proc = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_off_without_an_endpoint_and_opentelemetry_never_imported() -> None:
    # The API package may come in through a library; the SDK and the instrumentations must not.
    out = _run_python(
        """
        import os, sys
        os.environ.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
        os.environ.pop("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", None)
        from fastapi import FastAPI
        from skills_shared.settings import ServiceSettings
        from skills_shared.tracing import setup_tracing, instrument_engine, tracing_enabled
        from sqlalchemy import create_engine
        app = FastAPI()
        print(setup_tracing(app, ServiceSettings(), create_engine("sqlite://")), instrument_engine(
            create_engine("sqlite://")), tracing_enabled(),
              any(m.startswith(("opentelemetry.sdk", "opentelemetry.instrumentation")) for m in sys.modules))
        """,
        env={k: v for k, v in __import__("os").environ.items() if not k.startswith("OTEL_")},
    )
    assert out == "False False False False"


def test_an_empty_endpoint_counts_as_unset() -> None:
    assert tracing_endpoint({"OTEL_EXPORTER_OTLP_ENDPOINT": "  "}) is None
    assert tracing_endpoint({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}) == (
        "http://c:4318/v1/traces"
    )


def test_on_when_the_endpoint_is_set() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = (
        "http://127.0.0.1:9"  # nothing listens; no span is made, none exported
    )
    out = _run_python(
        """
        from fastapi import FastAPI
        from skills_shared.settings import ServiceSettings
        from skills_shared.tracing import setup_tracing, tracing_enabled
        app = FastAPI()
        print(setup_tracing(app, ServiceSettings(service_name="voucher")), tracing_enabled(),
              getattr(app, "_is_instrumented_by_opentelemetry", False))
        """,
        env=env,
    )
    assert out == "True True True"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def in_memory_exporter() -> object:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    return InMemorySpanExporter()


@pytest.fixture
def served_service(in_memory_exporter: object) -> Iterator[str]:
    """A 'service' app behind a real uvicorn, so the gateway's hop goes through httpx's real transport."""
    engine = create_engine("sqlite://")
    service = FastAPI()

    @service.get("/v1/things/{key}")
    def thing(key: str) -> dict[str, str]:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT :k"), {"k": key}).scalar_one()
        return {"key": str(value)}

    assert setup_tracing(
        service, ServiceSettings(service_name="certificate-registry"), engine, exporter=in_memory_exporter
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(service, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_one_trace_spans_the_gateway_the_service_and_its_sql(
    in_memory_exporter: object, served_service: str
) -> None:
    gateway = FastAPI()

    @gateway.get("/v1/flow")
    async def flow() -> dict[str, str]:
        async with httpx.AsyncClient() as client:
            answer: dict[str, str] = (await client.get(f"{served_service}/v1/things/abc")).json()
        return answer

    assert setup_tracing(gateway, ServiceSettings(service_name="gateway"), exporter=in_memory_exporter)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return await client.get("/v1/flow")

    response = asyncio.run(call())
    assert response.json() == {"key": "abc"}
    spans = in_memory_exporter.get_finished_spans()  # type: ignore[attr-defined]
    names = [s.name for s in spans]
    assert any(n.startswith("GET /v1/flow") for n in names), names
    assert any(n.startswith("GET /v1/things") for n in names), names
    assert any(n == "GET" for n in names), names  # the httpx client span of the hop
    assert any("SELECT" in n for n in names), names
    assert len({s.context.trace_id for s in spans}) == 1, "the hop and its SQL must join the gateway's trace"

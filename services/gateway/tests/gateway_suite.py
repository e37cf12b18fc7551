"""The real suite in this test process: the four services' own apps on fresh databases, and the gateway in front.

Each app is built by its own factory and served by uvicorn on a socket bound before any app is built, so every
service knows where the others are (org-filing's outbox reaches the registry, the registry asks org-filing to
clear a batch's plan, subsidy-claims checks certificates with the registry) exactly as in a deployment. Nothing
is faked: a provider that renames a field or a route fails the gateway's tests. Each app's business clock is its
own ``app.state.clock``, which a test may move (a publicity period passing) the way the sandbox clock does.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from skills_shared.clock import FixedClock
from skills_shared.testing import fresh_database

HOST = "127.0.0.1"
TODAY = date(2026, 1, 5)
"""The business date every app starts on: early in a year the working-day calendar covers, so the periods of N
working days the session's tests let pass one after another (a plan's 10, a publicity's 5) are all counted on
the official calendar."""


@dataclass(frozen=True, slots=True)
class Provider:
    """One of the four services: its name, where its factory and settings live, its migrations."""

    name: str
    package: str
    settings_class: str

    def factory(self) -> Callable[..., FastAPI]:
        factory: Callable[..., FastAPI] = import_module(f"{self.package}.app").create_app
        return factory

    def settings(self, **values: Any) -> Any:
        return getattr(import_module(f"{self.package}.settings"), self.settings_class)(**values)

    @property
    def migrations_dir(self) -> Path:
        migrations: Path = import_module(f"{self.package}.app").MIGRATIONS_DIR
        return migrations


PROVIDERS = (
    Provider("certificate-registry", "certificate_registry", "RegistrySettings"),
    Provider("org-filing", "org_filing", "OrgFilingSettings"),
    Provider("subsidy-claims", "subsidy_claims", "SubsidySettings"),
    Provider("voucher", "voucher", "VoucherSettings"),
)
URL_SETTING = {
    "certificate-registry": "registry_url",
    "org-filing": "org_filing_url",
    "subsidy-claims": "subsidy_url",
    "voucher": "voucher_url",
    "gateway": "gateway_url",
}


@contextmanager
def provider_databases() -> Iterator[dict[str, str]]:
    """A fresh, migrated database per service (call outside a running event loop)."""
    with ExitStack() as stack:
        yield {p.name: stack.enter_context(fresh_database(p.name, p.migrations_dir)) for p in PROVIDERS}


@dataclass
class Suite:
    """The running suite: each app by service name (``gateway`` too) and its base URL."""

    apps: dict[str, FastAPI]
    bases: dict[str, str]
    today: date

    @property
    def gateway(self) -> str:
        return self.bases["gateway"]

    def move_to(self, day: date) -> None:
        """Move every service's business date forward together, as the sandbox clock does: a publicity period
        passes. The suite is shared by the session's tests, so its date only ever moves forward."""
        assert day >= self.today, "the suite's business date only moves forward"
        self.today = day
        for app in self.apps.values():
            app.state.clock = FixedClock.on(day)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


@asynccontextmanager
async def running_suite(
    databases: Mapping[str, str], gateway_settings: GatewaySettings, today: date
) -> AsyncIterator[Suite]:
    """Serve the four services and the gateway in this event loop until the block ends, every business clock
    on ``today``."""
    names = [p.name for p in PROVIDERS] + ["gateway"]
    sockets = {name: _bound_socket() for name in names}
    bases = {name: f"http://{HOST}:{sock.getsockname()[1]}" for name, sock in sockets.items()}
    where = {URL_SETTING[name]: base for name, base in bases.items()}
    common = {"environment": "test", "log_level": "WARNING", "database_pool_size": 4, "outbox_poll_s": 0.1}
    apps: dict[str, FastAPI] = {
        p.name: p.factory()(p.settings(database_url=databases[p.name], **common, **where)) for p in PROVIDERS
    }
    apps["gateway"] = create_gateway(gateway_settings.model_copy(update=where))
    for app in apps.values():
        app.state.clock = FixedClock.on(today)
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    try:
        for name in names:
            config = uvicorn.Config(apps[name], log_level="warning", lifespan="on", access_log=False)
            server = uvicorn.Server(config)
            task = asyncio.create_task(server.serve(sockets=[sockets[name]]))
            servers.append((server, task))
            while not server.started:
                if task.done():
                    task.result()
                    raise AssertionError(f"{name} stopped while starting")
                await asyncio.sleep(0.02)
        yield Suite(apps, bases, today)
    finally:
        for server, _ in servers:
            server.should_exit = True
        for _, task in servers:
            await task
        for sock in sockets.values():
            sock.close()


class Switch(httpx.AsyncBaseTransport):
    """In front of a real service app (over ASGI): up, down (connection refused), hanging (never answers), or
    failing one path — the faults a network and a sick service produce, around the real thing."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.down = False
        self.hang = False
        self.fail_paths: set[str] = set()
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.down or any(request.url.path.endswith(p) for p in self.fail_paths):
            raise httpx.ConnectError("connection refused", request=request)
        if self.hang:
            # What a real socket does when the peer never answers: the client's read timeout fires.
            timeout = request.extensions.get("timeout", {}).get("read")
            if timeout is None:
                await asyncio.Event().wait()
            await asyncio.sleep(float(timeout))
            raise httpx.ReadTimeout("no answer", request=request)
        return await self.inner.handle_async_request(request)


def switches_around(suite: Suite) -> dict[str, Switch]:
    """A switch in front of each of the suite's four services, for a second gateway built on them."""
    return {p.name: Switch(suite.apps[p.name]) for p in PROVIDERS}

"""Every dependency of every route is a coroutine: FastAPI runs a plain ``def`` dependency in its thread pool, so
one sync helper (a clock, a settings getter) costs each request a thread hand-off and a context switch — on
the hot paths (look-up, redeem, claim submit) that was a measurable share of the service's CPU."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from rel_apps import build_gateway, build_org, build_registry, build_subsidy, build_voucher
from rel_support import Day
from starlette.routing import BaseRoute

URL = "postgresql+asyncpg://nobody@127.0.0.1:1/never_connected"
"""The apps are only built and inspected here: nothing connects until a lifespan starts."""


def _is_async(call: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    # An instance with an async __call__ (FastAPI's security schemes) is awaited, not sent to the thread pool.
    return not inspect.isfunction(call) and inspect.iscoroutinefunction(type(call).__call__)


def _walk(dependant: Dependant, where: str) -> Iterator[str]:
    for sub in dependant.dependencies:
        if sub.call is not None and not _is_async(sub.call):
            yield f"{where}: {getattr(sub.call, '__qualname__', sub.call)!r}"
        yield from _walk(sub, where)


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, descending into included routers (FastAPI keeps them as wrappers of the original)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


def sync_dependencies(app: FastAPI) -> list[str]:
    """Every dependency (at any depth, app-wide ones included) that FastAPI would run in its thread pool."""
    found = [
        f"app-wide: {getattr(d.dependency, '__qualname__', d.dependency)!r}"
        for d in app.router.dependencies
        if d.dependency is not None and not _is_async(d.dependency)
    ]
    for route in api_routes(app.routes):
        found.extend(_walk(route.dependant, f"{','.join(sorted(route.methods))} {route.path}"))
    return found


def _day() -> Day:
    from datetime import date

    return Day(date(2026, 6, 1))


BUILDERS: dict[str, Callable[[], FastAPI]] = {
    "certificate-registry": lambda: build_registry(URL, _day()),
    "org-filing": lambda: build_org(URL, _day()),
    "subsidy-claims": lambda: build_subsidy(URL, _day(), httpx.MockTransport(lambda r: httpx.Response(500))),
    "voucher": lambda: build_voucher(URL),
    "gateway": lambda: build_gateway(URL, {}),
}


@pytest.mark.parametrize("service", sorted(BUILDERS))
def test_no_route_runs_a_dependency_in_the_thread_pool(service: str) -> None:
    app = BUILDERS[service]()
    routes = list(api_routes(app.routes))
    assert routes, "the app has no API routes to inspect"
    assert sync_dependencies(app) == []


def test_the_check_sees_a_sync_dependency() -> None:
    """The check itself can fail: a route with a plain-def dependency is reported."""
    from fastapi import Depends

    app = FastAPI()

    def plain() -> int:
        return 1

    @app.get("/x")
    async def x(value: int = Depends(plain)) -> int:
        return value

    assert sync_dependencies(app) == ["GET /x: 'test_the_check_sees_a_sync_dependency.<locals>.plain'"]

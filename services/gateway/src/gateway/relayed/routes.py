"""The relayed routes: one Starlette route per path template of the relay table, every one served by one handler.

Plain Starlette routes rather than FastAPI ones: nothing is parsed or validated here (the service does that and
answers for it), the body goes on as bytes, and each route still carries its own template, so metrics and logs
name ``/api/v1/voucher/classes/{class_id}`` rather than one catch-all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from starlette.routing import Route

from gateway.paths import BULK_UPLOADS
from gateway.relay import passthrough
from gateway.relayed.send import send
from gateway.relayed.table import Access, RelayedPath, encode_query, relay_table, service_target
from gateway.upstreams import Upstreams
from skills_shared.auth import current_principal, optional_principal

FORWARDED_HEADERS: tuple[str, ...] = ("authorization", "idempotency-key", "content-type")
"""Caller headers the service needs; ``X-Request-ID`` is the gateway's own id of the request (taken from the
caller's when well formed), so one id follows the request across both logs."""

_bearer = HTTPBearer(auto_error=False)
"""The same reading of ``Authorization`` as every other gateway route (``Bearer <token>``, scheme any case)."""


async def check_caller(request: Request, access: Access) -> None:
    """Refuse, before anything is sent on, a call the service would refuse for want of a valid token (401).

    Roles and object-level rules stay with the service, which knows them and checks them anyway.
    """
    if access is Access.NONE:
        return
    principal = await optional_principal(request, await _bearer(request))
    if access is Access.REQUIRED:
        await current_principal(principal)


def forwarded_headers(request: Request) -> dict[str, str]:
    """The headers the relayed request carries."""
    headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        headers["x-request-id"] = request_id
    return headers


async def relay(request: Request, path: RelayedPath) -> Response:
    """Check the token, pass the request on and the service's answer back: status, body bytes, content type and
    the headers of ``relay.PASSED_HEADERS``, unchanged."""
    await check_caller(request, path.access_for(request.method))
    target = service_target(path.service_path, request.path_params)
    query: bytes = request.scope["query_string"]
    if query:
        target = f"{target}?{encode_query(query)}"
    upstreams: Upstreams = request.app.state.upstreams
    client = upstreams.by_name(path.service.service)
    body = await request.body()
    # A bulk upload (300,000 voucher holders) takes the service seconds: it gets its own, longer budget.
    bulk = BULK_UPLOADS.fullmatch(request.url.path) is not None
    timeout = request.app.state.settings.bulk_timeout_s if bulk else None
    return passthrough(await send(client, request.method, target, forwarded_headers(request), body, timeout))


def _endpoint(path: RelayedPath) -> Callable[[Request], Awaitable[Response]]:
    async def relayed(request: Request) -> Response:
        return await relay(request, path)

    return relayed


def relay_routes(documents: Mapping[str, Mapping[str, Any]]) -> list[Route]:
    """A route per relayed path template, in table order."""
    return [
        Route(
            path.public_path,
            _endpoint(path),
            methods=path.methods,
            name=f"relay:{path.service.prefix}:{path.service_path}",
            include_in_schema=False,
        )
        for path in relay_table(documents)
    ]


def install_relay(app: FastAPI, documents: Mapping[str, Mapping[str, Any]]) -> None:
    """Add the relayed routes after the gateway's own, which therefore keep their paths and win any overlap."""
    app.router.routes.extend(relay_routes(documents))

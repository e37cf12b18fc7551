"""The look-up's hot path as pure ASGI, in front of FastAPI's router: same answer as the documented route.

Routing, dependency solving and the exception middleware cost more CPU than the hop to the registry itself, and
the look-up is the path partners hammer. This middleware answers exactly the requests the FastAPI route
``GET /api/v1/certificates/{number}`` would (same number pattern, the query passed through, the registry's bytes
and status returned), after the request-id, CORS and rate-limit middleware have run. Anything else, or a query
with bytes that need encoding, falls through to the router, where the route does the same work the general way.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import paths
from skills_shared.clients import service_path
from skills_shared.fastget import FastGet
from skills_shared.middleware import RouteLabel, send_problem
from skills_shared.problems import Problem

PREFIX = "/api/v1/certificates/"
ROUTE = RouteLabel(PREFIX + "{number}")
"""The documented route's template: metrics and access lines name the look-up by it."""
NUMBER = re.compile(r"[A-Z][0-9]{21}")
SAFE_QUERY = frozenset(range(0x21, 0x7F))
"""Bytes that may go into a request line as they are."""


class LookupFastPath:
    """Answers public certificate look-ups straight from the registry over a kept-alive connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith(PREFIX) or NUMBER.fullmatch(path, len(PREFIX)) is None:
            await self.app(scope, receive, send)
            return
        fast: FastGet | None = scope["app"].state.registry_get
        query: bytes = scope["query_string"]
        if fast is None or not SAFE_QUERY.issuperset(query):
            await self.app(scope, receive, send)
            return
        scope["route"] = ROUTE
        target = service_path(paths.REGISTRY_PUBLIC_LOOKUP, number=path[len(PREFIX) :])
        if query:
            target = f"{target}?{query.decode('ascii')}"
        state = scope.get("state") or {}
        request_id: str | None = state.get("request_id")
        forwarded: list[tuple[bytes, bytes]] = []
        if request_id:
            forwarded.append((b"X-Request-ID", request_id.encode("ascii")))
        for name, value in scope["headers"]:
            if name == b"authorization":
                forwarded.append((b"Authorization", value))
        try:
            answer = await fast.get(target, tuple(forwarded))
        except Problem as problem:
            await send_problem(send, problem, request_id, request_id_header=False)
            return
        headers = [
            (b"content-type", answer.content_type),
            (b"content-length", str(len(answer.body)).encode()),
        ]
        if answer.retry_after:
            headers.append((b"retry-after", answer.retry_after))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

"""Pure-ASGI middleware: request id, body limits and hostile-body guards, metrics. Cheap on the hot path."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from prometheus_client import Counter, Histogram
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skills_shared.auth import MAX_TOKEN_BYTES
from skills_shared.logging import bind_request_scope
from skills_shared.metric_series import series
from skills_shared.problems import PROBLEM_MEDIA_TYPE, Problem

ACCEPTED_BODY_TYPES = ("application/json",)
"""What a request body may be: JSON (``+json`` suffixes included), unless the route it is for documents more
in its OpenAPI ``requestBody`` (the .xlsx upload routes of `skills_shared.spreadsheet_routes`)."""

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_TRACEPARENT = re.compile(rb"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
access_log = structlog.get_logger("skills.access")
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Probes and scrapes are not access-logged: thousands of lines a day that say nothing."""

REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def new_request_id() -> str:
    """32 hex digits from the process's pseudo-random generator: a request ID names a request in logs and
    answers and is no secret, so it need not cost ``uuid4``'s system call for entropy on every request."""
    return f"{random.getrandbits(128):032x}"


@dataclass(frozen=True, slots=True)
class RouteLabel:
    """What a pure-ASGI hot path puts in ``scope["route"]``: its requests are then counted, timed and logged
    under the template of the documented route it stands in for, not as ``unmatched``."""

    path: str


async def send_problem(
    send: Send, problem: Problem, request_id: str | None, *, request_id_header: bool = True
) -> None:
    """Write a problem+json response straight onto the ASGI channel.

    ``request_id_header=False`` inside `RequestContextMiddleware`, whose own ``send`` adds the header."""
    body = orjson.dumps(problem.body(request_id))
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if request_id and request_id_header:
        headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
    headers += [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> Problem:
    return Problem(413, "payload_too_large", f"请求体超过 {limit} 字节上限", title="Payload too large")


def _headers_too_large(limit: int) -> Problem:
    return Problem(
        431,
        "headers_too_large",
        f"请求头合计超过 {limit} 字节上限",
        title="Request header fields too large",
    )


def _token_too_large() -> Problem:
    return Problem(
        401,
        "token_too_large",
        f"登录令牌超过 {MAX_TOKEN_BYTES} 字节上限",
        title="Unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="skills"'},
    )


def _unsupported_type(content_type: bytes, accepted_types: tuple[str, ...] = ACCEPTED_BODY_TYPES) -> Problem:
    shown = content_type.decode("latin-1")[:100] or "（未声明）"
    accepted = "、".join(accepted_types)
    return Problem(
        415,
        "unsupported_media_type",
        f"不支持的请求体类型 {shown}；请以 {accepted} 提交",
        title="Unsupported media type",
        extra={"accepted": list(accepted_types)},
    )


ACCEPTED_EXTENSION = "x-accepted-media-types"
"""Named on a ``requestBody`` that takes several types: kept when a document is rewritten for client generators
(the gateway publishes such a body under JSON alone), so the types accepted stay the types documented."""


def body_types_of(openapi: dict[str, Any]) -> list[tuple[re.Pattern[str], str, tuple[str, ...]]]:
    """Every operation whose documented request body takes more than JSON: its path pattern, its method and
    the media types of its ``requestBody`` (its `ACCEPTED_EXTENSION` when named). What the OpenAPI document
    promises is what is let through."""
    table: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = []
    for template, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            body = (operation.get("requestBody") or {}) if isinstance(operation, dict) else {}
            types = tuple(body.get(ACCEPTED_EXTENSION) or body.get("content") or {})
            if isinstance(operation, dict) and types and types != ACCEPTED_BODY_TYPES:
                table.append((compile_path(template)[0], method.upper(), types))
    return table


def oversized_headers(headers: list[tuple[bytes, bytes]], limit: int) -> Problem | None:
    """431 when the headers together exceed ``limit`` bytes, 401 when a bearer token alone exceeds
    `MAX_TOKEN_BYTES`: checked on the raw list before anything decodes or parses a header (issue 20, item 6)."""
    total = 0
    for name, value in headers:
        total += len(name) + len(value) + 4
        if name == b"authorization" and len(value) > MAX_TOKEN_BYTES + 7:
            return _token_too_large() if total <= limit else _headers_too_large(limit)
    return _headers_too_large(limit) if total > limit else None


def _bad_body(detail: str, type_: str) -> Problem:
    return Problem(
        422,
        "validation_failed",
        detail,
        title="Validation failed",
        errors=[{"loc": ["body"], "msg": detail, "type": type_}],
    )


class RequestContextMiddleware:
    """Gives every request an id (taken from ``X-Request-ID`` when well formed), guards bodies, counts metrics.

    Bodies are read before the app sees them so that an oversized body (413), a NUL character (PostgreSQL text
    cannot store it) or JSON nested past a sane depth is refused with a problem before any handler runs.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        max_body_bytes: int,
        bulk_paths: re.Pattern[str] | None = None,
        bulk_body_bytes: int | None = None,
        max_header_bytes: int = 16_384,
        log_access: bool = True,
    ) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.log_access = log_access
        self.bulk_paths = bulk_paths
        self.bulk_body_bytes = bulk_body_bytes if bulk_body_bytes is not None else max_body_bytes
        self._body_types: list[tuple[re.Pattern[str], str, tuple[str, ...]]] | None = None

    def _count(self, method: str, template: str, status: int, elapsed_s: float) -> None:
        """One request in the request counter and the latency histogram (series looked up once, `series`)."""
        series(REQUESTS, self.service, method, template, str(status)).inc()
        series(LATENCY, self.service, method, template).observe(elapsed_s)

    def _accepted(self, scope: Scope) -> tuple[str, ...]:
        """The body types the route a request is for documents (JSON unless it names more, like the .xlsx
        uploads of `skills_shared.spreadsheet_routes`). Asked only for a body that is not JSON, and the table
        is read from the app's OpenAPI once, so the hot path pays nothing."""
        if self._body_types is None:
            app = scope.get("app")
            openapi = getattr(app, "openapi", None)
            self._body_types = body_types_of(openapi()) if callable(openapi) else []
        path, method = scope.get("path", ""), scope["method"]
        for pattern, allowed_method, types in self._body_types:
            if allowed_method == method and pattern.match(path):
                return types
        return ACCEPTED_BODY_TYPES

    def _limit(self, path: str) -> int:
        """The body limit of a path: the bulk uploads a route table names may be larger than everything else."""
        if self.bulk_paths is not None and self.bulk_paths.fullmatch(path):
            return self.bulk_body_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        oversized = oversized_headers(scope["headers"], self.max_header_bytes)
        if oversized is not None:
            # Before the request id is read or anything else decodes a header: nothing here is trusted yet.
            request_id = new_request_id()
            await send_problem(send, oversized, request_id)
            series(REQUESTS, self.service, scope["method"], "unmatched", str(oversized.status)).inc()
            return
        headers = dict(scope["headers"])
        incoming = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else new_request_id()
        traced = _TRACEPARENT.match(headers.get(b"traceparent", b""))
        trace_id = traced.group(1).decode() if traced else request_id
        structlog.contextvars.bind_contextvars(request_id=request_id, trace_id=trace_id, service=self.service)
        bind_request_scope(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status_holder = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            repeated = _repeated_query_name(scope.get("query_string", b""))
            if repeated is not None:
                await send_problem(
                    send,
                    Problem(
                        422,
                        "validation_failed",
                        f"查询参数 {repeated} 重复",
                        title="Validation failed",
                        errors=[
                            {
                                "loc": ["query", repeated],
                                "msg": "查询参数不可重复",
                                "type": "repeated_parameter",
                            }
                        ],
                    ),
                    request_id,
                )
                status_holder[0] = 422
                return
            if b"%00" in scope.get("raw_path", b"") or b"%00" in scope.get("query_string", b""):
                await send_problem(send, _bad_body("URL 中不允许出现 NUL 字符", "nul_character"), request_id)
                status_holder[0] = 422
                return
            problem, receive = await self._guard_body(scope, headers, receive)
            if problem is not None:
                status_holder[0] = problem.status
                await send_problem(send, problem, request_id)
                return
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            self._count(scope["method"], template, status_holder[0], elapsed)
            if self.log_access and scope.get("path") not in QUIET_PATHS:
                access_log.info(
                    "request",
                    method=scope["method"],
                    path=scope.get("path", ""),
                    route=template,
                    status=status_holder[0],
                    duration_ms=round(elapsed * 1000, 2),
                )
            bind_request_scope(None)
            structlog.contextvars.unbind_contextvars("request_id", "trace_id", "service")

    async def _guard_body(
        self, scope: Scope, headers: dict[bytes, bytes], receive: Receive
    ) -> tuple[Problem | None, Receive]:
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return None, receive
        limit = self._limit(scope.get("path", ""))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return _too_large(limit), receive
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _too_large(limit), receive
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        is_json = not content_type or content_type == b"application/json" or content_type.endswith(b"+json")
        if body and not is_json:
            accepted = self._accepted(scope)
            if content_type.decode("latin-1") not in accepted:
                return _unsupported_type(content_type, accepted), receive
        if body and is_json:
            if b"\x00" in body or b"\\u0000" in body:
                return _bad_body("请求中不允许出现 NUL 字符", "nul_character"), receive
            try:
                orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                if any(w in str(exc).lower() for w in ("recursion", "depth")):
                    return _bad_body("JSON 嵌套层级过深", "json_too_deep"), receive
                # Not JSON, or not UTF-8: answered here so the client always gets a documented 422 problem.
                return _bad_body(f"JSON 格式错误：{str(exc)[:120]}", "json_invalid"), receive
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return None, replay


def _repeated_query_name(query: bytes) -> str | None:
    """The first query parameter named twice: no route takes a list in its query, and silently keeping one of
    two values (HTTP parameter pollution) lets a filter say something other than what was checked."""
    if b"&" not in query:
        return None
    seen: set[bytes] = set()
    for part in query.split(b"&"):
        name = part.split(b"=", 1)[0]
        if name in seen:
            return name.decode("latin-1")[:50]
        seen.add(name)
    return None


def request_id_of(scope_state: dict[str, Any]) -> str | None:
    """The request id stored on the scope state by the middleware."""
    value = scope_state.get("request_id")
    return str(value) if value else None

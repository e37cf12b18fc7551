"""A lean keep-alive HTTP/1.1 GET between services: asyncio streams, no per-request object churn.

Measured on the 2-core development machine, one httpx request costs about 1 ms of CPU, several times what the
registry spends answering it; a GET written straight onto a kept-alive socket costs about a tenth of that. The
gateway's public look-up and subsidy-claims' registry check (on every claim submit) take this road. It keeps
the ServiceClient's contract: a timeout on every attempt, retries (a GET is safe to repeat), the service's own
circuit breaker, and a 503 problem naming the service with Retry-After when it is down. Anything it does not
understand (no Content-Length, a closed connection, an odd status line) is a transport failure of that
attempt, retried on a fresh connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from skills_shared.clients import ServiceClient, service_unavailable
from skills_shared.problems import Problem

MAX_IDLE = 64
"""Kept-alive connections per service; enough for 32+ concurrent look-ups without dialling."""
MAX_HEAD_BYTES = 16_384
MAX_BODY_BYTES = 1_000_000


class BadResponse(Exception):
    """The peer said something this lean client does not handle; the attempt counts as failed."""


@dataclass(slots=True)
class Answer:
    """Status, the content type, a Retry-After if any, and the body bytes."""

    status: int
    content_type: bytes
    retry_after: bytes | None
    body: bytes


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class FastGet:
    """GETs to one service over a small pool of kept-alive connections, sharing the service's breaker."""

    def __init__(self, service: ServiceClient) -> None:
        self.service = service
        parts = urlsplit(service.base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"lean GET supports plain http only, not {service.base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.host_header = f"{self.host}:{self.port}".encode("ascii")
        self.idle: deque[Connection] = deque()

    @classmethod
    def for_service(cls, service: ServiceClient) -> FastGet | None:
        """The lean client, or None when the service is not reachable over plain http (TLS takes httpx)."""
        try:
            return cls(service)
        except ValueError:
            return None

    async def _connect(self) -> Connection:
        return await asyncio.open_connection(self.host, self.port)

    def _release(self, conn: Connection) -> None:
        if len(self.idle) < MAX_IDLE and not conn[1].is_closing():
            self.idle.append(conn)
        else:
            conn[1].close()

    async def _exchange(self, conn: Connection, request: bytes) -> tuple[Answer, bool]:
        """One request/response on ``conn``; also says whether the connection may be kept."""
        reader, writer = conn
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD_BYTES:
            raise BadResponse("response head too large")
        lines = head.split(b"\r\n")
        status_line = lines[0].split(b" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
            raise BadResponse("not an HTTP/1.x status line")
        status = int(status_line[1])
        length = -1
        content_type = b"application/octet-stream"
        retry_after: bytes | None = None
        keep = True
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value.strip())
            elif lowered == b"content-type":
                content_type = value.strip()
            elif lowered == b"retry-after":
                retry_after = value.strip()
            elif lowered == b"connection" and value.strip().lower() == b"close":
                keep = False
            elif lowered == b"transfer-encoding":
                raise BadResponse("chunked bodies are not handled on the lean path")
        if length < 0 or length > MAX_BODY_BYTES:
            raise BadResponse("missing or oversized Content-Length")
        body = await reader.readexactly(length) if length else b""
        return Answer(status, content_type, retry_after, body), keep

    def _request(self, target: str, headers: tuple[tuple[bytes, bytes], ...]) -> bytes:
        out = [
            b"GET ",
            (self.prefix + target).encode("latin-1"),
            b" HTTP/1.1\r\nHost: ",
            self.host_header,
            b"\r\n",
        ]
        for name, value in headers:
            out += [name, b": ", value, b"\r\n"]
        out.append(b"\r\n")
        return b"".join(out)

    def _unavailable(self, why: str) -> Problem:
        return service_unavailable(self.service.name, self.service.breaker, why)

    async def get(self, target: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Answer:
        """GET ``target`` (path and query, already encoded); any answer below 500 is returned."""
        breaker = self.service.breaker
        if not breaker.allow():
            raise self._unavailable("circuit open")
        request = self._request(target, headers)
        allowed = 1 + self.service.retries
        attempt = 0
        last = "no attempt"
        while attempt < allowed:
            pooled = bool(self.idle)
            conn: Connection | None = None
            try:
                async with asyncio.timeout(self.service.timeout_s):
                    conn = self.idle.popleft() if pooled else await self._connect()
                    answer, keep = await self._exchange(conn, request)
            except TimeoutError:
                last = "timeout"
            except (
                OSError,
                EOFError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
            ) as exc:
                last = f"transport: {type(exc).__name__}"
                if pooled:
                    # The peer closed a kept-alive connection while it idled: not the service's fault, and not
                    # an attempt; try again at once (on the next idle connection, or a fresh one).
                    if conn is not None:
                        conn[1].close()
                    continue
            except BadResponse as exc:
                last = f"bad response: {exc}"
            else:
                if keep:
                    self._release(conn)
                else:
                    conn[1].close()
                if answer.status < 500:
                    breaker.success()
                    return answer
                last = f"status {answer.status}"
                conn = None
            if conn is not None:
                conn[1].close()
            attempt += 1
            if attempt < allowed:
                await asyncio.sleep(self.service.backoff_s * (2 ** (attempt - 1)))
        breaker.failure()
        raise self._unavailable(last)

    async def aclose(self) -> None:
        """Close every idle connection."""
        while self.idle:
            _, writer = self.idle.popleft()
            writer.close()

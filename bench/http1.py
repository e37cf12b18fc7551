"""Just enough HTTP/1.1 for a load client: pre-encoded requests over keep-alive asyncio streams.

A request is encoded once, before any clock starts (method, path, Host, headers, Content-Length, body), so
sending it is one ``write``. A response is read as its status line and headers, and its body is read only to
find where the next response starts: ``Content-Length``, ``Transfer-Encoding: chunked``, or the end of the
connection. Nothing else is parsed, so a request costs tens of microseconds of client CPU instead of the
milliseconds httpx spends on its connection pool and models (measured in bench/README.md, figure 6).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

NO_BODY_STATUSES = frozenset({204, 304})


def host_port(base: str) -> tuple[str, int]:
    """``http://127.0.0.1:8490`` → ``("127.0.0.1", 8490)`` (plain HTTP only: the bench runs on loopback)."""
    parts = urlsplit(base)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"not a plain http base URL: {base}")
    return parts.hostname, parts.port or 80


def encode_request(
    base: str,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    json: Any = None,
    body: bytes | None = None,
) -> bytes:
    """One complete HTTP/1.1 request as bytes; ``json`` is encoded with orjson and typed application/json."""
    host, port = host_port(base)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    if json is not None:
        body = orjson.dumps(json)
        lines.append("Content-Type: application/json")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")


def _header(head: bytes, name: bytes) -> bytes | None:
    """The value of header ``name`` (lower case, with the CRLF before it) in a lower-cased response head."""
    at = head.find(name)
    if at < 0:
        return None
    start = at + len(name)
    return head[start : head.index(b"\r\n", start)].strip()


class Connection:
    """One keep-alive connection; reconnects on the next request after an error or ``Connection: close``."""

    def __init__(self, base: str) -> None:
        self.host, self.port = host_port(base)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def request(self, data: bytes) -> tuple[int, bytes]:
        """Send one pre-encoded request; return the status and the body (the caller keeps it only on errors).

        Any failure (refused, reset, timeout by the caller, a malformed answer) closes the connection, so the
        next request starts on a fresh one instead of reading the rest of a broken answer.
        """
        try:
            if self._writer is None:
                await self.open()
            assert self._reader is not None and self._writer is not None
            self._writer.write(data)
            head = await self._reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lower = head.lower()
            if status in NO_BODY_STATUSES or 100 <= status < 200:
                body = b""
            elif (length := _header(lower, b"\r\ncontent-length:")) is not None:
                body = await self._reader.readexactly(int(length))
            elif (coding := _header(lower, b"\r\ntransfer-encoding:")) is not None and b"chunked" in coding:
                body = await self._chunked()
            else:  # no length: the body ends with the connection
                body = await self._reader.read()
                self.close()
            if self._writer is not None and _header(lower, b"\r\nconnection:") == b"close":
                self.close()
            return status, body
        except BaseException:
            self.close()
            raise

    async def _chunked(self) -> bytes:
        assert self._reader is not None
        chunks: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await self._reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                    pass
                return b"".join(chunks)
            chunks.append((await self._reader.readexactly(size + 2))[:-2])

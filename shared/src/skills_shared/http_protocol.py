"""uvicorn's httptools protocol, sending each response's head and body in one write.

uvicorn writes the status line and headers when the app sends ``http.response.start`` and the body when it sends
``http.response.body``: two writes, so two ``send`` system calls and two TCP segments for every answer, and the
reader (a partner, the gateway's pooled client, the load tool) often wakes twice to read one answer. Every process
of the suite runs this protocol instead (``uvicorn --http skills_shared.http_protocol:HttpProtocol``, from
`skills_tools.run.uvicorn_argv` and the container command), which holds what a request's handling writes in one
step of the event loop and sends it in one write at the end of that step. The bytes and their order are
unchanged; a streamed body still leaves chunk by chunk, since each chunk is written in a step of its own.

We keep this small subclass rather than a fork of uvicorn's sender: the protocol, its parser, flow control and
keep-alive are uvicorn's own. uvicorn has no option for it (its ``--http`` option takes a protocol class, which
is the way in used here).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport that queues writes and sends them together once the current event-loop step ends.

    Everything else (closing, flow control, extra info) is the real transport's; closing sends what is queued
    first, so an answer followed by ``Connection: close`` still reaches the client whole.
    """

    __slots__ = ("_loop", "_queued", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._queued: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._queued:
            self._loop.call_soon(self.flush)
        self._queued.append(data)

    def flush(self) -> None:
        """Send what is queued in one write (nothing once the connection is closing)."""
        if not self._queued:
            return
        data = self._queued[0] if len(self._queued) == 1 else b"".join(self._queued)
        self._queued.clear()
        if not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self._queued.clear()
        self.transport.abort()

    def get_write_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() + sum(len(d) for d in self._queued)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with its writes coalesced per event-loop step (`CoalescingTransport`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Flow control keeps the real transport (set by the call above); the request cycles write through this.
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]

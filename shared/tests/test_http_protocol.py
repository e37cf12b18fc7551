"""The served protocol (`skills_shared.http_protocol`): one write per answer, the same bytes, streams still stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from skills_shared.http_protocol import CoalescingTransport, HttpProtocol
from skills_shared.testing import served


class RecordingTransport:
    """Stands in for the socket's transport: records each write the protocol would make a system call of."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1)}.get(name, default)


def coalescing() -> tuple[CoalescingTransport, RecordingTransport]:
    real = RecordingTransport()
    return CoalescingTransport(real, asyncio.get_running_loop()), real  # type: ignore[arg-type]


async def next_step() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_the_head_and_body_written_in_one_step_leave_in_one_write() -> None:
    transport, real = coalescing()
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"ok")
    assert real.writes == [], "nothing is sent before the step ends"
    await next_step()
    assert real.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]


async def test_writes_of_later_steps_leave_in_later_writes_in_order() -> None:
    transport, real = coalescing()
    transport.write(b"a")
    await next_step()
    transport.write(b"b")
    transport.write(b"")
    transport.write(b"c")
    await next_step()
    assert real.writes == [b"a", b"bc"]


async def test_close_sends_what_is_queued_first_and_abort_drops_it() -> None:
    transport, real = coalescing()
    transport.write(b"last answer")
    transport.close()
    assert real.writes == [b"last answer"] and real.closed
    await next_step()
    assert real.writes == [b"last answer"], "the scheduled flush finds nothing left"

    transport, real = coalescing()
    transport.write(b"never sent")
    assert transport.get_write_buffer_size() == len(b"never sent")
    transport.abort()
    await next_step()
    assert real.writes == [] and real.aborted


async def test_nothing_is_written_to_a_connection_that_is_closing() -> None:
    transport, real = coalescing()
    transport.write(b"too late")
    real.closed = True  # the peer went away before the step ended
    await next_step()
    assert real.writes == []
    assert transport.get_extra_info("peername") == ("127.0.0.1", 1), "everything else is the real transport's"


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Three answers: a plain one, one streamed in two chunks with a pause the test controls, one that closes."""
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/stream":
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": b"first;", "more_body": True})
        await scope["app_state"]["go_on"].wait()
        await send({"type": "http.response.body", "body": b"second"})
        return
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(path)).encode())]
    if path == "/close":
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": path.encode()})


@pytest.fixture
async def server() -> AsyncIterator[tuple[int, asyncio.Event]]:
    go_on = asyncio.Event()

    async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app_state"] = {"go_on": go_on}
        await app(scope, receive, send)

    async with served(with_state, http=HttpProtocol) as url:
        yield int(url.rsplit(":", 1)[1]), go_on


async def read_until(reader: asyncio.StreamReader, marker: bytes) -> bytes:
    return await asyncio.wait_for(reader.readuntil(marker), timeout=5)


async def sent(port: int, raw: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A fresh connection to the server with ``raw`` (one or more requests, as on the wire) written to it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    return reader, writer


async def test_keep_alive_and_pipelined_requests_get_their_answers_whole_and_in_order(
    server: tuple[int, asyncio.Event],
) -> None:
    port, _ = server
    reader, writer = await sent(
        port, b"GET /one HTTP/1.1\r\nHost: t\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    first = await read_until(reader, b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and b"content-length: 4\r\n" in first
    assert await asyncio.wait_for(reader.readexactly(4), 5) == b"/one"
    second = await read_until(reader, b"\r\n\r\n")
    assert b"content-length: 7\r\n" in second
    assert await asyncio.wait_for(reader.readexactly(7), 5) == b"/second"
    writer.close()


async def test_a_streamed_body_leaves_chunk_by_chunk(server: tuple[int, asyncio.Event]) -> None:
    """The first chunk reaches the client while the app still holds the second: nothing waits for the end."""
    port, go_on = server
    reader, writer = await sent(port, b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
    head = await read_until(reader, b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head
    assert (await read_until(reader, b"first;\r\n")).endswith(b"first;\r\n")
    go_on.set()
    assert (await read_until(reader, b"0\r\n\r\n")).startswith(b"6\r\nsecond\r\n")
    writer.close()


async def test_an_answer_that_closes_the_connection_arrives_whole_before_the_close(
    server: tuple[int, asyncio.Event],
) -> None:
    port, _ = server
    reader, writer = await sent(port, b"GET /close HTTP/1.1\r\nHost: t\r\n\r\n")
    everything = await asyncio.wait_for(reader.read(), timeout=5)  # until the server closes
    assert everything.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"connection: close\r\n" in everything and everything.endswith(b"\r\n\r\n/close")
    writer.close()

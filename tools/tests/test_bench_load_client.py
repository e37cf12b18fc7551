"""The bench's raw HTTP/1.1 load client and its binary COPY rows, against a local asyncio server (no services)."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bench.data import number_of, parts
from bench.http1 import Connection, encode_request
from bench.loadgen import closed_loop, constant_rate
from bench.scale_rows import PG_EPOCH, BinaryRows, holder_ids, holder_index, issue_date_of

RESPONSES = {
    b"/plain": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    b"/chunked": b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n",
    b"/empty": b"HTTP/1.1 204 No Content\r\n\r\n",
    b"/fail": b"HTTP/1.1 422 Unprocessable Entity\r\ncontent-length: 9\r\n\r\nbad input",
    b"/close": b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
}


class Server:
    """A keep-alive HTTP/1.1 server that answers by path and records what it received."""

    def __init__(self) -> None:
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                path = head.split(b" ")[1]
                writer.write(RESPONSES.get(path, RESPONSES[b"/plain"]))
                await writer.drain()
                if path == b"/close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[Server, str]]:
    srv = Server()
    listener = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield srv, f"http://127.0.0.1:{port}"
    finally:
        listener.close()
        await listener.wait_closed()


def test_encode_request_carries_headers_length_and_json() -> None:
    data = encode_request(
        "http://127.0.0.1:8400", "POST", "/v1/x", headers={"Authorization": "Bearer t"}, json={"a": 1}
    )
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.split(b"\r\n")[0] == b"POST /v1/x HTTP/1.1"
    assert b"\r\nHost: 127.0.0.1:8400" in head
    assert b"\r\nAuthorization: Bearer t" in head
    assert b"\r\nContent-Type: application/json" in head
    assert b"\r\nContent-Length: 7" in head
    assert body == b'{"a":1}'
    assert b"Content-Length" not in encode_request("http://h:1", "GET", "/")


async def test_connection_reads_every_framing_and_keeps_alive(server: tuple[Server, str]) -> None:
    srv, base = server
    conn = Connection(base)
    answers = [
        await conn.request(encode_request(base, "GET", p)) for p in ("/plain", "/chunked", "/empty", "/fail")
    ]
    assert answers == [(200, b"hello"), (201, b"abcde"), (204, b""), (422, b"bad input")]
    assert srv.connections == 1
    assert await conn.request(encode_request(base, "GET", "/close")) == (200, b"ok")
    assert await conn.request(encode_request(base, "GET", "/plain")) == (200, b"hello")
    assert srv.connections == 2  # reconnected after Connection: close
    conn.close()


async def test_constant_rate_keeps_the_schedule_and_counts_statuses(server: tuple[Server, str]) -> None:
    srv, base = server
    requests = [encode_request(base, "GET", "/plain"), encode_request(base, "GET", "/fail")]
    result = await constant_rate(base, requests, rate=200, seconds=0.5, connections=4, ok_statuses=(200,))
    assert result.sent == 100
    assert result.statuses == {200: 50, 422: 50}
    assert result.ok == 50 and result.errors == 50
    assert result.first_error == "422 bad input"
    assert 0.45 < result.seconds < 2.0  # the last request is due at 0.495 s
    assert len(result.latencies_ms) == 100 and result.cpu_s > 0
    assert srv.connections == 4


async def test_closed_loop_sends_each_distinct_body_once(server: tuple[Server, str]) -> None:
    srv, base = server
    requests = [encode_request(base, "POST", "/plain", json={"i": i}) for i in range(40)]
    result = await closed_loop(base, requests, concurrency=3)
    assert result.sent == result.ok == 40
    assert sorted(body for _, body in srv.requests) == sorted(f'{{"i":{i}}}'.encode() for i in range(40))


async def test_refused_connections_count_as_errors() -> None:
    listener = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()
    base = f"http://127.0.0.1:{port}"
    result = await constant_rate(
        base, [encode_request(base, "GET", "/")], rate=100, seconds=0.1, connections=2
    )
    assert result.sent == 10 and result.ok == 0 and result.statuses == {0: 10}
    assert "Connect" in result.first_error or "Errno" in result.first_error


def _decode(data: bytes) -> list[list[bytes]]:
    rows, at = [], 0
    while at < len(data):
        (count,) = struct.unpack_from(">h", data, at)
        at += 2
        values = []
        for _ in range(count):
            (length,) = struct.unpack_from(">i", data, at)
            values.append(data[at + 4 : at + 4 + length])
            at += 4 + length
        rows.append(values)
    return rows


@pytest.mark.parametrize("start, stop", [(0, 3), (999_997, 1_000_003), (34_999_998, 35_000_001)])
def test_scale_rows_are_the_same_certificates_as_number_of(start: int, stop: int) -> None:
    ids = holder_ids()
    rows = _decode(BinaryRows().encode(start, stop).tobytes())
    assert len(rows) == stop - start
    for i, row in zip(range(start, stop), rows, strict=True):
        body, year, level, serial = parts(i)
        assert row[0].decode() == number_of(i)
        assert row[1].decode() == body
        assert struct.unpack(">hhi", row[2] + row[3] + row[4]) == (year, level, serial)
        assert row[6].decode() == ids[holder_index(i)]
        assert PG_EPOCH + timedelta(days=struct.unpack(">i", row[11])[0]) == issue_date_of(i)

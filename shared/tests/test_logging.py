"""Every logger comes out as masked JSON with the request's identifiers (issue 19, item 1)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from skills_shared.logging import (
    _PERSONAL,
    FLUSH_AFTER_S,
    _masked,
    configure_logging,
    mask_text,
    worth_a_look,
)

ID = "500104199503156796"
PHONE = "13812345678"


@pytest.mark.parametrize(
    ("raw", "leak"),
    [
        (f"GET /api/v1/certificates/S000050050001253000001?id_number={ID}", ID),
        (f"holder {ID} applied", ID),
        (f"holder {ID[:-1]}X applied", ID[:-1] + "X"),
        (f"call me on {PHONE}", PHONE),
        ("call me on +86 138 1234 5678", "138 1234 5678"),
        ("office 023-68812345", "68812345"),
        ("card 6222021234567890123 charged", "6222021234567890123"),
        ("?name=%E5%BC%A0%E4%B8%89&x=1", "%E5%BC%A0"),
    ],
)
def test_personal_data_is_masked(raw: str, leak: str) -> None:
    masked = mask_text(raw)
    assert leak not in masked, masked


def test_what_is_not_personal_stays_readable() -> None:
    for text in (
        "S000050050001253000001",
        "request 9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a",
        "2026-12-07T09:41:56Z",
    ):
        assert mask_text(text) == text


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_foreign_and_own_loggers_come_out_as_masked_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", service="unit")
    structlog.contextvars.bind_contextvars(request_id="r-1", trace_id="t-1")
    try:
        logging.getLogger("uvicorn.error").info("client sent %s", f"/x?id_number={ID}")
        logging.getLogger("httpx").warning("HTTP Request: GET http://registry/v1?phone=%s", PHONE)
        logging.getLogger("sqlalchemy.engine").warning("params (%r,)", ID)
        structlog.get_logger("ours").info(
            "claim", holder=ID, contact={"phone": PHONE}, bank_account="62220212345678"
        )
        try:
            raise ValueError(f"bad holder {ID}")
        except ValueError:
            logging.getLogger("asyncpg").exception("boom")
    finally:
        structlog.contextvars.clear_contextvars()
    out = capsys.readouterr().out
    assert ID not in out and PHONE not in out and "62220212345678" not in out
    parsed = lines(out)
    assert len(parsed) == 5
    assert {p["logger"] for p in parsed} == {"uvicorn.error", "httpx", "sqlalchemy.engine", "ours", "asyncpg"}
    assert all(p["service"] == "unit" and p["request_id"] == "r-1" and p["trace_id"] == "t-1" for p in parsed)
    assert "Traceback" in str(parsed[-1]["exception"]) and "bad holder 500" in str(parsed[-1]["exception"])


PIECES = st.sampled_from(
    ["0", "1", "3", "8", "6", "9", "X", "x", "a", "Z", "+", "-", " ", "=", "?", "&", "/", "_", ".", "张", "%"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_quick_look_never_passes_over_something_to_mask(text: str) -> None:
    """`worth_a_look` lets most strings skip the masking regex; it must never skip one the regex would change."""
    if mask_text_slow(text) != text:
        assert worth_a_look(text), text
    assert mask_text(text) == mask_text_slow(text)


def mask_text_slow(text: str) -> str:
    return _PERSONAL.sub(_masked, text)


@pytest.mark.parametrize(
    "text",
    [
        "/api/v1/certificates/S000050050001253000001",
        "9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a",
        "/v1/vouchers/redeem",
    ],
)
def test_paths_and_request_ids_skip_the_regex(text: str) -> None:
    assert not worth_a_look(text)


class CountingStream(io.StringIO):
    """A stdout that counts its flushes (how many write system calls a real one would make)."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0
        self.flushed_upto = 0

    def flush(self) -> None:
        self.flushes += 1
        self.flushed_upto = len(self.getvalue())


def test_lines_written_while_serving_share_one_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging("INFO", service="unit")
    stream = CountingStream()
    monkeypatch.setattr(sys, "stdout", stream)
    log = structlog.get_logger("skills.access")

    async def serve() -> tuple[int, int]:
        for n in range(200):
            log.info("request", n=n)
        before = stream.flushes
        written = len(stream.getvalue())
        await asyncio.sleep(FLUSH_AFTER_S * 3)
        assert stream.flushed_upto == written  # every line went out with the one scheduled flush
        return before, stream.flushes

    before, after = asyncio.run(serve())
    assert before == 0 and after == 1
    assert len(lines(stream.getvalue())) == 200


def test_errors_and_lines_outside_a_loop_are_flushed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging("INFO", service="unit")
    stream = CountingStream()
    monkeypatch.setattr(sys, "stdout", stream)
    log = structlog.get_logger("ours")
    log.info("outside a loop")
    assert stream.flushes == 1 and stream.flushed_upto == len(stream.getvalue())

    async def fail() -> None:
        log.error("upstream broke")
        assert stream.flushes == 2 and stream.flushed_upto == len(stream.getvalue())

    asyncio.run(fail())


def test_a_flush_whose_loop_stopped_does_not_hold_later_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A loop closed before its scheduled flush ran (a command's, a test's) must not leave later lines waiting."""
    configure_logging("INFO", service="unit")
    stream = CountingStream()
    monkeypatch.setattr(sys, "stdout", stream)
    log = structlog.get_logger("ours")

    async def write_and_leave() -> None:
        log.info("last line of a short-lived loop")

    asyncio.run(write_and_leave())  # the loop closes with the flush still scheduled
    log.info("a line after it, outside any loop")
    assert stream.flushed_upto == len(stream.getvalue())

    async def next_loop() -> None:
        log.info("the first line of the next loop")
        assert stream.flushed_upto == len(stream.getvalue())  # not left behind the dead loop's flush

    asyncio.run(write_and_leave())
    asyncio.run(next_loop())
    assert len(lines(stream.getvalue())) == 4


SERVICE_LIKE = """
import asyncio, os, sys
import structlog
from skills_shared.logging import FLUSH_AFTER_S, configure_logging
configure_logging("INFO", service="unit")
print(f"write_through={sys.stdout.write_through}", file=sys.stderr, flush=True)
log = structlog.get_logger("skills.access")

async def serve() -> None:
    for n in range(200):
        log.info("request", n=n)
    await asyncio.sleep(FLUSH_AFTER_S * 4)

asyncio.run(serve())
os._exit(0)  # no flush at exit: what arrived was sent by the coalesced flush
"""


def test_a_service_under_pythonunbuffered_writes_in_batches_and_loses_nothing() -> None:
    """Containers set PYTHONUNBUFFERED=1; the lines must still leave in batches, and all of them must leave."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SERVICE_LIKE],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "write_through=False" in done.stderr
    sent = lines(done.stdout)
    assert [line["n"] for line in sent] == list(range(200))

"""Every logger comes out as masked JSON with the request's identifiers (issue 19, item 1)."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from skills_shared.logging import configure_logging, mask_text

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

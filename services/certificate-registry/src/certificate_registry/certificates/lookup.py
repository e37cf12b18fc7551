"""The look-up hot path (CR-6): asyncpg prepared statements on a dedicated pool and orjson bodies, no ORM.

Partners and mobile apps call this most; DESIGN.md measured the ORM path at a fifth of the throughput. The
public look-up is answered by `LookupFastPath`, a pure ASGI middleware inside the request-context middleware:
FastAPI's exception middleware, router and request/response objects cost the registry about 40 µs of its 220 µs
per look-up (bench/README.md). The FastAPI route in `certificates.api` documents the same look-up and answers
what the fast path hands on; both call `lookup_body`, so the rule has one home.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
import orjson
from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from certificate_registry.certificates.rules import RULE_CODE_LAYOUT, RULE_PUBLIC_QUERY, lookup_matches
from skills_shared import certnumber
from skills_shared.middleware import RouteLabel, send_problem
from skills_shared.problems import FieldError, Problem
from skills_shared.reference import SkillLevel
from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id

BY_NUMBER = (
    "SELECT number, holder_name, id_number, occupation_code, occupation_name, work_type, level, issue_date, "
    "body_code, body_name, obtained_by, status, revoked_reason, revoked_on FROM certificates WHERE number = $1"
)
BY_HOLDER = (
    "SELECT number, holder_name, id_number, occupation_code, occupation_name, work_type, level, issue_date, "
    "body_code, body_name, obtained_by, status, revoked_reason, revoked_on, count(*) OVER () AS total "
    "FROM certificates WHERE id_number = $1 ORDER BY issue_date DESC, number OFFSET $2 LIMIT $3"
)
HOLDER_TOTAL = "SELECT count(*) FROM certificates WHERE id_number = $1"


def not_found() -> Problem:
    """One answer for an unknown number and for a known number with the wrong name or ID number (CR-6)."""
    return Problem(404, "certificate_not_found", "未查询到与所填信息相符的证书", rule=RULE_PUBLIC_QUERY)


def pool_of(request: Request) -> asyncpg.Pool[Any]:
    pool: asyncpg.Pool[Any] = request.app.state.lookup_pool
    return pool


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def public_view(row: asyncpg.Record) -> dict[str, Any]:
    """CR-6: what anyone may see — the ID number masked."""
    return {
        "number": row["number"],
        "holder_name": row["holder_name"],
        "id_number_masked": mask_resident_id(row["id_number"]),
        "occupation_code": row["occupation_code"],
        "occupation_name": row["occupation_name"],
        "work_type": row["work_type"],
        "level": row["level"],
        "level_name": SkillLevel(row["level"]).zh,
        "issue_date": row["issue_date"].isoformat(),
        "body_name": row["body_name"],
        "status": row["status"],
        "revoked_reason": row["revoked_reason"],
        "revoked_on": _iso(row["revoked_on"]),
    }


def full_record(row: asyncpg.Record) -> dict[str, Any]:
    """The full record for service, partner and officer roles (contract ``CertificateRecord``)."""
    return {
        "number": row["number"],
        "kind": "skill_level",
        "holder_name": row["holder_name"],
        "id_number": row["id_number"],
        "occupation_code": row["occupation_code"],
        "occupation_name": row["occupation_name"],
        "work_type": row["work_type"],
        "level": row["level"],
        "issue_date": row["issue_date"].isoformat(),
        "body_code": row["body_code"],
        "body_name": row["body_name"],
        "obtained_by": row["obtained_by"],
        "status": row["status"],
        "revoked_reason": row["revoked_reason"],
        "revoked_on": _iso(row["revoked_on"]),
    }


def json_response(content: Any) -> Response:
    return Response(orjson.dumps(content), media_type="application/json")


async def fetch_by_number(pool: asyncpg.Pool[Any], number: str) -> asyncpg.Record | None:
    async with pool.acquire() as connection:
        return await connection.fetchrow(BY_NUMBER, number)


async def public_lookup(
    pool: asyncpg.Pool[Any], number: str, *, name: str | None, id_number: str | None
) -> bytes:
    """The masked view of ``number`` as JSON, when the name or ID number matches what is stored (CR-6)."""
    row = await fetch_by_number(pool, number)
    stored_name = row["holder_name"] if row is not None else ""
    stored_id = row["id_number"] if row is not None else ""
    matched = lookup_matches(stored_name=stored_name, stored_id=stored_id, name=name, id_number=id_number)
    if row is None or not matched:
        raise not_found()
    return orjson.dumps(public_view(row))


async def holder_certificates(
    pool: asyncpg.Pool[Any], id_number: str, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the holder's certificates, newest first, and how many they hold in all."""
    async with pool.acquire() as connection:
        rows = await connection.fetch(BY_HOLDER, id_number, offset, limit)
        total = rows[0]["total"] if rows else int(await connection.fetchval(HOLDER_TOTAL, id_number))
    return [public_view(row) for row in rows], int(total)


def invalid_number(number: str, faults: list[certnumber.CertificateNumberError]) -> Refusal:
    """CR-1: the one refusal of a malformed certificate number, on every route: every fault with its position."""
    return Refusal(
        RULE_CODE_LAYOUT,
        "invalid_certificate_number",
        f"证书编号有{len(faults)}处不符合编码规则：" + "；".join(f.message for f in faults),
        errors=[FieldError(loc=["path", "number"], msg=f.message, type=f.code) for f in faults],
        title="Validation failed",
        extra={"faults": [f.as_dict() for f in faults]},
    )


def check_number(number: str) -> None:
    """CR-1: a malformed number is a 422 naming the field and every bad position."""
    faults = certnumber.validate(number)
    if faults:
        raise invalid_number(number, faults)


def _query_problem(name: str, message: str) -> Problem:
    return Problem(
        422,
        "validation_failed",
        message,
        title="Validation failed",
        errors=[FieldError(loc=["query", name], msg=message, type="value_error")],
    )


async def lookup_body(pool: asyncpg.Pool[Any], number: str, query_string: bytes) -> bytes:
    """GET /v1/certificates/{number}?name=… | ?id_number=… (CR-6): the answer's JSON, or a Problem.

    The checks FastAPI would make from the documented route's signature are the few lines below; the query is
    parsed as Starlette parses it (the last of repeated names wins; the request-context middleware refuses
    repeats before this runs)."""
    params = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    name, id_number = params.get("name"), params.get("id_number")
    check_number(number)
    if (name is None) == (id_number is None):
        raise _query_problem("name", "请填写持证人姓名或身份证号码（二选一）")
    if name is not None and len(name) > 50:
        raise _query_problem("name", "姓名过长")
    if id_number is not None and len(id_number) > 18:
        raise _query_problem("id_number", "身份证号码过长")
    return await public_lookup(pool, number, name=name, id_number=id_number)


LOOKUP_PATH = "/v1/certificates/"
LOOKUP_ROUTE = RouteLabel("/v1/certificates/{number}")
JSON_HEADER = (b"content-type", b"application/json")


class LookupFastPath:
    """Answers ``GET /v1/certificates/{number}`` (and HEAD, as Starlette routes do) before FastAPI's router,
    exactly as the documented route would.

    It runs after the request-context middleware (request ID, body and header guards, metrics, the access line)
    and labels the request with the route's template. A Problem is answered here; anything unexpected (the
    database down, a bug) hands the request on to the documented route, whose exception handlers answer it the
    general way (a 503 with Retry-After for an outage). Every other path goes straight on.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        number = path[len(LOOKUP_PATH) :]
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not path.startswith(LOOKUP_PATH)
            or not number
            or "/" in number
        ):
            await self.app(scope, receive, send)
            return
        try:
            body = await lookup_body(scope["app"].state.lookup_pool, number, scope["query_string"])
        except Problem as problem:
            scope["route"] = LOOKUP_ROUTE
            request_id = (scope.get("state") or {}).get("request_id")
            await send_problem(send, problem, request_id, request_id_header=False)
            return
        except Exception:  # answered by the documented route and its exception handlers
            await self.app(scope, receive, send)
            return
        scope["route"] = LOOKUP_ROUTE
        length = (b"content-length", str(len(body)).encode())
        await send({"type": "http.response.start", "status": 200, "headers": [JSON_HEADER, length]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

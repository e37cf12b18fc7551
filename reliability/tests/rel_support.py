"""Shared pieces of the reliability tests: scale, the in-process suite, tokens, row counts, problem checks.

Imported by a name unique to this package (the conftest puts this folder on ``sys.path``): test modules cannot
import the conftest itself under ``--import-mode=importlib``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx
import jwt
from fastapi import FastAPI

from skills_shared.auth import Role, mint_token
from skills_shared.clock import FixedClock
from skills_shared.db import to_asyncpg_dsn
from skills_shared.settings import DEV_JWT_SECRET

SCALE = max(1, int(os.environ.get("SOAK_SCALE", "1")))
"""`make soak` sets SOAK_SCALE=10: every count of examples and repetitions here is multiplied by it."""

FULL_ID = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
)
"""A complete 18-character resident ID number anywhere in a text (GB 11643 shape)."""


def scaled(n: int) -> int:
    """A count grown by SOAK_SCALE."""
    return n * SCALE


def token(role: Role | str, sub: str = "tester", **claims: Any) -> str:
    """A valid development token."""
    return mint_token(DEV_JWT_SECRET, sub=sub, role=role, **claims)


def bearer(role: Role | str, sub: str = "tester", **claims: Any) -> dict[str, str]:
    """Authorization header of a valid development token."""
    return {"Authorization": f"Bearer {token(role, sub, **claims)}"}


def bad_tokens(role: Role | str, sub: str = "tester", **claims: Any) -> dict[str, str]:
    """Tokens a server must refuse (401), by what is wrong with them: expiry, signature, audience, issuer,
    an altered scope claim (payload edited, signature kept), the 'none' algorithm and plain garbage."""
    good = token(role, sub, **claims)
    header, _payload, signature = good.split(".")
    decoded = jwt.decode(good, options={"verify_signature": False})
    decoded["district"] = "99"
    decoded["role"] = "city_officer"
    altered = jwt.encode(decoded, "k" * 32, algorithm="HS256").split(".")[1]  # only the payload part is kept
    unsigned = jwt.encode({**decoded, "role": "city_officer"}, None, algorithm="none")
    return {
        "expired": mint_token(DEV_JWT_SECRET, sub=sub, role=role, now=time.time() - 7200, ttl_s=60, **claims),
        "wrong_signature": mint_token("another-secret-of-32-bytes-or-more!!", sub=sub, role=role, **claims),
        "other_audience": mint_token(DEV_JWT_SECRET, sub=sub, role=role, audience="another-suite", **claims),
        "other_issuer": mint_token(DEV_JWT_SECRET, sub=sub, role=role, issuer="someone-else", **claims),
        "altered_scope": f"{header}.{altered}.{signature}",
        "alg_none": unsigned,
        "garbage": "not-a-jwt",
    }


async def row_counts(database_url: str) -> dict[str, int]:
    """Rows in every table of a service database: the 'database unchanged' yardstick of hostile input."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        names = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        ]
        counts = {}
        for name in names:
            counts[name] = int(await conn.fetchval(f'SELECT count(*) FROM "{name}"'))
        return counts
    finally:
        await conn.close()


async def fetchval(database_url: str, sql: str, *args: Any) -> Any:
    """One value from a service database (assertions read the truth, not the API)."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def execute(database_url: str, *statements: str) -> None:
    """Run SQL on a service database as the owner (used to tamper with audit rows on purpose)."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


def assert_problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with one of ``statuses`` (any 4xx when none given)."""
    ok = response.status_code in statuses if statuses else 400 <= response.status_code < 500
    assert ok, (
        f"{response.request.method} {response.request.url} → {response.status_code}: {response.text[:500]}"
    )
    assert response.headers.get("content-type", "").startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert isinstance(body.get("code"), str) and body["code"]
    return body


def without_request_id(body: Any) -> Any:
    """The body with its per-request id removed, for comparing two answers."""
    if isinstance(body, dict):
        return {k: without_request_id(v) for k, v in body.items() if k != "request_id"}
    return body


@dataclass
class Day:
    """A business date a test can move; installed as a dependency override or clock of a service."""

    today: date

    def __call__(self) -> date:
        return self.today

    def now(self) -> datetime:
        """Ten o'clock Shanghai time on ``today``: the Day as a ``skills_shared.clock.Clock``."""
        return FixedClock.on(self.today).now()


@dataclass
class Service:
    """One service of the in-process suite: its app, its database and a client speaking ASGI to it."""

    name: str
    app: FastAPI
    database_url: str
    client: httpx.AsyncClient
    day: Day | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def contains_full_id(texts: Iterable[str]) -> list[str]:
    """Every complete ID number found in ``texts``."""
    return [m for t in texts for m in FULL_ID.findall(t)]


def _allowed_by(call: Any) -> frozenset[str] | None:
    """The roles a ``require(*roles)`` dependency lets through, read from its closure."""
    if not getattr(call, "__qualname__", "").startswith("require.<locals>"):
        return None
    for cell in getattr(call, "__closure__", None) or ():
        if isinstance(cell.cell_contents, frozenset):
            return frozenset(str(getattr(r, "value", r)) for r in cell.cell_contents)
    return None


def _walk(routes: Iterable[Any], prefix: str, extra: list[Any]) -> Iterable[tuple[str, Any, list[Any]]]:
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route, extra
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            ctx = route.include_context
            yield from _walk(route.original_router.routes, prefix + ctx.prefix, [*extra, *ctx.dependencies])


def guarded_routes(app: FastAPI) -> list[tuple[str, str, frozenset[str]]]:
    """(METHOD, path template, allowed roles) of every route whose dependencies include ``require(...)``.

    Read from the app itself, so a route added tomorrow joins the role matrix without anyone listing it.
    """
    found = []
    for path, route, extra in _walk(app.router.routes, "", []):
        allowed = None
        for dep in extra:
            allowed = allowed or _allowed_by(dep.dependency)
        stack = list(route.dependant.dependencies)
        while stack and allowed is None:
            dep = stack.pop()
            allowed = _allowed_by(dep.call)
            stack.extend(dep.dependencies)
        if allowed is None:
            continue
        for method in sorted(route.methods):
            found.append((method.upper(), path, allowed))
    return found


def cq_draft(holder_id: str, certificate_number: str) -> dict[str, Any]:
    """A citizen's cq-eval draft for a level-4 electrician certificate of district 05: the claim body the
    authorization and fault tests send (they differ only in whose it is and which certificate it names)."""
    return {
        "policy": "cq-eval",
        "applicant": {"id_number": holder_id, "name": "张三"},
        "certificate": {
            "number": certificate_number,
            "occupation_code": "4-01-01-01",
            "occupation_name": "电工",
            "work_type": None,
            "level": 4,
            "kind": "skill_level",
            "issue_date": "2026-05-20",
        },
        "cq": {
            "identity_category": {"value": "4"},
            "district_code": "05",
            "applied_amount_fen": 150_000,
        },
        "payout": {
            "card_number": "6217000012345678",
            "card_financial_enabled": True,
            "bank_account": "6222020200112233445",
            "bank_name": "工商银行",
        },
    }

"""The floor: a bare Starlette + asyncpg handler doing the registry's look-up by number, nothing else.

Same query, same pool size and the same JSON encoder as the registry's hot path, minus FastAPI, auth,
middleware and masking rules: what one uvicorn worker can do at best on this machine. Run as
``uvicorn bench.floor_app:create_app --factory`` with ``BENCH_FLOOR_DSN`` set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BY_NUMBER = (
    "SELECT number, holder_name, id_number, occupation_code, occupation_name, work_type, level, issue_date, "
    "body_code, body_name, obtained_by, status, revoked_reason, revoked_on FROM certificates WHERE number = $1"
)


async def lookup(request: Request) -> Response:
    pool: asyncpg.Pool[Any] = request.app.state.pool
    async with pool.acquire() as conn:
        row = await conn.fetchrow(BY_NUMBER, request.path_params["number"])
    if row is None or row["holder_name"] != request.query_params.get("name"):
        return Response(b'{"status":404}', status_code=404, media_type="application/json")
    body = dict(row)
    body["issue_date"] = body["issue_date"].isoformat()
    body["revoked_on"] = None
    return Response(orjson.dumps(body), media_type="application/json")


async def ready(request: Request) -> Response:
    return Response(b"ok")


def create_app() -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            os.environ["BENCH_FLOOR_DSN"], min_size=1, max_size=int(os.environ.get("BENCH_FLOOR_POOL", "10"))
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    return Starlette(
        routes=[Route("/v1/certificates/{number}", lookup), Route("/readyz", ready)], lifespan=lifespan
    )

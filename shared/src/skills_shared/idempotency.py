"""Idempotency-Key handling for unsafe POSTs (DESIGN.md): replay, conflict on another body, 409 in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.auth import CurrentPrincipal, Principal
from skills_shared.db import SessionDep
from skills_shared.db.driver import driver_connection
from skills_shared.db.lean import HeldWrite, LeanTx, LeanTxDep
from skills_shared.hashing import canonical_json, sha256
from skills_shared.problems import Problem

KEY_MAX_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"

# One round trip: the transaction lock on (principal, key), and the stored answer if there is one. A duplicate
# still in flight holds the lock (→ 409 instead of waiting and replaying). Both statements go straight to the
# driver: this runs on every unsafe POST that carries a key.
_CLAIM = """
SELECT pg_try_advisory_xact_lock(hashtextextended($1::text, 7)), k.request_hash, k.path, k.status_code,
       k.response::text
FROM (SELECT 1) AS one
LEFT JOIN idempotency_keys AS k ON k.principal = $2::text AND k.key = $3::text
"""
_STORE = """
INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status_code, response, created_at)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::bytea, $6::smallint, $7::jsonb, now())
ON CONFLICT (principal, key) DO NOTHING
RETURNING 1
"""


def _body_hash(raw: bytes) -> bytes:
    """Hash of the request body, canonicalised when it is JSON so key order and spacing do not matter."""
    try:
        return sha256(canonical_json(orjson.loads(raw))) if raw else sha256(b"")
    except orjson.JSONDecodeError:
        return sha256(raw)


class Idempotency:
    """One request's idempotency context, bound to the request's unit of work.

    The key row is written in the same transaction as the change it protects, so either both exist or neither.
    A transaction-scoped advisory lock on (principal, key) tells a concurrent duplicate that the first is still
    in flight (409) instead of letting it wait and then replay.
    """

    def __init__(
        self, unit: AsyncSession | LeanTx, principal: Principal, key: str | None, request: Request
    ) -> None:
        self.unit = unit
        self.principal = principal
        self.key = key
        self.request = request

    async def run(
        self,
        call: Callable[[], Awaitable[Any]],
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Run ``call`` once per key: a replay returns the stored response without running it again."""
        if self.key is None:
            body = _encode(await call())
            return Response(body, status_code=status_code, media_type="application/json", headers=headers)
        request_hash = _body_hash(await self.request.body())
        conn = self.unit.conn if isinstance(self.unit, LeanTx) else await driver_connection(self.unit)
        # Scoped to the whole principal (role, sub, body, institution, district), never to role:sub alone: an
        # institution-B token with A's sub and key must not replay A's answer (issue 20, item 9).
        scope = self.principal.scope_key
        claimed = await conn.fetchrow(_CLAIM, f"{scope}\n{self.key}", scope, self.key)
        assert claimed is not None  # one row always: the LEFT JOIN hangs off a one-row source
        got_lock, stored_hash, stored_path, stored_status, stored_body = claimed
        if not got_lock:
            raise _in_flight()
        if stored_hash is not None:
            if stored_hash != request_hash or stored_path != self.request.url.path:
                raise Problem(
                    422,
                    "idempotency_key_reused",
                    "该幂等键已用于另一个请求体",
                    errors=[
                        {"loc": ["header", "Idempotency-Key"], "msg": "已用于不同的请求", "type": "reused"}
                    ],
                )
            return Response(
                stored_body.encode() if stored_body is not None else b"null",
                status_code=stored_status,
                media_type="application/json",
                headers={**(headers or {}), REPLAY_HEADER: "true"},
            )
        body = _encode(await call())
        store = (scope, self.key, self.request.method, self.request.url.path, request_hash, status_code)
        if isinstance(self.unit, LeanTx):
            # The answer is stored in the same round trip as the unit of work's held writes (audit row, outbox
            # event); no row back means the key is taken, and the 409 rolls those writes back with the rest.
            stored = await self.unit.flush(HeldWrite(_STORE, (*store, body.decode())))
        else:
            stored = await conn.fetchval(_STORE, *store, body.decode())
        if not stored:
            # The first request with this key committed between this statement's snapshot and the lock: give
            # way (the unit of work rolls back) and let the client's retry replay the stored answer.
            raise _in_flight()
        return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def _in_flight() -> Problem:
    return Problem(
        409,
        "idempotency_in_flight",
        "相同的幂等键请求正在处理中，请稍后重试",
        headers={"Retry-After": "1"},
    )


def _encode(result: Any) -> bytes:
    """The response body: pydantic models serialise themselves (fast path), anything else via FastAPI's encoder."""
    if isinstance(result, BaseModel):
        return result.model_dump_json(by_alias=True).encode()
    return orjson.dumps(jsonable_encoder(result))


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise Problem(
            422,
            "validation_failed",
            "Idempotency-Key 须为 1–200 个可打印字符",
            errors=[
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": "须为 1–200 个可打印字符",
                    "type": "value_error",
                }
            ],
        )
    return key


async def idempotency(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(description="Client-chosen key; a replay returns the first response.", max_length=200),
    ] = None,
) -> Idempotency:
    """Optional Idempotency-Key: without the header the call simply runs."""
    return Idempotency(session, principal, _check_key(idempotency_key), request)


async def required_idempotency(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str, Header(description="Required: money or legal status moves exactly once.")
    ],
) -> Idempotency:
    """Mandatory Idempotency-Key, for calls that move money or legal status."""
    return Idempotency(session, principal, _check_key(idempotency_key), request)


async def lean_idempotency(
    request: Request,
    tx: LeanTxDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(description="Client-chosen key; a replay returns the first response.", max_length=200),
    ] = None,
) -> Idempotency:
    """Optional Idempotency-Key on a hot path's lean unit of work (`skills_shared.db.lean`)."""
    return Idempotency(tx, principal, _check_key(idempotency_key), request)


async def required_lean_idempotency(
    request: Request,
    tx: LeanTxDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str, Header(description="Required: money or legal status moves exactly once.")
    ],
) -> Idempotency:
    """Mandatory Idempotency-Key on a hot path's lean unit of work (claim submit takes an entitlement)."""
    return Idempotency(tx, principal, _check_key(idempotency_key), request)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency, scope="function")]
LeanIdempotencyDep = Annotated[Idempotency, Depends(lean_idempotency, scope="function")]
RequiredLeanIdempotencyDep = Annotated[Idempotency, Depends(required_lean_idempotency, scope="function")]
RequiredIdempotencyDep = Annotated[Idempotency, Depends(required_idempotency, scope="function")]


async def purge_expired(session: AsyncSession, *, keep_hours: int = 48) -> int:
    """Delete keys older than ``keep_hours`` (DESIGN: kept at least 24 hours)."""
    result = await session.execute(
        text("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => :h)"),
        {"h": keep_hours},
    )
    return int(getattr(result, "rowcount", 0) or 0)

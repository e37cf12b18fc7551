"""Idempotency-Key handling for unsafe POSTs (DESIGN.md): replay, conflict on another body, 409 in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.auth import CurrentPrincipal, Principal
from skills_shared.db import SessionDep
from skills_shared.db.tables import idempotency_keys
from skills_shared.hashing import canonical_json, sha256
from skills_shared.problems import Problem

KEY_MAX_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"


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
        self, session: AsyncSession, principal: Principal, key: str | None, request: Request
    ) -> None:
        self.session = session
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
            result = await call()
            return JSONResponse(jsonable_encoder(result), status_code=status_code, headers=headers)
        request_hash = _body_hash(await self.request.body())
        got_lock = (
            await self.session.execute(
                text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 7))"),
                {"k": f"{self.principal.key}\n{self.key}"},
            )
        ).scalar_one()
        if not got_lock:
            raise Problem(
                409,
                "idempotency_in_flight",
                "相同的幂等键请求正在处理中，请稍后重试",
                headers={"Retry-After": "1"},
            )
        stored = (
            await self.session.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.principal == self.principal.key, idempotency_keys.c.key == self.key
                )
            )
        ).one_or_none()
        if stored is not None:
            if stored.request_hash != request_hash or stored.path != self.request.url.path:
                raise Problem(
                    422,
                    "idempotency_key_reused",
                    "该幂等键已用于另一个请求体",
                    errors=[
                        {"loc": ["header", "Idempotency-Key"], "msg": "已用于不同的请求", "type": "reused"}
                    ],
                )
            return JSONResponse(
                stored.response,
                status_code=stored.status_code,
                headers={**(headers or {}), REPLAY_HEADER: "true"},
            )
        result = jsonable_encoder(await call())
        await self.session.execute(
            insert(idempotency_keys).values(
                principal=self.principal.key,
                key=self.key,
                method=self.request.method,
                path=self.request.url.path,
                request_hash=request_hash,
                status_code=status_code,
                response=result,
                created_at=func.now(),
            )
        )
        return JSONResponse(result, status_code=status_code, headers=headers)


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


IdempotencyDep = Annotated[Idempotency, Depends(idempotency, scope="function")]
RequiredIdempotencyDep = Annotated[Idempotency, Depends(required_idempotency, scope="function")]


async def purge_expired(session: AsyncSession, *, keep_hours: int = 48) -> int:
    """Delete keys older than ``keep_hours`` (DESIGN: kept at least 24 hours)."""
    result = await session.execute(
        text("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => :h)"),
        {"h": keep_hours},
    )
    return int(getattr(result, "rowcount", 0) or 0)

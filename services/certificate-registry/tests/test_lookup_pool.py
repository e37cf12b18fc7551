"""The public look-up's pool: a connection goes back to the pool without a statement of its own."""

from __future__ import annotations

import asyncpg
import httpx
from fastapi import FastAPI


async def test_a_lookup_connection_is_released_without_asyncpgs_reset_round_trip(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """asyncpg's default reset (unlock all, close cursors, unlisten, RESET ALL) was one more round trip per
    look-up; the look-up holds no session state, so a release sends nothing."""
    pool: asyncpg.Pool = app.state.lookup_pool
    sent: list[str] = []

    def record(query: asyncpg.connection.LoggedQuery) -> None:
        sent.append(query.query)

    async with pool.acquire() as conn:
        raw = conn._con  # the connection under the pool's proxy keeps the logger after release
        raw.add_query_logger(record)
        await conn.fetchval("SELECT 1")
    try:
        async with pool.acquire() as again:
            assert again._con is raw, "the same connection came back"
    finally:
        raw.remove_query_logger(record)
    assert sent == ["SELECT 1"], f"a release sent {sent[1:]}"

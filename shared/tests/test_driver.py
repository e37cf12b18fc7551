"""Statements sent straight to asyncpg under a session belong to the session's transaction."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from skills_shared.db.driver import driver_connection

_INSERT = (
    "INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status_code) "
    "VALUES ($1, $2, 'POST', '/x', '\\x00'::bytea, 201)"
)


async def _count(engine: AsyncEngine, principal: str) -> int:
    async with engine.connect() as conn:
        sql = text("SELECT count(*) FROM idempotency_keys WHERE principal = :p")
        return int((await conn.execute(sql, {"p": principal})).scalar_one())


async def test_a_driver_write_as_the_first_statement_rolls_back_with_the_session(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        conn = await driver_connection(session)  # nothing has gone through SQLAlchemy yet
        await conn.execute(_INSERT, "driver-rollback", "k1")
        await session.rollback()
    assert await _count(engine, "driver-rollback") == 0


async def test_a_driver_write_commits_with_the_session(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        conn = await driver_connection(session)
        await conn.execute(_INSERT, "driver-commit", "k1")
        await session.execute(text("SELECT 1"))  # the ORM side shares the same transaction afterwards
        await session.commit()
    assert await _count(engine, "driver-commit") == 1


async def test_a_transaction_lock_taken_on_the_driver_is_held_until_commit(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        conn = await driver_connection(session)
        await conn.execute("SELECT pg_advisory_xact_lock(4242)")
        async with engine.connect() as other:
            taken = (await other.execute(text("SELECT pg_try_advisory_lock(4242)"))).scalar_one()
        assert taken is False
        await session.commit()
    async with engine.connect() as other:
        assert (await other.execute(text("SELECT pg_try_advisory_xact_lock(4242)"))).scalar_one() is True


async def test_a_connection_the_server_closed_is_replaced_at_checkout(engine: AsyncEngine) -> None:
    """No pre-ping round trip: the pool notices a terminated backend by itself and hands out a fresh one."""
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with engine.connect() as killer:
        await killer.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        await killer.commit()
    await asyncio.sleep(0.2)  # the event loop reads the server's goodbye and marks the connection closed
    for _ in range(3):  # whichever pooled connection comes out, it works
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1

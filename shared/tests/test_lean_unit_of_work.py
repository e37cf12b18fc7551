"""The lean unit of work's held writes: audit row, outbox event and idempotent answer in one round trip.

Against the real database: what the statement does, what a refusal leaves (nothing), and the audit chain under
simultaneous appends sent the held way (the function's INSERT must still see the head committed after its lock,
although the statement around it took its snapshot before).
"""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.audit import chain_of, record
from skills_shared.db import to_asyncpg_dsn
from skills_shared.db.lean import LeanTx, combined_statement, lean_transaction
from skills_shared.db.tables import audit_log, idempotency_keys, outbox
from skills_shared.testing import auth_headers

OFFICER = auth_headers("city_officer", "officer-1")
INSPECTOR = auth_headers("inspector", "insp-1")


async def count(engine: AsyncEngine, table: object) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def rows_written(engine: AsyncEngine) -> tuple[int, int, int]:
    """(audit rows, outbox rows, stored keys)."""
    return (
        await count(engine, audit_log),
        await count(engine, outbox),
        await count(engine, idempotency_keys),
    )


def test_held_writes_become_one_statement_with_every_cte_read() -> None:
    sql = combined_statement(
        (
            "SELECT f($1::int, $2::text)",
            "\nINSERT INTO t VALUES ($1) RETURNING 1\n",
            "SELECT $2::int, $1::int",
        )
    )
    assert sql == (
        "WITH w0 AS (SELECT f($1::int, $2::text)), w1 AS (INSERT INTO t VALUES ($3) RETURNING 1), "
        "w2 AS (SELECT $5::int, $4::int)\n"
        "SELECT (SELECT count(*) FROM w0), (SELECT count(*) FROM w1), (SELECT count(*) FROM w2)"
    )


async def test_keyed_lean_write_sends_audit_event_and_answer_in_one_round_trip(
    client: httpx.AsyncClient, engine: AsyncEngine, lean_statements: list[str]
) -> None:
    """BEGIN, the key's claim, one statement for the three writes, COMMIT: four round trips, not six."""
    warm = await client.post(
        "/v1/lean-items", json={"name": "w", "count": 0}, headers={**OFFICER, "Idempotency-Key": "w"}
    )
    assert warm.status_code == 201, warm.text
    lean_statements.clear()
    r = await client.post(
        "/v1/lean-items", json={"name": "a", "count": 1}, headers={**OFFICER, "Idempotency-Key": "a"}
    )
    assert r.status_code == 201, r.text
    await asyncio.sleep(0)  # the query logger reports through the event loop
    assert len(lean_statements) == 4, lean_statements
    begin, claim, writes, commit = lean_statements
    assert (begin.strip(" ;"), commit.strip(" ;")) == ("BEGIN", "COMMIT")
    assert "pg_try_advisory_xact_lock" in claim
    assert all(
        part in writes for part in ("audit_append(", "INSERT INTO outbox", "INSERT INTO idempotency_keys")
    )
    assert await rows_written(engine) == (2, 2, 2)
    replay = await client.post(
        "/v1/lean-items", json={"name": "a", "count": 1}, headers={**OFFICER, "Idempotency-Key": "a"}
    )
    assert (replay.status_code, replay.headers["idempotent-replayed"]) == (201, "true")
    assert await rows_written(engine) == (2, 2, 2)
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert (report["ok"], report["checked"]) == (True, 2), report


async def test_unkeyed_lean_write_flushes_before_commit(
    client: httpx.AsyncClient, engine: AsyncEngine, lean_statements: list[str]
) -> None:
    assert (
        await client.post("/v1/lean-items", json={"name": "w", "count": 0}, headers=OFFICER)
    ).status_code == 201
    lean_statements.clear()
    assert (
        await client.post("/v1/lean-items", json={"name": "b", "count": 2}, headers=OFFICER)
    ).status_code == 201
    await asyncio.sleep(0)
    assert len(lean_statements) == 3, lean_statements
    assert "audit_append(" in lean_statements[1] and "INSERT INTO outbox" in lean_statements[1]
    assert await rows_written(engine) == (2, 2, 0)


async def test_a_refusal_after_the_writes_were_recorded_writes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, lean_statements: list[str]
) -> None:
    r = await client.post(
        "/v1/lean-items", json={"name": "refuse", "count": 1}, headers={**OFFICER, "Idempotency-Key": "r"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "refused")
    await asyncio.sleep(0)
    assert not any("audit_append(" in sql for sql in lean_statements)  # never even sent
    assert await rows_written(engine) == (0, 0, 0)


async def test_a_key_committed_meanwhile_is_409_and_rolls_the_held_writes_back(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The store finds the key taken (no row back) in the same statement that appended the audit row and the
    event: the 409 rolls both back, and the client's retry replays the answer that was committed."""
    headers = {**OFFICER, "Idempotency-Key": "t"}
    r = await client.post("/v1/lean-items", json={"name": "taken", "count": 1}, headers=headers)
    assert (r.status_code, r.json()["code"]) == (409, "idempotency_in_flight")
    assert await rows_written(engine) == (0, 0, 1)  # only the other transaction's key


async def test_simultaneous_held_appends_to_one_chain_link_in_commit_order(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Thirty lean units of work append to one chain at once, each sending its row in the combined statement and
    sleeping in that same statement after the append (the chain's lock held, commit not yet done).

    Every waiter's statement took its snapshot before the lock was granted; the row must still follow the head
    its predecessor committed (audit_append's INSERT takes a fresh snapshot after the lock): one line, no fork.
    """
    dsn = to_asyncpg_dsn(database_url)
    conns = [await asyncpg.connect(dsn) for _ in range(30)]

    async def append(i: int, conn: asyncpg.Connection) -> None:
        async with lean_transaction(conn) as tx:
            await record(tx, actor="race", action="race.append", entity_type="race", entity_id="one")
            await tx.write("SELECT pg_sleep($1::float8)", 0.002 * (i % 3))
            assert len(tx.held) == 2  # nothing sent yet

    try:
        await asyncio.gather(*(append(i, c) for i, c in enumerate(conns)))
        rows = await conns[0].fetch("SELECT prev_hash, chain FROM audit_log WHERE entity_type = 'race'")
    finally:
        for conn in conns:
            await conn.close()
    assert len(rows) == 30 and {r["chain"] for r in rows} == {chain_of("race", "one")}
    assert len({r["prev_hash"] for r in rows}) == 30  # thirty distinct predecessors: one line, no fork
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert (report["ok"], report["checked"]) == (True, 30), report


async def test_several_rows_of_one_unit_stay_on_its_first_chain_and_link(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Three rows held and sent in one statement: one chain (the first entity's), each linked to the one before."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        async with lean_transaction(conn) as tx:
            for name in ("x", "y", "z"):
                await record(tx, actor="many", action="many.append", entity_type="many", entity_id=name)
        rows = await conn.fetch("SELECT chain, prev_hash, hash FROM audit_log ORDER BY id")
    finally:
        await conn.close()
    assert {r["chain"] for r in rows} == {chain_of("many", "x")}
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert (report["ok"], report["checked"]) == (True, 3), report


async def test_a_failing_unit_sends_none_of_its_held_writes(
    client: httpx.AsyncClient, database_url: str
) -> None:
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        try:
            async with lean_transaction(conn) as tx:
                await record(tx, actor="gone", action="gone.append", entity_type="gone", entity_id="1")
                raise LookupError("refused by a rule")
        except LookupError:
            pass
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 0
        assert not conn.is_in_transaction()
    finally:
        await conn.close()


class _Refused(Exception):
    """What a caller's ``refuse`` makes of a constraint: here, the constraint's name."""


def _refuse(exc: asyncpg.IntegrityConstraintViolationError) -> _Refused:
    return _Refused(exc.constraint_name)


async def test_a_held_write_that_breaks_a_constraint_is_refused_at_the_flush_and_leaves_nothing(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """A held UPDATE's violation cannot surface where it was written, only in the flush; the flush raises what its
    ``refuse`` makes of it, and the audit row held beside it is rolled back with it. Written at once (no holding),
    the same write is refused at the call."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    bad = "SELECT k FROM guarded WHERE k = 1 / ($1::int - 1)"  # no constraint: no refusal, the error stays
    try:
        await conn.execute("CREATE TEMP TABLE guarded (k int CONSTRAINT ck_guarded_small CHECK (k < 10))")
        await conn.execute("INSERT INTO guarded VALUES (1)")
        with pytest.raises(_Refused, match="ck_guarded_small"):
            async with lean_transaction(conn) as tx:
                await record(tx, actor="held", action="held.append", entity_type="held", entity_id="1")
                await tx.write("UPDATE guarded SET k = $1::int RETURNING 1", 11, refuse=_refuse)
                assert len(tx.held) == 2  # nothing sent yet: the violation is still to come
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 0
        assert await conn.fetchval("SELECT k FROM guarded") == 1
        with pytest.raises(_Refused, match="ck_guarded_small"):
            async with conn.transaction():
                await LeanTx(conn).write("UPDATE guarded SET k = $1::int", 12, refuse=_refuse)
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with lean_transaction(conn) as tx:
                await tx.write(bad, 1, refuse=_refuse)
        assert not conn.is_in_transaction()
    finally:
        await conn.close()

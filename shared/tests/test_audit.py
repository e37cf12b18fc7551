"""The audit chain: append-only by trigger, and tampering found at the first broken link."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.audit import chain_of, record
from skills_shared.db import to_asyncpg_dsn
from skills_shared.db.lean import LeanTx
from skills_shared.testing import auth_headers

OFFICER = auth_headers("city_officer", "officer-1")
INSPECTOR = auth_headers("inspector", "insp-1")


async def make_rows(client: httpx.AsyncClient, n: int) -> None:
    for i in range(n):
        assert (
            await client.post("/v1/items", json={"name": f"n{i}", "count": i}, headers=OFFICER)
        ).status_code == 201


async def test_chain_verifies(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await make_rows(client, 5)
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert (report["ok"], report["checked"], report["first_broken_id"]) == (True, 5, None)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, chain, hash FROM audit_log ORDER BY id"))).all()
    expected_heads = {str(chain): {"last_id": rid, "hash": digest.hex()} for rid, chain, digest in rows}
    assert report["heads"] == expected_heads
    assert {chain for _, chain, _ in rows} == {chain_of("item", f"n{i}") for i in range(5)}


async def test_concurrent_audited_writes_all_land_in_valid_chains(client: httpx.AsyncClient) -> None:
    """Forty writes at once on twenty entities: nothing lost, every chain still links."""
    for round_ in range(2):
        responses = await asyncio.gather(
            *[
                client.post(
                    "/v1/items", json={"name": f"e{i % 20}", "count": round_ * 100 + i}, headers=OFFICER
                )
                for i in range(40)
            ]
        )
        assert all(r.status_code == 201 for r in responses)
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report["ok"] is True, report
    assert report["checked"] == 80


async def test_simultaneous_appends_to_one_chain_link_in_commit_order(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Thirty transactions append to the same entity's chain at once and hold it a while before committing:
    each insert must see the head its predecessor committed after the lock was granted, so the chain has no
    fork (two rows with the same predecessor) and verifies whole."""
    dsn = to_asyncpg_dsn(database_url)
    conns = [await asyncpg.connect(dsn) for _ in range(30)]

    async def append(i: int, conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            await record(
                LeanTx(conn), actor="race", action="race.append", entity_type="race", entity_id="one"
            )
            await asyncio.sleep(0.002 * (i % 3))  # hold the chain's lock past the next writers' snapshots

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


async def test_update_and_delete_are_refused(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await make_rows(client, 1)
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(sql))


async def test_tampering_reports_first_broken_link(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await make_rows(client, 6)
    async with engine.begin() as conn:
        await conn.execute(
            text("SET LOCAL session_replication_role = replica")
        )  # what an attacker with SQL does
        await conn.execute(text("UPDATE audit_log SET after = '{\"count\": 999}' WHERE id IN (4, 6)"))
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report["ok"] is False
    assert report["first_broken_id"] == 4
    assert report["reason"] == "row content does not match its hash"


async def test_deleting_a_row_breaks_the_next_link_of_its_chain(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_rows(client, 40)
    async with engine.begin() as conn:
        victim, successor = (
            await conn.execute(
                text(
                    "SELECT a.id, min(b.id) FROM audit_log a JOIN audit_log b ON b.chain = a.chain AND b.id > a.id "
                    "GROUP BY a.id ORDER BY a.id LIMIT 1"
                )
            )
        ).one()
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": victim})
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report["first_broken_id"] == successor
    assert report["reason"] == "prev_hash does not match the previous row's hash"


async def test_moving_a_row_to_another_chain_is_detected(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_rows(client, 3)
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text("UPDATE audit_log SET chain = (chain + 1) % 16 WHERE id = 2"))
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report["ok"] is False
    assert report["first_broken_id"] == 2


async def test_verify_requires_an_auditor_role(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/audit/verify", headers=OFFICER)).status_code == 200
    citizen = auth_headers("citizen", "500101199001011234")
    assert (await client.get("/v1/audit/verify", headers=citizen)).status_code == 403

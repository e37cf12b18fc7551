"""The audit chain: append-only by trigger, and tampering found at the first broken link."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.testing import auth_headers

OFFICER = auth_headers("city_officer", "officer-1")
INSPECTOR = auth_headers("inspector", "insp-1")


async def make_rows(client: httpx.AsyncClient, n: int) -> None:
    for i in range(n):
        assert (
            await client.post("/v1/items", json={"name": f"n{i}", "count": i}, headers=OFFICER)
        ).status_code == 201


async def test_chain_verifies(client: httpx.AsyncClient) -> None:
    await make_rows(client, 5)
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report == {"ok": True, "checked": 5, "first_broken_id": None, "reason": None}


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
        await conn.execute(text("UPDATE audit_log SET after = '{\"count\": 999}' WHERE id = 4"))
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report["ok"] is False
    assert report["first_broken_id"] == 4
    assert report["checked"] == 3


async def test_deleting_a_row_breaks_the_next_link(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await make_rows(client, 4)
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    report = (await client.get("/v1/audit/verify", headers=INSPECTOR)).json()
    assert report["first_broken_id"] == 3


async def test_verify_requires_an_auditor_role(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/audit/verify", headers=OFFICER)).status_code == 200
    citizen = auth_headers("citizen", "500101199001011234")
    assert (await client.get("/v1/audit/verify", headers=citizen)).status_code == 403

"""Tampering with the audit trail (全程留痕): SQL edits of an audit row are refused by the append-only trigger, and
an edit made behind the trigger's back (as a database owner could) is named by GET /v1/audit/verify as the first
broken link — for every service. Each test puts the row back, so the chain is whole again afterwards."""

from __future__ import annotations

import asyncpg
import pytest
from rel_support import Service, bearer, execute, fetchval

from skills_shared.audit import record
from skills_shared.db import to_asyncpg_dsn

SERVICES = ["certificate-registry", "org-filing", "subsidy-claims", "voucher", "gateway"]
INSPECTOR = bearer("inspector", "inspector-1")


async def _append(service: Service, n: int) -> list[int]:
    """Append ``n`` audit rows through the platform's own writer, in the service's database; return their ids."""
    async with service.app.state.db.sessionmaker() as session:
        for i in range(n):
            await record(
                session,
                actor="reliability",
                action="tamper-probe",
                entity_type="probe",
                entity_id=f"probe-{i}",
                after={"i": i, "note": "原始记录"},
            )
        await session.commit()
    rows = await fetchval(
        service.database_url,
        "SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM audit_log ORDER BY id DESC LIMIT $1) t",
        n,
    )
    return list(rows)


async def _verify(service: Service) -> dict[str, object]:
    r = await service.client.get("/v1/audit/verify", headers=INSPECTOR)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


@pytest.mark.parametrize("name", SERVICES)
async def test_audit_rows_cannot_be_changed_or_deleted(name: str, suite: dict[str, Service]) -> None:
    service = suite[name]
    ids = await _append(service, 2)
    for sql in (
        f"UPDATE audit_log SET actor = 'mallory' WHERE id = {ids[0]}",
        f"DELETE FROM audit_log WHERE id = {ids[0]}",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(asyncpg.PostgresError):
            await execute(service.database_url, sql)
    assert (
        await fetchval(service.database_url, "SELECT actor FROM audit_log WHERE id = $1", ids[0])
        == "reliability"
    )


@pytest.mark.parametrize("name", SERVICES)
async def test_verifier_names_the_first_altered_row(name: str, suite: dict[str, Service]) -> None:
    service = suite[name]
    ids = await _append(service, 3)
    assert (await _verify(service))["ok"] is True
    target = ids[1]
    conn = await asyncpg.connect(to_asyncpg_dsn(service.database_url))
    try:
        original = await conn.fetchval("SELECT after::text FROM audit_log WHERE id = $1", target)
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                """UPDATE audit_log SET after = jsonb_set(after, '{note}', '"改过的记录"') WHERE id = $1""",
                target,
            )
        report = await _verify(service)
        assert report["ok"] is False
        assert report["first_broken_id"] == target
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE audit_log SET after = $2::jsonb WHERE id = $1", target, original)
    finally:
        await conn.close()
    assert (await _verify(service))["ok"] is True


@pytest.mark.parametrize("name", SERVICES)
async def test_verifier_names_the_row_after_a_deleted_one(name: str, suite: dict[str, Service]) -> None:
    service = suite[name]
    ids = await _append(service, 3)
    conn = await asyncpg.connect(to_asyncpg_dsn(service.database_url))
    try:
        saved = await conn.fetchrow("SELECT * FROM audit_log WHERE id = $1", ids[1])
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("DELETE FROM audit_log WHERE id = $1", ids[1])
        report = await _verify(service)
        assert report["ok"] is False
        assert report["first_broken_id"] == ids[2]
        columns = list(saved.keys())
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                f"INSERT INTO audit_log ({', '.join(columns)}) VALUES "
                f"({', '.join(f'${i + 1}' for i in range(len(columns)))})",
                *saved.values(),
            )
    finally:
        await conn.close()
    assert (await _verify(service))["ok"] is True


async def test_only_auditors_may_run_the_verifier(suite: dict[str, Service]) -> None:
    for name in SERVICES:
        client = suite[name].client
        assert (await client.get("/v1/audit/verify")).status_code == 401
        assert (await client.get("/v1/audit/verify", headers=bearer("citizen", "c"))).status_code == 403

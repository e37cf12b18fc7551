"""Certificates issued and revoked are counted once each, a replay counts nothing, and the audit-chain
verification result is exported (issue 19, item 2)."""

from __future__ import annotations

import httpx
from registry_testkit import Registry, candidate
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.testing import auth_headers, metric_value


async def test_issue_and_revoke_move_the_certificate_counters_once(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    issued_before = await metric_value(client, "skills_certificates_total", event="issued")
    revoked_before = await metric_value(client, "skills_certificates_total", event="revoked")
    await registry.put_issuer()
    batch_id = await registry.ready_batch([candidate(i) for i in range(3)])
    issued = await registry.issue(batch_id, key="metrics-issue-1")
    assert issued.status_code == 201, issued.text
    replay = await registry.issue(batch_id, key="metrics-issue-1")
    assert replay.status_code == 201, replay.text
    assert await metric_value(client, "skills_certificates_total", event="issued") == issued_before + 3
    roster = await client.get(f"/v1/batches/{batch_id}/roster", headers=registry.staff())
    number = roster.json()["entries"][0]["number"]
    admin = {**registry.staff(role="org_admin"), "Idempotency-Key": "metrics-revoke-1"}
    path = f"/v1/certificates/{number}/revocation"
    for _ in range(2):  # the second is the stored answer
        revoked = await client.post(path, json={"reason": "考试作弊，经查属实"}, headers=admin)
        assert revoked.status_code == 200, revoked.text
    assert await metric_value(client, "skills_certificates_total", event="revoked") == revoked_before + 1


async def test_the_audit_chain_verification_result_is_exported(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    inspector = auth_headers("inspector", "inspector-1")
    intact = await client.get("/v1/audit/verify", headers=inspector)
    assert intact.status_code == 200 and intact.json()["ok"] is True, intact.text
    assert await metric_value(client, "skills_audit_chain_ok", service="certificate-registry") == 1
    async with engine.begin() as conn:  # tampering, past the append-only trigger as a superuser could
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(
            text("UPDATE audit_log SET actor = 'someone-else' WHERE id = (SELECT min(id) FROM audit_log)")
        )
    broken = await client.get("/v1/audit/verify", headers=inspector)
    assert broken.status_code == 200 and broken.json()["ok"] is False, broken.text
    assert await metric_value(client, "skills_audit_chain_ok", service="certificate-registry") == 0

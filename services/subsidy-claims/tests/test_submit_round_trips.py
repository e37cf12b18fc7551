"""Round trips of one claim submit: the audit row and the stored idempotent answer go in one statement.

Each round trip costs the service 60–100 µs of CPU. Submit reads and guards in its own statements (the draft,
the row lock, the policy tables, the ledgers, the UPDATE); its trailing writes — the audit row and the answer
stored under the Idempotency-Key — are held by the lean unit of work and sent together just before COMMIT.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CQ_SUBMIT_ROUND_TRIPS = 11
"""BEGIN, the key's claim, draft, row lock, prior subsidies, CQ table, level ledger, family ledger, UPDATE, audit row
with the stored answer, COMMIT (twelve when the audit row and the answer went one by one)."""


async def _submit(client: httpx.AsyncClient, factory: Any, tokens: Any) -> str:
    person = factory.person()
    me = tokens.citizen(person)
    created = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    assert created.status_code == 201, created.text
    claim_id: str = created.json()["id"]
    submitted = await client.post(
        f"/v1/claims/{claim_id}/submit", headers={**me, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text
    return claim_id


async def test_submit_sends_its_audit_row_with_the_stored_answer(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine, lean_statements: list[str]
) -> None:
    await _submit(client, factory, tokens)  # prepares every statement
    lean_statements.clear()
    claim_id = await _submit(client, factory, tokens)
    await asyncio.sleep(0)  # the query logger reports through the event loop
    assert len(lean_statements) == CQ_SUBMIT_ROUND_TRIPS, "\n---\n".join(lean_statements)
    *_, writes, commit = lean_statements
    assert commit.strip(" ;") == "COMMIT"
    assert "audit_append(" in writes and "INSERT INTO idempotency_keys" in writes
    assert sum("audit_append(" in sql or "INTO idempotency_keys" in sql for sql in lean_statements) == 1
    async with engine.connect() as conn:
        audited = (
            await conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'claim.submit' AND entity_id = :c"),
                {"c": claim_id},
            )
        ).scalar_one()
    assert audited == 1

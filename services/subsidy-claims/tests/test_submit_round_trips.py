"""Round trips of one claim submit: the claim's UPDATE, the audit row and the stored answer go in one statement.

Each round trip costs the service 60–100 µs of CPU. Submit reads the draft before asking the registry, then in one
statement locks the row and reads everything the decision needs (status, CQ table, prior subsidies), and takes
both ledgers in one more; its trailing writes — the claim's UPDATE, the audit row and the answer stored under the
Idempotency-Key — are held by the lean unit of work and sent together just before COMMIT.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CQ_SUBMIT_ROUND_TRIPS = 7
"""BEGIN, the key's claim, draft, row lock with the decision's reads, both ledgers, the UPDATE with the audit row and
the stored answer, COMMIT (eleven when the lock, each read, each ledger and the UPDATE went one by one)."""


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
    assert "UPDATE claims SET status" in writes
    context = next(sql for sql in lean_statements if "FOR UPDATE" in sql)
    assert "cq_amount_tables" in context and "past_subsidies" in context
    assert sum("level_ledger" in sql and "family_ledger" in sql for sql in lean_statements) == 1
    assert sum("audit_append(" in sql or "INTO idempotency_keys" in sql for sql in lean_statements) == 1
    async with engine.connect() as conn:
        audited = (
            await conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'claim.submit' AND entity_id = :c"),
                {"c": claim_id},
            )
        ).scalar_one()
    assert audited == 1

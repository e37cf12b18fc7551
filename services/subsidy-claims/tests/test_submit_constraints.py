"""A database guard that fires on the lean submit path's raw SQL gives the same 409 as the rules name."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from subsidy_claims.claims.models import Claim, LevelLedger
from subsidy_claims.claims.submission import constraint_problem


async def test_live_certificate_index_refuses_submit_with_the_same_409(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    """A live claim on the certificate written past the service (another applicant, no ledger row): only the
    unique index `uq_claims_live_certificate` can refuse, and the submit rolls back whole."""
    person = factory.person()
    record = factory.certificate(person)
    me = tokens.citizen(person)
    created = await client.post("/v1/claims", json=factory.cq_body(person, record), headers=me)
    assert created.status_code == 201, created.text
    claim_id = created.json()["id"]
    async with engine.begin() as conn:
        draft = (await conn.execute(select(Claim).where(Claim.id == uuid.UUID(claim_id)))).one()._asdict()
        await conn.execute(
            insert(Claim).values(
                {
                    **{c: v for c, v in draft.items() if c not in ("created_at", "updated_at")},
                    "id": uuid.uuid4(),
                    "status": "submitted",
                    "applicant_id_number": factory.person(),
                }
            )
        )
    submitted = await client.post(
        f"/v1/claims/{claim_id}/submit", headers={**me, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 409, submitted.text
    body = submitted.json()
    assert body["code"] == "certificate_already_claimed"
    assert body.get("rule") is None
    async with engine.connect() as conn:
        status = (
            await conn.execute(select(Claim.status).where(Claim.id == uuid.UUID(claim_id)))
        ).scalar_one()
        ledger = (await conn.execute(select(LevelLedger))).all()
        actions = (await conn.execute(text("SELECT action FROM audit_log ORDER BY id"))).scalars().all()
    assert status == "draft"
    assert ledger == []
    assert actions == ["claim.create"]


@pytest.mark.parametrize(
    ("values", "code", "rule"),
    [
        ("claims = 4", "yearly_cap_reached", "SH-13"),
        ("in_service_claims = 2", "yearly_cap_reached", "SH-13"),
    ],
)
async def test_check_violation_from_the_driver_maps_to_the_rule(
    app: FastAPI, client: httpx.AsyncClient, values: str, code: str, rule: str
) -> None:
    """SH-13's CHECK constraints, as asyncpg reports them to the lean path, name the same code and rule."""
    pool = await app.state.db.lean_pool()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO yearly_counts (applicant_id_number, year, claims, in_service_claims) "
            "VALUES ('x', 2026, 3, 1)"
        )
        with pytest.raises(asyncpg.IntegrityConstraintViolationError) as caught:
            await conn.execute(f"UPDATE yearly_counts SET {values}")
    problem = constraint_problem(caught.value.constraint_name)
    assert (problem.status, problem.code, problem.rule) == (409, code, rule)

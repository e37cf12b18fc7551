"""The double-payment guards hold in the database itself, even for a writer that skips the service's checks."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from subsidy_claims.claims.models import Claim, FamilyLedger, YearlyCount


def row(
    person: str, number: str, work_type: str = "", level: int = 3, status: str = "submitted"
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "policy": "cq-eval",
        "status": status,
        "applicant_id_number": person,
        "applicant_name": "张三",
        "certificate_number": number,
        "certificate_kind": "skill_level",
        "occupation_code": "4-01-02-03",
        "family_key": "4-01-02-03",
        "work_type": work_type or None,
        "work_type_key": f"4-01-02-03/{work_type}",
        "level": level,
        "level_key": level,
        "certificate_issue_date": date(2026, 5, 20),
        "facts": {},
        "as_in_service": False,
        "as_secondary_student": False,
        "card_financial_enabled": False,
        "payment_attempts": 0,
        "created_by": "test",
    }


@pytest.mark.parametrize(
    ("first", "second", "constraint"),
    [
        (("A1", "", 3), ("A1", "", 2), "uq_claims_live_certificate"),
        (("A1", "", 3), ("A2", "", 3), "uq_claims_live_level"),
    ],
)
async def test_constraints_refuse_a_second_live_claim(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    first: tuple[str, str, int],
    second: tuple[str, str, int],
    constraint: str,
) -> None:
    person = "11010519491231002X"
    async with engine.begin() as conn:
        await conn.execute(insert(Claim).values(**row(person, *first)))
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(insert(Claim).values(**row(person, *second)))
    assert constraint in str(caught.value)
    async with engine.begin() as conn:  # a rejected claim no longer holds anything
        await conn.execute(update(Claim).values(status="rejected"))
        await conn.execute(insert(Claim).values(**row(person, *second)))


async def test_one_work_type_per_family_is_the_ledger_key(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """CQ-6: a person's occupation family holds one 工种; a second has no ledger row to take."""
    person = "11010519491231002X"
    ledger = {"applicant_id_number": person, "policy": "cq-eval", "family_key": "4-01-02-03"}
    async with engine.begin() as conn:
        await conn.execute(insert(FamilyLedger).values(**ledger, work_type_key="4-01-02-03/甲"))
    with pytest.raises(IntegrityError, match="pk_family_ledger"):
        async with engine.begin() as conn:
            await conn.execute(insert(FamilyLedger).values(**ledger, work_type_key="4-01-02-03/乙"))


async def test_yearly_cap_is_a_check_constraint(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(YearlyCount).values(applicant_id_number="x", year=2026, claims=3, in_service_claims=1)
        )
    for values in ({"claims": 4}, {"in_service_claims": 2}):
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(update(YearlyCount).values(**values))


async def test_counter_application_by_the_district_with_verified_facts(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    """CQ-3 offline application: the district's officer files it with facts verified from a named source."""
    person = factory.person()
    body = factory.cq_body(
        person,
        factory.certificate(person),
        identity_category={"value": "5", "provenance": "verified", "source": "就业失业登记"},
    )
    assert (await client.post("/v1/claims", json=body, headers=tokens.officer("06"))).status_code == 403
    desk = tokens.officer("05")
    created = await client.post("/v1/claims", json=body, headers=desk)
    assert created.status_code == 201
    submitted = await client.post(
        f"/v1/claims/{created.json()['id']}/submit", headers={**desk, "Idempotency-Key": "counter-1"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["outcome"] == "eligible"
    cq2 = next(r for r in submitted.json()["decision"]["results"] if r["rule"] == "CQ-2")
    assert cq2["verdict"] == "pass" and "就业失业登记" in cq2["reason"]
    async with engine.connect() as conn:
        actions = (await conn.execute(text("SELECT action FROM audit_log ORDER BY id"))).scalars().all()
    assert actions == ["claim.create", "claim.submit"]

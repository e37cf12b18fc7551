"""Claim events (issue 23): approve, publish, pay and claw back each record their event in the outbox of the move's
transaction, masked; internal steps (submit, review, confirm, payment instructions) and refused moves record none."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.contracts.v1.events import EVENTS_TARGET, DomainEventV1


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def recorded(engine: AsyncEngine) -> list[DomainEventV1]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT body FROM outbox WHERE target = :t ORDER BY id"), {"t": EVENTS_TARGET}
        )
        return [DomainEventV1.model_validate(r[0]) for r in rows]


async def test_a_claims_partner_events_follow_its_moves(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any, engine: AsyncEngine
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    created = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert (await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})).status_code == 200
    boss = tokens.officer("05", "unit_head")
    await client.post(f"/v1/claims/{cid}/start-review", headers=boss)
    assert await recorded(engine) == []  # drafting, submitting and starting review are internal

    refused = await client.post(f"/v1/claims/{cid}/approve", json={}, headers={**boss, **key()})
    assert refused.status_code == 422
    assert await recorded(engine) == []  # a refused move records nothing
    approval = {"amount_fen": 120_000, "reason": "评价费票据金额为1200元"}
    assert (
        await client.post(f"/v1/claims/{cid}/approve", json=approval, headers={**boss, **key()})
    ).status_code == 200
    await client.post(f"/v1/claims/{cid}/publish", headers=boss)
    clock.today = date(2026, 6, 24)
    assert (await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})).status_code == 200
    await client.post(f"/v1/claims/{cid}/instruct-payment", headers=boss)
    paid = await client.post(
        f"/v1/claims/{cid}/payment-result", json={"result": "paid"}, headers={**tokens.service(), **key()}
    )
    assert paid.status_code == 200, paid.text
    clawed = await client.post(f"/v1/claims/{cid}/claw-back", json={"reason": "证书被撤销"}, headers=boss)
    assert clawed.status_code == 200, clawed.text

    events = await recorded(engine)
    assert [e.type.value for e in events] == [
        "claim.approved",
        "claim.published",
        "claim.paid",
        "claim.clawed_back",
    ]
    assert {e.resource_id for e in events} == {cid}
    assert {(e.district_code, e.policy) for e in events} == {("05", "cq-eval")}
    assert [e.data.model_dump()["status"] for e in events] == [
        "approved",
        "in_publicity",
        "paid",
        "clawed_back",
    ]
    assert events[0].data.model_dump()["amount_fen"] == 120_000
    assert events[-1].data.model_dump()["reason"] == "证书被撤销"
    masked = {e.data.model_dump()["applicant_id_number"] for e in events}
    assert masked == {person[:3] + "*" * 11 + person[-4:]}
    assert len({e.id for e in events}) == 4

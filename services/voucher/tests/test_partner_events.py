"""Voucher events (issue 23): claimed, redeemed and lapsed each record their event in the outbox of the same
transaction, with the holder's ID number masked; a refused redeem records nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_id

from skills_shared.clock import SHANGHAI, FixedClock
from skills_shared.contracts.v1.events import EVENTS_TARGET, DomainEventV1


async def recorded(engine: AsyncEngine) -> list[DomainEventV1]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT body FROM outbox WHERE target = :t ORDER BY id"), {"t": EVENTS_TARGET}
        )
        return [DomainEventV1.model_validate(r[0]) for r in rows]


def data(event: DomainEventV1) -> dict[str, Any]:
    return event.data.model_dump()


async def test_claim_redeem_and_lapse_record_their_events(
    client: httpx.AsyncClient, scenario: Scenario, clock: FixedClock, engine: AsyncEngine
) -> None:
    await scenario.price_all_types(80_000)
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(1)
    await scenario.issue(campaign, [holder], district="07")
    assert await recorded(engine) == []  # issuing a list is not a partner event

    vouchers = await scenario.claim(holder)
    claimed = await recorded(engine)
    assert [e.type.value for e in claimed] == ["voucher.claimed"] * len(vouchers)
    assert {e.resource_id for e in claimed} == {str(v["id"]) for v in vouchers}
    assert {e.district_code for e in claimed} == {"07"}
    assert {data(e)["holder_id_number"] for e in claimed} == {holder[:3] + "*" * 11 + holder[-4:]}

    employment = next(v for v in vouchers if v["type_code"] == "employment_skills")
    class_id = await scenario.open_class(inst)
    token = await scenario.qr(holder, employment["id"])
    refused = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": 999_999}, headers=inst.staff("scanner-1")
    )
    assert refused.status_code == 404
    assert len(await recorded(engine)) == len(vouchers)  # the refused scan rolled back with its event
    redeemed = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=inst.staff("scanner-1")
    )
    assert redeemed.status_code == 201, redeemed.text
    last = (await recorded(engine))[-1]
    assert last.type.value == "voucher.redeemed" and last.resource_id == str(employment["id"])
    assert last.district_code == "07" and data(last)["institution_code"] == "5000001"

    clock.at = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    run = await client.post("/v1/lapse-runs", json={}, headers=scenario.city)
    assert run.status_code == 200, run.text
    lapsed = {e.resource_id: e for e in await recorded(engine) if e.type.value == "voucher.lapsed"}
    assert len(lapsed) == run.json()["lapsed_not_used"] + run.json()["lapsed_not_completed"] == len(vouchers)
    # the redeemed voucher's class has ended without completion; the others were never used
    assert data(lapsed.pop(str(employment["id"])))["reason"] == "培训未完成"
    assert {data(e)["reason"] for e in lapsed.values()} == {"有效期内未使用"}

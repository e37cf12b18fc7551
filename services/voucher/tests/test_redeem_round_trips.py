"""Round trips of one scan-to-redeem: each costs the service 60–100 µs of CPU, and the redeem is CPU-bound.

With an Idempotency-Key: BEGIN, the key's claim, the scan statement, one statement for the audit row, the
``voucher.redeemed`` event and the stored answer, COMMIT — five. Without a key: four.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Institution, Scenario, holder_ids

from skills_shared.testing import auth_headers


async def _setting(scenario: Scenario) -> tuple[Institution, int, list[tuple[str, int]]]:
    """An institution with a scanner and a class, and two holders each with a claimed voucher of its type."""
    await scenario.price_all_types()
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    class_id = await scenario.open_class(inst)
    campaign = await scenario.campaign(2026)
    holders = holder_ids(2, start=300)
    await scenario.issue(campaign, holders)
    vouchers = [(h, (await scenario.claim(h, ["employment_skills"]))[0]["id"]) for h in holders]
    return inst, class_id, vouchers


async def _redeem(
    client: httpx.AsyncClient,
    scenario: Scenario,
    inst: Institution,
    class_id: int,
    holder: str,
    voucher: int,
    key: str,
) -> None:
    token = await scenario.qr(holder, voucher)
    headers = {**inst.staff("scanner-1"), **({"Idempotency-Key": key} if key else {})}
    r = await client.post("/v1/redemptions", json={"token": token, "class_id": class_id}, headers=headers)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("key", ["scan-2", ""], ids=["keyed", "unkeyed"])
async def test_one_redeem_is_five_round_trips_with_a_key_and_four_without(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine, lean_statements: list[str], key: str
) -> None:
    inst, class_id, vouchers = await _setting(scenario)
    (h0, v0), (h1, v1) = vouchers
    await _redeem(client, scenario, inst, class_id, h0, v0, "scan-1")  # prepares every statement
    lean_statements.clear()
    await _redeem(client, scenario, inst, class_id, h1, v1, key)
    await asyncio.sleep(0)  # the query logger reports through the event loop
    expected = 5 if key else 4
    assert len(lean_statements) == expected, "\n---\n".join(lean_statements)
    assert (lean_statements[0].strip(" ;"), lean_statements[-1].strip(" ;")) == ("BEGIN", "COMMIT")
    writes = lean_statements[-2]
    assert "audit_append(" in writes and "INSERT INTO outbox" in writes
    assert ("INSERT INTO idempotency_keys" in writes) == bool(key)
    async with engine.connect() as conn:
        audited, events = (
            await conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM audit_log WHERE action = 'voucher.redeem' AND entity_id = :v),"
                    " (SELECT count(*) FROM outbox"
                    "   WHERE body->>'type' = 'voucher.redeemed' AND body->>'resource_id' = :v)"
                ),
                {"v": str(v1)},
            )
        ).one()
    assert (audited, events) == (1, 1)
    report = (await client.get("/v1/audit/verify", headers=auth_headers("inspector", "insp-1"))).json()
    assert report["ok"] is True, report

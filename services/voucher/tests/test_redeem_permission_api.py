"""V-6 through the API: every reason a scan may not redeem gets the one code, with the rule and the reason.

The decision is taken by the redeem statement itself (``voucher.redeem.repository``); these tests hold it to one
answer — 403 ``redeem_permission_missing``, rule V-6 — whatever the reason, with the voucher left untouched.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_id

from skills_shared.testing import auth_headers


async def _status(engine: AsyncEngine, voucher_id: int) -> str:
    async with engine.connect() as conn:
        row = await conn.execute(text("SELECT status FROM vouchers WHERE id = :i"), {"i": voucher_id})
        return str(row.scalar_one())


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("unregistered", "institution_not_registered"),
        ("suspended", "institution_not_active"),
        ("closed", "institution_not_active"),
        ("no_permission", "staff_not_permitted"),
        ("withdrawn", "staff_not_permitted"),
        ("admin_without_grant", "staff_not_permitted"),
    ],
)
async def test_every_unpermitted_redeem_has_one_code(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine, case: str, reason: str
) -> None:
    await scenario.price_all_types()
    inst = await scenario.institution("5000401", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(401)
    await scenario.issue(campaign, [holder])
    voucher = next(v for v in await scenario.claim(holder) if v["type_code"] == "employment_skills")
    class_id = await scenario.open_class(inst)
    token = await scenario.qr(holder, voucher["id"])
    headers = inst.staff("scanner-1")
    if case == "unregistered":
        headers = auth_headers("institution_staff", "scanner-1", institution="5009999")
    elif case in ("suspended", "closed"):
        r = await client.patch(
            f"/v1/institutions/{inst.code}", json={"status": case}, headers=scenario.district("04")
        )
        assert r.status_code == 200, r.text
    elif case == "no_permission":
        headers = inst.staff("scanner-2")
    elif case == "withdrawn":
        r = await client.delete(f"/v1/institutions/{inst.code}/redeemers/scanner-1", headers=inst.admin)
        assert r.status_code == 204
    elif case == "admin_without_grant":
        headers = inst.admin  # the 专员 manages permissions; scanning needs a grant like anyone else's
    r = await client.post("/v1/redemptions", json={"token": token, "class_id": class_id}, headers=headers)
    body = r.json()
    assert (r.status_code, body["code"], body["rule"]) == (403, "redeem_permission_missing", "V-6"), body
    assert body["reason"] == reason
    assert await _status(engine, voucher["id"]) == "claimed"
    async with engine.connect() as conn:
        uses = (await conn.execute(text("SELECT count(*) FROM holder_year_uses"))).scalar_one()
    assert uses == 0


async def test_granted_staff_redeem_and_the_refusal_comes_before_the_voucher_is_judged(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    """An unpermitted scanner learns nothing about the voucher: V-6 answers even for a voucher already used."""
    await scenario.price_all_types()
    inst = await scenario.institution("5000402", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(402)
    await scenario.issue(campaign, [holder])
    voucher = next(v for v in await scenario.claim(holder) if v["type_code"] == "employment_skills")
    class_id = await scenario.open_class(inst)
    token = await scenario.qr(holder, voucher["id"])
    ok = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=inst.staff("scanner-1")
    )
    assert ok.status_code == 201, ok.text
    again = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=inst.staff("scanner-9")
    )
    assert (again.status_code, again.json()["code"]) == (403, "redeem_permission_missing")
    assert await _status(engine, voucher["id"]) == "redeemed"

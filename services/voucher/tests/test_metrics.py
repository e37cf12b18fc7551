"""Business and platform metrics move with real actions (issue 19, item 2): vouchers claimed and redeemed per
district, the idempotency store read at scrape time, and nothing counted for a replay or a refused scan."""

from __future__ import annotations

import httpx
from voucher_testdata import Scenario, holder_id

from skills_shared.testing import metric_value


async def test_claims_and_redemptions_are_counted_per_district_once(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    claimed_before = await metric_value(client, "skills_vouchers_total", event="claimed", district="04")
    redeemed_before = await metric_value(client, "skills_vouchers_total", event="redeemed", district="04")
    keys_before = await metric_value(client, "skills_idempotency_rows", service="voucher")
    await scenario.price_all_types()
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(21)
    await scenario.issue(campaign, [holder], district="04")
    vouchers = await scenario.claim(holder)
    assert vouchers
    assert await metric_value(client, "skills_vouchers_total", event="claimed", district="04") == (
        claimed_before + len(vouchers)
    )
    class_id = await scenario.open_class(inst)
    voucher_id = next(v["id"] for v in vouchers if v["type_code"] == "employment_skills")
    token = await scenario.qr(holder, voucher_id)
    body = {"token": token, "class_id": class_id}
    headers = {**inst.staff("scanner-1"), "Idempotency-Key": "metrics-redeem-1"}
    first = await client.post("/v1/redemptions", json=body, headers=headers)
    assert first.status_code in (200, 201), first.text
    replay = await client.post("/v1/redemptions", json=body, headers=headers)
    assert replay.status_code == first.status_code, replay.text  # the stored answer, not a second redemption
    again = await client.post("/v1/redemptions", json=body, headers=inst.staff("scanner-1"))
    assert again.status_code == 409, again.text  # refused and rolled back: not counted
    assert await metric_value(client, "skills_vouchers_total", event="redeemed", district="04") == (
        redeemed_before + 1
    )
    assert await metric_value(client, "skills_idempotency_rows", service="voucher") > keys_before

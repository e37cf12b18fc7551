"""Voucher rules as a partner meets them through the gateway (issue 15 V-6, issue 16 item 12).

- Opening a campaign whose validity has already ended is refused with V-4 through the relayed route, and the
  refusal names the campaign that would be accepted.
- A scan by staff without redeem permission gets the voucher service's one V-6 answer (403
  ``redeem_permission_missing``) through the relayed and the composed redeem routes alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from rel_support import Service, fetchval

from skills_shared.clock import SHANGHAI, FixedClock


async def test_an_ended_campaign_is_refused_through_the_gateway(suite: dict[str, Service]) -> None:
    voucher, gateway = suite["voucher"], suite["gateway"]
    from voucher_testdata import Scenario

    city = Scenario(voucher.client).city
    pinned = voucher.app.state.clock
    voucher.app.state.clock = FixedClock(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))
    try:
        before = await fetchval(voucher.database_url, "SELECT count(*) FROM campaigns")
        r = await gateway.client.post(
            "/api/v1/voucher/campaigns",
            json={"year": 2026, "kind": "supplementary", "name": "2026年职业培训券补发"},
            headers={**city, "Idempotency-Key": uuid.uuid4().hex},
        )
        problem = r.json()
        assert (r.status_code, problem["code"], problem["rule"]) == (422, "campaign_expired", "V-4"), problem
        assert (problem["open_year"], problem["last_opening_date"]) == (2027, "2026-11-30")
        assert await fetchval(voucher.database_url, "SELECT count(*) FROM campaigns") == before
    finally:
        voucher.app.state.clock = pinned


async def test_an_unpermitted_scan_gets_the_one_v6_answer_on_every_redeem_route(
    suite: dict[str, Service],
) -> None:
    from voucher_testdata import Scenario, holder_id

    voucher, gateway = suite["voucher"], suite["gateway"]
    s = Scenario(voucher.client)
    await s.price_all_types()
    inst = await s.institution("5000601", "04", admin_index=960_001)
    await s.grant(inst, "scanner-1")
    campaign = await fetchval(
        voucher.database_url, "SELECT id FROM campaigns WHERE year = 2026 ORDER BY id LIMIT 1"
    )
    if campaign is None:
        campaign = await s.campaign(2026)
    holder = holder_id(360_001)
    await s.issue(int(campaign), [holder])
    claimed = await s.claim(holder, ["employment_skills"])
    class_id = await s.open_class(inst)
    token = await s.qr(holder, claimed[0]["id"])
    stranger = {**inst.staff("scanner-without-grant")}
    for path in ("/api/v1/voucher/redemptions", "/api/v1/redemptions"):
        r = await gateway.client.post(
            path,
            json={"token": token, "class_id": class_id},
            headers={**stranger, "Idempotency-Key": uuid.uuid4().hex},
        )
        problem = r.json()
        assert (r.status_code, problem["code"], problem["rule"]) == (
            403,
            "redeem_permission_missing",
            "V-6",
        ), (
            path,
            problem,
        )
        if path.startswith("/api/v1/voucher/"):  # relayed unchanged: every member of the problem arrives
            assert problem["reason"] == "staff_not_permitted"
    status = await fetchval(
        voucher.database_url, "SELECT status FROM vouchers WHERE id = $1", claimed[0]["id"]
    )
    assert status == "claimed"

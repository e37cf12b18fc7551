"""The whole life of a voucher through the API: issue, claim, scan, check in, complete, settle, count."""

from __future__ import annotations

import httpx
from voucher_testdata import CHAOTIANMEN, Scenario, holder_id

from skills_shared.clock import FixedClock


async def test_voucher_life(client: httpx.AsyncClient, scenario: Scenario, clock: FixedClock) -> None:
    await scenario.price_all_types(80_000)
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(1)
    issued = await scenario.issue(campaign, [holder, holder_id(2)], district="07")
    assert issued == {"campaign_id": campaign, "requested": 2, "issued": 2, "already_issued": 0}

    vouchers = await scenario.claim(holder)
    assert len(vouchers) == 9
    assert all(v["valid_until"] == "2026-11-30" and v["status"] == "claimed" for v in vouchers)
    assert vouchers[0]["holder_id_number"] == holder[:3] + "*" * 11 + holder[-4:]
    employment = next(v for v in vouchers if v["type_code"] == "employment_skills")

    class_id = await scenario.open_class(inst)
    token = await scenario.qr(holder, employment["id"])
    redeemed = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=inst.staff("scanner-1")
    )
    assert redeemed.status_code == 201, redeemed.text
    body = redeemed.json()
    assert (
        body["uses_this_year"] == 1 and body["institution_code"] == "5000001" and body["class_id"] == class_id
    )
    assert holder not in redeemed.text

    checked = await client.post(
        f"/v1/classes/{class_id}/check-ins",
        json={"latitude": CHAOTIANMEN[0] + 0.0005, "longitude": CHAOTIANMEN[1]},
        headers=scenario.citizen(holder),
    )
    assert checked.status_code == 201, checked.text
    assert checked.json()["site_id"] == inst.site_ids[0]
    assert 0 < checked.json()["distance_m"] < 100

    done = await client.post(
        f"/v1/classes/{class_id}/completions",
        json={"voucher_id": employment["id"], "completed": True},
        headers=inst.admin,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"

    claim = await client.post(
        "/v1/settlements",
        json={"voucher_ids": [employment["id"]]},
        headers={**inst.admin, "Idempotency-Key": "s-1"},
    )
    assert claim.status_code == 201, claim.text
    assert claim.json()["reference_amount_fen"] == 80_000 and claim.json()["payable_fen"] is None
    sid = claim.json()["id"]
    decided = await client.post(
        f"/v1/settlements/{sid}/decision",
        json={"approve": True, "approved_amount_fen": 65_000, "reason": "课时核减"},
        headers={**scenario.district("04"), "Idempotency-Key": "d-1"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["payable_fen"] == 65_000 and decided.json()["status"] == "approved"

    dash = (await client.get("/v1/targets?year=2026", headers=scenario.city)).json()
    assert (dash["issued"], dash["claimed"], dash["used"]) == (2, 9, 1)
    row04 = next(d for d in dash["districts"] if d["district_code"] == "04")
    row07 = next(d for d in dash["districts"] if d["district_code"] == "07")
    assert (row04["used"], row04["target_used"]) == (1, 3000)
    assert (row07["issued"], row07["claimed"], row07["used"]) == (2, 9, 0)

    chart = await client.get("/v1/targets/chart.png?year=2026", headers=scenario.city)
    assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"

    verified = await client.get("/v1/audit/verify", headers=scenario.city)
    assert verified.json()["ok"] is True and verified.json()["checked"] >= 10

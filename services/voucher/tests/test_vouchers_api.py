"""V-1…V-4 through the API: face values, yearly and supplementary issues, bulk issue, claiming once per type."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_id, holder_ids

from skills_shared.clock import SHANGHAI, FixedClock


async def _scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_face_values_are_set_by_the_city(client: httpx.AsyncClient, scenario: Scenario) -> None:
    page = (await client.get("/v1/voucher-types")).json()
    types = page["items"]
    assert len(types) == page["total"] == 9 and {t["name"] for t in types} >= {"就业技能培训", "以工代训"}
    r = await client.put(
        "/v1/voucher-types/entrepreneurship", json={"face_value_fen": 150_000}, headers=scenario.city
    )
    assert r.status_code == 200 and r.json()["face_value_fen"] == 150_000
    denied = await client.put(
        "/v1/voucher-types/entrepreneurship", json={"face_value_fen": 1}, headers=scenario.district("04")
    )
    assert denied.status_code == 403
    for bad in (0, -1, 1.5, "100"):
        resp = await client.put(
            "/v1/voucher-types/entrepreneurship", json={"face_value_fen": bad}, headers=scenario.city
        )
        assert resp.status_code == 422, bad
    assert (
        await client.put("/v1/voucher-types/nope", json={"face_value_fen": 1}, headers=scenario.city)
    ).status_code == 404


async def test_one_annual_issue_then_supplements(client: httpx.AsyncClient, scenario: Scenario) -> None:
    early = await client.post(
        "/v1/campaigns", json={"year": 2026, "kind": "supplementary", "name": "补发"}, headers=scenario.city
    )
    assert early.status_code == 409 and early.json()["rule"] == "V-3"
    annual = await scenario.campaign(2026)
    again = await client.post(
        "/v1/campaigns", json={"year": 2026, "kind": "annual", "name": "x"}, headers=scenario.city
    )
    assert again.status_code == 409 and again.json()["code"] == "annual_campaign_exists"
    late = await client.post(
        "/v1/campaigns",
        json={"year": 2026, "kind": "supplementary", "name": "补发", "valid_until": "2026-12-01"},
        headers=scenario.city,
    )
    assert late.status_code == 422 and late.json()["rule"] == "V-4"
    supplement = await scenario.campaign(2026, "supplementary", valid_until="2026-10-31")
    listed = (await client.get("/v1/campaigns?year=2026", headers=scenario.city)).json()["items"]
    assert [(c["id"], c["kind"], c["valid_until"]) for c in listed] == [
        (annual, "annual", "2026-11-30"),
        (supplement, "supplementary", "2026-10-31"),
    ]


async def test_simultaneous_annual_issues_only_one_wins(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    results = await asyncio.gather(
        *[
            client.post(
                "/v1/campaigns", json={"year": 2027, "kind": "annual", "name": f"n{i}"}, headers=scenario.city
            )
            for i in range(8)
        ]
    )
    assert Counter(r.status_code for r in results) == Counter({201: 1, 409: 7})


async def test_bulk_issue_counts_and_skips_holders_issued_this_year(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    annual = await scenario.campaign(2026)
    holders = holder_ids(20_000)
    first = await scenario.issue(annual, holders[:15_000], district="07")
    assert first == {"campaign_id": annual, "requested": 15_000, "issued": 15_000, "already_issued": 0}
    supplement = await scenario.campaign(2026, "supplementary")
    second = await scenario.issue(supplement, holders[10_000:], district="08")
    assert second == {
        "campaign_id": supplement,
        "requested": 10_000,
        "issued": 5_000,
        "already_issued": 5_000,
    }
    assert await _scalar(engine, "SELECT count(*) FROM grants") == 20_000
    assert await _scalar(engine, "SELECT count(*) FROM grants WHERE district_code = '08'") == 5_000
    page = (await client.get("/v1/campaigns", headers=scenario.city)).json()
    listed = {c["id"]: c["issued"] for c in page["items"]}
    assert listed == {annual: 15_000, supplement: 5_000}


async def test_bad_issue_list_is_refused_whole(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    campaign = await scenario.campaign(2026)
    good = holder_ids(3)
    bad_checksum = good[1][:-1] + ("0" if good[1][-1] != "0" else "1")
    for holders, loc in (
        ([good[0], bad_checksum, good[2]], ["body", "holders", 1, "id_number"]),
        ([good[0], good[0]], ["body", "holders", 1, "id_number"]),
    ):
        r = await client.post(
            f"/v1/campaigns/{campaign}/issues",
            json={"holders": [{"id_number": h, "district_code": "04"} for h in holders]},
            headers=scenario.city,
        )
        assert r.status_code == 422, r.text
        assert any(e["loc"][: len(loc)] == loc or e["loc"] == loc for e in r.json()["errors"]), r.json()
    wrong_district = await client.post(
        f"/v1/campaigns/{campaign}/issues",
        json={"holders": [{"id_number": good[0], "district_code": "99"}]},
        headers=scenario.city,
    )
    assert wrong_district.status_code == 422
    assert await _scalar(engine, "SELECT count(*) FROM grants") == 0


async def test_claim_all_then_once_per_type(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    await scenario.price_all_types()
    campaign = await scenario.campaign(2026)
    holder = holder_id(3)
    await scenario.issue(campaign, [holder])
    some = await scenario.claim(holder, ["entrepreneurship", "hr_services"])
    assert sorted(v["type_code"] for v in some) == ["entrepreneurship", "hr_services"]
    again = await client.post(
        "/v1/me/vouchers/claims", json={"types": ["hr_services"]}, headers=scenario.citizen(holder)
    )
    assert again.status_code == 409 and again.json()["rule"] == "V-4"
    rest = await scenario.claim(holder)
    assert len(rest) == 7
    nothing = await client.post("/v1/me/vouchers/claims", json={}, headers=scenario.citizen(holder))
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_claim"
    mine = (await client.get("/v1/me/vouchers", headers=scenario.citizen(holder))).json()
    assert mine["total"] == 9 and all(v["usable"] for v in mine["items"])
    assert await _scalar(engine, "SELECT count(*) FROM vouchers") == 9


async def test_claim_refusals(client: httpx.AsyncClient, scenario: Scenario, clock: FixedClock) -> None:
    campaign = await scenario.campaign(2026)
    holder = holder_id(4)
    not_issued = await client.post("/v1/me/vouchers/claims", json={}, headers=scenario.citizen(holder))
    assert not_issued.status_code == 409 and not_issued.json()["code"] == "not_issued"
    await scenario.issue(campaign, [holder])
    await client.put(
        "/v1/voucher-types/employment_skills", json={"face_value_fen": 50_000}, headers=scenario.city
    )
    unpriced = await client.post(
        "/v1/me/vouchers/claims",
        json={"types": ["employment_skills", "hr_services"]},
        headers=scenario.citizen(holder),
    )
    assert unpriced.status_code == 409 and unpriced.json()["code"] == "voucher_type_not_priced"
    assert unpriced.json()["rule"] == "V-2"
    unknown = await client.post(
        "/v1/me/vouchers/claims", json={"types": ["golf"]}, headers=scenario.citizen(holder)
    )
    assert unknown.status_code == 422
    officer = await client.post("/v1/me/vouchers/claims", json={}, headers=scenario.city)
    assert officer.status_code == 403
    clock.at = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    expired = await client.post("/v1/me/vouchers/claims", json={}, headers=scenario.citizen(holder_id(4)))
    assert expired.status_code == 409 and expired.json()["code"] == "campaign_expired"
    mine = (await client.get("/v1/me/vouchers", headers=scenario.citizen(holder))).json()
    assert mine["items"] == [] and mine["total"] == 0  # the whole refused claim stored nothing


async def test_from_1_december_the_next_years_issued_campaign_is_claimed(
    client: httpx.AsyncClient, scenario: Scenario, clock: FixedClock
) -> None:
    """V-4: once the year's campaign has closed, a holder issued next year's vouchers claims those."""
    await scenario.price_all_types()
    holder = holder_id(5)
    await scenario.issue(await scenario.campaign(2026), [holder])
    clock.at = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    expired = await client.post("/v1/me/vouchers/claims", json={}, headers=scenario.citizen(holder))
    assert expired.status_code == 409 and expired.json()["code"] == "campaign_expired"
    await scenario.issue(await scenario.campaign(2027), [holder])
    claimed = await scenario.claim(holder, ["employment_skills"])
    assert [(v["year"], v["valid_until"]) for v in claimed] == [(2027, "2027-11-30")]
    newcomer = await client.post("/v1/me/vouchers/claims", json={}, headers=scenario.citizen(holder_id(6)))
    assert newcomer.status_code == 409 and newcomer.json()["code"] == "not_issued"
    assert "2027年度" in newcomer.json()["detail"]


async def test_simultaneous_claims_of_one_type_store_one_voucher(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    await scenario.price_all_types()
    campaign = await scenario.campaign(2026)
    holders = holder_ids(10, start=300)
    await scenario.issue(campaign, holders)
    for h in holders:
        results = await asyncio.gather(
            *[
                client.post(
                    "/v1/me/vouchers/claims",
                    json={"types": ["domestic_service"]},
                    headers=scenario.citizen(h),
                )
                for _ in range(6)
            ]
        )
        assert Counter(r.status_code for r in results) == Counter({201: 1, 409: 5})
    assert await _scalar(engine, "SELECT count(*) FROM vouchers") == 10


async def test_claim_replays_with_idempotency_key(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    await scenario.price_all_types()
    campaign = await scenario.campaign(2026)
    holder = holder_id(5)
    await scenario.issue(campaign, [holder])
    headers = {**scenario.citizen(holder), "Idempotency-Key": "claim-1"}
    first = await client.post("/v1/me/vouchers/claims", json={"types": ["hr_services"]}, headers=headers)
    replay = await client.post("/v1/me/vouchers/claims", json={"types": ["hr_services"]}, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert first.json() == replay.json() and replay.headers.get("idempotent-replayed") == "true"
    other = await client.post("/v1/me/vouchers/claims", json={"types": ["entrepreneurship"]}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert await _scalar(engine, "SELECT count(*) FROM vouchers") == 1


async def test_an_issue_list_longer_than_the_setting_is_refused_whole(
    app: FastAPI, client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    campaign = await scenario.campaign(2026)
    settings = app.state.settings
    saved = settings.bulk_issue_max
    settings.bulk_issue_max = 2
    try:
        r = await client.post(
            f"/v1/campaigns/{campaign}/issues",
            json={"holders": [{"id_number": h, "district_code": "04"} for h in holder_ids(3)]},
            headers=scenario.city,
        )
    finally:
        settings.bulk_issue_max = saved
    assert r.status_code == 422 and r.json()["code"] == "too_many_holders" and r.json()["most"] == 2
    assert r.json()["errors"][0]["loc"] == ["body", "holders"]
    assert await _scalar(engine, "SELECT count(*) FROM grants") == 0

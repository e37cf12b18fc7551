"""V-7 check-in, completion, V-4 lapse and what counts as used, V-2 settlement, V-8 dashboard scopes."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import CHAOTIANMEN, Institution, Scenario, holder_id, holder_ids

from skills_shared.clock import SHANGHAI, FixedClock
from voucher.lapse.schedule import ACTOR, ROUND_LOCK, lapse_forever, lapse_once


class Enrolled:
    def __init__(
        self, inst: Institution, class_id: int, holders: list[str], vouchers: dict[str, int]
    ) -> None:
        self.inst = inst
        self.class_id = class_id
        self.holders = holders
        self.vouchers = vouchers  # holder → employment_skills voucher id, redeemed into the class


@pytest.fixture
async def enrolled(client: httpx.AsyncClient, scenario: Scenario) -> Enrolled:
    await scenario.price_all_types(60_000)
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holders = holder_ids(4, start=700)
    await scenario.issue(campaign, holders, district="07")
    class_id = await scenario.open_class(inst, starts_on=date(2026, 5, 20), ends_on=date(2026, 6, 30))
    vouchers = {}
    for h in holders:
        (v,) = await scenario.claim(h, ["employment_skills"])
        token = await scenario.qr(h, v["id"])
        r = await client.post(
            "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=inst.staff("scanner-1")
        )
        assert r.status_code == 201, r.text
        vouchers[h] = v["id"]
    return Enrolled(inst, class_id, holders, vouchers)


async def test_check_in_within_radius_only(
    client: httpx.AsyncClient, scenario: Scenario, enrolled: Enrolled, engine: AsyncEngine
) -> None:
    h = enrolled.holders[0]
    near = await client.post(
        f"/v1/classes/{enrolled.class_id}/check-ins",
        json={"latitude": CHAOTIANMEN[0], "longitude": CHAOTIANMEN[1] + 0.001},
        headers=scenario.citizen(h),
    )
    assert near.status_code == 201, near.text
    assert near.json()["checked_in_at"].startswith("2026-06-01T02:00:00")
    far = await client.post(
        f"/v1/classes/{enrolled.class_id}/check-ins",
        json={"latitude": 29.60, "longitude": 106.50},
        headers=scenario.citizen(h),
    )
    assert (
        far.status_code == 422
        and far.json()["code"] == "check_in_out_of_range"
        and far.json()["rule"] == "V-7"
    )
    stranger = await client.post(
        f"/v1/classes/{enrolled.class_id}/check-ins",
        json={"latitude": CHAOTIANMEN[0], "longitude": CHAOTIANMEN[1]},
        headers=scenario.citizen(holder_id(999)),
    )
    assert stranger.status_code == 409 and stranger.json()["code"] == "not_enrolled"
    bad = await client.post(
        f"/v1/classes/{enrolled.class_id}/check-ins",
        json={"latitude": 200, "longitude": 0},
        headers=scenario.citizen(h),
    )
    assert bad.status_code == 422
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM check_ins"))).scalar_one() == 1


async def test_check_in_outside_class_dates(
    client: httpx.AsyncClient, scenario: Scenario, enrolled: Enrolled, clock: FixedClock
) -> None:
    clock.at = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
    r = await client.post(
        f"/v1/classes/{enrolled.class_id}/check-ins",
        json={"latitude": CHAOTIANMEN[0], "longitude": CHAOTIANMEN[1]},
        headers=scenario.citizen(enrolled.holders[0]),
    )
    assert r.status_code == 409 and r.json()["code"] == "class_not_in_session"


async def test_completion_lapse_and_counting(
    client: httpx.AsyncClient, scenario: Scenario, enrolled: Enrolled, clock: FixedClock
) -> None:
    h0, h1, h2, _h3 = enrolled.holders
    done = await client.post(
        f"/v1/classes/{enrolled.class_id}/completions",
        json={"voucher_id": enrolled.vouchers[h0], "completed": True},
        headers=enrolled.inst.admin,
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    failed = await client.post(
        f"/v1/classes/{enrolled.class_id}/completions",
        json={"voucher_id": enrolled.vouchers[h1], "completed": False},
        headers=enrolled.inst.staff("scanner-1"),
    )
    assert failed.status_code == 200 and failed.json()["status"] == "lapsed"
    assert failed.json()["lapse_reason"] == "training_not_completed"
    twice = await client.post(
        f"/v1/classes/{enrolled.class_id}/completions",
        json={"voucher_id": enrolled.vouchers[h0], "completed": False},
        headers=enrolled.inst.admin,
    )
    assert twice.status_code == 409
    other_inst = await client.post(
        f"/v1/classes/{enrolled.class_id}/completions",
        json={"voucher_id": enrolled.vouchers[h2], "completed": True},
        headers=scenario.citizen(h2),
    )
    assert other_inst.status_code == 403

    dash = (await client.get("/v1/targets?year=2026", headers=scenario.city)).json()
    row04 = next(d for d in dash["districts"] if d["district_code"] == "04")
    assert row04["used"] == 3  # h0 completed, h2 and h3 still in training; h1 lapsed is not used

    # After the class ended without completion, h2 and h3 are no longer counted, even before the lapse run.
    clock.at = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
    dash = (await client.get("/v1/targets?year=2026", headers=scenario.city)).json()
    assert next(d for d in dash["districts"] if d["district_code"] == "04")["used"] == 1
    run = await client.post("/v1/lapse-runs", json={}, headers=scenario.city)
    assert run.json() == {"as_of": "2026-07-01", "lapsed_not_used": 0, "lapsed_not_completed": 2}
    again = await client.post("/v1/lapse-runs", json={}, headers=scenario.city)
    assert again.json()["lapsed_not_completed"] == 0
    future = await client.post("/v1/lapse-runs", json={"as_of": "2026-07-02"}, headers=scenario.city)
    assert future.status_code == 422 and future.json()["code"] == "as_of_in_future"
    dash = (await client.get("/v1/targets?year=2026", headers=scenario.city)).json()
    assert (dash["issued"], dash["claimed"], dash["used"]) == (4, 4, 1)
    row07 = next(d for d in dash["districts"] if d["district_code"] == "07")
    assert (row07["issued"], row07["claimed"], row07["used"]) == (4, 4, 0)
    own = (await client.get("/v1/targets?year=2026", headers=scenario.district("04"))).json()
    assert [d["district_code"] for d in own["districts"]] == ["04"] and own["used"] == 1
    assert (await client.get("/v1/targets", headers=scenario.citizen(h0))).status_code == 403


async def test_settlement_pays_the_audited_amount(
    client: httpx.AsyncClient, scenario: Scenario, enrolled: Enrolled, engine: AsyncEngine
) -> None:
    h0, h1, h2, _ = enrolled.holders
    for h in (h0, h1):
        r = await client.post(
            f"/v1/classes/{enrolled.class_id}/completions",
            json={"voucher_id": enrolled.vouchers[h], "completed": True},
            headers=enrolled.inst.admin,
        )
        assert r.status_code == 200
    not_done = await client.post(
        "/v1/settlements",
        json={"voucher_ids": [enrolled.vouchers[h0], enrolled.vouchers[h2]]},
        headers=enrolled.inst.admin,
    )
    assert not_done.status_code == 409 and not_done.json()["code"] == "training_not_completed"
    too_much = await client.post(
        "/v1/settlements",
        json={"voucher_ids": [enrolled.vouchers[h0]], "claimed_amount_fen": 60_001},
        headers=enrolled.inst.admin,
    )
    assert too_much.status_code == 422
    headers = {**enrolled.inst.admin, "Idempotency-Key": "settle-1"}
    body = {"voucher_ids": [enrolled.vouchers[h0], enrolled.vouchers[h1]]}
    claim = await client.post("/v1/settlements", json=body, headers=headers)
    replay = await client.post("/v1/settlements", json=body, headers=headers)
    assert claim.status_code == replay.status_code == 201 and claim.json() == replay.json()
    s = claim.json()
    assert (s["reference_amount_fen"], s["claimed_amount_fen"], s["status"]) == (
        120_000,
        120_000,
        "submitted",
    )
    dup = await client.post(
        "/v1/settlements", json={"voucher_ids": [enrolled.vouchers[h0]]}, headers=enrolled.inst.admin
    )
    assert dup.status_code == 409 and dup.json()["code"] == "voucher_already_in_settlement"

    wrong_district = await client.post(
        f"/v1/settlements/{s['id']}/decision",
        json={"approve": True, "approved_amount_fen": 100_000, "reason": "x"},
        headers=scenario.district("05"),
    )
    assert wrong_district.status_code == 403
    city = await client.post(
        f"/v1/settlements/{s['id']}/decision",
        json={"approve": True, "approved_amount_fen": 1},
        headers=scenario.city,
    )
    assert city.status_code == 403
    over = await client.post(
        f"/v1/settlements/{s['id']}/decision",
        json={"approve": True, "approved_amount_fen": 120_001, "reason": "x"},
        headers=scenario.district("04"),
    )
    assert over.status_code == 422 and over.json()["rule"] == "V-2"
    ok = await client.post(
        f"/v1/settlements/{s['id']}/decision",
        json={"approve": True, "approved_amount_fen": 90_000, "reason": "课时核减"},
        headers={**scenario.district("04"), "Idempotency-Key": "decide-1"},
    )
    assert ok.status_code == 200, ok.text
    assert (ok.json()["approved_amount_fen"], ok.json()["payable_fen"]) == (90_000, 90_000)
    again = await client.post(
        f"/v1/settlements/{s['id']}/decision",
        json={"approve": False, "reason": "x"},
        headers=scenario.district("04"),
    )
    assert again.status_code == 409
    listed = await client.get("/v1/settlements", headers=scenario.district("05"))
    assert listed.json()["items"] == [] and listed.json()["total"] == 0
    mine = await client.get("/v1/settlements", headers=enrolled.inst.admin)
    assert [x["payable_fen"] for x in mine.json()["items"]] == [90_000]
    async with engine.connect() as conn:
        statuses = (
            await conn.execute(text("SELECT status, count(*) FROM vouchers GROUP BY status ORDER BY 1"))
        ).all()
    assert [tuple(r) for r in statuses] == [("redeemed", 2), ("settled", 2)]


async def test_rejection_needs_a_reason(
    client: httpx.AsyncClient, scenario: Scenario, enrolled: Enrolled
) -> None:
    h0 = enrolled.holders[0]
    await client.post(
        f"/v1/classes/{enrolled.class_id}/completions",
        json={"voucher_id": enrolled.vouchers[h0], "completed": True},
        headers=enrolled.inst.admin,
    )
    s = (
        await client.post(
            "/v1/settlements", json={"voucher_ids": [enrolled.vouchers[h0]]}, headers=enrolled.inst.admin
        )
    ).json()
    bare = await client.post(
        f"/v1/settlements/{s['id']}/decision", json={"approve": False}, headers=scenario.district("04")
    )
    assert bare.status_code == 422 and bare.json()["code"] == "reason_required"
    rejected = await client.post(
        f"/v1/settlements/{s['id']}/decision",
        json={"approve": False, "reason": "签到记录不足"},
        headers=scenario.district("04"),
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["payable_fen"] == 0


async def test_the_service_lapses_vouchers_on_its_own_schedule(
    app: FastAPI, engine: AsyncEngine, scenario: Scenario, enrolled: Enrolled, clock: FixedClock
) -> None:
    """V-4 without anyone calling the endpoint: the lifespan's timer lapses the uncompleted training."""
    clock.at = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)  # the class has ended, nobody recorded completion
    task = asyncio.create_task(lapse_forever(app.state.db.sessionmaker, lambda: clock, 0.05))
    try:
        for _ in range(200):
            async with engine.connect() as conn:
                lapsed = (
                    await conn.execute(text("SELECT count(*) FROM vouchers WHERE status = 'lapsed'"))
                ).scalar_one()
            if lapsed == len(enrolled.holders):
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert lapsed == len(enrolled.holders)
    async with engine.connect() as conn:
        actors = (
            (
                await conn.execute(
                    text("SELECT DISTINCT actor FROM audit_log WHERE action = 'voucher.lapse_run'")
                )
            )
            .scalars()
            .all()
        )
    assert actors == [ACTOR]


async def test_a_scheduled_round_gives_way_to_one_already_running(
    app: FastAPI, engine: AsyncEngine, clock: FixedClock
) -> None:
    """Two replicas at the same tick: the one that finds the round's lock taken skips it."""
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ROUND_LOCK})
        assert await lapse_once(app.state.db.sessionmaker, clock) is None
    done = await lapse_once(app.state.db.sessionmaker, clock)
    assert done is not None and done.as_of == date(2026, 6, 1)

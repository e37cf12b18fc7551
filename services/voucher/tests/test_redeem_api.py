"""V-5 through the API: the QR token, every refusal with its reason and rule, replays, and the yearly cap."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Institution, Scenario, holder_id

from skills_shared.clock import SHANGHAI, FixedClock
from voucher.redeem.rules import sign_token
from voucher.settings import VoucherSettings


class Setting:
    def __init__(self, inst: Institution, class_id: int, holder: str, vouchers: dict[str, int]) -> None:
        self.inst = inst
        self.class_id = class_id
        self.holder = holder
        self.vouchers = vouchers


@pytest.fixture
async def setting(scenario: Scenario) -> Setting:
    await scenario.price_all_types()
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(11)
    await scenario.issue(campaign, [holder])
    vouchers = {v["type_code"]: v["id"] for v in await scenario.claim(holder)}
    class_id = await scenario.open_class(inst)
    return Setting(inst, class_id, holder, vouchers)


async def _redeem(client: httpx.AsyncClient, s: Setting, token: str, **kw: Any) -> httpx.Response:
    headers = kw.pop("headers", s.inst.staff("scanner-1"))
    return await client.post(
        "/v1/redemptions", json={"token": token, "class_id": kw.pop("class_id", s.class_id)}, headers=headers
    )


async def _voucher_status(engine: AsyncEngine, voucher_id: int) -> str:
    async with engine.connect() as conn:
        return str(
            (
                await conn.execute(text("SELECT status FROM vouchers WHERE id = :i"), {"i": voucher_id})
            ).scalar_one()
        )


async def test_redeem_once_then_already_used(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting, engine: AsyncEngine
) -> None:
    vid = setting.vouchers["employment_skills"]
    token = await scenario.qr(setting.holder, vid)
    assert setting.holder not in token
    first = await _redeem(client, setting, token)
    assert first.status_code == 201, first.text
    second = await _redeem(client, setting, token)
    assert second.status_code == 409 and second.json()["code"] == "voucher_already_used"
    assert second.json()["rule"] == "V-5"
    assert await _voucher_status(engine, vid) == "redeemed"
    no_new_token = await client.post(
        f"/v1/me/vouchers/{vid}/qr-token", headers=scenario.citizen(setting.holder)
    )
    assert no_new_token.status_code == 409


async def test_expired_token(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting, clock: FixedClock, engine: AsyncEngine
) -> None:
    vid = setting.vouchers["employment_skills"]
    token = await scenario.qr(setting.holder, vid)
    clock.at = clock.at + timedelta(seconds=121)
    r = await _redeem(client, setting, token)
    assert r.status_code == 422 and r.json()["code"] == "qr_token_expired" and r.json()["rule"] == "V-5"
    assert await _voucher_status(engine, vid) == "claimed"


async def test_forged_or_foreign_token(
    client: httpx.AsyncClient, setting: Setting, clock: FixedClock
) -> None:
    vid = setting.vouchers["employment_skills"]
    now_s = int(clock.now().timestamp())
    forged = sign_token(b"not-the-key" * 4, vid, setting.holder, now_s)
    assert (await _redeem(client, setting, forged)).json()["code"] == "qr_token_invalid"
    assert (await _redeem(client, setting, "hello")).status_code == 422


async def test_token_naming_another_holder(
    client: httpx.AsyncClient, setting: Setting, clock: FixedClock, settings: VoucherSettings
) -> None:
    vid = setting.vouchers["employment_skills"]
    token = sign_token(settings.qr_secret.encode(), vid, holder_id(12), int(clock.now().timestamp()))
    r = await _redeem(client, setting, token)
    assert r.status_code == 422 and r.json()["code"] == "qr_token_invalid"


async def test_staff_without_permission_and_withdrawn_permission(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting, engine: AsyncEngine
) -> None:
    vid = setting.vouchers["employment_skills"]
    token = await scenario.qr(setting.holder, vid)
    r = await _redeem(client, setting, token, headers=setting.inst.staff("scanner-2"))
    assert (
        r.status_code == 403 and r.json()["code"] == "redeem_permission_missing" and r.json()["rule"] == "V-6"
    )
    gone = await client.delete(
        f"/v1/institutions/{setting.inst.code}/redeemers/scanner-1", headers=setting.inst.admin
    )
    assert gone.status_code == 204
    r = await _redeem(client, setting, token)
    assert r.status_code == 403 and r.json()["code"] == "redeem_permission_missing"
    assert await _voucher_status(engine, vid) == "claimed"


async def test_institution_not_active(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting
) -> None:
    token = await scenario.qr(setting.holder, setting.vouchers["employment_skills"])
    suspended = await client.patch(
        f"/v1/institutions/{setting.inst.code}", json={"status": "suspended"}, headers=scenario.district("04")
    )
    assert suspended.status_code == 200
    r = await _redeem(client, setting, token)
    assert (
        r.status_code == 403 and r.json()["code"] == "redeem_permission_missing" and r.json()["rule"] == "V-6"
    )
    assert r.json()["reason"] == "institution_not_active" and r.json()["institution_status"] == "suspended"


async def test_class_of_another_type_or_institution(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting
) -> None:
    token = await scenario.qr(setting.holder, setting.vouchers["entrepreneurship"])
    wrong_type = await _redeem(client, setting, token)
    assert wrong_type.status_code == 409 and wrong_type.json()["code"] == "class_type_mismatch"
    other = await scenario.institution("5000002", "05", admin_index=900_002)
    other_class = await scenario.open_class(other, "entrepreneurship")
    foreign = await _redeem(client, setting, token, class_id=other_class)
    assert foreign.status_code == 404 and foreign.json()["code"] == "class_not_found"
    missing = await _redeem(client, setting, token, class_id=999_999)
    assert missing.status_code == 404


async def test_lapsed_voucher(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting, clock: FixedClock
) -> None:
    vid = setting.vouchers["employment_skills"]
    token = await scenario.qr(setting.holder, vid)
    clock.at = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    run = await client.post("/v1/lapse-runs", json={}, headers=scenario.city)
    assert run.status_code == 200 and run.json()["lapsed_not_used"] == 9
    clock.at = datetime(
        2026, 6, 1, 10, 0, 30, tzinfo=SHANGHAI
    )  # a still-fresh token; the voucher is what lapsed
    r = await _redeem(client, setting, token)
    assert r.status_code == 409 and r.json()["code"] == "voucher_lapsed" and r.json()["rule"] == "V-4"


async def test_voucher_past_validity_before_any_lapse_run(
    client: httpx.AsyncClient,
    scenario: Scenario,
    setting: Setting,
    clock: FixedClock,
    settings: VoucherSettings,
) -> None:
    clock.at = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    token = sign_token(
        settings.qr_secret.encode(),
        setting.vouchers["employment_skills"],
        setting.holder,
        int(clock.now().timestamp()),
    )
    r = await _redeem(client, setting, token)
    assert r.status_code == 409 and r.json()["code"] == "voucher_expired"


async def test_redeem_replay_with_idempotency_key(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting
) -> None:
    token = await scenario.qr(setting.holder, setting.vouchers["employment_skills"])
    headers = {**setting.inst.staff("scanner-1"), "Idempotency-Key": "scan-1"}
    first = await _redeem(client, setting, token, headers=headers)
    replay = await _redeem(client, setting, token, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert first.json() == replay.json() and replay.headers["idempotent-replayed"] == "true"


async def test_fourth_use_in_a_year_is_refused(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting, engine: AsyncEngine
) -> None:
    types = ["employment_skills", "entrepreneurship", "hr_services", "domestic_service"]
    classes = {t: await scenario.open_class(setting.inst, t) for t in types}
    for n, t in enumerate(types[:3], start=1):
        r = await _redeem(
            client, setting, await scenario.qr(setting.holder, setting.vouchers[t]), class_id=classes[t]
        )
        assert r.status_code == 201 and r.json()["uses_this_year"] == n
    fourth = await _redeem(
        client,
        setting,
        await scenario.qr(setting.holder, setting.vouchers[types[3]]),
        class_id=classes[types[3]],
    )
    assert fourth.status_code == 409 and fourth.json()["code"] == "yearly_use_limit_reached"
    assert fourth.json()["rule"] == "V-5"
    assert await _voucher_status(engine, setting.vouchers[types[3]]) == "claimed"


async def test_qr_only_for_own_voucher(
    client: httpx.AsyncClient, scenario: Scenario, setting: Setting
) -> None:
    vid = setting.vouchers["employment_skills"]
    other = await client.post(f"/v1/me/vouchers/{vid}/qr-token", headers=scenario.citizen(holder_id(12)))
    assert other.status_code == 404
    png = await client.get(f"/v1/me/vouchers/{vid}/qr.png", headers=scenario.citizen(setting.holder))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    officer = await client.post(f"/v1/me/vouchers/{vid}/qr-token", headers=scenario.city)
    assert officer.status_code == 403

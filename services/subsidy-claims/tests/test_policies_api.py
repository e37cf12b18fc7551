"""Policy endpoints: versions, side-effect-free evaluation, operator-loaded tables driving amounts."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subsidy_claims.claims.models import Claim


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def test_policies_list_versions_and_effective_dates(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/v1/policies")).json()
    assert listed["total"] == 2
    policies = {p["policy"]: p for p in listed["items"]}
    assert policies["sh-upgrade"]["effective_from"] == "2025-05-01"
    assert policies["sh-upgrade"]["effective_to"] == "2028-04-30"
    assert policies["cq-eval"]["effective_from"] == "2024-05-09"
    assert policies["cq-eval"]["document"] == "渝人社办〔2025〕84号"


async def test_evaluate_stores_nothing_and_explains_every_rule(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    person = factory.person()
    body = factory.sh_body(
        person,
        factory.certificate(person, province="31"),
        group={"value": "unemployed"},
        employed_in_shanghai_now={"value": True},
    )
    body.pop("policy")
    body.pop("payout")
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": "4-01-02-03", "catalogue_class": "B"}]},
        headers=tokens.city(),
    )
    response = await client.post(
        "/v1/policies/sh-upgrade/evaluate", json=body, headers=tokens.citizen(person)
    )
    assert response.status_code == 200, response.text
    decision = response.json()
    assert [r["rule"] for r in decision["results"]] == [f"SH-{n}" for n in range(1, 15)]
    assert all(r["clause"] for r in decision["results"])
    assert (
        decision["amount"]["working"] == "2700元 × 120% = 3240元"
    )  # B/三级 × 120 % (unemployed, now employed)
    assert decision["funding"] == {
        "rule": "SH-12",
        "city_fen": 162_000,
        "district_fen": 162_000,
        "district_code": "310115",
    }
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Claim))).scalar_one() == 0


async def test_loaded_cq_table_sets_the_amount(client: httpx.AsyncClient, factory: Any, tokens: Any) -> None:
    table = {
        "version": "渝人社发〔2024〕13号-2024",
        "amounts": [
            {"kind": "skill_level", "level": 3, "amount_fen": 130_000},
            {"kind": "special_ability", "level": 0, "amount_fen": 40_000},
        ],
    }
    assert (
        await client.put("/v1/policies/cq-eval/amount-table", json=table, headers=tokens.officer())
    ).status_code == 403
    loaded = await client.put("/v1/policies/cq-eval/amount-table", json=table, headers=tokens.city())
    assert loaded.status_code == 201
    again = await client.put("/v1/policies/cq-eval/amount-table", json=table, headers=tokens.city())
    assert again.status_code == 409

    person = factory.person()
    me = tokens.citizen(person)
    cid = (
        await client.post("/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me)
    ).json()["id"]
    claim = (await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})).json()
    assert claim["amount_fen"] == 130_000
    assert claim["decision"]["amount"]["working"] == "1300元 × 100% = 1300元"
    reviewer = tokens.officer("05")
    await client.post(f"/v1/claims/{cid}/start-review", headers=reviewer)
    other = await client.post(
        f"/v1/claims/{cid}/approve", json={"amount_fen": 150_000}, headers={**reviewer, **key()}
    )
    assert other.status_code == 422 and other.json()["rule"] == "CQ-10"
    ok = await client.post(f"/v1/claims/{cid}/approve", json={}, headers={**reviewer, **key()})
    assert ok.status_code == 200 and ok.json()["amount_fen"] == 130_000


async def test_sh_claim_reviewed_by_its_district_paid_to_bank_and_batched(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any
) -> None:
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": "4-01-02-03", "catalogue_class": "A"}]},
        headers=tokens.city(),
    )
    person = factory.person()
    me = tokens.citizen(person)
    body = factory.sh_body(person, factory.certificate(person, province="31"))
    cid = (await client.post("/v1/claims", json=body, headers=me)).json()["id"]
    submit_key = key()
    first = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **submit_key})
    replay = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **submit_key})
    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"
    district = first.json()["district_code"]
    assert district == "310104"
    assert (
        await client.post(f"/v1/claims/{cid}/start-review", headers=tokens.officer("310115"))
    ).status_code == 403
    boss = tokens.officer(district, "unit_head")
    await client.post(f"/v1/claims/{cid}/start-review", headers=boss)
    await client.post(f"/v1/claims/{cid}/approve", json={}, headers={**boss, **key()})
    await client.post(f"/v1/claims/{cid}/publish", headers=boss)
    clock.today = clock.today.replace(day=24)
    assert (await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})).status_code == 200
    instructed = (await client.post(f"/v1/claims/{cid}/instruct-payment", headers=boss)).json()
    assert instructed["payment_channel"] == "bank_account"  # no social-security card with financial function
    batch = await client.get("/v1/payment-batch", headers=boss)
    assert batch.content.startswith("\ufeff".encode())
    lines = batch.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("申请编号,姓名,身份证号,发放渠道,卡号或账号")
    assert len(lines) == 2 and '325000,3250.00,徐汇区,"1,625.00","1,625.00"' in lines[1], lines[1]
    assert lines[0].endswith("金额（分）,金额（元）,审核区县,市级承担（元）,区级承担（元）")
    failed = await client.post(
        f"/v1/claims/{cid}/payment-result",
        json={"result": "failed", "reason": "账户冻结"},
        headers={**tokens.city(), **key()},
    )
    assert failed.json()["status"] == "payment_failed"
    no_other = await client.post(f"/v1/claims/{cid}/retry-payment", headers=boss)
    assert no_other.status_code == 409 and no_other.json()["code"] == "no_other_account"
    stats = (await client.get("/v1/statistics", params={"by": "district"}, headers=tokens.city())).json()
    assert stats["items"] == [
        {"policy": "sh-upgrade", "key": "310104", "claims": 1, "paid": 0, "paid_fen": 0}
    ]

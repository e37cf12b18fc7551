"""Issue 16 items 10 and 11: what a client can observe in an explanation.

- Item 10: the preview (``/v1/policies/{policy}/evaluate``) weighs the office's own records of the applicant —
  CQ-8 past 鉴定补贴 payments, SH-6 levels already subsidised, SH-13 subsidies this year — for the applicant and
  office roles, and says plainly (``records.consulted`` false, with a note) when it did not. It used to approve
  what submission then refused.
- Item 11: once a reviewer approves an amount other than the rule's, the explanation shows both amounts and the
  reviewer's reason; it used to keep saying "1500元 × 100% = 1500元" after 1200 元 was approved.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from skills_shared.auth import Principal, Role
from subsidy_claims.access import may_see_records_of
from subsidy_claims.claims.service import approval_record
from subsidy_claims.policies.facts import PastSubsidy, SubsidyKind
from subsidy_claims.policies.preview import records_note, split_records

APPLICANT = "11010519491231002X"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


# --- item 11: table of the approval record ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("computed", "approved", "reason", "changed", "working"),
    [
        (150_000, 120_000, "票据金额1200元", True, "核定金额 1200元（规则计算 1500元）：票据金额1200元"),
        (150_000, 150_000, None, False, "核定金额 1500元，与规则计算一致"),
        (150_000, 150_000, "材料齐全", False, "核定金额 1500元，与规则计算一致：材料齐全"),
        (325_000, 325_000, None, False, "核定金额 3250元，与规则计算一致"),
        (100_050, 80_025, "按实际费用", True, "核定金额 800.25元（规则计算 1000.50元）：按实际费用"),
    ],
)
def test_cq10_approval_shows_both_amounts_and_the_reason(
    computed: int, approved: int, reason: str | None, changed: bool, working: str
) -> None:
    record = approval_record(computed, approved, reason, date(2026, 6, 15))
    assert record == {
        "amount_fen": approved,
        "computed_amount_fen": computed,
        "changed": changed,
        "reason": reason,
        "approved_on": "2026-06-15",
        "working": working,
    }


# --- item 10: tables of who may have records weighed, and what the answer says ----------------------------------


@pytest.mark.parametrize(
    ("principal", "may"),
    [
        (Principal(sub=APPLICANT, role=Role.CITIZEN), True),
        (Principal(sub="500103199003070011", role=Role.CITIZEN), False),
        (Principal(sub="o", role=Role.DISTRICT_OFFICER, district="05"), True),
        (Principal(sub="c", role=Role.CITY_OFFICER), True),
        (Principal(sub="i", role=Role.INSPECTOR), True),
        (Principal(sub="gateway", role=Role.SERVICE), True),
        (Principal(sub="p", role=Role.PARTNER), False),
    ],
)
def test_who_may_have_an_applicants_records_weighed(principal: Principal, may: bool) -> None:
    assert may_see_records_of(principal, APPLICANT) is may


def test_the_note_names_the_rules_and_whether_records_were_read() -> None:
    assert records_note("cq-eval", True, 1, 2) == (
        "已查询本局记录：他处登记的既往补贴1条、本局在办或已享受的补贴申请2件，CQ-6、CQ-7、CQ-8已按这些记录和申报的既往补贴判断"
    )
    assert records_note("sh-upgrade", False, 0, 0).startswith(
        "未查询本局记录（仅本人或经办人员可查询）：SH-6、SH-13"
    )
    assert "提交申请时将按本局记录复核" in records_note("cq-eval", False, 0, 0)


def test_records_split_into_payments_elsewhere_and_own_claims() -> None:
    own = PastSubsidy(SubsidyKind.CQ_EVAL, "4-01-02-03", None, 3, 2026)
    elsewhere = PastSubsidy(SubsidyKind.CQ_JIANDING, "4-01-02-03", None, 4, 2019, source="原鉴定补贴台账")
    assert split_records([own, elsewhere, own]) == (1, 2)
    assert split_records([]) == (0, 0)


# --- item 10: API -----------------------------------------------------------------------------------------------


def preview_body(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("policy", "payout")}


def verdict(decision: dict[str, Any], rule: str) -> str:
    return str(next(r["verdict"] for r in decision["results"] if r["rule"] == rule))


async def test_preview_weighs_a_former_jianding_payment_cq8(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    record = factory.certificate(person)
    recorded = await client.post(
        "/v1/past-subsidies",
        json={
            "applicant_id_number": person,
            "source": "原职业技能鉴定补贴台账",
            "subsidies": [{"kind": "cq-jianding", "occupation_code": "4-01-02-03", "level": 4, "year": 2019}],
        },
        headers=tokens.city(),
    )
    assert recorded.status_code == 201, recorded.text
    body = factory.cq_body(person, record)

    mine = await client.post(
        "/v1/policies/cq-eval/evaluate", json=preview_body(body), headers=tokens.citizen(person)
    )
    assert mine.status_code == 200, mine.text
    decision = mine.json()
    assert decision["outcome"] == "ineligible" and verdict(decision, "CQ-8") == "fail"
    assert decision["records"]["consulted"] is True
    assert (decision["records"]["past_subsidies"], decision["records"]["claims"]) == (1, 0)

    # What the preview said is what submission does.
    me = tokens.citizen(person)
    cid = (await client.post("/v1/claims", json=body, headers=me)).json()["id"]
    refused = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert refused.status_code == 409 and refused.json()["rule"] == "CQ-8"

    stranger = await client.post(
        "/v1/policies/cq-eval/evaluate", json=preview_body(body), headers=tokens.citizen(factory.person())
    )
    assert stranger.status_code == 200
    blind = stranger.json()
    assert verdict(blind, "CQ-8") == "pass" and blind["records"]["consulted"] is False
    assert "未查询本局记录" in blind["records"]["note"] and "CQ-8" in blind["records"]["note"]
    assert (blind["records"]["past_subsidies"], blind["records"]["claims"]) == (0, 0)


async def test_preview_weighs_levels_already_held_sh6_and_the_yearly_cap_sh13(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": "4-01-02-03", "catalogue_class": "A"}]},
        headers=tokens.city(),
    )
    person = factory.person()
    me = tokens.citizen(person)
    first = factory.sh_body(person, factory.certificate(person, province="31"))
    cid = (await client.post("/v1/claims", json=first, headers=me)).json()["id"]
    assert (await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})).status_code == 200

    again = factory.sh_body(person, factory.certificate(person, province="31"))
    preview = (
        await client.post("/v1/policies/sh-upgrade/evaluate", json=preview_body(again), headers=me)
    ).json()
    assert verdict(preview, "SH-6") == "fail" and preview["records"]["claims"] == 1

    other = factory.person()
    await client.post(
        "/v1/past-subsidies",
        json={
            "applicant_id_number": other,
            "source": "上海职业技能培训补贴系统",
            "subsidies": [
                {"kind": "sh-training", "occupation_code": code, "level": 3, "year": 2026}
                for code in ("4-07-01-01", "6-18-02-01", "2-02-07-04")
            ],
        },
        headers=tokens.city(),
    )
    capped = factory.sh_body(other, factory.certificate(other, province="31"))
    officer = await client.post(
        "/v1/policies/sh-upgrade/evaluate", json=preview_body(capped), headers=tokens.officer("310104")
    )
    decision = officer.json()
    assert verdict(decision, "SH-13") == "fail" and decision["records"]["past_subsidies"] == 3
    assert decision["records"]["consulted"] is True

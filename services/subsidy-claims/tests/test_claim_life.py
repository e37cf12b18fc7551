"""The life of a claim over HTTP against the real database: draft → … → paid / clawed back."""

from __future__ import annotations

import io
import uuid
from datetime import date
from typing import Any

import httpx
from python_calamine import CalamineWorkbook

from skills_shared.spreadsheets import XLSX_MEDIA
from skills_shared.testing import auth_headers


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def draft(client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_cq_claim_from_draft_to_paid(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any
) -> None:
    person = factory.person()
    record = factory.certificate(person)
    me = tokens.citizen(person)
    created = await draft(client, factory.cq_body(person, record), me)
    assert created["status"] == "draft"
    assert created["apply_by"] is None  # CQ-9 only binds certificates of 2024-05-09 … 2025-06-06
    assert created["applicant_id_masked"] != person and created["applicant_id_masked"].startswith(person[:3])
    cid = created["id"]

    submitted = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert submitted.status_code == 200, submitted.text
    claim = submitted.json()
    assert claim["status"] == "submitted"
    assert claim["district_code"] == "05"
    assert claim["review_due_on"] == "2026-06-30"  # 10 working days after Mon 15 June 2026 (端午 19 June)
    assert claim["decision"]["policy"] == "cq-eval"
    assert {r["rule"] for r in claim["decision"]["results"]} == {f"CQ-{n}" for n in range(1, 11)}
    assert claim["decision"]["amount"]["table_key"] == "applied"
    certificate = claim["facts"]["certificate"]
    assert (certificate["provenance"], certificate["source"]) == ("verified", "certificate-registry")
    assert certificate["value"]["obtained_via"] == "evaluation" and person not in str(certificate)
    assert claim["facts"]["cq"]["identity_category"] == {
        "value": "4",
        "provenance": "declared",
        "source": None,
    }

    boss = tokens.officer("05", "unit_head")
    assert (await client.post(f"/v1/claims/{cid}/start-review", headers=boss)).json()[
        "status"
    ] == "under_review"
    missing_amount = await client.post(f"/v1/claims/{cid}/approve", json={}, headers={**boss, **key()})
    assert missing_amount.status_code == 422 and missing_amount.json()["rule"] == "CQ-10"
    no_reason = await client.post(
        f"/v1/claims/{cid}/approve", json={"amount_fen": 120_000}, headers={**boss, **key()}
    )
    assert no_reason.status_code == 422 and no_reason.json()["rule"] == "CQ-10"
    assert no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    approved = await client.post(
        f"/v1/claims/{cid}/approve",
        json={"amount_fen": 120_000, "reason": "评价费票据金额为1200元"},
        headers={**boss, **key()},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["amount_fen"] == 120_000
    # Issue 16 item 11: the explanation shows the approved amount and the reason beside the rule's amount.
    explained = (await client.get(f"/v1/claims/{cid}", headers=me)).json()["decision"]
    assert explained["amount"]["amount_fen"] == 150_000
    assert explained["approved"] == {
        "amount_fen": 120_000,
        "computed_amount_fen": 150_000,
        "changed": True,
        "reason": "评价费票据金额为1200元",
        "approved_on": "2026-06-15",
        "working": "核定金额 1200元（规则计算 1500元）：评价费票据金额为1200元",
    }

    published = (await client.post(f"/v1/claims/{cid}/publish", headers=boss)).json()
    assert published["publicity_ends_on"] == "2026-06-23"  # 5 working days, 19 June off

    listing = (await client.get("/v1/publicity", params={"district_code": "05"})).json()
    assert listing["total"] == 1
    assert listing["items"] == [
        {
            "name": "张三",
            "id_masked": claim["applicant_id_masked"],
            "occupation": "电子商务师",
            "work_type": None,
            "level": "三级/高级工",
            "amount_fen": 120_000,
            "amount_yuan": "1200.00",
            "district_code": "05",
            "publicity_ends_on": "2026-06-23",
        }
    ]
    csv_text = (await client.get("/v1/publicity", params={"format": "csv"})).text
    assert person not in csv_text and claim["applicant_id_masked"] in csv_text
    # Issue 18 item 4: the posted list in Chinese, with a BOM for Excel, and the same as an .xlsx.
    csv_file = (await client.get("/v1/publicity", params={"format": "csv"})).content
    assert csv_file.startswith("\ufeff".encode())
    assert csv_file.decode("utf-8-sig").splitlines() == [
        "姓名,身份证号（部分隐藏）,职业,工种,等级,补贴金额（元）,审核区县,公示截止日期",
        f'张三,{claim["applicant_id_masked"]},电子商务师,,三级/高级工,"1,200.00",大渡口区,2026-06-23',
    ]
    xlsx = await client.get("/v1/publicity", params={"format": "xlsx"})
    assert xlsx.headers["content-type"] == XLSX_MEDIA
    assert sheet_rows(xlsx.content) == [
        [
            "姓名",
            "身份证号（部分隐藏）",
            "职业",
            "工种",
            "等级",
            "补贴金额（元）",
            "审核区县",
            "公示截止日期",
        ],
        [
            "张三",
            claim["applicant_id_masked"],
            "电子商务师",
            "",
            "三级/高级工",
            1200.0,
            "大渡口区",
            date(2026, 6, 23),
        ],
    ]

    early = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})
    assert early.status_code == 409 and early.json()["rule"] == "CQ-5"
    clock.today = date(2026, 6, 24)
    confirm_key = key()
    confirmed = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **confirm_key})
    assert confirmed.status_code == 200, confirmed.text
    replay = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **confirm_key})
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"

    instructed = (await client.post(f"/v1/claims/{cid}/instruct-payment", headers=boss)).json()
    assert instructed["payment_channel"] == "social_security_card"
    batch = await client.get("/v1/payment-batch", headers=tokens.city())
    assert batch.status_code == 200 and "社会保障卡" in batch.text and "120000" in batch.text
    batch_xlsx = await client.get("/v1/payment-batch", params={"format": "xlsx"}, headers=tokens.city())
    header, row = sheet_rows(batch_xlsx.content)
    assert header == [
        "申请编号", "姓名", "身份证号", "发放渠道", "卡号或账号", "开户银行",
        "金额（分）", "金额（元）", "审核区县", "市级承担（元）", "区级承担（元）",
    ]  # fmt: skip
    assert row[1:4] == ["张三", person, "社会保障卡"] and row[6:9] == [120000, 1200.0, "大渡口区"]

    failed = await client.post(
        f"/v1/claims/{cid}/payment-result",
        json={"result": "failed", "reason": "卡未激活"},
        headers={**tokens.service(), **key()},
    )
    assert failed.json()["status"] == "payment_failed"
    retried = (await client.post(f"/v1/claims/{cid}/retry-payment", headers=boss)).json()
    assert retried["payment_channel"] == "bank_account" and retried["payment_attempts"] == 2
    paid = await client.post(
        f"/v1/claims/{cid}/payment-result", json={"result": "paid"}, headers={**tokens.service(), **key()}
    )
    assert paid.json()["status"] == "paid"
    clawed = await client.post(f"/v1/claims/{cid}/claw-back", json={"reason": "证书被撤销"}, headers=boss)
    assert clawed.json()["status"] == "clawed_back" and clawed.json()["clawback_reason"] == "证书被撤销"

    stats = (await client.get("/v1/statistics", params={"by": "level"}, headers=tokens.city())).json()
    assert stats["items"] == [{"policy": "cq-eval", "key": "3", "claims": 1, "paid": 0, "paid_fen": 0}]
    for by, group, name in (("level", "等级", "三级/高级工"), ("district", "审核区县", "大渡口区")):
        stats_file = await client.get(
            "/v1/statistics", params={"by": by, "format": "xlsx"}, headers=tokens.city()
        )
        assert sheet_rows(stats_file.content) == [
            ["补贴政策", group, "申请数（件）", "已发放（件）", "已发放金额（元）"],
            ["重庆市职业技能评价补贴", name, 1, 0, 0.0],
        ]

    chain = (await client.get("/v1/audit/verify", headers=auth_headers("inspector"))).json()
    assert chain["ok"] is True and chain["checked"] >= 11


async def test_sh_claim_amount_split_and_routing(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": "4-01-02-03", "catalogue_class": "A"}]},
        headers=tokens.city(),
    )
    person = factory.person()
    record = factory.certificate(person, province="31")
    me = tokens.citizen(person)
    created = await draft(client, factory.sh_body(person, record), me)
    submitted = await client.post(f"/v1/claims/{created['id']}/submit", headers={**me, **key()})
    assert submitted.status_code == 200, submitted.text
    claim = submitted.json()
    assert claim["district_code"] == "310104"  # SH-10: flexible → insurance district
    assert claim["amount_fen"] == 325_000  # SH-3 A/三级 3250 yuan × SH-4 100 %
    assert (claim["city_share_fen"], claim["district_share_fen"]) == (162_500, 162_500)  # SH-12
    assert claim["decision"]["amount"]["working"] == "3250元 × 100% = 3250元"
    assert claim["review_due_on"] is None
    assert claim["apply_by"] == "2027-05-20"  # SH-9: 12 months from 2026-05-20
    assert claim["outcome"] == "needs_material"  # group and hukou only declared (SH-1)


def sheet_rows(content: bytes) -> list[list[Any]]:
    """The first sheet of an .xlsx as an office's Excel reads it."""
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()

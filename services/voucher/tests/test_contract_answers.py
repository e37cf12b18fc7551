"""The real answers of the routes the gateway reads parse into the v1 contracts (provider side of the contract).

The consumer (the gateway) parses these answers with ``parse_contract``; here the provider's real app, on its real
database, is held to the same models, so a renamed or dropped field fails in this package before any consumer
sees it.
"""

from __future__ import annotations

import httpx
from voucher_testdata import Scenario, holder_id

from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1 import voucher as contracts
from skills_shared.contracts.v1.pagination import Page


async def test_the_answers_the_gateway_reads_match_the_v1_contracts(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    await scenario.price_all_types()
    inst = await scenario.institution("5000501", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(2026)
    holder = holder_id(501)
    await scenario.issue(campaign, [holder])
    citizen = scenario.citizen(holder)
    claimed = await client.post(
        "/v1/me/vouchers/claims", json={"types": ["employment_skills"]}, headers=citizen
    )
    claim = parse_contract(contracts.VoucherClaimV1, claimed.json(), service="voucher")
    voucher_id = claim.vouchers[0].id
    class_id = await scenario.open_class(inst)

    institution = await client.get(f"/v1/institutions/{inst.code}", headers=inst.staff("scanner-1"))
    parsed = parse_contract(contracts.InstitutionV1, institution.json(), service="voucher")
    assert parsed.status is contracts.InstitutionStatus.ACTIVE and parsed.district_code == "04"
    klass = await client.get(f"/v1/classes/{class_id}", headers=inst.staff("scanner-1"))
    assert (
        parse_contract(contracts.TrainingClassV1, klass.json(), service="voucher").institution_code
        == inst.code
    )
    token = await client.post(f"/v1/me/vouchers/{voucher_id}/qr-token", headers=citizen)
    qr = parse_contract(contracts.QrTokenV1, token.json(), service="voucher")
    redeemed = await client.post(
        "/v1/redemptions", json={"token": qr.token, "class_id": class_id}, headers=inst.staff("scanner-1")
    )
    redemption = parse_contract(contracts.RedemptionV1, redeemed.json(), service="voucher")
    assert (redemption.voucher_id, redemption.uses_this_year) == (voucher_id, 1)
    mine = await client.get("/v1/me/vouchers", headers=citizen)
    page = parse_contract(Page[contracts.VoucherV1], mine.json(), service="voucher")
    assert [v.status for v in page.items] == [contracts.VoucherStatus.REDEEMED]

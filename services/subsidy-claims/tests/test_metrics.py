"""Claims by state and policy, amounts approved and paid in fen, and claims past their CQ-4 deadline move on
/metrics with real actions (issue 19, item 2); a refused move and an idempotent replay count nothing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx

from skills_shared.testing import metric_value


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _counts(client: httpx.AsyncClient) -> dict[str, float]:
    return {
        "submitted": await metric_value(
            client, "skills_claim_transitions_total", state="submitted", policy="cq-eval"
        ),
        "approved": await metric_value(
            client, "skills_claim_transitions_total", state="approved", policy="cq-eval"
        ),
        "paid": await metric_value(client, "skills_claim_transitions_total", state="paid", policy="cq-eval"),
        "approved_fen": await metric_value(
            client, "skills_claim_amount_fen_total", event="approved", policy="cq-eval"
        ),
        "paid_fen": await metric_value(
            client, "skills_claim_amount_fen_total", event="paid", policy="cq-eval"
        ),
    }


async def test_claim_moves_and_amounts_are_counted_once(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any
) -> None:
    before = await _counts(client)
    person = factory.person()
    me = tokens.citizen(person)
    created = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    submit_key = key()
    for _ in range(2):  # the second is the stored answer
        submitted = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **submit_key})
        assert submitted.status_code == 200, submitted.text
    boss = tokens.officer("05", "unit_head")
    assert (await client.post(f"/v1/claims/{cid}/start-review", headers=boss)).status_code == 200
    refused = await client.post(f"/v1/claims/{cid}/approve", json={}, headers={**boss, **key()})
    assert refused.status_code == 422  # CQ-10: no amount — rolled back, counted nowhere
    approve = {"amount_fen": 120_000, "reason": "评价费票据金额为1200元"}
    approved = await client.post(f"/v1/claims/{cid}/approve", json=approve, headers={**boss, **key()})
    assert approved.status_code == 200, approved.text
    assert (await client.post(f"/v1/claims/{cid}/publish", headers=boss)).status_code == 200
    clock.today = date(2026, 6, 24)
    assert (await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})).status_code == 200
    assert (await client.post(f"/v1/claims/{cid}/instruct-payment", headers=boss)).status_code == 200
    paid = await client.post(
        f"/v1/claims/{cid}/payment-result", json={"result": "paid"}, headers={**tokens.service(), **key()}
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid", paid.text

    after = await _counts(client)
    assert {k: after[k] - before[k] for k in after} == {
        "submitted": 1,
        "approved": 1,
        "paid": 1,
        "approved_fen": 120_000,
        "paid_fen": 120_000,
    }


async def test_claims_past_their_review_deadline_are_counted_at_scrape_time(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    created = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    cid = created.json()["id"]
    submitted = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert submitted.status_code == 200, submitted.text
    due = date.fromisoformat(submitted.json()["review_due_on"])
    clock.today = due
    assert await metric_value(client, "skills_claims_overdue", policy="cq-eval") == 0
    clock.today = date.fromordinal(due.toordinal() + 1)
    assert await metric_value(client, "skills_claims_overdue", policy="cq-eval") == 1
    boss = tokens.officer("05", "unit_head")
    assert (await client.post(f"/v1/claims/{cid}/start-review", headers=boss)).status_code == 200
    assert await metric_value(client, "skills_claims_overdue", policy="cq-eval") == 1  # still awaiting
    rejected = await client.post(
        f"/v1/claims/{cid}/reject", json={"reason": "材料不实"}, headers={**boss, **key()}
    )
    assert rejected.status_code == 200, rejected.text
    assert await metric_value(client, "skills_claims_overdue", policy="cq-eval") == 0

"""Abandoned drafts go on a schedule; drafts in use and submitted claims stay (issue 20, item 8)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_tools.jobs import BY_NAME, run_job
from subsidy_claims.settings import SubsidySettings

PURGE = BY_NAME["claims-drafts-purge"]


async def _draft(client: httpx.AsyncClient, factory: Any, tokens: Any) -> tuple[str, dict[str, str]]:
    person = factory.person()
    me = tokens.citizen(person)
    response = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"]), me


async def _age(engine: AsyncEngine, claim_id: str, days: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE claims SET updated_at = now() - make_interval(days => :d) WHERE id = :id"),
            {"d": days, "id": claim_id},
        )


async def _purged_in_audit(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT actor, before->>'status' FROM audit_log WHERE action = 'claim.draft_purged'")
        )
        return [(actor, status) for actor, status in rows.all()]


async def test_abandoned_drafts_are_purged_and_the_rest_stays(
    settings: SubsidySettings, client: httpx.AsyncClient, engine: AsyncEngine, factory: Any, tokens: Any
) -> None:
    abandoned, owner = await _draft(client, factory, tokens)
    recent, recent_owner = await _draft(client, factory, tokens)
    old_submitted, submitter = await _draft(client, factory, tokens)
    submitted = await client.post(
        f"/v1/claims/{old_submitted}/submit", headers={**submitter, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text
    for claim_id in (abandoned, old_submitted):
        await _age(engine, claim_id, settings.draft_retention_days + 1)
    await _age(engine, recent, settings.draft_retention_days - 1)

    assert await run_job(PURGE, settings) == {"purged": 1}
    assert (await client.get(f"/v1/claims/{abandoned}", headers=owner)).status_code == 404
    assert (await client.get("/v1/claims/mine", headers=owner)).json()["items"] == []
    assert (await client.get(f"/v1/claims/{recent}", headers=recent_owner)).json()["status"] == "draft"
    assert (await client.get(f"/v1/claims/{old_submitted}", headers=submitter)).json()[
        "status"
    ] == "submitted"
    assert await _purged_in_audit(engine) == [("scheduler", "draft")]
    assert await run_job(PURGE, settings) == {"purged": 0}


async def test_racing_purges_delete_each_draft_once(
    settings: SubsidySettings, client: httpx.AsyncClient, engine: AsyncEngine, factory: Any, tokens: Any
) -> None:
    drafts = [(await _draft(client, factory, tokens))[0] for _ in range(6)]
    for claim_id in drafts:
        await _age(engine, claim_id, settings.draft_retention_days + 10)
    results = await asyncio.gather(*(run_job(PURGE, settings) for _ in range(4)))
    assert sum(r.get("purged", 0) for r in results) == 6
    assert len(await _purged_in_audit(engine)) == 6

"""Certificate events (issue 23): issuing a batch records one ``certificate.issued`` per number, and a revocation
one ``certificate.revoked``, in the outbox of the same transaction; a refused move records nothing."""

from __future__ import annotations

from typing import Any

import httpx
from registry_testkit import DISTRICT_BODY, Registry, candidate
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.contracts.v1.events import EVENTS_TARGET, DomainEventV1


async def events_in_outbox(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT path, body FROM outbox WHERE target = :t ORDER BY id"), {"t": EVENTS_TARGET}
        )
        return [dict(r) for r in rows.mappings()]


async def test_issue_and_revoke_record_their_events(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    batch_id = await registry.ready_batch([candidate(i) for i in range(3)] + [candidate(3, passed=False)])
    issued = await registry.issue(batch_id)
    assert issued.status_code == 201, issued.text
    out = issued.json()

    rows = await events_in_outbox(engine)
    events = [DomainEventV1.model_validate(r["body"]) for r in rows]
    assert [e.type.value for e in events] == ["certificate.issued"] * 3  # the failed candidate has none
    assert events[0].resource_id == out["first_number"] and events[-1].resource_id == out["last_number"]
    assert {e.body_code for e in events} == {DISTRICT_BODY} and {e.district_code for e in events} == {"07"}
    for row, event in zip(rows, events, strict=True):
        assert row["path"] == f"/internal/v1/events/certificate/{event.resource_id}"
        holder = event.data.model_dump()["holder_id_number"]
        assert "*" in holder and len(holder) == 18  # masked as in public answers
    assert "考生" not in str([r["body"] for r in rows])  # no names in an event

    path = f"/v1/certificates/{out['first_number']}/revocation"
    body = {"reason": "考试作弊，经查属实"}
    refused = await client.post(path, json=body, headers={**registry.officer("08"), "Idempotency-Key": "x1"})
    assert refused.status_code == 403
    assert len(await events_in_outbox(engine)) == 3  # a refused revocation records nothing
    admin = {**registry.staff(role="org_admin"), "Idempotency-Key": "x2"}
    assert (await client.post(path, json=body, headers=admin)).status_code == 200
    last = DomainEventV1.model_validate((await events_in_outbox(engine))[-1]["body"])
    assert last.type.value == "certificate.revoked" and last.resource_id == out["first_number"]
    assert last.data.model_dump()["reason"] == body["reason"]

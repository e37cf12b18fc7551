"""全程留痕: every state change of the filing path leaves an audit row, and the chain verifies."""

from __future__ import annotations

import httpx
from of_factories import filed_body
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.testing import auth_headers


async def test_each_move_is_audited_without_personal_data(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    code, _, officer = await filed_body(client)
    await client.post(f"/v1/bodies/{code}/suspension", json={"reason": "检查"}, headers=officer)
    await client.post(f"/v1/bodies/{code}/cancellation", json={"reason": "注销"}, headers=officer)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT action, actor_role, after::text AS after FROM audit_log ORDER BY id")
            )
        ).all()
    actions = [r.action for r in rows]
    assert actions == [
        "application.created",
        "application.submitted",
        "application.evaluated",
        "application.published",
        "body.filed",
        "application.filed",
        "body.suspended",
        "body.cancelled",
    ]
    assert {r.actor_role for r in rows} == {"org_admin", "city_officer"}
    assert not any("id_number" in (r.after or "") for r in rows)
    report = (await client.get("/v1/audit/verify", headers=auth_headers("city_officer"))).json()
    assert (report["ok"], report["checked"], report["first_broken_id"]) == (True, 8, None)

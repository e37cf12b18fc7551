"""Double payment is impossible even when submissions race: real concurrent transactions on the real database."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from subsidy_claims.claims.models import Claim

ROUNDS = 3


async def _drafts(
    client: httpx.AsyncClient, bodies: list[dict[str, Any]], headers: dict[str, str]
) -> list[str]:
    ids = []
    for body in bodies:
        response = await client.post("/v1/claims", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def _race_submit(
    client: httpx.AsyncClient, ids: list[str], headers: dict[str, str]
) -> list[httpx.Response]:
    barrier = asyncio.Barrier(len(ids))

    async def one(cid: str) -> httpx.Response:
        await barrier.wait()
        return await client.post(
            f"/v1/claims/{cid}/submit", headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
        )

    return list(await asyncio.gather(*(one(cid) for cid in ids)))


async def _live(engine: AsyncEngine, person: str) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(Claim)
                    .where(Claim.applicant_id_number == person, Claim.status != "draft")
                )
            ).scalar_one()
        )


async def test_twenty_simultaneous_submissions_of_one_certificate_yield_one_claim(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    for _ in range(ROUNDS):
        person = factory.person()
        record = factory.certificate(person)
        me = tokens.citizen(person)
        ids = await _drafts(client, [factory.cq_body(person, record)] * 20, me)
        responses = await _race_submit(client, ids, me)
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 409: 19}, [r.text for r in responses if r.status_code not in (200, 409)]
        assert {r.json()["code"] for r in responses if r.status_code == 409} <= {
            "certificate_already_claimed",
            "already_subsidised",
        }
        assert await _live(engine, person) == 1


async def test_same_level_other_certificates_race_cq7(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    """Two certificates of the same 工种 and level (e.g. a re-issue): only one may be subsidised (CQ-7)."""
    for _ in range(ROUNDS):
        person = factory.person()
        me = tokens.citizen(person)
        bodies = [factory.cq_body(person, factory.certificate(person)) for _ in range(8)]
        ids = await _drafts(client, bodies, me)
        responses = await _race_submit(client, ids, me)
        assert Counter(r.status_code for r in responses) == {200: 1, 409: 7}
        assert {r.json().get("rule") for r in responses if r.status_code == 409} <= {"CQ-7", "CQ-7/SH-6"}
        assert await _live(engine, person) == 1


async def test_one_work_type_per_family_race_cq6(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    for _ in range(ROUNDS):
        person = factory.person()
        me = tokens.citizen(person)
        bodies = [
            factory.cq_body(person, factory.certificate(person, work_type=f"工种{i}")) for i in range(6)
        ]
        ids = await _drafts(client, bodies, me)
        responses = await _race_submit(client, ids, me)
        assert Counter(r.status_code for r in responses) == {200: 1, 409: 5}
        assert {r.json().get("rule") for r in responses if r.status_code == 409} == {"CQ-6"}
        assert await _live(engine, person) == 1


async def test_yearly_cap_race_sh13(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    occupations = ["4-01-02-03", "4-01-02-04", "4-01-02-05", "4-01-02-06", "4-01-02-07", "4-01-02-08"]
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": o, "catalogue_class": "C"} for o in occupations]},
        headers=tokens.city(),
    )
    for _ in range(ROUNDS):
        person = factory.person()
        me = tokens.citizen(person)
        bodies = [
            factory.sh_body(person, factory.certificate(person, province="31", occupation=o))
            for o in occupations
        ]
        ids = await _drafts(client, bodies, me)
        responses = await _race_submit(client, ids, me)
        assert Counter(r.status_code for r in responses) == {200: 3, 409: 3}
        assert {r.json().get("rule") for r in responses if r.status_code == 409} == {"SH-13"}
        assert await _live(engine, person) == 3
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT max(claims) FROM yearly_counts"))).scalar_one() == 3

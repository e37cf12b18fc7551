"""CR-9 (seed 002 七(三)): one title level → one occupation's level at one body, held suite-wide by ID number,
also when two bodies upload the same person at the same moment."""

from __future__ import annotations

import asyncio

import httpx
from registry_testkit import CITY_BODY, TITLE, Registry, candidate
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

SECOND_BODY = "S000050000002"
"""The second city-wide body org-filing files."""


async def _declarations(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT id_number, title_level, body_code FROM title_declarations"))
        return [tuple(r) for r in rows.all()]


async def _two_guantong_batches(registry: Registry) -> tuple[str, str]:
    await registry.put_issuer(CITY_BODY)
    await registry.put_issuer(SECOND_BODY)
    first = await registry.create_batch(CITY_BODY, level=3, method="assessment", guantong=True)
    second = await registry.create_batch(SECOND_BODY, level=3, method="assessment", guantong=True)
    return first, second


def _row(seq: int) -> dict[str, object]:
    return {**candidate(seq), "scores": {"skill": 80}, "title": TITLE}


async def test_a_second_body_cannot_take_the_same_title_level(
    registry: Registry, engine: AsyncEngine
) -> None:
    first, second = await _two_guantong_batches(registry)
    assert (await registry.upload(first, [_row(1), _row(2)], CITY_BODY)).status_code == 200
    refused = await registry.upload(second, [_row(3), _row(2)], SECOND_BODY)
    assert refused.status_code == 409
    problem = refused.json()
    assert (problem["rule"], problem["code"]) == ("CR-9", "title_level_already_declared")
    assert [e["loc"] for e in problem["errors"]] == [["body", "candidates", 1, "title", "level"]]
    assert CITY_BODY in problem["errors"][0]["msg"]
    # nothing of the refused upload is stored, and the first body's declarations stand
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT count(*) FROM candidates"))).scalar_one()
    assert stored == 2
    assert {d[2] for d in await _declarations(engine)} == {CITY_BODY}
    # the same person again at the same body, occupation and level (a replaced upload) is fine
    assert (await registry.upload(first, [_row(2)], CITY_BODY)).status_code == 200
    assert len(await _declarations(engine)) == 1
    # and a replaced upload releases the declarations it no longer makes
    assert (await registry.upload(second, [_row(1)], SECOND_BODY)).status_code == 200


async def test_two_bodies_uploading_the_same_person_at_once_one_wins(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    first, second = await _two_guantong_batches(registry)
    rows = [_row(i) for i in range(1, 40)]
    for _round in range(3):
        answers = await asyncio.gather(
            client.put(
                f"/v1/batches/{first}/results", json={"candidates": rows}, headers=registry.staff(CITY_BODY)
            ),
            client.put(
                f"/v1/batches/{second}/results",
                json={"candidates": rows},
                headers=registry.staff(SECOND_BODY),
            ),
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text[:300] for a in answers]
        assert (
            next(a for a in answers if a.status_code == 409).json()["code"] == "title_level_already_declared"
        )
        declared = await _declarations(engine)
        assert len(declared) == len(rows)
        assert len({d[2] for d in declared}) == 1
        winner = declared[0][2]
        loser = second if winner == CITY_BODY else first
        async with engine.connect() as conn:
            held = (
                await conn.execute(text("SELECT count(*) FROM candidates WHERE batch_id = :b"), {"b": loser})
            ).scalar_one()
        assert held == 0

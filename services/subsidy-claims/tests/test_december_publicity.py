"""A claim published on 28 December, whose 5 working days run into a year the calendar does not cover yet.

Publication and a December objection need no 2027 day, so they are accepted (P-3 refuses only a day an answer
depends on); the end day is null until 2027 is covered; confirming in January is P-3 without 2027 data and
accepted after the 5th working day once an operator file covers 2027 (SYNTHETIC data, this test only).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.testing import library_calendars_only
from skills_shared.workdays import (
    covered_years,
    load_calendar_file,
)
from subsidy_claims.claims.models import Claim

pytestmark = pytest.mark.skipif(
    2027 in covered_years(), reason="the installed chinesecalendar covers 2027 now: nothing is uncovered"
)


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
def no_operator_calendar() -> Iterator[None]:
    with library_calendars_only():
        yield


async def recorded_end(engine: AsyncEngine, claim_id: str) -> date | None:
    async with engine.connect() as conn:
        stmt = select(Claim.publicity_ends_on).where(Claim.id == uuid.UUID(claim_id))
        return (await conn.execute(stmt)).scalar_one()


async def approved_claim(client: httpx.AsyncClient, factory: Any, tokens: Any) -> tuple[str, dict[str, str]]:
    person = factory.person()
    me = tokens.citizen(person)
    drafted = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    assert drafted.status_code == 201, drafted.text
    cid = str(drafted.json()["id"])
    assert (await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})).status_code == 200
    boss = tokens.officer("05", "unit_head")
    assert (await client.post(f"/v1/claims/{cid}/start-review", headers=boss)).status_code == 200
    approval = {"amount_fen": 100_000, "reason": "票据金额1000元"}
    approved = await client.post(f"/v1/claims/{cid}/approve", json=approval, headers={**boss, **key()})
    assert approved.status_code == 200, approved.text
    return cid, boss


@pytest.mark.usefixtures("no_operator_calendar")
async def test_a_claim_published_on_28_december_runs_into_an_uncovered_january(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any, engine: AsyncEngine, tmp_path: Path
) -> None:
    cid, boss = await approved_claim(client, factory, tokens)
    clock.today = date(2026, 12, 28)
    published = await client.post(f"/v1/claims/{cid}/publish", headers=boss)
    assert published.status_code == 200, published.text
    assert (published.json()["publicity_started_on"], published.json()["publicity_ends_on"]) == (
        "2026-12-28",
        None,
    )
    assert (await client.get("/v1/publicity")).json()["items"][0]["publicity_ends_on"] is None

    clock.today = date(2026, 12, 30)
    objection = await client.post(
        f"/v1/claims/{cid}/objections",
        json={"reason": "此人并未参加评价"},
        headers=tokens.citizen(factory.person()),
    )
    assert objection.status_code == 201, objection.text
    early = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})
    problem = early.json()
    assert (early.status_code, problem["code"], problem["rule"]) == (409, "publicity_not_over", "CQ-5"), (
        problem
    )
    assert (problem["publicity_ends_on"], problem["earliest_date"]) == (None, None)
    oid = objection.json()["objections"][0]["id"]
    dismissed = await client.post(
        f"/v1/claims/{cid}/objections/{oid}/resolve",
        json={"resolution": "dismissed", "note": "核实参加了评价"},
        headers=boss,
    )
    assert dismissed.status_code == 200, dismissed.text

    # January without 2027 data: whether the publicity is over depends on 1 January 2027.
    clock.today = date(2027, 1, 6)
    uncovered = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})
    problem = uncovered.json()
    assert (uncovered.status_code, problem["code"], problem["rule"]) == (409, "calendar_not_covered", "P-3")
    assert problem["year"] == 2027
    assert await recorded_end(engine, cid) is None

    # The operator loads 2027 (New Year's Day off): 29, 30, 31 Dec, 4 and 5 Jan; confirmation from 6 January.
    path = tmp_path / "calendar-2027.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}), encoding="utf-8")
    load_calendar_file(path)
    clock.today = date(2027, 1, 5)
    shown = await client.get(f"/v1/claims/{cid}", headers=boss)
    assert shown.json()["publicity_ends_on"] == "2027-01-05"
    still = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})
    assert (still.status_code, still.json()["earliest_date"]) == (409, "2027-01-06"), still.text
    clock.today = date(2027, 1, 6)
    confirmed = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert await recorded_end(engine, cid) == date(2027, 1, 5)


@pytest.mark.usefixtures("no_operator_calendar")
async def test_a_claim_submitted_on_28_december_gets_its_review_deadline_once_2027_is_loaded(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any, engine: AsyncEngine, tmp_path: Path
) -> None:
    """CQ-4: submitted on 28 December, the 10 working days run into 2027; the deadline is unknown (null, not
    overdue) until the operator loads 2027, then shown at once and recorded by the daily job."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from subsidy_claims.claims.review_deadlines import record_known_deadlines

    clock.today = date(2026, 12, 28)
    person = factory.person()
    me = tokens.citizen(person)
    drafted = await client.post(
        "/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me
    )
    cid = str(drafted.json()["id"])
    submitted = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["review_due_on"], submitted.json()["overdue"]) == (None, False)

    async with AsyncSession(engine) as session:
        assert await record_known_deadlines(session) == 0  # 2027 still uncovered: nothing to record

    path = tmp_path / "calendar-2027.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}), encoding="utf-8")
    load_calendar_file(path)
    # 29, 30, 31 Dec, then 4–8 and 11, 12 Jan: the 10th working day is 12 January.
    clock.today = date(2027, 1, 13)
    boss = tokens.officer("05", "unit_head")
    shown = (await client.get(f"/v1/claims/{cid}", headers=boss)).json()
    assert (shown["review_due_on"], shown["overdue"]) == ("2027-01-12", True)
    async with AsyncSession(engine) as session:
        assert await record_known_deadlines(session) >= 1
        await session.commit()
    async with engine.connect() as conn:
        stmt = select(Claim.review_due_on, Claim.review_started_on).where(Claim.id == uuid.UUID(cid))
        assert tuple((await conn.execute(stmt)).one()) == (date(2027, 1, 12), date(2026, 12, 28))

"""Stateful fuzzing of campaign → claim → QR → redeem (issue 20, "Must hold"), on the real voucher app in process
and its own freshly migrated PostgreSQL database.

Hypothesis draws whole sequences of citizen and scanner moves — claim (again), take a QR token, redeem it, redeem
it again, redeem with an unpermitted scanner, claim with a stale token — and a model of what must have happened
is kept beside the real service. After every move the database is read: no voucher type twice for one holder
and year, no voucher redeemed twice, and a 201 only where the model says the voucher was still unredeemed.
Example counts and sequence lengths scale with ``SOAK_SCALE`` (``make soak`` sets 10).
"""

from __future__ import annotations

import itertools
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_id

SCALE = max(1, int(os.environ.get("SOAK_SCALE", "1")))


def scaled(n: int) -> int:
    return n * SCALE


MOVES = st.lists(
    st.tuples(
        st.sampled_from(["claim", "qr", "redeem", "redeem_again", "stranger_redeem"]), st.integers(0, 2)
    ),
    min_size=4,
    max_size=scaled(10),
)
_HOLDERS = itertools.count(771_000)


@dataclass
class Model:
    """What the service must have done, as far as the moves so far tell."""

    vouchers: dict[str, int] = field(default_factory=dict)  # holder → employment_skills voucher id
    tokens: dict[str, str] = field(default_factory=dict)  # holder → latest QR token
    redeemed: set[int] = field(default_factory=set)


@pytest.fixture
async def world(scenario: Scenario) -> dict[str, Any]:
    """One institution with a permitted scanner, one open class and the 2026 campaign."""
    await scenario.price_all_types()
    inst = await scenario.institution("5000209", "04", admin_index=920_009)
    await scenario.grant(inst, "stateful-scanner")
    campaign = await scenario.campaign(2026)
    return {
        "scenario": scenario,
        "inst": inst,
        "class_id": await scenario.open_class(inst),
        "campaign": campaign,
    }


async def _value(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar_one()


async def _invariants(engine: AsyncEngine) -> None:
    twice = await _value(
        engine,
        "SELECT count(*) FROM (SELECT holder_id, type_code, year FROM vouchers "
        "GROUP BY holder_id, type_code, year HAVING count(*) > 1) t",
    )
    assert twice == 0, "a holder has one voucher type twice in a year"
    marked = await _value(
        engine, "SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL AND status = 'claimed'"
    )
    assert marked == 0, "a voucher carries a redemption time but is still only claimed"


@settings(
    max_examples=scaled(6),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
async def test_claim_and_redeem_sequences_keep_every_voucher_invariant(
    client: httpx.AsyncClient, engine: AsyncEngine, world: dict[str, Any], moves: list[tuple[str, int]]
) -> None:
    s, inst, class_id = world["scenario"], world["inst"], world["class_id"]
    holders = [holder_id(next(_HOLDERS)) for _ in range(3)]
    await s.issue(world["campaign"], holders)
    model = Model()
    for move, who in moves:
        holder = holders[who]

        async def claim(holder: str = holder) -> None:
            r = await client.post("/v1/me/vouchers/claims", json={}, headers=s.citizen(holder))
            assert r.status_code in (200, 201, 409), r.text
            if r.status_code in (200, 201):
                ids = [v["id"] for v in r.json()["vouchers"] if v["type_code"] == "employment_skills"]
                if ids:
                    assert model.vouchers.get(holder, ids[0]) == ids[0], (
                        "a second claim made a second voucher"
                    )
                    model.vouchers[holder] = ids[0]
            event(f"claim: {r.status_code}")

        async def qr(holder: str = holder) -> None:
            if holder not in model.vouchers:
                await claim()
            if holder not in model.vouchers:
                return
            r = await client.post(
                f"/v1/me/vouchers/{model.vouchers[holder]}/qr-token", headers=s.citizen(holder)
            )
            assert r.status_code in (200, 409), r.text
            if r.status_code == 200:
                model.tokens[holder] = r.json()["token"]
            event(f"qr: {r.status_code}")

        if move == "claim":
            await claim()
        elif move == "qr" or (
            move in ("redeem", "redeem_again", "stranger_redeem") and holder not in model.tokens
        ):
            await qr()
        if move in ("redeem", "redeem_again", "stranger_redeem") and holder in model.tokens:
            scanner = "stateful-stranger" if move == "stranger_redeem" else "stateful-scanner"
            r = await client.post(
                "/v1/redemptions",
                json={"token": model.tokens[holder], "class_id": class_id},
                headers={
                    **inst.staff(scanner),
                    "Idempotency-Key": uuid.uuid4().hex,  # a new scan each time, never a replay
                },
            )
            voucher = model.vouchers[holder]
            assert r.status_code < 500, r.text
            if move == "stranger_redeem":
                assert r.status_code == 403, r.text
            elif voucher in model.redeemed:
                assert r.status_code != 201, "a voucher was redeemed twice"
            elif r.status_code == 201:
                model.redeemed.add(voucher)
            event(f"{move}: {r.status_code}")
        await _invariants(engine)
    for voucher in model.redeemed:
        marks = await _value(
            engine, "SELECT count(*) FROM vouchers WHERE id = :v AND redeemed_at IS NOT NULL", v=voucher
        )
        assert marks == 1

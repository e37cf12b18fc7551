"""V-5 must-holds, raced for real: many scanners on separate database connections, released by a barrier."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from voucher_testdata import Scenario, holder_ids

from skills_shared.audit import verify_chain
from skills_shared.auth import Principal, Role
from skills_shared.clock import FixedClock
from skills_shared.db import to_asyncpg_dsn
from skills_shared.db.lean import lean_transaction
from skills_shared.problems import Problem
from skills_shared.refusals import Refusal
from voucher.redeem.rules import sign_token
from voucher.redeem.schemas import RedeemRequest
from voucher.redeem.service import RedeemService
from voucher.settings import VoucherSettings

SCANNERS = 50
ROUNDS = int(os.environ.get("VOUCHER_RACE_ROUNDS", "200"))
CAP_ROUNDS = 25
TYPES = ["employment_skills", "entrepreneurship", "hr_services", "domestic_service"]


@pytest.fixture
async def race_pool(database_url: str) -> AsyncIterator[asyncpg.Pool[Any]]:
    """Plain asyncpg connections, as the redeem route's lean unit of work uses; one per scanner."""
    pool = await asyncpg.create_pool(to_asyncpg_dsn(database_url), min_size=0, max_size=SCANNERS)
    yield pool
    await pool.close()


async def connect_patiently(pool: asyncpg.Pool[Any]) -> asyncpg.pool.PoolConnectionProxy[Any]:
    """Check out a connection, waiting while the shared server is at max_connections (other suites run too)."""
    for _ in range(300):
        try:
            return await pool.acquire()
        except asyncpg.TooManyConnectionsError:
            await asyncio.sleep(0.2)
    raise AssertionError("no free PostgreSQL connection for a minute")


async def redeem_once(
    conn: asyncpg.pool.PoolConnectionProxy[Any],
    service: RedeemService,
    principal: Principal,
    request: RedeemRequest,
) -> str:
    """One scan in its own lean unit of work, as the route runs it (audit row and event held for the last round
    trip before COMMIT); 'ok' or the refusal code (rolled back)."""
    try:
        async with lean_transaction(conn) as tx:
            await service.redeem(tx, principal, request)
    except (Refusal, Problem) as exc:
        return exc.code
    return "ok"


async def _scan(
    pool: asyncpg.Pool[Any],
    barrier: asyncio.Barrier,
    service_args: tuple[FixedClock, bytes],
    principal: Principal,
    request: RedeemRequest,
) -> str:
    """One scanner: take a connection, wait for everyone, redeem, commit; answer 'ok' or the refusal code."""
    conn = await connect_patiently(
        pool
    )  # checked out before the barrier: the race is between live connections
    try:
        await barrier.wait()
        return await redeem_once(conn, RedeemService(*service_args), principal, request)
    finally:
        await pool.release(conn)


async def _setup(
    scenario: Scenario, holders: list[str], types: list[str]
) -> tuple[list[Principal], list[Principal], dict[tuple[str, str], int]]:
    await scenario.price_all_types()
    a = await scenario.institution("5000001", "04")
    b = await scenario.institution("5000002", "05", admin_index=900_001)
    staff_a = [Principal(sub=f"scan-a{i}", role=Role.INSTITUTION_STAFF, institution=a.code) for i in range(5)]
    staff_b = [Principal(sub=f"scan-b{i}", role=Role.INSTITUTION_STAFF, institution=b.code) for i in range(5)]
    for p in staff_a:
        await scenario.grant(a, p.sub)
    for p in staff_b:
        await scenario.grant(b, p.sub)
    classes = {}
    for t in types:
        classes[(a.code, t)] = await scenario.open_class(a, t)
        classes[(b.code, t)] = await scenario.open_class(b, t)
    campaign = await scenario.campaign(2026)
    await scenario.issue(campaign, holders)
    return staff_a, staff_b, classes


async def test_fifty_scanners_one_voucher_exactly_one_wins(
    scenario: Scenario,
    clock: FixedClock,
    settings: VoucherSettings,
    race_pool: asyncpg.Pool[Any],
    engine: AsyncEngine,
) -> None:
    holders = holder_ids(ROUNDS)
    staff_a, staff_b, classes = await _setup(scenario, holders, ["employment_skills"])
    # One claim goes through the API; the other holders' identical claims are written in one statement, so the
    # time goes to the race rather than to setting it up (claiming is raced in test_vouchers_api).
    (first,) = await scenario.claim(holders[0], ["employment_skills"])
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """
                INSERT INTO vouchers (holder_id, year, type_code, campaign_id, district_code, face_value_fen,
                                      valid_until, status)
                SELECT g.holder_id, g.year, v.type_code, v.campaign_id, g.district_code, v.face_value_fen,
                       v.valid_until, 'claimed'
                  FROM grants g CROSS JOIN vouchers v
                 WHERE v.id = :first AND g.holder_id <> v.holder_id
                """
            ),
            {"first": first["id"]},
        )
        rows = (await conn.execute(text("SELECT holder_id, id FROM vouchers"))).all()
    voucher_of = {h: int(i) for h, i in rows}
    assert len(voucher_of) == ROUNDS
    key = settings.qr_secret.encode()
    now_s = int(clock.now().timestamp())
    tokens = [sign_token(key, voucher_of[h], h, now_s) for h in holders]
    start = asyncio.Barrier(SCANNERS)
    outcomes: list[Counter[str]] = [Counter() for _ in holders]

    async def scanner(i: int) -> None:
        """One scanner on its own connection for all rounds: each round, wait for all 50, then scan."""
        staff = (staff_a + staff_b)[i % 10]
        class_id = classes[(staff.institution or "", "employment_skills")]
        service = RedeemService(clock, key)  # the use case itself, on this scanner's own connection
        conn = await connect_patiently(race_pool)
        try:
            for n, token in enumerate(tokens):
                await start.wait()
                request = RedeemRequest(token=token, class_id=class_id)
                outcomes[n][await redeem_once(conn, service, staff, request)] += 1
        finally:
            await race_pool.release(conn)

    await asyncio.gather(*(scanner(i) for i in range(SCANNERS)))
    for h, outcome in zip(holders, outcomes, strict=True):
        assert outcome == Counter({"ok": 1, "voucher_already_used": SCANNERS - 1}), (h, outcome)
    async with engine.connect() as conn:
        redeemed = (
            await conn.execute(text("SELECT count(*) FROM vouchers WHERE status = 'redeemed'"))
        ).scalar_one()
        uses = (await conn.execute(text("SELECT count(*), sum(uses), max(uses) FROM holder_year_uses"))).one()
        audited = (
            await conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'voucher.redeem'"))
        ).scalar_one()
    assert redeemed == ROUNDS == audited
    assert tuple(uses) == (ROUNDS, ROUNDS, 1)
    await chain_verifies(engine)


async def chain_verifies(engine: AsyncEngine) -> None:
    """Every audit row links into its chain, those the racing scans appended in their combined last statement
    (each behind its chain's lock, yet in a statement whose snapshot was taken before it) among them."""
    async with AsyncSession(engine) as session:
        rows = (await session.execute(text("SELECT count(*) FROM audit_log"))).scalar_one()
        report = await verify_chain(session)
    assert (report.ok, report.checked) == (True, rows), report


async def test_yearly_cap_holds_under_simultaneous_scans_at_two_institutions(
    scenario: Scenario,
    clock: FixedClock,
    settings: VoucherSettings,
    race_pool: asyncpg.Pool[Any],
    engine: AsyncEngine,
) -> None:
    holders = holder_ids(CAP_ROUNDS, start=5_000)
    staff_a, staff_b, classes = await _setup(scenario, holders, TYPES)
    key = settings.qr_secret.encode()
    now_s = int(clock.now().timestamp())
    for h in holders:
        vouchers = {v["type_code"]: v["id"] for v in await scenario.claim(h, TYPES)}
        # Two uses already, one at each institution.
        for staff, t in ((staff_a[0], TYPES[0]), (staff_b[0], TYPES[1])):
            r = await _scan(
                race_pool,
                asyncio.Barrier(1),
                (clock, key),
                staff,
                RedeemRequest(
                    token=sign_token(key, vouchers[t], h, now_s),
                    class_id=classes[(staff.institution or "", t)],
                ),
            )
            assert r == "ok"
        # The third and fourth vouchers are scanned at the same instant at A and at B, by several scanners each.
        barrier = asyncio.Barrier(10)
        jobs = []
        for staff, t in [(s, TYPES[2]) for s in staff_a] + [(s, TYPES[3]) for s in staff_b]:
            token = sign_token(key, vouchers[t], h, now_s)
            jobs.append(
                _scan(
                    race_pool,
                    barrier,
                    (clock, key),
                    staff,
                    RedeemRequest(token=token, class_id=classes[(staff.institution or "", t)]),
                )
            )
        outcomes = Counter(await asyncio.gather(*jobs))
        assert outcomes["ok"] == 1, (h, outcomes)
        assert set(outcomes) <= {"ok", "voucher_already_used", "yearly_use_limit_reached"}
        assert outcomes["yearly_use_limit_reached"] >= 1
    async with engine.connect() as conn:
        per_holder = (
            await conn.execute(
                text("SELECT holder_id, count(*) FROM vouchers WHERE status = 'redeemed' GROUP BY holder_id")
            )
        ).all()
        uses: dict[str, int] = dict(
            (await conn.execute(text("SELECT holder_id, uses FROM holder_year_uses"))).all()
        )
    assert len(per_holder) == CAP_ROUNDS
    assert all(n == 3 == uses[h] for h, n in per_holder)
    await chain_verifies(engine)


V6_SCANNERS = 20


async def test_v6_decision_and_flip_agree_while_permissions_and_the_institution_change(
    scenario: Scenario,
    clock: FixedClock,
    settings: VoucherSettings,
    race_pool: asyncpg.Pool[Any],
    engine: AsyncEngine,
) -> None:
    """V-6 raced: scans released together with the withdrawal of their permissions, then with a suspension.

    Whatever the interleaving, each scan either redeems (voucher redeemed, one use counted, audited) or gets the one
    V-6 answer with nothing changed — never another code, never a flip without a permission decision behind it.
    """
    rounds = max(2, ROUNDS // 20)
    holders = holder_ids(V6_SCANNERS * rounds, start=9_000)
    await scenario.price_all_types()
    inst = await scenario.institution("5000003", "04")
    class_id = await scenario.open_class(inst)
    campaign = await scenario.campaign(2026)
    await scenario.issue(campaign, holders)
    (first,) = await scenario.claim(holders[0], ["employment_skills"])
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """
                INSERT INTO vouchers (holder_id, year, type_code, campaign_id, district_code, face_value_fen,
                                      valid_until, status)
                SELECT g.holder_id, g.year, v.type_code, v.campaign_id, g.district_code, v.face_value_fen,
                       v.valid_until, 'claimed'
                  FROM grants g CROSS JOIN vouchers v
                 WHERE v.id = :first AND g.holder_id <> v.holder_id
                """
            ),
            {"first": first["id"]},
        )
        voucher_of = {
            h: int(i) for h, i in (await conn.execute(text("SELECT holder_id, id FROM vouchers"))).all()
        }
    key = settings.qr_secret.encode()
    now_s = int(clock.now().timestamp())
    staff = [
        Principal(sub=f"scan-v6-{i}", role=Role.INSTITUTION_STAFF, institution=inst.code)
        for i in range(V6_SCANNERS)
    ]
    outcomes: Counter[str] = Counter()

    async def change(sql: str, args: tuple[Any, ...], barrier: asyncio.Barrier) -> None:
        conn = await connect_patiently(race_pool)
        try:
            await barrier.wait()
            await conn.execute(sql, *args)
        finally:
            await race_pool.release(conn)

    for n in range(rounds):
        batch = holders[n * V6_SCANNERS : (n + 1) * V6_SCANNERS]
        suspend = n % 2 == 1
        for p in staff:
            await scenario.grant(inst, p.sub)
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE institutions SET status = 'active' WHERE code = :c"), {"c": inst.code}
            )
        barrier = asyncio.Barrier(V6_SCANNERS * 2 if not suspend else V6_SCANNERS + 1)
        scans = [
            _scan(
                race_pool,
                barrier,
                (clock, key),
                p,
                RedeemRequest(token=sign_token(key, voucher_of[h], h, now_s), class_id=class_id),
            )
            for p, h in zip(staff, batch, strict=True)
        ]
        if suspend:
            changes = [
                change("UPDATE institutions SET status = 'suspended' WHERE code = $1", (inst.code,), barrier)
            ]
        else:
            changes = [
                change(
                    "DELETE FROM redeem_permissions WHERE institution_code = $1 AND staff_subject = $2",
                    (inst.code, p.sub),
                    barrier,
                )
                for p in staff
            ]
        results = await asyncio.gather(*scans, *changes)
        outcomes.update(r for r in results[:V6_SCANNERS])
    assert set(outcomes) <= {"ok", "redeem_permission_missing"}, outcomes
    assert sum(outcomes.values()) == V6_SCANNERS * rounds
    async with engine.connect() as conn:
        redeemed = (
            await conn.execute(text("SELECT count(*) FROM vouchers WHERE status = 'redeemed'"))
        ).scalar_one()
        uses = (await conn.execute(text("SELECT coalesce(sum(uses), 0) FROM holder_year_uses"))).scalar_one()
        audited = (
            await conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'voucher.redeem'"))
        ).scalar_one()
    assert redeemed == uses == audited == outcomes["ok"]
    await chain_verifies(engine)

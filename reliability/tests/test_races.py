"""Races through the HTTP API of the running apps: each contested write is fired by several callers released
together by a barrier, many times over, and the database (not the responses) must show it happened exactly once.

Each caller sends its own Idempotency-Key, so these are genuine duplicates (a double tap on two phones, two
scanners, two officers), not replays the idempotency layer would fold into one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from registry_testkit import APPROVAL_DAY, Registry, candidate
from rel_support import Service, bearer, fetchval, scaled

CALLERS = 6


async def race(n: int, call: Callable[[], Awaitable[httpx.Response]]) -> Counter[int]:
    """Fire ``call`` ``n`` times at once (all wait at a barrier first); count the statuses."""
    barrier = asyncio.Barrier(n)

    async def one() -> httpx.Response:
        await barrier.wait()
        return await call()

    responses = await asyncio.gather(*(one() for _ in range(n)))
    for r in responses:
        assert r.status_code < 500, f"{r.request.method} {r.request.url} → {r.status_code}: {r.text[:300]}"
    statuses = Counter(r.status_code for r in responses)
    statuses.samples = {r.status_code: r.text[:300] for r in responses}  # type: ignore[attr-defined]
    return statuses


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


async def campaign_2026(s: Any, database_url: str) -> int:
    """The 2026 campaign (the pinned clock's year; one annual campaign per year, V-3), made if nobody has yet."""
    existing = await fetchval(database_url, "SELECT id FROM campaigns WHERE year = 2026 ORDER BY id LIMIT 1")
    return int(existing) if existing is not None else int(await s.campaign(2026))


# --- voucher: double redeem, double claim ----------------------------------------------------------------


async def test_double_redeem_redeems_once(suite: dict[str, Service]) -> None:
    from voucher_testdata import Scenario, holder_id

    service = suite["voucher"]
    s = Scenario(service.client)
    await s.price_all_types()
    inst = await s.institution("5000201", "04", admin_index=920_001)
    for k in range(CALLERS):
        await s.grant(inst, f"scanner-{k}")
    class_id = await s.open_class(inst)
    campaign = await campaign_2026(s, service.database_url)
    rounds = scaled(4)
    holders = [holder_id(330_000 + i) for i in range(rounds)]
    await s.issue(campaign, holders)
    for holder in holders:
        voucher = next(v for v in await s.claim(holder) if v["type_code"] == "employment_skills")
        token = await s.qr(holder, voucher["id"])
        scanners = iter(range(CALLERS))

        async def scan(token: str = token, scanners: Iterator[int] = scanners) -> httpx.Response:
            headers = keyed(inst.staff(f"scanner-{next(scanners)}"))
            return await service.client.post(
                "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=headers
            )

        statuses = await race(CALLERS, scan)
        assert statuses[201] == 1, statuses
        redeemed = await fetchval(
            service.database_url,
            "SELECT count(*) FROM vouchers WHERE id = $1 AND status <> 'claimed'",
            voucher["id"],
        )
        assert redeemed == 1
        marks = await fetchval(
            service.database_url,
            "SELECT count(*) FROM vouchers WHERE id = $1 AND redeemed_at IS NOT NULL",
            voucher["id"],
        )
        assert marks == 1


async def test_double_voucher_claim_claims_once(suite: dict[str, Service]) -> None:
    from voucher_testdata import Scenario, holder_id

    service = suite["voucher"]
    s = Scenario(service.client)
    campaign = await fetchval(
        service.database_url, "SELECT id FROM campaigns WHERE year = 2026 ORDER BY id LIMIT 1"
    )
    if campaign is None:
        await s.price_all_types()
        campaign = await s.campaign(2026)
    rounds = scaled(4)
    holders = [holder_id(340_000 + i) for i in range(rounds)]
    await s.issue(campaign, holders)
    for holder in holders:
        statuses = await race(
            CALLERS,
            lambda holder=holder: service.client.post(
                "/v1/me/vouchers/claims", json={}, headers=keyed(s.citizen(holder))
            ),
        )
        assert statuses[201] >= 1, statuses
        per_type = await fetchval(
            service.database_url,
            "SELECT max(c) FROM (SELECT count(*) c FROM vouchers WHERE holder_id = $1 AND year = 2026 "
            "AND claimed_at IS NOT NULL GROUP BY type_code) t",
            holder,
        )
        assert per_type == 1, f"a voucher type was claimed {per_type} times by one holder"


# --- certificate-registry: concurrent issuance ------------------------------------------------------------


@contextmanager
def registry_days(service: Service, org: Service) -> Iterator[Registry]:
    """The registry's driver (bodies and plans filed in the in-process org-filing), its clock put back after."""
    helper = Registry(service.client, service.app, org.client)
    saved = service.app.state.clock
    try:
        yield helper
    finally:
        service.app.state.clock = saved


async def test_concurrent_issue_of_one_batch_issues_once(suite: dict[str, Service]) -> None:
    service = suite["certificate-registry"]
    with registry_days(service, suite["org-filing"]) as helper:
        code = await helper.new_body("07")
        for r in range(scaled(3)):
            rows = [candidate(21_000 + 10 * r + k) for k in range(3)]
            batch_id = await helper.ready_batch(rows, code)
            statuses = await race(CALLERS, lambda b=batch_id: helper.issue(b, code))
            assert statuses[201] == 1, statuses
            made = await fetchval(
                service.database_url,
                "SELECT count(*) FROM certificates WHERE batch_id = $1",
                uuid.UUID(batch_id),
            )
            assert made == 3


async def test_concurrent_issue_of_many_batches_gives_unique_gapless_numbers(
    suite: dict[str, Service],
) -> None:
    service = suite["certificate-registry"]
    with registry_days(service, suite["org-filing"]) as helper:
        code = await helper.new_body("07")
        batches = [
            await helper.ready_batch([candidate(22_000 + 10 * n + k) for k in range(1 + n % 3)], code)
            for n in range(CALLERS)
        ]
        pending = iter(batches)
        statuses = await race(CALLERS, lambda: helper.issue(next(pending), code))
        assert statuses[201] == CALLERS, statuses
    numbers = await fetchval(
        service.database_url,
        "SELECT array_agg(number ORDER BY number) FROM certificates WHERE number LIKE $1",
        code + "%",
    )
    assert len(numbers) == len(set(numbers)) == sum(1 + n % 3 for n in range(CALLERS))
    serials = sorted(int(n[-6:]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + len(serials))), "serials have a gap or a repeat"


# --- org-filing: concurrent code assignment ----------------------------------------------------------------


def _org_factories() -> Any:
    """org-filing's own test factories, driving the suite's org-filing app (the conftest points them at it)."""
    import of_factories

    return of_factories


async def test_concurrent_filing_assigns_each_code_once(suite: dict[str, Service]) -> None:
    service = suite["org-filing"]
    f = _org_factories()
    published = [await f.published_application(service.client) for _ in range(CALLERS)]
    pending = iter(published)

    async def file_next() -> httpx.Response:
        app_id, _, officer = next(pending)
        return await service.client.post(
            f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=keyed(officer)
        )

    statuses = await race(CALLERS, file_next)
    assert statuses[201] == CALLERS, statuses
    codes = await fetchval(service.database_url, "SELECT array_agg(code) FROM bodies")
    assert len(codes) == len(set(codes)), "a filing code was handed out twice"

    # the same application filed by several officers at once gets one body
    for _ in range(scaled(2)):
        app_id, _, officer = await f.published_application(service.client)
        statuses = await race(
            CALLERS,
            lambda app_id=app_id, officer=officer: service.client.post(
                f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=keyed(officer)
            ),
        )
        assert statuses[201] == 1, statuses
        bodies = await fetchval(
            service.database_url,
            "SELECT count(*) FROM bodies b JOIN applications a ON a.body_id = b.id WHERE a.id = $1",
            app_id,
        )
        assert bodies == 1


# --- subsidy-claims: double claim submission ---------------------------------------------------------------


async def test_double_claim_submission_submits_once(suite: dict[str, Service]) -> None:
    """Certificates really issued by the in-process registry; subsidy-claims checks them over ASGI on submit."""
    registry, subsidy = suite["certificate-registry"], suite["subsidy-claims"]
    rounds = scaled(3)
    rows = [
        candidate(23_000 + k, name=f"张{'甲乙丙丁戊己庚辛壬癸'[k % 10]}{'一二三'[k // 10 % 3]}")
        for k in range(rounds)
    ]
    with registry_days(registry, suite["org-filing"]) as helper:
        code = await helper.new_body("07")
        batch_id = await helper.ready_batch(rows, code)
        issued = await helper.issue(batch_id, code)
        assert issued.status_code == 201, issued.text
    # the certificates are issued on the registry driver's timeline (plans filed in org-filing's 2026-09); the
    # claims are made a week later, on subsidy-claims' own clock, and the clock is put back after
    assert subsidy.day is not None
    subsidy_day, subsidy.day.today = subsidy.day.today, APPROVAL_DAY + timedelta(days=7)
    try:
        await _claim_each_once(registry, subsidy, rows, code)
    finally:
        subsidy.day.today = subsidy_day


async def _claim_each_once(
    registry: Service, subsidy: Service, rows: list[dict[str, Any]], code: str
) -> None:
    service = bearer("service", "gateway")
    for row in rows:
        found = await registry.client.get("/v1/me/certificates", headers=bearer("citizen", row["id_number"]))
        assert found.status_code == 200, found.text
        listed = found.json() if isinstance(found.json(), list) else found.json()["items"]
        cert = next(c for c in listed if c["number"].startswith(code))  # the holder may hold others too
        record = (
            await registry.client.get(f"/v1/certificates/{cert['number']}/record", headers=service)
        ).json()
        body = {
            "policy": "cq-eval",
            "applicant": {"id_number": row["id_number"], "name": record["holder_name"]},
            "certificate": {
                "number": record["number"],
                "occupation_code": record["occupation_code"],
                "occupation_name": record["occupation_name"],
                "work_type": record["work_type"],
                "level": record["level"],
                "kind": "skill_level",
                "issue_date": record["issue_date"],
            },
            "cq": {
                "identity_category": {"value": "4"},
                "district_code": "07",
                "applied_amount_fen": 150_000,
            },
            "payout": {
                "card_number": "6217000012345678",
                "card_financial_enabled": True,
                "bank_account": "6222020200112233445",
                "bank_name": "工商银行",
            },
        }
        citizen = bearer("citizen", row["id_number"])
        created = await subsidy.client.post("/v1/claims", json=body, headers=keyed(citizen))
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        statuses = await race(
            CALLERS,
            lambda claim_id=claim_id, citizen=citizen: subsidy.client.post(
                f"/v1/claims/{claim_id}/submit", headers=keyed(citizen)
            ),
        )
        assert statuses[200] == 1, (statuses, statuses.samples)  # type: ignore[attr-defined]
        submits = await fetchval(
            subsidy.database_url,
            "SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action ILIKE '%submit%'",
            str(claim_id),
        )
        assert submits == 1, f"claim {claim_id} submitted {submits} times"

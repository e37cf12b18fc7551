"""Stateful fuzzing of the filing-to-payment workflow (issue 20, "Must hold"): Hypothesis draws sequences of moves
over file body → plan → batch → results → publicity → (the clocks past publicity) → approve → issue → claim →
approve → pay, in any order, against the real in-process registry, org-filing and subsidy-claims and their
PostgreSQL databases. A model says which moves must succeed; after every move the databases are read:

- no certificate exists without a batch that went through publicity to approval (CR-4);
- serials are gapless from 1 per (body, year, level) (CR-1);
- no claim is paid twice, nor paid without having been confirmed;
- a refused move stores nothing (every table of the three databases keeps its row count).

``SOAK_SCALE`` (``make soak``) multiplies the number of sequences and their length.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from registry_testdata import make_id
from registry_testkit import APPROVAL_DAY, EVALUATION_DAY, PUBLICITY_START, Registry, candidate
from rel_support import SCALE, Service, bearer, fetchval, row_counts

REGISTRY_DAYS = (EVALUATION_DAY + timedelta(days=1), PUBLICITY_START, APPROVAL_DAY)
"""The registry's clock moves forward through these: results, publicity, past publicity."""
SUBSIDY_START = APPROVAL_DAY + timedelta(days=7)
SUBSIDY_STEP = timedelta(days=10)
"""Each clock move of subsidy-claims passes a claim's 5-working-day publicity."""
RANDOM = os.environ.get("SOAK_RANDOM") == "1"
"""`make soak` draws fresh sequences; `make test` replays the same few, so a failure there is reproducible."""
SEQUENCE = itertools.count()
"""Candidates' sequence numbers, unique across the run's examples."""

MOVES = (
    "open_batch",
    "upload",
    "upload_repeated",
    "publicise",
    "approve_batch",
    "issue",
    "registry_day",
    "claim",
    "review",
    "subsidy_day",
    "confirm",
    "pay",
    "pay_again",
)
DRAWN = ("progress",) * len(MOVES) + MOVES
"""Half the moves are the next step of the happy path (so sequences reach payment), half any move at all."""


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


@dataclass
class Batch:
    id: str
    rows: list[dict[str, Any]]
    status: str = "draft"
    uploaded: bool = False
    published_on: date | None = None


@dataclass
class Claim:
    id: int
    citizen: dict[str, str]
    status: str = "submitted"
    publicity_ends_on: date | None = None
    paid: bool = False


@dataclass
class World:
    """What must have happened so far, by the model."""

    code: str
    batches: list[Batch] = field(default_factory=list)
    issued: list[dict[str, Any]] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    unclaimable: set[str] = field(default_factory=set)
    registry_day: int = 0
    subsidy_day: date = SUBSIDY_START


@contextmanager
def clocks(registry: Service, subsidy: Service) -> Iterator[None]:
    """The registry's and subsidy-claims' clocks are put back after a sequence, for the other tests."""
    assert subsidy.day is not None
    saved_registry, saved_subsidy = registry.app.state.clock, subsidy.day.today
    try:
        yield
    finally:
        registry.app.state.clock = saved_registry
        subsidy.day.today = saved_subsidy


async def _counts(services: list[Service]) -> dict[str, dict[str, int]]:
    return {s.name: await row_counts(s.database_url) for s in services}


async def _check_invariants(registry: Service, subsidy: Service, code: str) -> None:
    unreviewed = await fetchval(
        registry.database_url,
        "SELECT count(*) FROM certificates c JOIN batches b ON b.id = c.batch_id "
        "WHERE b.status <> 'issued' OR b.publicity_ends IS NULL OR b.approved_at IS NULL",
    )
    assert unreviewed == 0, "a certificate exists without a published, reviewed, issued batch"
    gaps = await fetchval(
        registry.database_url,
        "SELECT count(*) FROM (SELECT body_code, year, level, count(*) AS n, min(serial) AS lo, "
        "max(serial) AS hi FROM certificates WHERE body_code = $1 GROUP BY body_code, year, level) g "
        "WHERE g.lo <> 1 OR g.hi <> g.n",
        code,
    )
    assert gaps == 0, f"serials of {code} have a gap or a repeat"
    paid_twice = await fetchval(
        subsidy.database_url,
        "SELECT count(*) FROM (SELECT entity_id FROM audit_log WHERE action = 'claim.payment_paid' "
        "GROUP BY entity_id HAVING count(*) > 1) t",
    )
    assert paid_twice == 0, "a claim was paid twice"


class Run:
    """One sequence of moves against the suite, with the model it is checked by."""

    def __init__(self, suite: dict[str, Service], helper: Registry, world: World) -> None:
        self.registry = suite["certificate-registry"]
        self.subsidy = suite["subsidy-claims"]
        self.org = suite["org-filing"]
        self.helper = helper
        self.world = world
        self.boss = bearer("district_officer", "officer-07", district="07", perms=["unit_head"])

    def _today(self) -> date:
        day: date = REGISTRY_DAYS[self.world.registry_day]
        return day

    def _next_step(self) -> str:
        """The next move of the happy path for the first entity that can still advance."""
        world = self.world
        for batch in world.batches:
            if batch.status == "draft":
                return "publicise" if batch.uploaded else "upload"
            if batch.status == "publicity" and batch.published_on != APPROVAL_DAY:
                return "approve_batch" if self._today() == APPROVAL_DAY else "registry_day"
            if batch.status == "approved":
                return "issue"
        claimed = {c.citizen["Authorization"] for c in world.claims}
        if any(
            bearer("citizen", r["id_number"])["Authorization"] not in claimed
            and r["id_number"] not in world.unclaimable
            for r in world.issued
        ):
            return "claim"
        for claim in world.claims:
            if claim.status == "submitted":
                return "review"
            if claim.status == "published":
                ends = claim.publicity_ends_on
                return "confirm" if ends is not None and world.subsidy_day > ends else "subsidy_day"
            if claim.status == "instructed":
                return "pay"
        return "open_batch"

    @staticmethod
    def _first(status: str, entities: list[Any]) -> int:
        return next((i for i, e in enumerate(entities) if e.status == status), 0)

    async def move(self, name: str, pick: int) -> None:
        if name == "progress":
            name = self._next_step()
            event(f"progress: {name}")
            batch_pick = {
                "upload": "draft",
                "publicise": "draft",
                "approve_batch": "publicity",
                "issue": "approved",
            }
            claim_pick = {"review": "submitted", "confirm": "published", "pay": "instructed"}
            if name in batch_pick:
                status = batch_pick[name]
                pick = next(
                    i
                    for i, b in enumerate(self.world.batches)
                    if b.status == status
                    and (name != "upload" or not b.uploaded)
                    and (name != "publicise" or b.uploaded)
                    and (name != "approve_batch" or b.published_on != APPROVAL_DAY)
                )
            elif name in claim_pick:
                pick = self._first(claim_pick[name], self.world.claims)
        before = await _counts([self.registry, self.subsidy, self.org])
        expected, response = await getattr(self, name)(pick)
        if response is not None:
            ok = response.status_code < 400
            assert response.status_code < 500, (name, response.text)
            if expected is not None:
                assert ok == expected, (name, response.status_code, response.text)
            if not ok:
                after = await _counts([self.registry, self.subsidy, self.org])
                assert after == before, (name, response.text, "a refused move stored something")
        await _check_invariants(self.registry, self.subsidy, self.world.code)
        claims = [str(c.id) for c in self.world.claims]
        payments = await fetchval(
            self.subsidy.database_url,
            "SELECT count(*) FROM audit_log WHERE action = 'claim.payment_paid' AND entity_id = ANY($1::text[])",
            claims,
        )
        assert payments == sum(c.paid for c in self.world.claims), "payments recorded differ from the model's"
        if name == "pay" and response is not None and response.status_code < 400:
            event("a claim was paid")

    # --- registry ------------------------------------------------------------------------------------------

    @staticmethod
    def _candidate(seq: int) -> dict[str, Any]:
        """A candidate whose ID number no other reliability test uses (born in 1975, one day per 500 people): a
        person claims a subsidy once, so a repeated holder would be refused for a reason the model does not keep."""
        birth = (date(1975, 1, 1) + timedelta(days=seq // 500)).strftime("%Y%m%d")
        row: dict[str, Any] = candidate(seq, id_number=make_id(seq % 500, birth=birth))
        return row

    async def open_batch(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        self.helper.on(self._today())
        rows = [self._candidate(next(SEQUENCE)) for _ in range(1 + pick % 3)]
        batch_id = await self.helper.create_batch(self.world.code)
        self.world.batches.append(Batch(batch_id, rows))
        return None, None

    def _batch(self, pick: int) -> Batch | None:
        return self.world.batches[pick % len(self.world.batches)] if self.world.batches else None

    async def upload(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        batch = self._batch(pick)
        if batch is None:
            return None, None
        self.helper.on(self._today())
        response = await self.registry.client.put(
            f"/v1/batches/{batch.id}/results",
            json={"candidates": batch.rows},
            headers=self.helper.staff(self.world.code),
        )
        expected = batch.status == "draft"
        batch.uploaded = batch.uploaded or expected
        return expected, response

    async def upload_repeated(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        batch = self._batch(pick)
        if batch is None:
            return None, None
        self.helper.on(self._today())
        rows = [*batch.rows, {**batch.rows[0], "name": "重复考生"}]
        response = await self.registry.client.put(
            f"/v1/batches/{batch.id}/results",
            json={"candidates": rows},
            headers=self.helper.staff(self.world.code),
        )
        return False, response

    async def publicise(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        batch = self._batch(pick)
        if batch is None:
            return None, None
        self.helper.on(self._today())
        response = await self.registry.client.post(
            f"/v1/batches/{batch.id}/publicity", headers=keyed(self.helper.staff(self.world.code))
        )
        expected = batch.status == "draft" and batch.uploaded
        if expected:
            batch.status, batch.published_on = "publicity", self._today()
        return expected, response

    async def approve_batch(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        batch = self._batch(pick)
        if batch is None:
            return None, None
        self.helper.on(self._today())
        response = await self.registry.client.post(
            f"/v1/batches/{batch.id}/approval", headers=keyed(self.helper.officer(self.world.code[7:9]))
        )
        if batch.status != "publicity":
            expected: bool | None = False
        elif batch.published_on is not None and batch.published_on < PUBLICITY_START:
            expected = None  # publicity started early in the sequence: the working-day end decides
        else:
            expected = self._today() == APPROVAL_DAY and batch.published_on == PUBLICITY_START
        if response.status_code == 200:
            batch.status = "approved"
        return expected, response

    async def issue(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        batch = self._batch(pick)
        if batch is None:
            return None, None
        self.helper.on(self._today())
        response = await self.helper.issue(batch.id, self.world.code)
        expected = batch.status == "approved"
        if expected and response.status_code == 201:
            batch.status = "issued"
            self.world.issued.extend(batch.rows)
        return expected, response

    async def registry_day(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        self.world.registry_day = min(self.world.registry_day + 1, len(REGISTRY_DAYS) - 1)
        return None, None

    # --- subsidy-claims ------------------------------------------------------------------------------------

    async def claim(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        claimed = {c.citizen["Authorization"] for c in self.world.claims}
        holders = [
            r
            for r in self.world.issued
            if bearer("citizen", r["id_number"])["Authorization"] not in claimed
            and r["id_number"] not in self.world.unclaimable
        ]
        if not holders:
            return None, None
        row = holders[pick % len(holders)]
        citizen = bearer("citizen", row["id_number"])
        found = await self.registry.client.get("/v1/me/certificates", headers=citizen)
        listed = found.json() if isinstance(found.json(), list) else found.json()["items"]
        number = next(c["number"] for c in listed if c["number"].startswith(self.world.code))
        record = (
            await self.registry.client.get(
                f"/v1/certificates/{number}/record", headers=bearer("service", "gateway")
            )
        ).json()
        body = {
            "policy": "cq-eval",
            "applicant": {"id_number": row["id_number"], "name": record["holder_name"]},
            "certificate": {
                k: record[k] for k in ("number", "occupation_code", "occupation_name", "work_type", "level")
            }
            | {"kind": "skill_level", "issue_date": record["issue_date"]},
            "cq": {"identity_category": {"value": "4"}, "district_code": "07", "applied_amount_fen": 150_000},
            "payout": {
                "card_number": "6217000012345678",
                "card_financial_enabled": True,
                "bank_account": "6222020200112233445",
                "bank_name": "工商银行",
            },
        }
        created = await self.subsidy.client.post("/v1/claims", json=body, headers=keyed(citizen))
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        submitted = await self.subsidy.client.post(f"/v1/claims/{claim_id}/submit", headers=keyed(citizen))
        if submitted.status_code == 200:
            self.world.claims.append(Claim(claim_id, citizen))
        else:
            self.world.unclaimable.add(row["id_number"])
        # Not asserted: a submission can be refused by eligibility rules the model does not keep (seen: 409
        # already_subsidised), and its draft stays for the citizen to resume (issue 20 item 8), so the move
        # is not one that stores nothing.
        return None, submitted if submitted.status_code == 200 else None

    def _claim(self, pick: int) -> Claim | None:
        return self.world.claims[pick % len(self.world.claims)] if self.world.claims else None

    async def review(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        """Start review, approve the computed amount and publish: one officer's sitting."""
        claim = self._claim(pick)
        if claim is None:
            return None, None
        if claim.status != "submitted":
            response = await self.subsidy.client.post(
                f"/v1/claims/{claim.id}/approve", json={}, headers=keyed(self.boss)
            )
            return False, response
        started = await self.subsidy.client.post(f"/v1/claims/{claim.id}/start-review", headers=self.boss)
        assert started.status_code == 200, started.text
        approved = await self.subsidy.client.post(
            f"/v1/claims/{claim.id}/approve", json={"amount_fen": 150_000}, headers=keyed(self.boss)
        )
        assert approved.status_code == 200, approved.text
        published = await self.subsidy.client.post(f"/v1/claims/{claim.id}/publish", headers=self.boss)
        if published.status_code == 200:
            claim.status = "published"
            claim.publicity_ends_on = date.fromisoformat(published.json()["publicity_ends_on"])
        return True, published

    async def subsidy_day(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        assert self.subsidy.day is not None
        self.world.subsidy_day += SUBSIDY_STEP
        self.subsidy.day.today = self.world.subsidy_day
        return None, None

    async def confirm(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        claim = self._claim(pick)
        if claim is None:
            return None, None
        response = await self.subsidy.client.post(f"/v1/claims/{claim.id}/confirm", headers=keyed(self.boss))
        expected = (
            claim.status == "published"
            and claim.publicity_ends_on is not None
            and self.world.subsidy_day > claim.publicity_ends_on
        )
        if expected:
            instructed = await self.subsidy.client.post(
                f"/v1/claims/{claim.id}/instruct-payment", headers=self.boss
            )
            assert instructed.status_code == 200, instructed.text
            claim.status = "instructed"
        return expected, response

    async def pay(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        claim = self._claim(pick)
        if claim is None:
            return None, None
        response = await self.subsidy.client.post(
            f"/v1/claims/{claim.id}/payment-result",
            json={"result": "paid"},
            headers=keyed(bearer("service", "gateway")),
        )
        expected = claim.status == "instructed"
        if expected:
            claim.status, claim.paid = "paid", True
        return expected, response

    async def pay_again(self, pick: int) -> tuple[bool | None, httpx.Response | None]:
        """A second payment result for a claim already paid, under a fresh key: refused, never a second payment."""
        paid = [c for c in self.world.claims if c.paid]
        if not paid:
            return None, None
        claim = paid[pick % len(paid)]
        response = await self.subsidy.client.post(
            f"/v1/claims/{claim.id}/payment-result",
            json={"result": "paid"},
            headers=keyed(bearer("service", "gateway")),
        )
        return False, response


@settings(
    max_examples=3 * SCALE,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(DRAWN), st.integers(min_value=0, max_value=5)),
        min_size=12,
        max_size=24 * SCALE,
    )
)
async def test_file_to_payment_sequences_keep_every_invariant(
    suite: dict[str, Service], moves: list[tuple[str, int]]
) -> None:
    registry, subsidy = suite["certificate-registry"], suite["subsidy-claims"]
    with clocks(registry, subsidy):
        helper = Registry(registry.client, registry.app, suite["org-filing"].client)
        assert subsidy.day is not None
        subsidy.day.today = SUBSIDY_START
        code = await helper.new_body("07")
        run = Run(suite, helper, World(code))
        await run.move("open_batch", 0)
        for name, pick in moves:
            await run.move(name, pick)

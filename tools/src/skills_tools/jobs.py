"""Scheduled work as one-shot commands: `skills job <name>` (Kubernetes CronJobs) and `skills job --loop` (`make run`).

Every job is one PostgreSQL transaction on its service's database, opened with a transaction-scoped advisory
lock named after the job (docs/operations.md, "Scheduled work"):

- **Never twice at once.** A second run that finds the lock taken (another replica, an overlapping schedule)
  exits at once and changes nothing; the CronJobs also say ``concurrencyPolicy: Forbid``.
- **Never half done, never lost.** A run killed mid-way (SIGKILL, node lost) never committed, so PostgreSQL rolls
  all of it back; ``client_connection_check_interval`` makes its server process notice the dead client even while
  waiting on a lock, so the lock is released at once. Kubernetes retries the Job (``backoffLimit``), and the next
  run does the whole work. Each job is idempotent too (a lapsed voucher, a flagged claim, a purged key never
  change again), so a run after a completed one finds nothing left.

The jobs: voucher lapse (V-4), overdue-claim flags (CQ-4's 10 working days), the end of a batch's publicity
(CR-4), the idempotency-key purge of every service, and an outbox sweep (org-filing's issuer sync; the service's
own wake-on-write loop delivers at once, the sweep is the guarantee when no replica runs).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from skills_shared import audit
from skills_shared.clock import Clock, process_clock, sandbox_path, today_of
from skills_shared.idempotency import purge_expired
from skills_shared.settings import ServiceSettings
from skills_tools.configref import settings_class
from skills_tools.services import SERVICES

ACTOR = "scheduler"
"""The audit actor of scheduled work."""

Work = Callable[[AsyncSession, Clock, ServiceSettings], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Job:
    """One piece of scheduled work on one service's database."""

    name: str
    service: str
    schedule: str
    """Cron expression of the CronJob, in Asia/Shanghai time."""
    every_s: float
    """Interval of the local loop (`make run`)."""
    work: Work
    why: str
    lock: int | None = None
    """The advisory-lock key when the service's own code already uses one for the same work."""

    @property
    def lock_key(self) -> int:
        """The advisory-lock key: the service's own when it has one, else a stable 63-bit number from the name."""
        if self.lock is not None:
            return self.lock
        return int.from_bytes(hashlib.sha256(self.name.encode()).digest()[:8], "big") >> 1


# ---------------------------------------------------------------------------------------------------- the work
async def voucher_lapse(session: AsyncSession, clock: Clock, _: ServiceSettings) -> dict[str, Any]:
    """V-4: unused vouchers lapse after their validity, redeemed ones whose training ended unfinished too."""
    from voucher.lapse.service import LapseService

    out = await LapseService(session, clock).run(ACTOR, None)
    return out.model_dump(mode="json")


_OVERDUE = text(
    """
    SELECT id::text AS id, review_due_on FROM claims
     WHERE status IN ('submitted', 'under_review', 'resubmitted') AND review_due_on < :today
       AND NOT EXISTS (SELECT 1 FROM audit_log a
                        WHERE a.entity_type = 'claim' AND a.entity_id = claims.id::text
                          AND a.action = 'claim.overdue' AND a.after->>'review_due_on' = claims.review_due_on::text)
     ORDER BY id
    """
)


async def claims_overdue(session: AsyncSession, clock: Clock, _: ServiceSettings) -> dict[str, Any]:
    """CQ-4: a claim awaiting a decision past its 10-working-day deadline is flagged once (per deadline) in the
    audit chain, where inspectors and the overdue queue find it."""
    from subsidy_claims.claims.review_deadlines import record_known_deadlines

    today = today_of(clock)
    recorded = await record_known_deadlines(session)
    rows = (await session.execute(_OVERDUE, {"today": today})).all()
    for row in rows:
        await audit.record(
            session,
            actor=ACTOR,
            action="claim.overdue",
            entity_type="claim",
            entity_id=row.id,
            after={
                "review_due_on": row.review_due_on.isoformat(),
                "flagged_on": today.isoformat(),
                "rule": "CQ-4",
            },
        )
    return {"flagged": len(rows), "deadlines_recorded": recorded, "as_of": today.isoformat()}


_PUBLICITY_ENDED = text(
    """
    SELECT id::text AS id, publicity_ends FROM batches
     WHERE status = 'publicity' AND publicity_ends < :today
       AND NOT EXISTS (SELECT 1 FROM audit_log a
                        WHERE a.entity_type = 'batch' AND a.entity_id = batches.id::text
                          AND a.action = 'batch.publicity_ended')
     ORDER BY id
    """
)


async def publicity_ends(session: AsyncSession, clock: Clock, _: ServiceSettings) -> dict[str, Any]:
    """CR-4: the day after a batch's publicity ends it is recorded once, so the batch shows as ready for approval."""
    from certificate_registry.batches.publicity_ends import record_known_publicity_ends

    today = today_of(clock)
    recorded = await record_known_publicity_ends(session)
    rows = (await session.execute(_PUBLICITY_ENDED, {"today": today})).all()
    for row in rows:
        await audit.record(
            session,
            actor=ACTOR,
            action="batch.publicity_ended",
            entity_type="batch",
            entity_id=row.id,
            after={"publicity_ends": row.publicity_ends.isoformat(), "rule": "CR-4"},
        )
    return {"ended": len(rows), "ends_recorded": recorded, "as_of": today.isoformat()}


async def drafts_purge(session: AsyncSession, _: Clock, settings: ServiceSettings) -> dict[str, Any]:
    """Issue 20, item 8: drafts untouched for ``draft_retention_days`` are abandoned applications; they go."""
    from subsidy_claims.claims.drafts import purge_abandoned_drafts

    days = int(getattr(settings, "draft_retention_days", 30))
    return {"purged": await purge_abandoned_drafts(session, retention=timedelta(days=days))}


async def idempotency_purge(session: AsyncSession, _: Clock, __: ServiceSettings) -> dict[str, Any]:
    """Keys older than 48 hours go (DESIGN: kept at least 24 hours), so the store stops growing for ever."""
    return {"purged": await purge_expired(session)}


async def outbox_sweep(session: AsyncSession, _: Clock, settings: ServiceSettings) -> dict[str, Any]:
    """Deliver org-filing's due outbox messages (issuer sync to the registry) once."""
    from org_filing.issuer_sync.rules import ISSUER_TARGET
    from skills_shared.auth import Role, mint_token
    from skills_shared.clients import ServiceClient
    from skills_shared.outbox import OutboxDelivery

    registry = ServiceClient(ISSUER_TARGET, settings.registry_url, timeout_s=settings.request_timeout_s)
    sessions = async_sessionmaker(session.bind, expire_on_commit=False)

    def token() -> str:
        return mint_token(
            settings.jwt_secret,
            sub="org-filing",
            role=Role.SERVICE,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            ttl_s=300,
        )

    try:
        delivered = await OutboxDelivery(sessions, {ISSUER_TARGET: registry}, token=token).deliver_once()
    finally:
        await registry.aclose()
    return {"delivered": delivered}


JOBS: tuple[Job, ...] = (
    Job(
        "voucher-lapse",
        "voucher",
        "5 0 * * *",
        3600,
        voucher_lapse,
        "V-4: vouchers lapse (1 December)",
        lock=0x1A95E,  # voucher.lapse.schedule.ROUND_LOCK: the in-process round and the job exclude each other
    ),
    Job(
        "claims-overdue", "subsidy-claims", "15 0 * * *", 3600, claims_overdue, "CQ-4: overdue claims flagged"
    ),
    Job("claims-drafts-purge", "subsidy-claims", "25 0 * * *", 3600, drafts_purge, "abandoned drafts purged"),
    Job("publicity-ends", "certificate-registry", "20 0 * * *", 3600, publicity_ends, "CR-4: publicity ends"),
    Job("outbox-sweep", "org-filing", "* * * * *", 60, outbox_sweep, "issuer sync delivered"),
    *(
        Job(
            f"idempotency-purge-{s.name}",
            s.name,
            "40 * * * *",
            3600,
            idempotency_purge,
            "idempotency keys purged",
        )
        for s in SERVICES
    ),
)
BY_NAME = {job.name: job for job in JOBS}


# ---------------------------------------------------------------------------------------------------- running
def settings_of(service: str) -> ServiceSettings:
    """The service's settings from the environment (the CronJob's container has the service's variables)."""
    spec = next(s for s in SERVICES if s.name == service)
    return settings_class(spec)()


async def run_job(
    job: Job, settings: ServiceSettings | None = None, clock: Clock | None = None
) -> dict[str, Any]:
    """Run ``job`` once in one transaction under its advisory lock; ``{"skipped": ...}`` when it is held."""
    settings = settings or settings_of(job.service)
    if settings.environment == "production" and sandbox_path() is not None:
        raise SystemExit("a production job never runs on a sandbox clock")
    engine = create_async_engine(
        settings.database_url,
        connect_args={
            "server_settings": {
                "application_name": f"skills-job {job.name}",
                "client_connection_check_interval": "500",
            }
        },
    )
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            free = await session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": job.lock_key})
            if not free.scalar_one():
                await session.rollback()
                return {"skipped": "another run holds the lock"}
            result = await job.work(session, clock or process_clock(), settings)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def _print(job: Job, result: dict[str, Any]) -> None:
    import json

    print(json.dumps({"event": "job_done", "job": job.name, **result}, ensure_ascii=False), flush=True)


async def loop(jobs: tuple[Job, ...] = JOBS) -> None:
    """`make run`: every job at its interval, for ever; a failed run is reported and retried next time."""
    due = dict.fromkeys((job.name for job in jobs), 0.0)
    while True:
        now = time.monotonic()
        for job in jobs:
            if due[job.name] <= now:
                due[job.name] = now + job.every_s
                try:
                    _print(job, await run_job(job))
                except Exception as exc:  # the loop outlives a database restart
                    print(
                        f'{{"event": "job_failed", "job": "{job.name}", "error": "{type(exc).__name__}"}}',
                        flush=True,
                    )
        await asyncio.sleep(1)


def main(argv: list[str] | None = None) -> int:
    """`skills job NAME` runs one job once; `skills job --loop` runs them all on their intervals."""
    parser = argparse.ArgumentParser(prog="skills job", description="Scheduled work (docs/operations.md)")
    parser.add_argument("name", nargs="?", choices=sorted(BY_NAME), help="the job to run once")
    parser.add_argument("--loop", action="store_true", help="run every job on its interval (make run)")
    parser.add_argument("--list", action="store_true", help="list the jobs and their schedules")
    args = parser.parse_args(argv)
    if args.list:
        for job in JOBS:
            print(f"{job.name:<40} {job.service:<22} {job.schedule:<14} {job.why}")
        return 0
    if args.loop:
        asyncio.run(loop())
        return 0
    if not args.name:
        parser.error("name a job or pass --loop")
    job = BY_NAME[args.name]
    _print(job, asyncio.run(run_job(job)))
    return 0


__all__ = ["JOBS", "Job", "main", "run_job"]

if __name__ == "__main__":
    sys.exit(main())

"""Abandoned drafts are purged on a schedule (issue 20, item 8).

A composed application (the gateway's ``subsidy-applications``) drafts a claim and then submits it. When the
submission is refused, or the gateway dies between the two steps and the key is never replayed, the draft stays:
the citizen sees it in their own claims and can submit it again once the cause is removed (the refusal names it
as ``draft_claim_id``). A draft holds no entitlement (``HOLDING`` excludes it), so keeping it costs nothing but
rows; one left untouched for ``draft_retention_days`` is abandoned and deleted here, each deletion audited.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skills_shared.audit import record
from skills_shared.contracts.v1.subsidy import ClaimStatus
from subsidy_claims.claims.models import Claim

log = structlog.get_logger(__name__)
PURGER = "subsidy-claims:draft-purge"


async def purge_abandoned_drafts(
    session: AsyncSession, *, untouched_since: datetime, limit: int = 500
) -> int:
    """Delete up to ``limit`` drafts last changed before ``untouched_since``; returns how many went.

    Rows are locked ``SKIP LOCKED``: a draft being submitted right now is left for the next run, and two
    processes purging at once never delete one draft twice.
    """
    drafts = (
        await session.execute(
            select(Claim.id, Claim.policy, Claim.certificate_number, Claim.created_at)
            .where(Claim.status == ClaimStatus.DRAFT.value, Claim.updated_at < untouched_since)
            .order_by(Claim.updated_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not drafts:
        return 0
    await session.execute(delete(Claim).where(Claim.id.in_([d.id for d in drafts])))
    for draft in drafts:
        await record(
            session,
            actor=PURGER,
            action="claim.draft_purged",
            entity_type="claim",
            entity_id=str(draft.id),
            before={
                "status": ClaimStatus.DRAFT.value,
                "policy": draft.policy,
                "certificate_number": draft.certificate_number,
                "created_at": draft.created_at,
            },
        )
    await session.commit()
    return len(drafts)


class DraftPurge:
    """Runs the purge every ``interval_s`` seconds while the service runs (started by the app's lifespan).

    Ages are wall-clock, like ``updated_at`` (the database's ``now()``), not the business clock a sandbox moves.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        retention: timedelta,
        interval_s: float,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessionmaker, self._retention, self._interval_s, self._now = (
            sessionmaker,
            retention,
            interval_s,
            now,
        )
        self._task: asyncio.Task[None] | None = None

    async def once(self) -> int:
        """One purge now: every draft older than the retention, in rounds of 500."""
        total = 0
        while True:
            async with self._sessionmaker() as session:
                purged = await purge_abandoned_drafts(session, untouched_since=self._now() - self._retention)
            total += purged
            if purged < 500:
                return total

    async def _run(self) -> None:
        while True:
            try:
                if purged := await self.once():
                    log.info("abandoned_drafts_purged", count=purged)
            except Exception:  # retried next interval; the service keeps serving
                log.exception("draft_purge_failed")
            await asyncio.sleep(self._interval_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="draft-purge")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

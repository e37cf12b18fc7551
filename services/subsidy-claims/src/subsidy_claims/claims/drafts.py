"""Abandoned drafts are purged on a schedule (issue 20, item 8).

A composed application (the gateway's ``subsidy-applications``) drafts a claim and then submits it. When the
submission is refused, or the gateway dies between the two steps and the key is never replayed, the draft stays:
the citizen sees it in their own claims and can submit it again once the cause is removed (the refusal names it
as ``draft_claim_id``). A draft holds no entitlement (``HOLDING`` excludes it), so keeping it costs nothing but
rows; one left untouched for ``draft_retention_days`` is abandoned and deleted here, each deletion audited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.audit import record
from skills_shared.contracts.v1.subsidy import ClaimStatus
from subsidy_claims.claims.models import Claim

PURGER = "scheduler"
"""The audit actor of scheduled work (as every `skills job`)."""


async def purge_abandoned_drafts(session: AsyncSession, *, retention: timedelta) -> int:
    """Delete the drafts last changed more than ``retention`` ago, in the caller's transaction; how many went.

    Age is wall-clock, like ``updated_at`` (the database's ``now()``), never the business clock a sandbox moves.
    Rows are locked ``SKIP LOCKED``: a draft being submitted right now is left for the next run. Scheduled as
    the ``claims-drafts-purge`` job (`skills job`, tools/src/skills_tools/jobs.py).
    """
    untouched_since = datetime.now(UTC) - retention
    drafts = (
        await session.execute(
            select(Claim.id, Claim.policy, Claim.certificate_number, Claim.created_at)
            .where(Claim.status == ClaimStatus.DRAFT.value, Claim.updated_at < untouched_since)
            .order_by(Claim.updated_at)
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
    return len(drafts)

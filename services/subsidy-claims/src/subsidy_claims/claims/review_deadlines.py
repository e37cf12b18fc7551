"""CQ-4 deadlines that become known later: recorded once the calendar covers them.

A claim submitted in late December has its 10 working days run into a year whose holiday schedule is not
published yet (P-3), so its deadline is stored as unknown. The daily overdue job calls this first, so that once
the operator loads the year, the deadline is recorded and the queue, the overdue gauge and the flags see it.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subsidy_claims.claims import rules
from subsidy_claims.claims.models import Claim


async def record_known_deadlines(session: AsyncSession) -> int:
    """Record the deadline of every claim awaiting a decision whose deadline was unknown and now is known."""
    rows = (
        await session.execute(
            select(Claim.id, Claim.review_started_on).where(
                Claim.review_due_on.is_(None),
                Claim.review_started_on.is_not(None),
                Claim.status.in_([s.value for s in rules.AWAITING_DECISION]),
            )
        )
    ).all()
    recorded = 0
    for claim_id, started_on in rows:
        due = rules.review_deadline(started_on, None)
        if due is not None:
            await session.execute(update(Claim).where(Claim.id == claim_id).values(review_due_on=due))
            recorded += 1
    return recorded

"""CR-4 publicity ends that become known later: recorded once the calendar covers them.

A publicity started in late December ends in a January whose holidays may not be published yet (P-3), so its
end is stored as unknown. The daily ``publicity-ends`` job calls this first, so that once the operator loads the
year, the end is recorded and the batch is flagged as ready for approval the day after.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.batches import rules
from certificate_registry.batches.models import Batch


async def record_known_publicity_ends(session: AsyncSession) -> int:
    """Record the end of every batch in publicity whose end was unknown and now is known."""
    rows = (
        await session.execute(
            select(Batch.id, Batch.publicity_starts).where(
                Batch.status == "publicity",
                Batch.publicity_ends.is_(None),
                Batch.publicity_starts.is_not(None),
            )
        )
    ).all()
    recorded = 0
    for batch_id, starts in rows:
        ends = rules.publicity_end_shown(starts, None)
        if ends is not None:
            await session.execute(update(Batch).where(Batch.id == batch_id).values(publicity_ends=ends))
            recorded += 1
    return recorded

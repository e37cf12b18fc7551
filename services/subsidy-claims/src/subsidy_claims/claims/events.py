"""The claim's partner events (issue 23): which audited moves are events, and what each one says.

Recorded from ``ClaimService._audit``, the one place every move of a claim passes, in the move's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import events
from skills_shared.contracts.v1.events import ClaimEventData, DomainEventV1, EventType, new_event_id
from skills_shared.validators import mask_resident_id
from subsidy_claims.claims.models import Claim

ACTION_EVENTS: dict[str, EventType] = {
    "approve": EventType.CLAIM_APPROVED,
    "reject": EventType.CLAIM_REJECTED,
    "objection_upheld": EventType.CLAIM_REJECTED,
    "publish": EventType.CLAIM_PUBLISHED,
    "payment_paid": EventType.CLAIM_PAID,
    "claw_back": EventType.CLAIM_CLAWED_BACK,
}
"""Audited actions that partners hear about; the others (review steps, payment instructions) stay internal."""


def claim_event(action: str, claim: Claim) -> DomainEventV1 | None:
    """The event of ``action`` on ``claim`` as it is after the move, or None for an internal step."""
    kind = ACTION_EVENTS.get(action)
    if kind is None:
        return None
    reason = claim.rejection_reason if kind is EventType.CLAIM_REJECTED else None
    if kind is EventType.CLAIM_CLAWED_BACK:
        reason = claim.clawback_reason
    return DomainEventV1(
        id=new_event_id(),
        type=kind,
        occurred_at=datetime.now(UTC),
        resource_id=str(claim.id),
        district_code=claim.district,
        policy=claim.policy,
        data=ClaimEventData(
            status=claim.status,
            applicant_id_number=mask_resident_id(claim.applicant_id_number),
            amount_fen=claim.amount_fen,
            reason=reason,
        ),
    )


async def record_claim_event(session: AsyncSession, action: str, claim: Claim) -> None:
    """Write the move's event, if it has one, to the outbox in the move's transaction."""
    event = claim_event(action, claim)
    if event is not None:
        await events.record(session, event)

"""The body's partner events (issue 23): filed, and cancelled (by cancellation or by merger into another body).

Recorded beside the issuer record of the same change (``issuer_sync.service.enqueue_issuer_update``), so every
path that files or ends a body — filing, cancellation, merger — records its event in its own transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.bodies.models import Body
from skills_shared import events
from skills_shared.contracts.v1.events import BodyEventData, DomainEventV1, EventType, new_event_id

ISSUER_EVENT_TYPES: dict[str, EventType] = {
    "filed": EventType.BODY_FILED,
    "cancelled": EventType.BODY_CANCELLED,
    "merged": EventType.BODY_CANCELLED,
}
"""Issuer changes partners hear about; suspension, extension and scope changes stay with the registry."""


def body_event(change: str, body: Body) -> DomainEventV1 | None:
    """The event of an issuer change, or None when partners are not told of it."""
    kind = ISSUER_EVENT_TYPES.get(change)
    if kind is None:
        return None
    return DomainEventV1(
        id=new_event_id(),
        type=kind,
        occurred_at=datetime.now(UTC),
        resource_id=body.code,
        district_code=body.place_code,
        body_code=body.code,
        data=BodyEventData(
            name=body.name,
            status=body.status,
            valid_to=body.valid_to,
            reason=body.cancel_reason if kind is EventType.BODY_CANCELLED else None,
        ),
    )


async def record_body_event(session: AsyncSession, change: str, body: Body) -> None:
    event = body_event(change, body)
    if event is not None:
        await events.record(session, event)

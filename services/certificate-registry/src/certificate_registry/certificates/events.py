"""The certificate's partner events (issue 23): issued and revoked, in the transaction that issues or revokes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.certificates.models import Certificate
from skills_shared import events
from skills_shared.contracts.v1.events import CertificateEventData, DomainEventV1, EventType, new_event_id
from skills_shared.validators import mask_resident_id


def issued_events(
    *,
    numbers: Sequence[str],
    id_numbers: Sequence[str],
    body_code: str,
    place: str,
    occupation_code: str,
    level: int,
    issued_on: date,
) -> list[DomainEventV1]:
    """One ``certificate.issued`` per number of the block; district is the issuing body's filing place."""
    now = datetime.now(UTC)
    return [
        DomainEventV1(
            id=new_event_id(),
            type=EventType.CERTIFICATE_ISSUED,
            occurred_at=now,
            resource_id=number,
            district_code=place,
            body_code=body_code,
            data=CertificateEventData(
                certificate_number=number,
                holder_id_number=mask_resident_id(id_number),
                occupation_code=occupation_code,
                level=level,
                issued_on=issued_on,
            ),
        )
        for number, id_number in zip(numbers, id_numbers, strict=True)
    ]


async def record_issued(session: AsyncSession, issued: Sequence[DomainEventV1]) -> None:
    await events.record_many(session, issued)


async def record_revoked(session: AsyncSession, certificate: Certificate) -> None:
    await events.record(
        session,
        DomainEventV1(
            id=new_event_id(),
            type=EventType.CERTIFICATE_REVOKED,
            occurred_at=datetime.now(UTC),
            resource_id=certificate.number,
            district_code=certificate.body_place,
            body_code=certificate.body_code,
            data=CertificateEventData(
                certificate_number=certificate.number,
                holder_id_number=mask_resident_id(certificate.id_number),
                occupation_code=certificate.occupation_code,
                level=certificate.level,
                issued_on=certificate.issue_date,
                reason=certificate.revoked_reason,
            ),
        ),
    )

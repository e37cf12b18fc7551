"""All SQL of certificates: gapless serial allocation (CR-1), bulk insert, look-ups, revocation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.certificates.models import Certificate
from certificate_registry.certificates.rules import MAX_SERIAL
from skills_shared.db.driver import driver_connection

CERTIFICATE_COLUMNS = (
    "number",
    "body_code",
    "year",
    "level",
    "serial",
    "batch_id",
    "candidate_id",
    "holder_name",
    "id_number",
    "gender",
    "photo_ref",
    "occupation_code",
    "occupation_name",
    "work_type",
    "obtained_by",
    "issue_date",
    "body_name",
    "body_place",
    "status",
)

_TAKE_SERIALS = text(
    """
    INSERT INTO serial_counters AS c (body_code, year, level, last_serial)
    VALUES (:body, :year, :level, :count)
    ON CONFLICT (body_code, year, level)
    DO UPDATE SET last_serial = c.last_serial + EXCLUDED.last_serial
    WHERE c.last_serial + EXCLUDED.last_serial <= :max_serial
    RETURNING last_serial
    """
)

_ELIGIBLE = text(
    """
    SELECT c.id, c.name, c.id_number, c.gender, c.photo_ref
    FROM candidates c
    WHERE c.batch_id = :batch AND c.passed AND c.certificate_number IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM objections o WHERE o.candidate_id = c.id AND o.status IN ('pending', 'upheld')
      )
    ORDER BY c.row_no
    """
)


class CertificateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def eligible_candidates(self, batch_id: uuid.UUID) -> Sequence[Any]:
        """CR-4: passing, not yet issued, and not held by a pending or upheld objection."""
        return (await self.session.execute(_ELIGIBLE, {"batch": batch_id})).all()

    async def take_serials(self, body_code: str, year: int, level: int, count: int) -> int | None:
        """Reserve `count` serials in one statement; returns the new last serial, or None when they would run
        past 999999. The counter row stays locked until this transaction ends, so concurrent issues queue on it
        and a rollback returns the serials: no gap, no duplicate, no sequence (sequences leave gaps)."""
        result = await self.session.execute(
            _TAKE_SERIALS,
            {"body": body_code, "year": year, "level": level, "count": count, "max_serial": MAX_SERIAL},
        )
        value = result.scalar_one_or_none()
        return int(value) if value is not None else None

    async def last_serial(self, body_code: str, year: int, level: int) -> int:
        result = await self.session.execute(
            text("SELECT last_serial FROM serial_counters WHERE body_code = :b AND year = :y AND level = :l"),
            {"b": body_code, "y": year, "l": level},
        )
        return int(result.scalar_one_or_none() or 0)

    async def insert_many(self, records: Sequence[tuple[Any, ...]]) -> None:
        """COPY the new certificates in, inside the request's transaction."""
        connection = await driver_connection(self.session)
        await connection.copy_records_to_table("certificates", records=records, columns=CERTIFICATE_COLUMNS)

    async def mark_issued(self, candidate_ids: Sequence[int], numbers: Sequence[str]) -> None:
        connection = await driver_connection(self.session)
        await connection.execute(
            """
            UPDATE candidates SET certificate_number = v.number
            FROM unnest($1::bigint[], $2::text[]) AS v(id, number)
            WHERE candidates.id = v.id
            """,
            list(candidate_ids),
            list(numbers),
        )

    async def for_batch(self, batch_id: uuid.UUID) -> Sequence[Certificate]:
        statement = (
            select(Certificate)
            .where(Certificate.batch_id == batch_id)
            .order_by(Certificate.level, Certificate.serial)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def get(self, number: str, *, for_update: bool = False) -> Certificate | None:
        statement = select(Certificate).where(Certificate.number == number)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def revoke(self, certificate: Certificate, *, reason: str, on: date, by: str) -> None:
        certificate.status = "revoked"
        certificate.revoked_reason = reason
        certificate.revoked_on = on
        certificate.revoked_by = by
        await self.session.flush()

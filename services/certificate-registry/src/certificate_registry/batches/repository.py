"""All SQL of batches, candidates and objections."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.batches.models import Batch, Candidate, Objection
from skills_shared.db.driver import driver_connection

CANDIDATE_COLUMNS = ("batch_id", "row_no", "name", "id_number", "gender", "photo_ref", "scores", "passed")


class BatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, batch: Batch) -> Batch:
        self.session.add(batch)
        await self.session.flush()
        return batch

    async def get(self, batch_id: uuid.UUID, *, for_update: bool = False) -> Batch | None:
        statement = select(Batch).where(Batch.id == batch_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def replace_candidates(self, batch_id: uuid.UUID, rows: Sequence[tuple[Any, ...]]) -> None:
        """Drop the draft's previous upload and COPY the new rows in (10,000 rows in one round trip)."""
        await self.session.execute(delete(Candidate).where(Candidate.batch_id == batch_id))
        connection = await driver_connection(self.session)
        records = [(batch_id, *row[:5], orjson.dumps(row[5]).decode(), row[6]) for row in rows]
        await connection.copy_records_to_table("candidates", records=records, columns=CANDIDATE_COLUMNS)

    async def candidates(self, batch_id: uuid.UUID) -> Sequence[Candidate]:
        statement = select(Candidate).where(Candidate.batch_id == batch_id).order_by(Candidate.row_no)
        return (await self.session.execute(statement)).scalars().all()

    async def candidate(self, batch_id: uuid.UUID, candidate_id: int) -> Candidate | None:
        statement = select(Candidate).where(Candidate.id == candidate_id, Candidate.batch_id == batch_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def add_objection(self, objection: Objection) -> Objection:
        self.session.add(objection)
        await self.session.flush()
        return objection

    async def objection(self, objection_id: int, *, for_update: bool = False) -> Objection | None:
        statement = select(Objection).where(Objection.id == objection_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def objections(self, batch_id: uuid.UUID) -> Sequence[Objection]:
        statement = select(Objection).where(Objection.batch_id == batch_id).order_by(Objection.id)
        return (await self.session.execute(statement)).scalars().all()

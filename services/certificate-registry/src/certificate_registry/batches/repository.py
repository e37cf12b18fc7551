"""All SQL of batches, candidates and objections."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.batches.models import Batch, Candidate, Objection
from skills_shared.db.driver import driver_connection

CANDIDATE_COLUMNS = (
    "batch_id",
    "row_no",
    "name",
    "id_number",
    "gender",
    "photo_ref",
    "scores",
    "passed",
    "title",
)

_DECLARE = """
    INSERT INTO title_declarations AS d (id_number, title_level, body_code, occupation_code, work_type, level, batch_id)
    SELECT v.id_number, v.title_level, $3, $4, $5, $6, $7
    FROM unnest($1::text[], $2::text[]) AS v(id_number, title_level)
    ORDER BY v.id_number, v.title_level
    ON CONFLICT (id_number, title_level) DO NOTHING
"""
_DECLARED = """
    SELECT d.id_number, d.title_level, d.body_code, d.occupation_code, d.work_type, d.level
    FROM title_declarations d
    JOIN unnest($1::text[], $2::text[]) AS v(id_number, title_level)
      ON d.id_number = v.id_number AND d.title_level = v.title_level
"""


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
        records = [
            (
                batch_id,
                *row[:5],
                orjson.dumps(row[5]).decode(),
                row[6],
                None if row[7] is None else orjson.dumps(row[7]).decode(),
            )
            for row in rows
        ]
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

    async def objections(
        self, batch_id: uuid.UUID, *, offset: int, limit: int
    ) -> tuple[Sequence[Objection], int]:
        """One page of the batch's objections, oldest first, and how many there are."""
        where = Objection.batch_id == batch_id
        total = (
            await self.session.execute(select(func.count()).select_from(Objection).where(where))
        ).scalar_one()
        statement = select(Objection).where(where).order_by(Objection.id).offset(offset).limit(limit)
        return (await self.session.execute(statement)).scalars().all(), int(total)

    async def declare_titles(
        self,
        batch: Batch,
        people: Sequence[tuple[str, str]],
    ) -> list[asyncpg.Record]:
        """CR-9 (seed 002 七(三)): record each (ID number, title level) of a 贯通 upload, once suite-wide.

        The draft's earlier declarations are released first (an upload replaces the previous one). A person
        already declared by another transaction makes this insert wait for it to end and then skip the row
        (the primary key), so the read that follows sees the declaration that won. Returns every declaration of
        these people, whoever made it; the caller compares them with this batch.
        """
        connection = await driver_connection(self.session)
        await connection.execute("DELETE FROM title_declarations WHERE batch_id = $1", batch.id)
        if not people:
            return []
        ordered = sorted(set(people))
        ids = [p[0] for p in ordered]
        levels = [p[1] for p in ordered]
        await connection.execute(
            _DECLARE,
            ids,
            levels,
            batch.body_code,
            batch.occupation_code,
            batch.work_type,
            batch.level,
            batch.id,
        )
        return list(await connection.fetch(_DECLARED, ids, levels))

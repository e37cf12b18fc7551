"""All SQL about complaints, inspections and violations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.bodies.models import Body
from org_filing.supervision.models import Complaint, Inspection, InspectionAssignment, Violation


class SupervisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Complaint | Inspection | InspectionAssignment | Violation) -> None:
        self.session.add(row)
        await self.session.flush()

    async def complaint(self, cid: int, *, for_update: bool = False) -> Complaint | None:
        q = select(Complaint).where(Complaint.id == cid)
        if for_update:
            q = q.with_for_update()
        return (await self.session.execute(q)).scalar_one_or_none()

    async def complaints(
        self, places: set[str] | None, body_code: str | None
    ) -> list[tuple[Complaint, Body]]:
        q = select(Complaint, Body).join(Body, Body.id == Complaint.body_id)
        if places is not None:
            q = q.where(Body.place_code.in_(places))
        if body_code is not None:
            q = q.where(Body.code == body_code)
        rows = await self.session.execute(q.order_by(Complaint.id))
        return [(c, b) for c, b in rows.all()]

    async def inspection(self, iid: int, *, for_update: bool = False) -> Inspection | None:
        q = select(Inspection).where(Inspection.id == iid)
        if for_update:
            q = q.with_for_update()
        return (await self.session.execute(q)).scalar_one_or_none()

    async def assignments(self, iid: int) -> list[InspectionAssignment]:
        q = select(InspectionAssignment).where(InspectionAssignment.inspection_id == iid)
        return list((await self.session.execute(q.order_by(InspectionAssignment.body_code))).scalars())

    async def assignment(self, iid: int, body_code: str) -> InspectionAssignment | None:
        q = (
            select(InspectionAssignment)
            .where(InspectionAssignment.inspection_id == iid, InspectionAssignment.body_code == body_code)
            .with_for_update()
        )
        return (await self.session.execute(q)).scalar_one_or_none()

    async def violations(self, body_id: int) -> list[Violation]:
        q = select(Violation).where(Violation.body_id == body_id).order_by(Violation.id)
        return list((await self.session.execute(q)).scalars())

    async def published_inspections(self) -> list[Inspection]:
        q = select(Inspection).where(Inspection.status == "published").order_by(Inspection.id)
        return list((await self.session.execute(q)).scalars())

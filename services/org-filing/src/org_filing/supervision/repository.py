"""All SQL about complaints, inspections and violations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.bodies.models import Body
from org_filing.db import paged
from org_filing.supervision.models import Complaint, Inspection, InspectionAssignment, Violation
from skills_shared.contracts.v1.pagination import PageParams


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
        self, places: set[str] | None, body_code: str | None, status: str | None, page: PageParams
    ) -> tuple[list[tuple[Complaint, Body]], int]:
        q = select(Complaint, Body).join(Body, Body.id == Complaint.body_id)
        if places is not None:
            q = q.where(Body.place_code.in_(places))
        if body_code is not None:
            q = q.where(Body.code == body_code)
        if status is not None:
            q = q.where(Complaint.status == status)
        rows, total = await paged(self.session, q.order_by(Complaint.id), page)
        return [(c, b) for c, b in rows], total

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

    async def violations(self, body_id: int, page: PageParams) -> tuple[list[Violation], int]:
        q = select(Violation).where(Violation.body_id == body_id).order_by(Violation.id)
        rows, total = await paged(self.session, q, page)
        return [r for (r,) in rows], total

    async def published_inspections(
        self, district_code: str | None, page: PageParams
    ) -> tuple[list[Inspection], int]:
        q = select(Inspection).where(Inspection.status == "published")
        if district_code is not None:
            q = q.where(Inspection.place_code == district_code)
        rows, total = await paged(self.session, q.order_by(Inspection.id), page)
        return [r for (r,) in rows], total

"""All SQL about plans."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.plans.models import Plan


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, plan: Plan) -> Plan:
        self.session.add(plan)
        await self.session.flush()
        return plan

    async def get(self, plan_id: int, *, for_update: bool = False) -> Plan | None:
        q = select(Plan).where(Plan.id == plan_id)
        if for_update:
            q = q.with_for_update()
        return (await self.session.execute(q)).scalar_one_or_none()

    async def page_for_body(
        self, body_code: str, *, status: str | None, limit: int, offset: int
    ) -> tuple[list[Plan], int]:
        q = select(Plan).where(Plan.body_code == body_code)
        if status is not None:
            q = q.where(Plan.status == status)
        total = await self.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = await self.session.execute(q.order_by(Plan.starts_on, Plan.id).limit(limit).offset(offset))
        return list(rows.scalars()), int(total or 0)

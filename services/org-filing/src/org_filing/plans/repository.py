"""All SQL about plans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.plans.models import Plan


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, plan: Plan) -> Plan:
        self.session.add(plan)
        await self.session.flush()
        return plan

    async def get(self, plan_id: int) -> Plan | None:
        return await self.session.get(Plan, plan_id)

    async def for_body(self, body_code: str) -> list[Plan]:
        q = select(Plan).where(Plan.body_code == body_code).order_by(Plan.starts_on, Plan.id)
        return list((await self.session.execute(q)).scalars())

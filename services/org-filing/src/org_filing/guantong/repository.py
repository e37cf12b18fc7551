"""All SQL about 贯通 bodies and quotas."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.guantong.models import GuantongBody, GuantongQuota


class GuantongRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_name(self, name: str, *, for_update: bool = False) -> GuantongBody | None:
        q = select(GuantongBody).where(GuantongBody.name == name)
        if for_update:
            q = q.with_for_update()
        return (await self.session.execute(q)).scalar_one_or_none()

    async def registered_for_body(self, body_code: str) -> list[GuantongBody]:
        """Completed 贯通 registrations naming this filed body (OF-8); placeholders of the 2023 plan excluded."""
        q = (
            select(GuantongBody)
            .where(GuantongBody.body_code == body_code, GuantongBody.registration_complete.is_(True))
            .order_by(GuantongBody.id)
        )
        return list((await self.session.execute(q)).scalars())

    async def get(self, gid: int) -> GuantongBody | None:
        return await self.session.get(GuantongBody, gid)

    async def add(self, row: GuantongBody) -> GuantongBody:
        self.session.add(row)
        await self.session.flush()
        return row

    async def put_quota(self, gid: int, year: int, total: int, technician: int) -> None:
        stmt = insert(GuantongQuota).values(
            guantong_body_id=gid, year=year, quota_total=total, quota_technician=technician
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[GuantongQuota.guantong_body_id, GuantongQuota.year],
            set_={
                "quota_total": stmt.excluded.quota_total,
                "quota_technician": stmt.excluded.quota_technician,
            },
        )
        await self.session.execute(stmt)

    async def add_issued(self, gid: int, year: int, total: int, technician: int) -> GuantongQuota | None:
        """Atomic increment: concurrent reports add up, none is lost."""
        result = await self.session.execute(
            update(GuantongQuota)
            .where(GuantongQuota.guantong_body_id == gid, GuantongQuota.year == year)
            .values(
                issued_total=GuantongQuota.issued_total + total,
                issued_technician=GuantongQuota.issued_technician + technician,
            )
            .returning(GuantongQuota)
        )
        return result.scalar_one_or_none()

    async def year(self, year: int) -> list[tuple[GuantongQuota, GuantongBody]]:
        q = (
            select(GuantongQuota, GuantongBody)
            .join(GuantongBody, GuantongBody.id == GuantongQuota.guantong_body_id)
            .where(GuantongQuota.year == year)
            .order_by(GuantongBody.id)
        )
        return [(qq, b) for qq, b in (await self.session.execute(q)).all()]

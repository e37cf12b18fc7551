"""All SQL about applications and district thresholds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.applications.models import Application, DistrictThreshold


class ApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, app: Application) -> Application:
        self.session.add(app)
        await self.session.flush()
        return app

    async def get(self, app_id: int, *, for_update: bool = False) -> Application | None:
        q = select(Application).where(Application.id == app_id)
        if for_update:
            q = q.with_for_update()
        return (await self.session.execute(q)).scalar_one_or_none()

    async def page(
        self,
        *,
        owner: str | None,
        places: set[str] | None,
        status: str | None,
        exclude_drafts: bool = False,
        limit: int,
        offset: int,
    ) -> tuple[list[Application], int]:
        q = select(Application)
        if owner is not None:
            q = q.where(Application.owner == owner)
        if places is not None:
            q = q.where(Application.accepting_place.in_(places))
        if status is not None:
            q = q.where(Application.status == status)
        if exclude_drafts:
            q = q.where(Application.status != "draft")
        total = await self.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = await self.session.execute(q.order_by(Application.id).limit(limit).offset(offset))
        return list(rows.scalars()), int(total or 0)

    async def thresholds(self, district: str) -> DistrictThreshold | None:
        return await self.session.get(DistrictThreshold, district)

    async def put_thresholds(
        self, district: str, min_years: int, min_total: int, min_per_occupation: int, by: str
    ) -> None:
        values = {
            "district": district,
            "min_years": min_years,
            "min_total": min_total,
            "min_per_occupation": min_per_occupation,
            "updated_by": by,
            "updated_at": func.now(),
        }
        stmt = insert(DistrictThreshold).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[DistrictThreshold.district],
            set_={k: stmt.excluded[k] for k in values if k != "district"},
        )
        await self.session.execute(stmt)

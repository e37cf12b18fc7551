"""All SQL about institutions, their sites and redeem permissions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voucher.db import page_of
from voucher.institutions.models import Institution, InstitutionSite, RedeemPermission


class InstitutionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str, *, for_update: bool = False) -> Institution | None:
        stmt = select(Institution).where(Institution.code == code)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def insert(self, institution: Institution) -> bool:
        """Insert unless the code exists (decided by the primary key, so concurrent creates cannot both win)."""
        values = {
            c.key: getattr(institution, c.key)
            for c in Institution.__table__.columns
            if getattr(institution, c.key) is not None
        }
        result = await self.session.execute(
            insert(Institution).values(**values).on_conflict_do_nothing().returning(Institution.code)
        )
        return result.scalar_one_or_none() is not None

    async def search(
        self, district_code: str | None, offset: int, limit: int
    ) -> tuple[Sequence[Institution], int]:
        stmt = select(Institution).order_by(Institution.code)
        if district_code is not None:
            stmt = stmt.where(Institution.district_code == district_code)
        return await page_of(self.session, stmt, offset, limit)

    async def sites(self, codes: Sequence[str]) -> dict[str, list[InstitutionSite]]:
        out: dict[str, list[InstitutionSite]] = {c: [] for c in codes}
        if not codes:
            return out
        rows = (
            await self.session.execute(
                select(InstitutionSite)
                .where(InstitutionSite.institution_code.in_(codes))
                .order_by(InstitutionSite.id)
            )
        ).scalars()
        for site in rows:
            out[site.institution_code].append(site)
        return out

    async def add_site(self, site: InstitutionSite) -> InstitutionSite:
        self.session.add(site)
        await self.session.flush()
        return site

    async def permission(self, code: str, staff_subject: str) -> RedeemPermission | None:
        return await self.session.get(RedeemPermission, (code, staff_subject))

    async def permissions(self, code: str, offset: int, limit: int) -> tuple[Sequence[RedeemPermission], int]:
        stmt = (
            select(RedeemPermission)
            .where(RedeemPermission.institution_code == code)
            .order_by(RedeemPermission.granted_at, RedeemPermission.staff_subject)
        )
        return await page_of(self.session, stmt, offset, limit)

    async def grant(self, code: str, staff_subject: str, granted_by: str) -> RedeemPermission | None:
        """Insert a permission; None when it already existed (granting twice changes nothing)."""
        row = (
            await self.session.execute(
                insert(RedeemPermission)
                .values(institution_code=code, staff_subject=staff_subject, granted_by=granted_by)
                .on_conflict_do_nothing()
                .returning(RedeemPermission)
            )
        ).scalar_one_or_none()
        return row

    async def withdraw(self, code: str, staff_subject: str) -> bool:
        result = await self.session.execute(
            delete(RedeemPermission)
            .where(RedeemPermission.institution_code == code, RedeemPermission.staff_subject == staff_subject)
            .returning(RedeemPermission.staff_subject)
        )
        return result.scalar_one_or_none() is not None

"""All SQL about classes, their sites, check-ins and completion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.contracts.v1.voucher import LapseReason, VoucherStatus
from voucher.institutions.models import InstitutionSite
from voucher.training.models import CheckIn, ClassSite, TrainingClass
from voucher.vouchers.models import Voucher


class TrainingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sites_of_institution(self, code: str, site_ids: Sequence[int]) -> Sequence[InstitutionSite]:
        return (
            (
                await self.session.execute(
                    select(InstitutionSite).where(
                        InstitutionSite.institution_code == code, InstitutionSite.id.in_(site_ids)
                    )
                )
            )
            .scalars()
            .all()
        )

    async def insert_class(self, klass: TrainingClass, site_ids: Sequence[int]) -> TrainingClass:
        self.session.add(klass)
        await self.session.flush()
        self.session.add_all([ClassSite(class_id=klass.id, site_id=s) for s in site_ids])
        await self.session.flush()
        await self.session.refresh(klass)
        return klass

    async def get_class(self, class_id: int) -> TrainingClass | None:
        return await self.session.get(TrainingClass, class_id)

    async def class_sites(self, class_id: int) -> Sequence[InstitutionSite]:
        return (
            (
                await self.session.execute(
                    select(InstitutionSite)
                    .join(ClassSite, ClassSite.site_id == InstitutionSite.id)
                    .where(ClassSite.class_id == class_id)
                    .order_by(InstitutionSite.id)
                )
            )
            .scalars()
            .all()
        )

    async def enrolled_voucher(self, class_id: int, holder_id: str) -> Voucher | None:
        """The holder's voucher redeemed into this class (one per class at most: one voucher per type)."""
        return (
            await self.session.execute(
                select(Voucher).where(Voucher.class_id == class_id, Voucher.holder_id == holder_id).limit(1)
            )
        ).scalar_one_or_none()

    async def add_check_in(self, check_in: CheckIn) -> CheckIn:
        self.session.add(check_in)
        await self.session.flush()
        await self.session.refresh(check_in)
        return check_in

    async def voucher_for_update(self, voucher_id: int) -> Voucher | None:
        return await self.session.get(Voucher, voucher_id, with_for_update=True)

    async def set_completion(self, voucher_id: int, target: VoucherStatus, now: datetime) -> None:
        """Completed, or lapsed as training not completed (the target the voucher machine gave)."""
        values = (
            {"status": target.value, "completed_at": now}
            if target is VoucherStatus.COMPLETED
            else {
                "status": target.value,
                "lapsed_at": now,
                "lapse_reason": LapseReason.TRAINING_NOT_COMPLETED.value,
            }
        )
        await self.session.execute(update(Voucher).where(Voucher.id == voucher_id).values(**values))

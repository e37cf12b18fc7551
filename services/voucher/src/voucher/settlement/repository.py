"""All SQL about settlement claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from voucher.db import page_of
from voucher.settlement.models import Settlement, SettlementItem
from voucher.settlement.rules import SettleableVoucher
from voucher.vouchers.models import Voucher
from voucher.vouchers.rules import VOUCHER_MACHINE, VoucherStatus


class SettlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_vouchers(self, ids: Sequence[int]) -> list[SettleableVoucher]:
        """Lock the vouchers (in id order, so two claims never deadlock) and say which are already claimed."""
        rows = (
            await self.session.execute(
                select(Voucher.id, Voucher.status, Voucher.institution_code, Voucher.face_value_fen)
                .where(Voucher.id.in_(ids))
                .order_by(Voucher.id)
                .with_for_update()
            )
        ).all()
        busy = set(
            (
                await self.session.execute(
                    select(SettlementItem.voucher_id).where(SettlementItem.voucher_id.in_(ids))
                )
            ).scalars()
        )
        return [SettleableVoucher(r[0], VoucherStatus(r[1]), r[2], r[3], r[0] in busy) for r in rows]

    async def insert(self, settlement: Settlement, voucher_ids: Sequence[int]) -> Settlement:
        self.session.add(settlement)
        await self.session.flush()
        self.session.add_all([SettlementItem(settlement_id=settlement.id, voucher_id=v) for v in voucher_ids])
        await self.session.flush()
        await self.session.refresh(settlement)
        return settlement

    async def get(self, settlement_id: int, *, for_update: bool = False) -> Settlement | None:
        return await self.session.get(Settlement, settlement_id, with_for_update=for_update)

    async def items(self, settlement_ids: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {i: [] for i in settlement_ids}
        rows = await self.session.execute(
            select(SettlementItem.settlement_id, SettlementItem.voucher_id)
            .where(SettlementItem.settlement_id.in_(settlement_ids))
            .order_by(SettlementItem.voucher_id)
        )
        for sid, vid in rows:
            out[sid].append(vid)
        return out

    async def search(
        self,
        institution_code: str | None,
        district_code: str | None,
        status: str | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Settlement], int]:
        stmt = select(Settlement).order_by(Settlement.id)
        if institution_code is not None:
            stmt = stmt.where(Settlement.institution_code == institution_code)
        if district_code is not None:
            stmt = stmt.where(Settlement.district_code == district_code)
        if status is not None:
            stmt = stmt.where(Settlement.status == status)
        return await page_of(self.session, stmt, offset, limit)

    async def mark_vouchers_settled(self, settlement_id: int) -> None:
        await self.session.execute(
            update(Voucher)
            .where(
                Voucher.id.in_(
                    select(SettlementItem.voucher_id).where(SettlementItem.settlement_id == settlement_id)
                ),
                Voucher.status.in_([s.value for s in VOUCHER_MACHINE.moves["settle"][0]]),
            )
            .values(status=VoucherStatus.SETTLED.value)
        )

    async def decide(
        self,
        s: Settlement,
        status: str,
        approved_amount_fen: int | None,
        reason: str | None,
        by: str,
        at: datetime,
    ) -> None:
        s.status = status
        s.approved_amount_fen = approved_amount_fen
        s.reason = reason
        s.decided_by = by
        s.decided_at = at
        await self.session.flush()

"""The voucher's partner events (issue 23): claimed, redeemed, lapsed, each in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import events
from skills_shared.contracts.v1.events import DomainEventV1, EventType, VoucherEventData, new_event_id
from skills_shared.contracts.v1.voucher import VoucherStatus
from skills_shared.db.lean import LeanTx
from skills_shared.validators import mask_resident_id

LAPSE_REASON_ZH = {"not_used": "有效期内未使用", "training_not_completed": "培训未完成"}


def voucher_event(
    kind: EventType,
    *,
    voucher_id: int,
    holder_id: str,
    district_code: str | None,
    status: VoucherStatus,
    type_code: str | None,
    year: int | None,
    institution_code: str | None = None,
    reason: str | None = None,
) -> DomainEventV1:
    """One voucher's event; the holder's ID number masked as in public answers."""
    return DomainEventV1(
        id=new_event_id(),
        type=kind,
        occurred_at=datetime.now(UTC),
        resource_id=str(voucher_id),
        district_code=district_code,
        data=VoucherEventData(
            status=status.value,
            holder_id_number=mask_resident_id(holder_id),
            type_code=type_code,
            year=year,
            institution_code=institution_code,
            reason=reason,
        ),
    )


async def record_claimed(session: AsyncSession, vouchers: Iterable[Any]) -> None:
    """``voucher.claimed`` for each voucher a claim created."""
    for v in vouchers:
        await events.record(
            session,
            voucher_event(
                EventType.VOUCHER_CLAIMED,
                voucher_id=v.id,
                holder_id=v.holder_id,
                district_code=v.district_code,
                status=VoucherStatus.CLAIMED,
                type_code=v.type_code,
                year=v.year,
            ),
        )


async def record_redeemed(
    tx: LeanTx,
    *,
    voucher_id: int,
    holder_id: str,
    district_code: str | None,
    type_code: str,
    year: int,
    institution_code: str,
) -> None:
    """``voucher.redeemed``, in the redeem's own lean transaction, written with its other trailing writes.

    The district comes from the scan's own statement (a redeem never changes it): no round trip of its own.
    """
    await events.record(
        tx,
        voucher_event(
            EventType.VOUCHER_REDEEMED,
            voucher_id=voucher_id,
            holder_id=holder_id,
            district_code=district_code,
            status=VoucherStatus.REDEEMED,
            type_code=type_code,
            year=year,
            institution_code=institution_code,
        ),
    )


async def record_lapsed(session: AsyncSession, rows: Sequence[RowMapping], reason: str) -> None:
    """``voucher.lapsed`` for each voucher the lapse run moved (rows RETURNING id, holder, district, type, year)."""
    for row in rows:
        await events.record(
            session,
            voucher_event(
                EventType.VOUCHER_LAPSED,
                voucher_id=row["id"],
                holder_id=row["holder_id"],
                district_code=row["district_code"],
                status=VoucherStatus.LAPSED,
                type_code=row["type_code"],
                year=row["year"],
                reason=LAPSE_REASON_ZH.get(reason, reason),
            ),
        )

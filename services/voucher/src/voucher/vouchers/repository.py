"""All SQL about voucher types, campaigns, issue lists (grants), claimed vouchers and use counters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voucher.db import page_of
from voucher.vouchers.models import Campaign, Grant, Voucher, VoucherType


class VoucherRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- types ------------------------------------------------------------------------------------------
    async def types(self) -> Sequence[VoucherType]:
        return (await self.session.execute(select(VoucherType).order_by(VoucherType.code))).scalars().all()

    async def type(self, code: str) -> VoucherType | None:
        return await self.session.get(VoucherType, code, with_for_update=True)

    # -- campaigns --------------------------------------------------------------------------------------
    async def annual_exists(self, year: int) -> bool:
        stmt = (
            select(func.count()).select_from(Campaign).where(Campaign.year == year, Campaign.kind == "annual")
        )
        return bool((await self.session.execute(stmt)).scalar_one())

    async def insert_campaign(self, campaign: Campaign) -> Campaign:
        self.session.add(campaign)
        await self.session.flush()
        await self.session.refresh(campaign)
        return campaign

    async def campaign(self, campaign_id: int) -> Campaign | None:
        return await self.session.get(Campaign, campaign_id)

    async def campaigns(self, year: int | None, offset: int, limit: int) -> tuple[Sequence[Campaign], int]:
        stmt = select(Campaign).order_by(Campaign.year, Campaign.id)
        if year is not None:
            stmt = stmt.where(Campaign.year == year)
        return await page_of(self.session, stmt, offset, limit)

    async def issued_counts(self, campaign_ids: Sequence[int]) -> dict[int, int]:
        if not campaign_ids:
            return {}
        rows = await self.session.execute(
            select(Grant.campaign_id, func.count())
            .where(Grant.campaign_id.in_(campaign_ids))
            .group_by(Grant.campaign_id)
        )
        return {int(cid): int(n) for cid, n in rows}

    async def bulk_issue(self, campaign_id: int, year: int, holders: Sequence[tuple[str, str]]) -> int:
        """Issue to many holders at once: COPY into a transaction-local staging table, then one INSERT … SELECT.

        A holder already issued this year (by any campaign of the year) is skipped by the (holder, year) key.
        Returns how many were newly issued. COPY runs inside the request's transaction, so a failure leaves
        nothing behind.
        """
        conn = await self.session.connection()
        raw = await conn.get_raw_connection()
        apg = cast(Any, raw).driver_connection
        await apg.execute(
            "CREATE TEMP TABLE IF NOT EXISTS issue_staging (holder_id varchar(18), district_code varchar(2))"
            " ON COMMIT DELETE ROWS"
        )
        await apg.execute("TRUNCATE issue_staging")
        await apg.copy_records_to_table(
            "issue_staging", records=holders, columns=["holder_id", "district_code"]
        )
        inserted = await apg.fetchval(
            """
            WITH ins AS (
                INSERT INTO grants (campaign_id, year, holder_id, district_code)
                SELECT $1, $2, holder_id, district_code FROM issue_staging
                ON CONFLICT (holder_id, year) DO NOTHING
                RETURNING 1
            )
            SELECT count(*) FROM ins
            """,
            campaign_id,
            year,
        )
        return int(inserted)

    async def grant_of(self, holder_id: str, year: int) -> tuple[Grant, Campaign] | None:
        row = (
            await self.session.execute(
                select(Grant, Campaign)
                .join(Campaign, Campaign.id == Grant.campaign_id)
                .where(Grant.holder_id == holder_id, Grant.year == year)
            )
        ).one_or_none()
        return (row[0], row[1]) if row else None

    # -- vouchers ---------------------------------------------------------------------------------------
    async def claimed_types(self, holder_id: str, year: int) -> list[str]:
        rows = await self.session.execute(
            select(Voucher.type_code).where(Voucher.holder_id == holder_id, Voucher.year == year)
        )
        return list(rows.scalars())

    async def insert_vouchers(self, rows: list[dict[str, Any]]) -> Sequence[Voucher]:
        """Insert claimed vouchers; a (holder, year, type) that already exists is skipped, not overwritten (V-4)."""
        stmt = (
            insert(Voucher)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_vouchers_holder_year_type")
            .returning(Voucher)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def vouchers_of(
        self, holder_id: str, year: int | None, offset: int, limit: int
    ) -> tuple[Sequence[Voucher], int]:
        stmt = select(Voucher).where(Voucher.holder_id == holder_id).order_by(Voucher.year, Voucher.type_code)
        if year is not None:
            stmt = stmt.where(Voucher.year == year)
        return await page_of(self.session, stmt, offset, limit)

    async def voucher(self, voucher_id: int) -> Voucher | None:
        return await self.session.get(Voucher, voucher_id)

    async def lapse_unused(self, today: date, now: Any) -> int:
        """V-4: claimed vouchers past their validity lapse as not used."""
        result = await self.session.execute(
            update(Voucher)
            .where(Voucher.status == "claimed", Voucher.valid_until < today)
            .values(status="lapsed", lapsed_at=now, lapse_reason="not_used")
            .returning(Voucher.id)
        )
        return len(result.scalars().all())

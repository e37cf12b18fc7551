"""SQL of claims on the session: look-ups, releasing the double-payment ledgers, queues and the outputs' queries.

Submit, the hot path, takes the ledgers with plain SQL on its lean unit of work: `claims/submit_repository.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Select, cast, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from subsidy_claims.claims.models import (
    Claim,
    FamilyLedger,
    LevelLedger,
    Objection,
    PastSubsidyRecord,
    YearlyCount,
)
from subsidy_claims.claims.rules import AWAITING_DECISION, HOLDING, ClaimStatus
from subsidy_claims.policies.facts import PastSubsidy, SubsidyKind

HOLDING_VALUES = [s.value for s in HOLDING]
NO_CLAIM = uuid.UUID(int=0)

PRIOR_SQL = """
SELECT 0 AS own, kind, occupation_code, work_type, level, year, as_in_service, as_secondary_student, source
FROM past_subsidies WHERE applicant_id_number = CAST(:applicant AS text)
UNION ALL
SELECT 1, policy, occupation_code, work_type, level,
       extract(year FROM coalesce(submitted_on, certificate_issue_date))::int, as_in_service, as_secondary_student,
       NULL
FROM claims
WHERE applicant_id_number = CAST(:applicant AS text) AND status = ANY(CAST(:holding AS text[]))
  AND id <> CAST(:exclude AS uuid)
ORDER BY own
"""
"""Subsidies recorded elsewhere (own = 0), then this service's holding claims (own = 1), columns only. Submit
(``submit_repository``) sends the same statement with ``$n`` parameters; the preview sends it on the session."""


def past_subsidy_of(row: Mapping[Any, Any]) -> PastSubsidy:
    """A row of ``PRIOR_SQL`` as a past subsidy; one recorded elsewhere keeps the name of its source."""
    return PastSubsidy(
        kind=SubsidyKind(row["kind"]),
        occupation_code=row["occupation_code"],
        work_type=row["work_type"],
        level=row["level"],
        year=row["year"],
        as_in_service=row["as_in_service"],
        as_secondary_student=row["as_secondary_student"],
        **({} if row["source"] is None else {"source": row["source"]}),
    )


class ClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, claim: Claim) -> None:
        self.session.add(claim)
        await self.session.flush()

    async def get(self, claim_id: uuid.UUID, *, for_update: bool = False) -> Claim | None:
        stmt = select(Claim).where(Claim.id == claim_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def flush(self) -> None:
        await self.session.flush()

    async def add_past_subsidies(self, rows: Sequence[PastSubsidyRecord]) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    # --- ledgers: the database's own guard against double payment (taken by `submit_repository`) ---------

    async def release(self, claim: Claim) -> None:
        """A rejected claim gives its entitlement back: recompute the ledger rows from the live claims left."""
        applicant, policy = claim.applicant_id_number, claim.policy
        await self.session.execute(
            select(LevelLedger)
            .where(
                LevelLedger.applicant_id_number == applicant,
                LevelLedger.policy == policy,
                LevelLedger.work_type_key == claim.work_type_key,
            )
            .with_for_update()
        )
        live = (
            (
                await self.session.execute(
                    select(Claim).where(
                        Claim.applicant_id_number == applicant,
                        Claim.policy == policy,
                        Claim.status.in_(HOLDING_VALUES),
                        Claim.id != claim.id,
                    )
                )
            )
            .scalars()
            .all()
        )
        same_type = [c for c in live if c.work_type_key == claim.work_type_key]
        level_where = (
            (LevelLedger.applicant_id_number == applicant)
            & (LevelLedger.policy == policy)
            & (LevelLedger.work_type_key == claim.work_type_key)
        )
        if same_type:
            best = min(same_type, key=lambda c: (c.level_key != 0, c.level_key))
            await self.session.execute(
                update(LevelLedger).where(level_where).values(best_level_key=best.level_key, claim_id=best.id)
            )
        else:
            await self.session.execute(delete(LevelLedger).where(level_where))
        same_family = [c for c in live if c.family_key == claim.family_key]
        family_where = (
            (FamilyLedger.applicant_id_number == applicant)
            & (FamilyLedger.policy == policy)
            & (FamilyLedger.family_key == claim.family_key)
        )
        if not same_family:
            await self.session.execute(delete(FamilyLedger).where(family_where))
        if policy == "sh-upgrade" and claim.submitted_on is not None:
            await self.session.execute(
                update(YearlyCount)
                .where(
                    YearlyCount.applicant_id_number == applicant,
                    YearlyCount.year == claim.submitted_on.year,
                )
                .values(
                    claims=YearlyCount.claims - 1,
                    in_service_claims=YearlyCount.in_service_claims - (1 if claim.as_in_service else 0),
                )
            )

    # --- objections ------------------------------------------------------------------------------------

    async def add_objection(self, objection: Objection) -> None:
        self.session.add(objection)
        await self.session.flush()

    async def objections(self, claim_id: uuid.UUID) -> list[Objection]:
        stmt = select(Objection).where(Objection.claim_id == claim_id).order_by(Objection.id)
        return list((await self.session.execute(stmt)).scalars())

    async def objection(self, claim_id: uuid.UUID, objection_id: int) -> Objection | None:
        stmt = (
            select(Objection)
            .where(Objection.claim_id == claim_id, Objection.id == objection_id)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- lists -----------------------------------------------------------------------------------------

    def _queue(self, district: str | None) -> Select[Claim]:
        stmt = select(Claim).where(
            Claim.status.in_([s.value for s in AWAITING_DECISION | {ClaimStatus.MATERIAL_REQUESTED}])
        )
        if district is not None:
            stmt = stmt.where(Claim.district == district)
        return stmt

    async def _page(self, stmt: Select[Any], offset: int, limit: int) -> tuple[list[Claim], int]:
        """One page of ``stmt`` (already ordered) and the count of the whole list."""
        total = (
            await self.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))
        ).scalar_one()
        rows = list((await self.session.execute(stmt.offset(offset).limit(limit))).scalars())
        return rows, int(total)

    async def queue(
        self, district: str | None, *, overdue_on: date | None, offset: int, limit: int
    ) -> tuple[list[Claim], int]:
        """A reviewer's queue: earliest deadline first; claims without a deadline last."""
        stmt = self._queue(district)
        if overdue_on is not None:
            stmt = stmt.where(
                Claim.review_due_on < overdue_on, Claim.status.in_([s.value for s in AWAITING_DECISION])
            )
        stmt = stmt.order_by(Claim.review_due_on.asc().nulls_last(), Claim.submitted_at, Claim.id)
        return await self._page(stmt, offset, limit)

    async def of_applicant(self, applicant: str, offset: int, limit: int) -> tuple[list[Claim], int]:
        stmt = (
            select(Claim).where(Claim.applicant_id_number == applicant).order_by(Claim.created_at, Claim.id)
        )
        return await self._page(stmt, offset, limit)

    async def in_publicity(self, district: str | None, offset: int, limit: int) -> tuple[list[Claim], int]:
        stmt = select(Claim).where(Claim.status == ClaimStatus.IN_PUBLICITY.value)
        if district is not None:
            stmt = stmt.where(Claim.district == district)
        return await self._page(stmt.order_by(Claim.publicity_started_on, Claim.id), offset, limit)

    async def prior_subsidies(self, applicant: str) -> list[PastSubsidy]:
        """What counts against a new claim of ``applicant`` (the preview's view of submit's ``prior_subsidies``):
        payments recorded elsewhere and this service's claims that hold an entitlement."""
        params = {"applicant": applicant, "holding": HOLDING_VALUES, "exclude": NO_CLAIM}
        rows = (await self.session.execute(text(PRIOR_SQL), params)).all()
        return [past_subsidy_of(r._mapping) for r in rows]

    async def payment_instructed(self, district: str | None) -> list[Claim]:
        stmt = select(Claim).where(Claim.status == ClaimStatus.PAYMENT_INSTRUCTED.value)
        if district is not None:
            stmt = stmt.where(Claim.district == district)
        return list((await self.session.execute(stmt.order_by(Claim.district, Claim.id))).scalars())

    async def statistics(self, by: str, district: str | None) -> list[dict[str, Any]]:
        """Counts and sums of submitted claims grouped by district, occupation, level or month of submission."""
        key: Any = {
            "district": Claim.district,
            "occupation": Claim.occupation_code,
            "level": Claim.level,
            "month": func.to_char(Claim.submitted_on, "YYYY-MM"),
        }[by]
        paid = Claim.status == ClaimStatus.PAID.value
        stmt = (
            select(
                Claim.policy,
                key.label("key"),
                func.count().label("claims"),
                func.count().filter(paid).label("paid"),
                cast(func.coalesce(func.sum(Claim.amount_fen).filter(paid), 0), BigInteger).label("paid_fen"),
                func.max(Claim.occupation_name).label("occupation_name"),
            )
            .where(Claim.status != ClaimStatus.DRAFT.value)
            .group_by(Claim.policy, key)
            .order_by(Claim.policy, key)
        )
        if district is not None:
            stmt = stmt.where(Claim.district == district)
        return [dict(r._mapping) for r in await self.session.execute(stmt)]

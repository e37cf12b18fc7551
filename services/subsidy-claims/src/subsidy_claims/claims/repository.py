"""All SQL of claims: look-ups, the double-payment ledgers, queues and the outputs' queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Select, cast, delete, false, func, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.db.driver import driver_connection
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

    async def lock_status(self, claim_id: uuid.UUID) -> str:
        """Lock the claim's row (FOR UPDATE) and read its status as now committed, without reloading it."""
        conn = await driver_connection(self.session)
        status: str = await conn.fetchval(
            "SELECT status FROM claims WHERE id = $1::uuid FOR UPDATE", claim_id
        )
        return status

    # --- facts about the past -------------------------------------------------------------------------

    async def prior_subsidies(self, applicant: str, exclude: uuid.UUID | None) -> list[PastSubsidy]:
        """Subsidies that count against a new claim: recorded elsewhere, plus this service's live claims."""
        external = (
            await self.session.execute(
                select(PastSubsidyRecord).where(PastSubsidyRecord.applicant_id_number == applicant)
            )
        ).scalars()
        out = [
            PastSubsidy(
                kind=SubsidyKind(r.kind),
                occupation_code=r.occupation_code,
                work_type=r.work_type,
                level=r.level,
                year=r.year,
                as_in_service=r.as_in_service,
                as_secondary_student=r.as_secondary_student,
                source=r.source,
            )
            for r in external
        ]
        # Only the columns the rules read: whole Claim entities would decode every JSON document of the person.
        stmt = select(
            Claim.policy,
            Claim.occupation_code,
            Claim.work_type,
            Claim.level,
            Claim.submitted_on,
            Claim.certificate_issue_date,
            Claim.as_in_service,
            Claim.as_secondary_student,
        ).where(Claim.applicant_id_number == applicant, Claim.status.in_(HOLDING_VALUES))
        if exclude is not None:
            stmt = stmt.where(Claim.id != exclude)
        for c in (await self.session.execute(stmt)).all():
            out.append(
                PastSubsidy(
                    kind=SubsidyKind(c.policy),
                    occupation_code=c.occupation_code,
                    work_type=c.work_type,
                    level=c.level,
                    year=(c.submitted_on or c.certificate_issue_date).year,
                    as_in_service=c.as_in_service,
                    as_secondary_student=c.as_secondary_student,
                )
            )
        return out

    async def add_past_subsidies(self, rows: Sequence[PastSubsidyRecord]) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    # --- ledgers: the database's own guard against double payment --------------------------------------

    async def take_level(
        self, applicant: str, policy: str, work_type_key: str, level_key: int, claim_id: uuid.UUID
    ) -> bool:
        """CQ-7 / SH-6: take the (person, policy, 工种) row only with a strictly higher level (lower code).

        One statement: the upsert locks the row and re-checks the condition on its newest version, so of two
        simultaneous claims at the same level exactly one gets a row back.
        """
        stmt = (
            insert(LevelLedger)
            .values(
                applicant_id_number=applicant,
                policy=policy,
                work_type_key=work_type_key,
                best_level_key=level_key,
                claim_id=claim_id,
            )
            .on_conflict_do_update(
                index_elements=["applicant_id_number", "policy", "work_type_key"],
                set_={"best_level_key": level_key, "claim_id": claim_id},
                # A certificate without level (special ability) never takes an existing row: same project once.
                where=(LevelLedger.best_level_key > level_key) if level_key > 0 else false(),
            )
            .returning(LevelLedger.claim_id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def take_family(self, applicant: str, policy: str, family_key: str, work_type_key: str) -> bool:
        """CQ-6: the first 工种 of an occupation family claims the family; another 工种 gets no row back."""
        stmt = (
            insert(FamilyLedger)
            .values(
                applicant_id_number=applicant,
                policy=policy,
                family_key=family_key,
                work_type_key=work_type_key,
            )
            .on_conflict_do_update(
                index_elements=["applicant_id_number", "policy", "family_key"],
                set_={"work_type_key": work_type_key},
                where=FamilyLedger.work_type_key == work_type_key,
            )
            .returning(FamilyLedger.work_type_key)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def count_year(
        self, applicant: str, year: int, *, in_service: bool, external: int, external_in_service: int
    ) -> bool:
        """SH-13: add one claim to the (person, year) counter if the caps still allow it, counting the
        subsidies recorded elsewhere; CHECK constraints on the row back the condition up."""
        await self.session.execute(
            insert(YearlyCount)
            .values(applicant_id_number=applicant, year=year, claims=0, in_service_claims=0)
            .on_conflict_do_nothing()
        )
        add_in_service = 1 if in_service else 0
        stmt = (
            update(YearlyCount)
            .where(
                YearlyCount.applicant_id_number == applicant,
                YearlyCount.year == year,
                YearlyCount.claims + 1 + external <= 3,
                YearlyCount.in_service_claims + add_in_service + external_in_service <= 1
                if in_service
                else true(),
            )
            .values(
                claims=YearlyCount.claims + 1,
                in_service_claims=YearlyCount.in_service_claims + add_in_service,
            )
            .returning(YearlyCount.claims)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def external_counts(self, applicant: str, year: int) -> tuple[int, int]:
        """Training or upgrade subsidies recorded elsewhere for SH-13, and how many of them as in-service."""
        row = (
            await self.session.execute(
                select(func.count(), func.count().filter(PastSubsidyRecord.as_in_service)).where(
                    PastSubsidyRecord.applicant_id_number == applicant,
                    PastSubsidyRecord.year == year,
                    PastSubsidyRecord.kind.in_([SubsidyKind.SH_UPGRADE.value, SubsidyKind.SH_TRAINING.value]),
                )
            )
        ).one()
        return int(row[0]), int(row[1])

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

    async def queue(self, district: str | None, *, overdue_on: date | None, limit: int) -> list[Claim]:
        """A reviewer's queue: earliest deadline first; claims without a deadline last."""
        stmt = self._queue(district)
        if overdue_on is not None:
            stmt = stmt.where(
                Claim.review_due_on < overdue_on, Claim.status.in_([s.value for s in AWAITING_DECISION])
            )
        stmt = stmt.order_by(Claim.review_due_on.asc().nulls_last(), Claim.submitted_at, Claim.id).limit(
            limit
        )
        return list((await self.session.execute(stmt)).scalars())

    async def of_applicant(self, applicant: str) -> list[Claim]:
        stmt = select(Claim).where(Claim.applicant_id_number == applicant).order_by(Claim.created_at)
        return list((await self.session.execute(stmt)).scalars())

    async def in_publicity(self, district: str | None) -> list[Claim]:
        stmt = select(Claim).where(Claim.status == ClaimStatus.IN_PUBLICITY.value)
        if district is not None:
            stmt = stmt.where(Claim.district == district)
        return list(
            (await self.session.execute(stmt.order_by(Claim.publicity_started_on, Claim.id))).scalars()
        )

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
            )
            .where(Claim.status != ClaimStatus.DRAFT.value)
            .group_by(Claim.policy, key)
            .order_by(Claim.policy, key)
        )
        if district is not None:
            stmt = stmt.where(Claim.district == district)
        return [dict(r._mapping) for r in await self.session.execute(stmt)]

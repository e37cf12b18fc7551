"""All SQL of the operator-loaded policy tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from subsidy_claims.policies.facts import CatalogueClass
from subsidy_claims.policies.models import CatalogueEntry, CqAmountTableRow
from subsidy_claims.policies.tables import CqAmountTable, catalogue_class_of, cq_amount_table


class PolicyTableRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current_cq_table(self) -> CqAmountTable | None:
        row = (
            await self.session.execute(select(CqAmountTableRow).order_by(CqAmountTableRow.id.desc()).limit(1))
        ).scalar_one_or_none()
        return None if row is None else cq_amount_table(row.version, row.amounts)

    async def add_cq_table(self, version: str, amounts: list[dict[str, Any]], loaded_by: str) -> bool:
        """Store a new version; False when that version name is already loaded (versions are immutable)."""
        stmt = (
            insert(CqAmountTableRow)
            .values(version=version, amounts=amounts, loaded_by=loaded_by)
            .on_conflict_do_nothing(index_elements=["version"])
            .returning(CqAmountTableRow.id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def catalogue_class(self, occupation_code: str, work_type: str | None) -> CatalogueClass | None:
        """SH-2: the 工种's own entry wins over the occupation's."""
        rows = (
            await self.session.execute(
                select(CatalogueEntry.work_type, CatalogueEntry.catalogue_class).where(
                    CatalogueEntry.occupation_code == occupation_code,
                    CatalogueEntry.work_type.in_([work_type or "", ""]),
                )
            )
        ).all()
        return catalogue_class_of({r[0]: r[1] for r in rows}, work_type)

    async def upsert_catalogue(self, entries: list[tuple[str, str, str]]) -> None:
        if not entries:
            return
        stmt = insert(CatalogueEntry).values(
            [{"occupation_code": o, "work_type": w, "catalogue_class": c} for o, w, c in entries]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["occupation_code", "work_type"],
            set_={"catalogue_class": stmt.excluded.catalogue_class},
        )
        await self.session.execute(stmt)

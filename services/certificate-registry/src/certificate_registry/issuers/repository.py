"""All SQL of the issuer list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.issuers.models import Issuer


class IssuerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str, *, for_update: bool = False) -> Issuer | None:
        statement = select(Issuer).where(Issuer.code == code)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def insert_if_absent(self, values: dict[str, object]) -> bool:
        """Insert the row unless the code exists; True when this call created it (safe under concurrency)."""
        result = await self.session.execute(
            insert(Issuer)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[Issuer.code])
            .returning(Issuer.code)
        )
        return result.scalar_one_or_none() is not None

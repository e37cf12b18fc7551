"""Declarative base of the org-filing service's own tables, and the paging of its list queries."""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from skills_shared.contracts.v1.pagination import PageParams
from skills_shared.db import naming_metadata


class Base(DeclarativeBase):
    """Base of every ORM model of this service; its metadata drives Alembic."""

    metadata = naming_metadata()


Ts = TypeVarTuple("Ts")


async def paged(session: AsyncSession, query: Select[*Ts], page: PageParams) -> tuple[list[Any], int]:
    """One page of ``query`` (already ordered) and the count of the whole list under the same filters."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await session.execute(query.limit(page.limit).offset(page.offset))
    return list(rows.all()), int(total or 0)

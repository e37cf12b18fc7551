"""Declarative base of the voucher service's own tables, and the one way a list query is paged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from skills_shared.db import naming_metadata

T = TypeVar("T")


class Base(DeclarativeBase):
    """Base of every ORM model of this service; its metadata drives Alembic."""

    metadata = naming_metadata()


async def page_of(session: AsyncSession, stmt: Select[T], offset: int, limit: int) -> tuple[Sequence[T], int]:
    """One page of an ordered single-entity query, and how many rows the whole query has (the same filters)."""
    count: Select[Any] = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = int((await session.execute(count)).scalar_one())
    rows: Sequence[T] = (await session.execute(stmt.offset(offset).limit(limit))).scalars().all()
    return rows, total

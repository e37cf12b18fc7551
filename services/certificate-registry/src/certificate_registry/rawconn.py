"""The asyncpg connection under a SQLAlchemy session, for COPY inside the request's own transaction."""

from __future__ import annotations

from typing import Any, cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession


async def asyncpg_connection(session: AsyncSession) -> asyncpg.Connection[Any]:
    """The driver connection of the session's current transaction: a COPY on it commits or rolls back with
    everything else the request wrote."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return cast("asyncpg.Connection[Any]", raw.driver_connection)

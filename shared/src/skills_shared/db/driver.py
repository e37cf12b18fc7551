"""The asyncpg connection under a SQLAlchemy session, for the hot paths and for COPY.

A statement sent on it runs inside the session's current transaction, so it commits or rolls back with
everything else the request wrote. What it saves is SQLAlchemy's per-statement work (coercion, cache keys,
greenlet switches, row processing): about a tenth of a millisecond of CPU per statement, which on a request
of eight statements is most of the service's own cost. asyncpg prepares each distinct SQL text once per
connection and reuses it.
"""

from __future__ import annotations

from typing import Any, cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession


async def driver_connection(session: AsyncSession) -> asyncpg.Connection[Any]:
    """The driver connection of the session's current transaction, with that transaction begun.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with the first statement it executes itself; a statement
    sent straight to the driver before that would run in autocommit — its locks released at once, its writes
    kept even if the request later fails. So the adapter's transaction is started here when it has not been
    (``tests/test_driver.py`` proves the statements roll back with the session).
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapter: Any = raw.dbapi_connection  # SQLAlchemy's AsyncAdapt_asyncpg_connection
    if getattr(adapter, "_transaction", True) is None and adapter.isolation_level != "autocommit":
        await adapter._start_transaction()
    return cast("asyncpg.Connection[Any]", raw.driver_connection)

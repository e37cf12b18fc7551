"""All SQL of upward reporting: a server-side cursor for the export, one GROUP BY for the counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg

EXPORT_COLUMNS = (
    "number",
    "holder_name",
    "id_number",
    "gender",
    "occupation_code",
    "occupation_name",
    "work_type",
    "level",
    "issue_date",
    "body_code",
    "body_name",
    "obtained_by",
    "status",
    "revoked_on",
)

# The column list is a constant of this module; nothing in the statement comes from a request.
_EXPORT = (
    f"SELECT {', '.join(EXPORT_COLUMNS)} FROM certificates "  # noqa: S608
    "WHERE issue_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR body_place = $3) ORDER BY issue_date, number"
)

_COUNTS = (
    "SELECT body_code, min(body_name) AS body_name, occupation_code, min(occupation_name) AS occupation_name, "
    "level, year, count(*) AS issued, count(*) FILTER (WHERE status = 'revoked') AS revoked "
    "FROM certificates WHERE issue_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR body_place = $3) "
    "GROUP BY body_code, occupation_code, level, year ORDER BY body_code, occupation_code, level, year "
    "OFFSET $4 LIMIT $5"
)
_COUNT_GROUPS = (
    "SELECT count(*) FROM (SELECT 1 FROM certificates WHERE issue_date BETWEEN $1 AND $2 "
    "AND ($3::text IS NULL OR body_place = $3) GROUP BY body_code, occupation_code, level, year) AS g"
)


async def stream_certificates(
    pool: asyncpg.Pool[Any], start: date, end: date, place: str | None, *, prefetch: int = 1000
) -> AsyncIterator[asyncpg.Record]:
    """Rows in issue order, fetched `prefetch` at a time: memory stays flat for any range."""
    async with pool.acquire() as connection, connection.transaction(readonly=True):
        async for row in connection.cursor(_EXPORT, start, end, place, prefetch=prefetch):
            yield row


async def counts(
    pool: asyncpg.Pool[Any], start: date, end: date, place: str | None, *, offset: int, limit: int
) -> tuple[list[asyncpg.Record], int]:
    """One page of the (body, occupation, level, year) counts, and how many such groups there are."""
    async with pool.acquire() as connection:
        rows = list(await connection.fetch(_COUNTS, start, end, place, offset, limit))
        total = int(await connection.fetchval(_COUNT_GROUPS, start, end, place))
    return rows, total

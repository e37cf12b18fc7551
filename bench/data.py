"""Certificates for the look-up figures: the working set COPY'd from a generator into the registry's own migrated
database; the scale set (``scale_load``) uses the same numbering.

Row ``i`` always gets the same CR-1 number, so a load tool can ask for numbers that exist without reading them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import asyncpg

from bench.infra import dsn
from skills_shared.contracts.v1.registry import ObtainedBy

HOLDER_NAME = "王芳"
NAME_QUERY = "name=" + quote(HOLDER_NAME)
SERIALS_PER_GROUP = 999_999
BODY_PREFIX = "S00005000"  # S + route 0000 + province 50 + place 00 (city level); 4-digit sequence follows
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def with_checksum(first17: str) -> str:
    """A GB 11643 resident ID from its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK[total % 11]


def resident_ids(count: int, *, area: str = "500106", seed: int = 11) -> list[str]:
    """``count`` distinct valid resident IDs (birth dates 1960–2004, both sexes)."""
    rng = random.Random(seed)
    start = date(1960, 1, 1)
    days = (date(2004, 12, 31) - start).days
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        birth = start + timedelta(days=rng.randrange(days))
        candidate = with_checksum(f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}")
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out


def gender_of(id_number: str) -> str:
    return "男" if int(id_number[16]) % 2 else "女"


def parts(i: int) -> tuple[str, int, int, int]:
    """Row ``i`` → (body code, two-digit year, level, serial); 999,999 serials per (body, year, level)."""
    group, serial0 = divmod(i, SERIALS_PER_GROUP)
    level = group % 5 + 1
    year = 20 + (group // 5) % 7
    body = f"{BODY_PREFIX}{1 + group // 35:04d}"
    return body, year, level, serial0 + 1


def number_of(i: int) -> str:
    body, year, level, serial = parts(i)
    return f"{body}{year:02d}{level}{serial:06d}"


def lookup_paths(rows: int, count: int = 5000, seed: int = 3) -> list[str]:
    """Public look-up paths (number + name, CR-6) of random stored certificates."""
    rng = random.Random(seed)
    return [f"/v1/certificates/{number_of(rng.randrange(rows))}?{NAME_QUERY}" for _ in range(count)]


def bodies_needed(rows: int) -> int:
    return 1 + (max(rows, 1) - 1) // SERIALS_PER_GROUP // 35


ISSUER_SQL = """
INSERT INTO issuers (code, category, route, province, place, sequence, name, level_scope, scope,
                     valid_from, valid_to, status)
SELECT $1 || lpad(s::text, 4, '0'), 'S', '0000', '50', '00', s, '重庆市某职业技能评价中心', 'city', '[]',
       date '2020-01-01', date '2030-12-31', 'active'
FROM generate_series(1, $2::int) s
ON CONFLICT (code) DO NOTHING
"""

COLUMNS = (
    "number",
    "body_code",
    "year",
    "level",
    "serial",
    "holder_name",
    "id_number",
    "gender",
    "occupation_code",
    "occupation_name",
    "obtained_by",
    "issue_date",
    "body_name",
    "body_place",
    "status",
)


def _rows(start: int, stop: int, ids: list[str]) -> Iterator[tuple[Any, ...]]:
    base = date(2020, 1, 1)
    for i in range(start, stop):
        body, year, level, serial = parts(i)
        idn = ids[i % len(ids)]
        yield (
            f"{body}{year:02d}{level}{serial:06d}",
            body,
            year,
            level,
            serial,
            HOLDER_NAME,
            idn,
            gender_of(idn),
            "4-01-01-01",
            "电工",
            ObtainedBy.EVALUATION.value,
            base + timedelta(days=i % 2000),
            "重庆市某职业技能评价中心",
            "00",
            "valid",
        )


async def copy_certificates(url: str, rows: int) -> float:
    """COPY ``rows`` certificates into an empty registry database; returns the seconds it took."""
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute(ISSUER_SQL, BODY_PREFIX, bodies_needed(rows))
        ids = resident_ids(1000)
        step = 50_000
        for start in range(0, rows, step):
            await conn.copy_records_to_table(
                "certificates", records=_rows(start, min(rows, start + step), ids), columns=COLUMNS
            )
        await conn.execute("ANALYZE certificates")
    finally:
        await conn.close()
    return time.perf_counter() - started

"""Certificates for the look-up figures: COPY from a generator for the working set, INSERT … SELECT
generate_series for the scale set, both into the registry's own migrated schema (same table, same indexes).

Row ``i`` always gets the same CR-1 number, so a load tool can ask for numbers that exist without reading them.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import asyncpg

from bench.infra import dsn

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
            "examination",
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


INSERT_SQL = """
INSERT INTO certificates (number, body_code, year, level, serial, holder_name, id_number, gender, occupation_code,
                          occupation_name, obtained_by, issue_date, body_name, body_place, status)
SELECT g.b || lpad(g.y::text, 2, '0') || g.l::text || lpad(g.s::text, 6, '0'), g.b, g.y, g.l, g.s, '王芳',
       ($3::text[])[1 + g.i % 1000], CASE WHEN (ascii(substr(($3::text[])[1 + g.i % 1000], 17, 1)) % 2) = 1
       THEN '男' ELSE '女' END, '4-01-01-01', '电工', 'examination', date '2020-01-01' + (g.i % 2000)::int,
       '重庆市某职业技能评价中心', '00', 'valid'
FROM (SELECT i, 'S00005000' || lpad((1 + (i / 999999) / 35)::text, 4, '0') AS b, 20 + ((i / 999999) / 5) % 7 AS y,
             (i / 999999) % 5 + 1 AS l, i % 999999 + 1 AS s
      FROM generate_series($1::bigint, $2::bigint - 1) i) g
"""

META_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_scale_meta "
    "(rows bigint NOT NULL, complete boolean NOT NULL, heads text NOT NULL)"
)
INDEX_SQL = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'certificates' "
    "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'certificates'::regclass)"
)
CONSTRAINT_SQL = (
    "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint "
    "WHERE conrelid = 'certificates'::regclass AND contype IN ('p', 'u') ORDER BY contype"
)


async def settle(conn: asyncpg.Connection[Any], progress: Callable[[str], None]) -> None:
    """VACUUM the freshly loaded table once, as autovacuum would soon after a production load.

    Without it the first read of every heap page sets its hint bits and dirties it, and autovacuum starts on
    the 10 M rows in the middle of the measurement: the large side then measures a write storm, not a look-up.
    """
    if await conn.fetchval("SELECT vacuumed FROM bench_scale_meta"):
        return
    t = time.perf_counter()
    await conn.execute("VACUUM (ANALYZE) certificates")
    await conn.execute("UPDATE bench_scale_meta SET vacuumed = true")
    progress(f"    scale load: VACUUM (ANALYZE) in {time.perf_counter() - t:.0f} s")


@dataclass
class ScaleLoad:
    """What the scale database holds after loading, and what this run did to get there."""

    rows: int
    loaded_now: int
    seconds: float
    reused: int
    cut_by_budget: bool
    total_load_s: float
    """Seconds every run together spent loading what is stored now."""


async def load_scale(
    url: str,
    reference_url: str,
    heads: str,
    target: int,
    budget_s: float,
    *,
    tune_server: bool,
    progress: Callable[[str], None] = print,
) -> ScaleLoad:
    """Fill the scale database up to ``target`` rows within ``budget_s`` seconds (index rebuild included).

    Secondary indexes and unique constraints are dropped for the load and rebuilt afterwards, from their own
    definitions, so the table ends with exactly the migration's indexes. Rows stored by an earlier run are kept
    (row ``i`` is deterministic), so a machine that cannot load 10 M in one budget gets there over several runs.
    """
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn(url))
    try:
        if tune_server:
            # Our own embedded server only: fewer forced checkpoints while writing a few GB.
            await conn.execute("ALTER SYSTEM SET max_wal_size = '8GB'")
            await conn.execute("SELECT pg_reload_conf()")
        await conn.execute(META_SQL)
        await conn.execute(
            "ALTER TABLE bench_scale_meta ADD COLUMN IF NOT EXISTS seconds double precision "
            "NOT NULL DEFAULT 0"
        )
        await conn.execute(
            "ALTER TABLE bench_scale_meta ADD COLUMN IF NOT EXISTS vacuumed boolean NOT NULL DEFAULT false"
        )
        meta = await conn.fetchrow("SELECT rows, complete, seconds FROM bench_scale_meta")
        earlier_s = float(meta["seconds"]) if meta else 0.0
        have = int(meta["rows"]) if meta else int(await conn.fetchval("SELECT count(*) FROM certificates"))
        if meta and meta["complete"] and have >= target:
            await settle(conn, progress)
            return ScaleLoad(have, 0, time.perf_counter() - started, have, False, earlier_s)
        await conn.execute(ISSUER_SQL, BODY_PREFIX, bodies_needed(target))
        ref = await asyncpg.connect(dsn(reference_url))
        try:
            indexes = await ref.fetch(INDEX_SQL)
            constraints = await ref.fetch(CONSTRAINT_SQL)
        finally:
            await ref.close()
        for row in await conn.fetch(INDEX_SQL):
            await conn.execute(f'DROP INDEX IF EXISTS "{row["indexname"]}"')
        for row in await conn.fetch(CONSTRAINT_SQL):
            await conn.execute(f'ALTER TABLE certificates DROP CONSTRAINT IF EXISTS "{row["conname"]}"')
        await conn.execute("DELETE FROM bench_scale_meta")
        await conn.execute(
            "INSERT INTO bench_scale_meta (rows, complete, heads, seconds) VALUES ($1, false, $2, $3)",
            have,
            heads,
            earlier_s,
        )
        ids = resident_ids(1000)
        chunk = 500_000
        rate: float | None = None  # rows per second while inserting
        rebuild_per_row = (
            6.5e-6  # measured on 2 cores: ~0.25 × insert cost; refined below once we know `rate`
        )
        pool = await asyncpg.create_pool(dsn(url), min_size=2, max_size=2)
        cut = False
        loaded = 0
        try:
            while have < target:
                step = min(chunk, target - have)
                elapsed = time.perf_counter() - started
                if rate is not None:
                    rebuild_est = (have + step) * max(rebuild_per_row, 0.3 / rate)
                    if elapsed + step / rate + rebuild_est > budget_s:
                        cut = True
                        break
                t = time.perf_counter()
                half = have + step // 2

                async def insert(lo: int, hi: int) -> None:
                    async with pool.acquire() as c:
                        await c.execute("SET synchronous_commit = off")
                        await c.execute(INSERT_SQL, lo, hi, ids)

                await asyncio.gather(insert(have, half), insert(half, have + step))
                have += step
                loaded += step
                rate = step / (time.perf_counter() - t)
                await conn.execute("UPDATE bench_scale_meta SET rows = $1", have)
                progress(f"    scale load: {have:,} rows ({rate:,.0f} rows/s)")
        finally:
            await pool.close()
        t = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '512MB'")
        for row in constraints:
            await conn.execute(f'ALTER TABLE certificates ADD CONSTRAINT "{row["conname"]}" {row["def"]}')
        for row in indexes:
            await conn.execute(row["indexdef"])
        await conn.execute("ANALYZE certificates")
        progress(f"    scale load: indexes rebuilt in {time.perf_counter() - t:.0f} s")
        await conn.execute("UPDATE bench_scale_meta SET vacuumed = false")
        await settle(conn, progress)
        seconds = time.perf_counter() - started
        await conn.execute(
            "UPDATE bench_scale_meta SET complete = $1, seconds = $2", not cut, earlier_s + seconds
        )
        return ScaleLoad(have, loaded, seconds, have - loaded, cut, earlier_s + seconds)
    finally:
        await conn.close()

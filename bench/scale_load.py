"""Filling the scale database: binary COPY into the migrated table, index builds, VACUUM (ANALYZE).

The table is the registry's own, migrated by its Alembic history. For the load its indexes and its primary-key,
unique and foreign-key constraints are dropped; afterwards they are rebuilt from the definitions in the freshly
migrated look-up database and the result is compared with it, so the table ends with exactly the migration's
indexes and constraints.

What makes 10 million rows fit one run (each step measured on this 2-core machine; see bench/README.md "Scale"):

- a fresh load is one transaction that truncates the table and COPYs into it ``FREEZE``: on a server with
  ``wal_level = minimal`` (``scale_server``) nothing of it is written to the WAL, and the rows are stored frozen
  and all-visible, so the VACUUM afterwards has nothing to rewrite (it used to dirty all 2 GB again);
- rows come from numpy as binary COPY (``scale_rows``), not computed per row in SQL;
- no foreign-key trigger runs per row (the constraints are added back once, with one validating scan each);
- rows are stored in the order of every index, and the builds run with ``synchronize_seqscans = off`` so each
  scan starts at block 0 and its sort finds the input already in order; two builds run at once, one per core.

A run that cannot finish within ``BENCH_SCALE_BUDGET_S`` stops the COPY early and commits what it has; row ``i`` is
always the same certificate, so the next run appends from there (logged, not frozen; VACUUM then does more).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.data import BODY_PREFIX, COLUMNS, ISSUER_SQL, bodies_needed
from bench.infra import dsn
from bench.scale_rows import HEADER, TRAILER, BinaryRows

CHUNK = 100_000
"""Rows per COPY data message (about 20 MB)."""
REBUILD_SHARE = 1.2
"""Index builds + VACUUM take about this multiple of the COPY's time per row (measured at 10 M rows: 0.6–1.1,
1.8 once, at load averages 4–9); with the COPY's rate measured in the run it predicts the rebuild on a busy
machine as well as on a quiet one."""
BUILD_CONNECTIONS = 2
MAINTENANCE_WORK_MEM = "1GB"
"""Per build connection: a 10 M-row sort fits in memory (about 800 MB), so no build spills to disk."""

META_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_scale_meta "
    "(rows bigint NOT NULL, complete boolean NOT NULL, heads text NOT NULL)"
)
INDEX_SQL = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'certificates' "
    "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'certificates'::regclass)"
)
CONSTRAINT_SQL = (
    "SELECT conname, contype::text AS contype, pg_get_constraintdef(oid) AS def, "
    "CASE WHEN contype IN ('p', 'u') THEN pg_get_indexdef(conindid) END AS indexdef "
    "FROM pg_constraint WHERE conrelid = 'certificates'::regclass AND contype IN ('p', 'u', 'f') "
    "ORDER BY contype DESC, conname"
)
SCHEMA_SQL = (
    "SELECT 'index ' || indexname || ': ' || indexdef AS item FROM pg_indexes WHERE tablename = 'certificates' "
    "UNION ALL SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = 'certificates'::regclass ORDER BY 1"
)
REFERENCING_SQL = (
    "SELECT conrelid::regclass::text AS tab, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint "
    "WHERE confrelid = 'certificates'::regclass AND conrelid <> 'certificates'::regclass AND contype = 'f' "
    "ORDER BY 1, 2"
)
"""Other tables' foreign keys to certificates (credential status entries …): they hang on its primary key, which
cannot be dropped under them, so they are dropped first and added back last (their tables stay empty here)."""
PLAIN_KEY = re.compile(r"(PRIMARY KEY|UNIQUE) \([^()]*\)")


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
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds of this run's steps: copy, indexes, vacuum."""

    def phase_text(self) -> str:
        names = {"copy": "COPY", "indexes": "indexes", "vacuum": "VACUUM (ANALYZE)"}
        return ", ".join(f"{names.get(k, k)} {v:.0f} s" for k, v in self.phases.items())


@dataclass
class Definitions:
    """The migrated table's keys and indexes, read from the look-up database that was just migrated."""

    constraints: list[asyncpg.Record]
    indexes: list[asyncpg.Record]
    schema: list[str]
    referencing: list[asyncpg.Record]


async def read_definitions(url: str) -> Definitions:
    conn = await asyncpg.connect(dsn(url))
    try:
        return Definitions(
            list(await conn.fetch(CONSTRAINT_SQL)),
            list(await conn.fetch(INDEX_SQL)),
            [r["item"] for r in await conn.fetch(SCHEMA_SQL)],
            list(await conn.fetch(REFERENCING_SQL)),
        )
    finally:
        await conn.close()


async def settle(conn: asyncpg.Connection[Any], progress: Callable[[str], None]) -> float:
    """VACUUM the freshly loaded table once, as autovacuum would soon after a production load; returns seconds.

    Without it the first read of every heap page sets its hint bits and dirties it, and autovacuum starts on
    the 10 M rows in the middle of the measurement: the large side then measures a write storm, not a look-up.
    After a frozen COPY it only has to read the visibility map and ANALYZE.
    """
    if await conn.fetchval("SELECT vacuumed FROM bench_scale_meta"):
        return 0.0
    t = time.perf_counter()
    await conn.execute("VACUUM (ANALYZE) certificates")
    await conn.execute("UPDATE bench_scale_meta SET vacuumed = true")
    seconds = time.perf_counter() - t
    progress(f"    scale load: VACUUM (ANALYZE) in {seconds:.0f} s")
    return seconds


async def _drop_keys_and_indexes(conn: asyncpg.Connection[Any]) -> None:
    for row in await conn.fetch(REFERENCING_SQL):
        await conn.execute(f'ALTER TABLE {row["tab"]} DROP CONSTRAINT IF EXISTS "{row["conname"]}"')
    for row in await conn.fetch(INDEX_SQL):
        await conn.execute(f'DROP INDEX IF EXISTS "{row["indexname"]}"')
    for row in await conn.fetch(CONSTRAINT_SQL):
        await conn.execute(f'ALTER TABLE certificates DROP CONSTRAINT IF EXISTS "{row["conname"]}"')


async def _build_indexes(url: str, statements: list[str]) -> None:
    """Run CREATE INDEX statements on ``BUILD_CONNECTIONS`` connections at once (they share a SHARE lock).

    ``synchronize_seqscans = off``: with it on, a build's scan joins one already running on the table (the other
    build's) in the middle, its rows reach the sort out of order, and the sort cost three to five times as much.
    """
    queue: asyncio.Queue[str] = asyncio.Queue()
    for sql in statements:
        queue.put_nowait(sql)

    async def worker() -> None:
        conn = await asyncpg.connect(dsn(url))
        try:
            await conn.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            await conn.execute("SET max_parallel_maintenance_workers = 0")
            await conn.execute("SET synchronize_seqscans = off")
            while not queue.empty():
                await conn.execute(queue.get_nowait())
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(BUILD_CONNECTIONS)))


async def rebuild(conn: asyncpg.Connection[Any], url: str, defs: Definitions) -> None:
    """Indexes, then keys on them, then foreign keys; fails if the table does not match the migration."""
    keys = [c for c in defs.constraints if c["contype"] in ("p", "u")]
    fast = [c for c in keys if PLAIN_KEY.fullmatch(c["def"])]
    await _build_indexes(url, [c["indexdef"] for c in fast] + [r["indexdef"] for r in defs.indexes])
    for c in keys:
        if c in fast:
            kind = "PRIMARY KEY" if c["contype"] == "p" else "UNIQUE"
            await conn.execute(
                f'ALTER TABLE certificates ADD CONSTRAINT "{c["conname"]}" {kind} USING INDEX "{c["conname"]}"'
            )
        else:  # options USING INDEX cannot express (deferrable, INCLUDE …): the plain, slower way
            await conn.execute(f'ALTER TABLE certificates ADD CONSTRAINT "{c["conname"]}" {c["def"]}')
    for c in defs.constraints:
        if c["contype"] == "f":
            await conn.execute(f'ALTER TABLE certificates ADD CONSTRAINT "{c["conname"]}" {c["def"]}')
    for c in defs.referencing:
        await conn.execute(f'ALTER TABLE {c["tab"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}')
    now = [r["item"] for r in await conn.fetch(SCHEMA_SQL)]
    referencing = [(r["tab"], r["conname"], r["def"]) for r in await conn.fetch(REFERENCING_SQL)]
    if referencing != [(r["tab"], r["conname"], r["def"]) for r in defs.referencing]:
        raise RuntimeError(f"foreign keys to the scale table differ from the migration's: {referencing[:4]}")
    if now != defs.schema:
        differ = sorted(set(now) ^ set(defs.schema))
        raise RuntimeError(f"scale table's keys and indexes differ from the migration's: {differ[:4]}")


async def _copy(
    conn: asyncpg.Connection[Any],
    have: int,
    target: int,
    *,
    fresh: bool,
    deadline: Callable[[int, float], bool],
    progress: Callable[[str], None],
) -> int:
    """COPY rows ``have`` … until ``target`` (or until ``deadline`` says stop) in this transaction; returns the
    new row count. ``fresh`` truncates first and loads ``FREEZE`` (no WAL under ``wal_level = minimal``)."""
    encoder = BinaryRows()
    state = {"have": have}
    t0 = time.perf_counter()

    async def source() -> AsyncIterator[Any]:
        yield HEADER
        reported = have
        while state["have"] < target:
            done = state["have"] - have
            rate = done / (time.perf_counter() - t0) if done else None
            step = min(CHUNK, target - state["have"])
            if rate and deadline(state["have"] + step, step / rate):
                break
            yield encoder.encode(state["have"], state["have"] + step)
            state["have"] += step
            if state["have"] - reported >= 1_000_000 or state["have"] == target:
                reported = state["have"]
                rows_s = (state["have"] - have) / (time.perf_counter() - t0)
                progress(f"    scale load: {state['have']:,} rows ({rows_s:,.0f} rows/s)")
        yield TRAILER

    if fresh:
        await conn.execute("TRUNCATE certificates")
    await conn.copy_to_table("certificates", source=source(), columns=COLUMNS, format="binary", freeze=fresh)
    await conn.execute("UPDATE bench_scale_meta SET rows = $1", state["have"])
    return state["have"]


async def load_scale(
    url: str,
    reference_url: str,
    heads: str,
    target: int,
    budget_s: float,
    *,
    progress: Callable[[str], None] = print,
) -> ScaleLoad:
    """Fill the scale database up to ``target`` rows within ``budget_s`` seconds (index builds included).

    Only session settings are changed, so it runs the same on a server given by ``BENCH_DATABASE_URL`` (there
    without ``wal_level = minimal`` the COPY is WAL-logged, and slower).
    """
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute(META_SQL)
        await conn.execute(
            "ALTER TABLE bench_scale_meta ADD COLUMN IF NOT EXISTS seconds double precision NOT NULL DEFAULT 0"
        )
        await conn.execute(
            "ALTER TABLE bench_scale_meta ADD COLUMN IF NOT EXISTS vacuumed boolean NOT NULL DEFAULT false"
        )
        meta = await conn.fetchrow("SELECT rows, complete, seconds FROM bench_scale_meta")
        earlier_s = float(meta["seconds"]) if meta else 0.0
        have = int(meta["rows"]) if meta else int(await conn.fetchval("SELECT count(*) FROM certificates"))
        if meta and meta["complete"] and have >= target:
            vacuum_s = await settle(conn, progress)
            return ScaleLoad(
                have,
                0,
                time.perf_counter() - started,
                have,
                False,
                earlier_s,
                {"vacuum": vacuum_s} if vacuum_s else {},
            )
        await conn.execute(ISSUER_SQL, BODY_PREFIX, bodies_needed(target))
        defs = await read_definitions(reference_url)
        await _drop_keys_and_indexes(conn)
        await conn.execute("DELETE FROM bench_scale_meta")
        await conn.execute(
            "INSERT INTO bench_scale_meta (rows, complete, heads, seconds) VALUES ($1, false, $2, $3)",
            have,
            heads,
            earlier_s,
        )
        phases: dict[str, float] = {}
        before = have
        cut = False

        def over_budget(rows_after: int, step_s: float) -> bool:
            nonlocal cut
            copy_s = time.perf_counter() - t_copy
            loaded = rows_after - before
            rebuild_s = REBUILD_SHARE * (copy_s + step_s) / loaded * rows_after
            cut = time.perf_counter() - started + step_s + rebuild_s > budget_s
            return cut

        t_copy = time.perf_counter()
        async with conn.transaction():
            have = await _copy(conn, have, target, fresh=have == 0, deadline=over_budget, progress=progress)
        phases["copy"] = time.perf_counter() - t_copy
        t = time.perf_counter()
        await rebuild(conn, url, defs)
        phases["indexes"] = time.perf_counter() - t
        progress(f"    scale load: keys and indexes rebuilt in {phases['indexes']:.0f} s")
        await conn.execute("UPDATE bench_scale_meta SET vacuumed = false")
        phases["vacuum"] = await settle(conn, progress)
        seconds = time.perf_counter() - started
        await conn.execute(
            "UPDATE bench_scale_meta SET complete = $1, seconds = $2", not cut, earlier_s + seconds
        )
        return ScaleLoad(have, have - before, seconds, before, cut, earlier_s + seconds, phases)
    finally:
        await conn.close()

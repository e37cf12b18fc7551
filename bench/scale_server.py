"""The scale database's own embedded PostgreSQL (``.data/pg-bench-scale``), configured for a bulk load.

A server of its own, because the settings that make a 10-million-row load fast need a restart
(``wal_level = minimal``), and the main bench server cannot restart under the running services. Kept for the
look-up measurement as well, with every setting that matters to a read left at the default:

- ``wal_level = minimal`` and ``max_wal_senders = 0``: rows COPY'd into a table truncated in the same
  transaction, and indexes built on it, skip the WAL entirely (the rows alone wrote 1.8 GB of WAL per 10 M);
- ``max_wal_size = 8GB``, ``checkpoint_timeout = 30min``: no forced checkpoints in the middle of the load.

``fsync`` stays on: turning it off for the load (``ALTER SYSTEM`` + reload) was measured and saved nothing here
(10 M rows: 58 s with it on, 76 s off, within the machine's noise; the COPY's commit waited for no disk). So the
look-ups are measured under exactly the settings the load ran with, and ``shared_buffers`` (128 MB), work memory
and the planner settings are the defaults of the main bench server: the 10 M side of the figure is compared with
the 100 k side under the same cache and plan settings; the WAL settings do not touch a read.
"""

from __future__ import annotations

import asyncio
import warnings

import asyncpg

from bench.config import REPO_ROOT
from skills_shared.db import to_asyncpg_dsn
from skills_shared.testing import with_database

DATA_DIR = REPO_ROOT / ".data" / "pg-bench-scale"
SERVER_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
}


async def _settings(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(url, "postgres")))
    try:
        rows = await conn.fetch(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])", list(SERVER_SETTINGS)
        )
        return {r["name"]: _normal(r["setting"], r["unit"]) for r in rows}
    finally:
        await conn.close()


def _normal(setting: str, unit: str | None) -> str:
    """pg_settings in the units ``SERVER_SETTINGS`` are written in (8GB is 8192 × 1MB; 30min is 1800 s)."""
    if unit == "MB" and int(setting) % 1024 == 0:
        return f"{int(setting) // 1024}GB"
    if unit == "s" and int(setting) % 60 == 0:
        return f"{int(setting) // 60}min"
    return setting


async def _configure(url: str) -> None:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(url, "postgres")))
    try:
        for name, value in SERVER_SETTINGS.items():
            await conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    finally:
        await conn.close()


def scale_server_url() -> str:
    """Start (or reuse) the scale server and return its URL; restarts it once if its settings are not ours."""
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    from pgserver.postgres_server import get_server  # development dependency

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(DATA_DIR, cleanup_mode="stop")
    url: str = server.get_uri()
    if asyncio.run(_settings(url)) != SERVER_SETTINGS:
        asyncio.run(_configure(url))
        server.cleanup()
        server = get_server(DATA_DIR, cleanup_mode="stop")
        url = server.get_uri()
        if (got := asyncio.run(_settings(url))) != SERVER_SETTINGS:
            raise RuntimeError(f"scale server did not take its settings: {got}")
    return url

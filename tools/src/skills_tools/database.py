"""The PostgreSQL server `skills run` and `skills test` use: the operator's, or an embedded one under .data/."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from skills_shared.db import to_async_url, to_asyncpg_dsn
from skills_shared.testing import with_database

REPO_ROOT = Path(__file__).resolve().parents[3]


class DatabaseUnavailable(Exception):
    """The configured server cannot be reached; the message is one line for the operator."""


def embedded_server_url(name: str) -> str:
    """Start (or reuse) an embedded PostgreSQL under ``.data/<name>`` and return its URL.

    pgserver ships real PostgreSQL binaries in its wheel; the server keeps running until the last process that
    asked for it exits, so a second `make run` finds the same data.
    """
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    from pgserver.postgres_server import get_server  # development dependency

    data = REPO_ROOT / ".data" / name
    data.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data, cleanup_mode="stop")
    url: str = server.get_uri()
    if max_connections(url) < EMBEDDED_MAX_CONNECTIONS:
        # Race tests hold 50-70 connections each and two suites run at once: 100 (the default) is not enough.
        # The setting takes effect at the next start, so the freshly created server is restarted once.
        asyncio.run(_execute(url, f"ALTER SYSTEM SET max_connections = {EMBEDDED_MAX_CONNECTIONS}"))
        server.cleanup()
        server = get_server(data, cleanup_mode="stop")
        url = server.get_uri()
    return url


EMBEDDED_MAX_CONNECTIONS = 300


async def _execute(url: str, sql: str) -> str:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(url, "postgres")))
    try:
        return str(await conn.fetchval(sql) if sql.upper().startswith("SHOW") else await conn.execute(sql))
    finally:
        await conn.close()


def max_connections(url: str) -> int:
    """The server's ``max_connections``: decides how many test suites may run at once."""
    return int(asyncio.run(_execute(url, "SHOW max_connections")))


async def _check(url: str) -> None:
    try:
        conn = await asyncio.wait_for(
            asyncpg.connect(to_asyncpg_dsn(with_database(url, "postgres"))), timeout=5
        )
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(
            f"PostgreSQL at {redact(url)} is not reachable: {type(exc).__name__}: {exc}"
        ) from exc
    await conn.close()


def check_reachable(url: str) -> None:
    """Raise DatabaseUnavailable with a one-line reason when the server does not answer."""
    asyncio.run(_check(url))


async def _ensure(url: str, names: list[str]) -> None:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(url, "postgres")))
    try:
        existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def ensure_databases(url: str, names: list[str]) -> dict[str, str]:
    """Create any missing database and return each one's async URL."""
    asyncio.run(_ensure(url, names))
    return {name: to_async_url(with_database(url, name)) for name in names}


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}" if ":" in creds else url
    return url

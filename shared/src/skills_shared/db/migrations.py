"""Alembic support: the async env every service's ``env.py`` calls, and the platform tables' frozen revision."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from skills_shared.db import to_async_url
from skills_shared.db.tables import platform_metadata


def _do_run(connection: Connection, target_metadata: Sequence[MetaData]) -> None:
    context.configure(connection=connection, target_metadata=list(target_metadata), compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, target_metadata: Sequence[MetaData]) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_do_run, target_metadata)
    await engine.dispose()


def run_env(service_metadata: MetaData) -> None:
    """Body of every service's Alembic ``env.py``: online migrations on asyncpg (offline SQL is not supported)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set; migrate through skills_shared.db.migrations.upgrade()")
    targets = [service_metadata, platform_metadata]
    asyncio.run(_run_async(to_async_url(url), targets))


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    """A programmatic Alembic config: no alembic.ini to keep in step with settings."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", to_async_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Migrate a database to ``revision`` (blocking; call it outside a running event loop or in a thread)."""
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def head_revisions(migrations_dir: Path) -> set[str]:
    """The revision ids the code expects the database to be at."""
    script = ScriptDirectory.from_config(alembic_config(migrations_dir, "postgresql://unused/x"))
    return set(script.get_heads())


async def current_revisions(connection: AsyncConnection) -> set[str]:
    """The revision ids the database is at (``/readyz`` compares them with the heads)."""

    def _read(sync_conn: Connection) -> set[str]:
        return set(MigrationContext.configure(sync_conn).get_current_heads())

    return await connection.run_sync(_read)


_AUDIT_GUARD = (
    """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
)


def upgrade_platform_v1() -> None:
    """Version 1 of the platform tables, frozen: a later change gets its own ``upgrade_platform_vN``.

    The audit log refuses UPDATE, DELETE and TRUNCATE by trigger (全程留痕); tests that need a clean slate
    disable the trigger explicitly, which itself is visible in the database log.
    """
    bind = op.get_bind()
    platform_metadata.create_all(bind)
    for statement in _AUDIT_GUARD:
        op.execute(statement)


def downgrade_platform_v1() -> None:
    """Drop the platform tables (development only)."""
    op.execute("DROP TABLE IF EXISTS outbox, idempotency_keys, audit_log CASCADE")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")

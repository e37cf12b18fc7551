"""Alembic support: the async env every service's ``env.py`` calls, and the platform tables' frozen revision."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.dialects.postgresql import JSONB
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
    """Version 1 of the platform tables, frozen as explicit DDL: a later change gets its own ``upgrade_platform_vN``.

    The audit log refuses UPDATE, DELETE and TRUNCATE by trigger (全程留痕); tests that need a clean slate
    bypass the trigger explicitly for their own session.
    """
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("entity_type", sa.String(80), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("before", JSONB(), nullable=True),
        sa.Column("after", JSONB(), nullable=True),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.UniqueConstraint("hash", name="uq_audit_log_hash"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("response", JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(40), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("body", JSONB(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index(
        "ix_outbox_pending", "outbox", ["next_attempt_at"], postgresql_where=sa.text("delivered_at IS NULL")
    )
    for statement in _AUDIT_GUARD:
        op.execute(statement)


def upgrade_platform_v2() -> None:
    """Version 2: the audit log becomes several parallel hash chains (``chain``), so audited writes stop
    queueing behind one lock. Rows written before keep chain 0 and their original hashes."""
    op.add_column(
        "audit_log", sa.Column("chain", sa.SmallInteger(), server_default=sa.text("0"), nullable=False)
    )
    op.create_index("ix_audit_log_chain_id", "audit_log", ["chain", "id"])


def downgrade_platform_v2() -> None:
    """Back to one chain (development only)."""
    op.drop_index("ix_audit_log_chain_id", table_name="audit_log")
    op.drop_column("audit_log", "chain")


_AUDIT_APPEND = """CREATE OR REPLACE FUNCTION audit_append(
    lock_class int, chain_no smallint, genesis bytea, at_ timestamptz, actor_ text, actor_role_ text,
    action_ text, entity_type_ text, entity_id_ text, request_id_ text, before_ jsonb, after_ jsonb,
    content bytea
) RETURNS void AS $$
BEGIN
  -- One transaction at a time extends a chain, until it commits (re-entrant: a transaction already holding
  -- the chain's lock takes it again at no cost).
  PERFORM pg_advisory_xact_lock(lock_class, chain_no);
  -- A VOLATILE function takes a fresh snapshot for each statement (READ COMMITTED): this INSERT, begun after the
  -- lock was granted, sees the chain's last committed row, as a separate statement after the lock did.
  INSERT INTO audit_log (at, actor, actor_role, action, entity_type, entity_id, request_id, before, after,
                         chain, prev_hash, hash)
  SELECT at_, actor_, actor_role_, action_, entity_type_, entity_id_, request_id_, before_, after_,
         chain_no, last.prev, sha256(last.prev || content)
  FROM (SELECT coalesce((SELECT hash FROM audit_log WHERE chain = chain_no ORDER BY id DESC LIMIT 1),
                        genesis) AS prev) AS last;
END;
$$ LANGUAGE plpgsql VOLATILE"""


def upgrade_platform_v3() -> None:
    """Version 3: ``audit_append()``, the chain's lock and the chained insert in one round trip.

    Appending was two statements (the advisory lock, then the insert that must see the chain's head as committed
    after the lock was granted); each round trip costs a service 55–120 µs of CPU on the hot paths. A VOLATILE
    PL/pgSQL function runs both with a fresh snapshot for the insert, so the chain stays exactly as before.
    """
    op.execute(_AUDIT_APPEND)


def downgrade_platform_v3() -> None:
    """Back to appending in two statements (development only)."""
    op.execute(
        "DROP FUNCTION IF EXISTS audit_append(int, smallint, bytea, timestamptz, text, text, text, text, text, "
        "text, jsonb, jsonb, bytea)"
    )


def downgrade_platform_v1() -> None:
    """Drop the platform tables (development only)."""
    op.execute("DROP TABLE IF EXISTS outbox, idempotency_keys, audit_log CASCADE")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")

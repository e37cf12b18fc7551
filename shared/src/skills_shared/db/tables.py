"""Tables every service database has: the audit chain, idempotency keys and the outbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from skills_shared.db import naming_metadata

platform_metadata = naming_metadata()

audit_log = Table(
    "audit_log",
    platform_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_role", String(40), nullable=False),
    Column("action", String(80), nullable=False),
    Column("entity_type", String(80), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("request_id", String(100), nullable=True),
    Column("before", JSONB, nullable=True),
    Column("after", JSONB, nullable=True),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False, unique=True),
    Column("chain", SmallInteger, nullable=False, server_default=text("0")),
    Index("ix_audit_log_chain_id", "chain", "id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    platform_metadata,
    Column("principal", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", Text, nullable=False),
    Column("request_hash", LargeBinary(32), nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("response", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = Table(
    "outbox",
    platform_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("target", String(40), nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", Text, nullable=False),
    Column("body", JSONB, nullable=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_pending", "next_attempt_at", postgresql_where=text("delivered_at IS NULL")),
)
"""Delivered rows keep ``delivered_at``; a message the receiver refused for good (a 4xx other than 408/429) is also
closed, with ``last_error`` saying why, so it neither blocks the messages behind it nor retries for ever."""

"""The gateway's event tables: the feed, partner subscriptions, the delivery queue and its log.

The feed's ``seq`` is the pull cursor: ingest takes a transaction-scoped advisory lock, so sequence numbers
commit in the order they are handed out and a reader that has seen ``seq = n`` can never later find a
smaller one appear (a cursor never skips an event).
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from gateway.db import Base

metadata = Base.metadata

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("type", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("resource_type", String(20), nullable=False),
    Column("resource_id", String(200), nullable=False),
    Column("district_code", String(20), nullable=True),
    Column("body_code", String(20), nullable=True),
    Column("policy", String(40), nullable=True),
    Column("payload", JSONB, nullable=False),
    Index("ix_events_recorded_at", "recorded_at"),
)

subscriptions = Table(
    "event_subscriptions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("owner", String(250), nullable=False, index=True),
    Column("owner_district", String(20), nullable=True),
    Column("owner_body", String(20), nullable=True),
    Column("url", Text, nullable=False),
    Column("description", String(200), nullable=True),
    Column("event_types", ARRAY(String(40)), nullable=False),
    Column("filter_district", String(20), nullable=True),
    Column("filter_body", String(20), nullable=True),
    Column("filter_policy", String(40), nullable=True),
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100), nullable=True),
    Column("previous_secret_until", DateTime(timezone=True), nullable=True),
    Column("status", String(20), nullable=False, server_default=text("'active'")),
    Column("disabled_reason", Text, nullable=True),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

deliveries = Table(
    "event_deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        UUID(as_uuid=True),
        ForeignKey("event_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_seq", BigInteger, ForeignKey("events.seq"), nullable=False),
    Column("resource_key", String(230), nullable=False),
    Column("status", String(20), nullable=False, server_default=text("'pending'")),
    Column("replay", Boolean, nullable=False, server_default=text("false")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("last_status_code", SmallInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Index(
        "ix_event_deliveries_due",
        "subscription_id",
        "id",
        postgresql_where=text("status = 'pending'"),
    ),
    Index(
        "ix_event_deliveries_resource",
        "subscription_id",
        "resource_key",
        "id",
        postgresql_where=text("status = 'pending'"),
    ),
)

attempts = Table(
    "event_delivery_attempts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        UUID(as_uuid=True),
        ForeignKey("event_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("delivery_id", BigInteger, ForeignKey("event_deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attempt", Integer, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("status_code", SmallInteger, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_event_delivery_attempts_subscription", "subscription_id", "id"),
)

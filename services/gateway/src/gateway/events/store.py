"""Reading and writing the event tables: ingest with fan-out, the pull feed, subscriptions, replay, the log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, any_, func, insert, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gateway.events.tables import attempts, deliveries, events, subscriptions
from gateway.events.visibility import Filter, Scope
from skills_shared.contracts.v1.events import DomainEventV1, event_body

INGEST_LOCK = 0x45564E54  # "EVNT"
"""Transaction-scoped advisory lock of ingest: sequence numbers commit in order, so the cursor never skips."""


def resource_key(resource_type: str, resource_id: str) -> str:
    return f"{resource_type}/{resource_id}"


def _visible(scope: Scope) -> list[ColumnElement[bool]]:
    """The object checks as SQL over the events table (mirrors ``visibility.may_see``)."""
    conds: list[ColumnElement[bool]] = []
    if scope.district is not None:
        conds.append(events.c.district_code == scope.district)
    if scope.body is not None:
        conds.append(events.c.body_code == scope.body)
    return conds


def _wanted(filter_: Filter) -> list[ColumnElement[bool]]:
    """A filter as SQL over the events table (mirrors ``visibility.wanted``)."""
    conds: list[ColumnElement[bool]] = []
    if filter_.types is not None:
        conds.append(events.c.type.in_(sorted(filter_.types)))
    if filter_.district is not None:
        conds.append(events.c.district_code == filter_.district)
    if filter_.body is not None:
        conds.append(events.c.body_code == filter_.body)
    if filter_.policy is not None:
        conds.append(events.c.policy == filter_.policy)
    return conds


def _subscription_matches(event: DomainEventV1) -> ColumnElement[bool]:
    """Subscriptions that want ``event`` and whose owner may see it (mirrors ``visibility.delivers``)."""
    s = subscriptions.c

    def either(column: Any, value: str | None) -> ColumnElement[bool]:
        return or_(column.is_(None), column == value) if value is not None else column.is_(None)

    return and_(
        s.status == "active",
        literal(event.type.value) == any_(s.event_types),
        either(s.owner_district, event.district_code),
        either(s.owner_body, event.body_code),
        either(s.filter_district, event.district_code),
        either(s.filter_body, event.body_code),
        either(s.filter_policy, event.policy),
    )


async def ingest(session: AsyncSession, event: DomainEventV1) -> bool:
    """Store an event once (by ID) and queue a delivery for each matching active subscription.

    Returns False for an event already stored (the outbox's retry of a delivered message): nothing changes.
    """
    return await ingest_many(session, [event]) == 1


async def ingest_many(session: AsyncSession, batch: Sequence[DomainEventV1]) -> int:
    """Store each event of ``batch`` once, in the order given, under one lock; how many were new.

    The lock orders ingests, so a feed reader that has seen ``seq`` n never later finds an event below n commit.
    One transaction and one lock for a whole batch is what makes the outbox's batches cheap for the gateway.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": INGEST_LOCK})
    stored = 0
    for event in batch:
        seq = (
            await session.execute(
                pg_insert(events)
                .values(
                    id=event.id,
                    type=event.type.value,
                    occurred_at=event.occurred_at,
                    resource_type=event.resource_type,
                    resource_id=event.resource_id,
                    district_code=event.district_code,
                    body_code=event.body_code,
                    policy=event.policy,
                    payload=event_body(event),
                )
                .on_conflict_do_nothing(index_elements=[events.c.id])
                .returning(events.c.seq)
            )
        ).scalar_one_or_none()
        if seq is None:
            continue
        stored += 1
        await session.execute(
            insert(deliveries).from_select(
                ["subscription_id", "event_seq", "resource_key"],
                select(
                    subscriptions.c.id,
                    literal(seq),
                    literal(resource_key(event.resource_type, event.resource_id)),
                ).where(_subscription_matches(event)),
            )
        )
    return stored


async def feed(
    session: AsyncSession, scope: Scope, filter_: Filter, after: int, limit: int
) -> list[RowMapping]:
    """Events after ``after`` (a seq), oldest first, that the scope may see and the filter wants."""
    query = (
        select(events.c.seq, events.c.payload)
        .where(events.c.seq > after, *_visible(scope), *_wanted(filter_))
        .order_by(events.c.seq)
        .limit(limit)
    )
    return list((await session.execute(query)).mappings().all())


# --- subscriptions ---------------------------------------------------------------------------------------------


def _owned(owner: str, subscription_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(subscriptions.c.id == subscription_id, subscriptions.c.owner == owner)


async def create_subscription(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    result = await session.execute(insert(subscriptions).values(**values).returning(subscriptions))
    row: RowMapping = result.mappings().one()
    return row


async def subscription(
    session: AsyncSession, owner: str, subscription_id: uuid.UUID, *, for_update: bool = False
) -> RowMapping | None:
    query: Select[Any] = select(subscriptions).where(_owned(owner, subscription_id))
    if for_update:
        query = query.with_for_update()
    row: RowMapping | None = (await session.execute(query)).mappings().one_or_none()
    return row


async def subscriptions_of(
    session: AsyncSession, owner: str, offset: int, limit: int
) -> tuple[list[RowMapping], int]:
    rows = (
        await session.execute(
            select(subscriptions)
            .where(subscriptions.c.owner == owner)
            .order_by(subscriptions.c.created_at, subscriptions.c.id)
            .offset(offset)
            .limit(limit)
        )
    ).mappings()
    total = (await session.execute(select(func.count()).where(subscriptions.c.owner == owner))).scalar_one()
    return list(rows), int(total)


async def update_subscription(
    session: AsyncSession, owner: str, subscription_id: uuid.UUID, values: dict[str, Any]
) -> RowMapping:
    result = await session.execute(
        update(subscriptions).where(_owned(owner, subscription_id)).values(**values).returning(subscriptions)
    )
    row: RowMapping = result.mappings().one()
    return row


async def wake_pending(session: AsyncSession, subscription_id: uuid.UUID, now: datetime) -> None:
    """A re-enabled endpoint gets its waiting deliveries tried now, not at their backed-off time."""
    await session.execute(
        update(deliveries)
        .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == "pending")
        .values(next_attempt_at=now)
    )


async def delete_subscription(session: AsyncSession, owner: str, subscription_id: uuid.UUID) -> bool:
    result = await session.execute(subscriptions.delete().where(_owned(owner, subscription_id)))
    return bool(getattr(result, "rowcount", 0))


def subscription_scope(row: RowMapping) -> Scope:
    return Scope(district=row["owner_district"], body=row["owner_body"])


def subscription_filter(row: RowMapping) -> Filter:
    return Filter(
        types=frozenset(row["event_types"]),
        district=row["filter_district"],
        body=row["filter_body"],
        policy=row["filter_policy"],
    )


async def replay(session: AsyncSession, row: RowMapping, since: datetime, until: datetime) -> int:
    """Queue again, in their original order, the events of [since, until) the subscription matches and may see."""
    matching = (
        select(
            literal(row["id"]),
            events.c.seq,
            func.concat(events.c.resource_type, "/", events.c.resource_id),
            literal(True),
        )
        .where(
            events.c.recorded_at >= since,
            events.c.recorded_at < until,
            *_visible(subscription_scope(row)),
            *_wanted(subscription_filter(row)),
        )
        .order_by(events.c.seq)
    )
    result = await session.execute(
        insert(deliveries)
        .from_select(["subscription_id", "event_seq", "resource_key", "replay"], matching)
        .returning(deliveries.c.id)
    )
    return len(result.all())


async def attempt_log(
    session: AsyncSession, subscription_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[RowMapping], int]:
    rows = (
        await session.execute(
            select(attempts)
            .where(attempts.c.subscription_id == subscription_id)
            .order_by(attempts.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
    ).mappings()
    total = (
        await session.execute(select(func.count()).where(attempts.c.subscription_id == subscription_id))
    ).scalar_one()
    return list(rows), int(total)

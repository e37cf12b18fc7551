"""Recording domain events in the transaction of the change, and carrying them to the gateway.

A service calls :func:`record` next to the change (and its audit row): the event goes into the service's own
transactional outbox (``skills_shared.outbox``), so it commits or rolls back with the change — never an event for
a change that did not happen, never a change without its event. The outbox then POSTs it to the gateway's ingest
route with the event ID as Idempotency-Key; the gateway stores each event ID once, so at-least-once delivery
from the outbox becomes exactly-once in the feed.

The outbox path is ``/internal/v1/events/{resource_type}/{resource_id}``: the outbox never sends a message
while an earlier one for the same path is pending, so events about one resource reach the gateway in order.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from urllib.parse import quote

import orjson
from fastapi import APIRouter, FastAPI
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.auth import Role, mint_token
from skills_shared.clients import ServiceClient
from skills_shared.contracts.v1.events import EVENTS_TARGET, INGEST_PATH, DomainEventV1, event_body
from skills_shared.db.lean import LeanTx
from skills_shared.db.tables import outbox
from skills_shared.outbox import BatchRoute, OutboxDelivery, enqueue
from skills_shared.settings import ServiceSettings

EVENT_BATCHES = {EVENTS_TARGET: BatchRoute(INGEST_PATH, "events")}
"""Events go to the gateway many to a request (`EventBatchV1` at ``POST /internal/v1/events``); give this to every
`OutboxDelivery` that sends events."""

DELIVERY_SWITCH = "SKILLS_EVENTS_DELIVERY"
"""``off`` stops a process from sending its events (they wait in the outbox), ``on`` makes it send. Unset: a
process sends unless its environment is ``test`` (a service's own tests have no gateway to send to, and must
never send to a development gateway that happens to be running)."""

# RETURNING 1: a lean unit of work sends this as one CTE of its last statement (`LeanTx.write`), and a CTE is
# counted by its rows.
_ENQUEUE_SQL = """
INSERT INTO outbox (target, method, path, body, idempotency_key)
VALUES ($1, 'POST', $2, $3::jsonb, $4)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING 1
"""


def ingest_path(event: DomainEventV1) -> str:
    """The gateway route an event is POSTed to; one path per resource keeps the outbox's order per resource."""
    return f"{INGEST_PATH}/{event.resource_type}/{quote(event.resource_id, safe='')}"


async def record(unit: AsyncSession | LeanTx, event: DomainEventV1) -> None:
    """Write ``event`` to the outbox in the caller's transaction (an ORM session, or a hot path's `LeanTx`).

    On a `LeanTx` the row goes with the unit of work's trailing writes, in its last statement before COMMIT.
    """
    key = f"event:{event.id}"
    if isinstance(unit, LeanTx):
        await unit.write(
            _ENQUEUE_SQL, EVENTS_TARGET, ingest_path(event), orjson.dumps(event_body(event)).decode(), key
        )
        return
    await enqueue(
        unit, target=EVENTS_TARGET, method="POST", path=ingest_path(event), body=event_body(event), key=key
    )


BULK_CHUNK = 2000
"""Rows per INSERT of `record_many` (5 parameters a row stays far below PostgreSQL's 32,767)."""


async def record_many(session: AsyncSession, batch: Sequence[DomainEventV1]) -> None:
    """Write many events in few statements (a batch of certificates issued at once), in the caller's transaction."""
    for start in range(0, len(batch), BULK_CHUNK):
        rows = [
            {
                "target": EVENTS_TARGET,
                "method": "POST",
                "path": ingest_path(event),
                "body": event_body(event),
                "idempotency_key": f"event:{event.id}",
            }
            for event in batch[start : start + BULK_CHUNK]
        ]
        await session.execute(
            pg_insert(outbox).values(rows).on_conflict_do_nothing(index_elements=[outbox.c.idempotency_key])
        )


def delivery_enabled(environment: str) -> bool:
    switch = os.environ.get(DELIVERY_SWITCH)
    if switch is not None:
        return switch.strip().lower() not in ("off", "0", "false", "no")
    return environment != "test"


def events_client(settings: ServiceSettings) -> ServiceClient:
    """The client the outbox sends events with: the gateway, at ``SKILLS_GATEWAY_URL``."""
    return ServiceClient(EVENTS_TARGET, settings.gateway_url, timeout_s=settings.request_timeout_s)


def service_token(settings: ServiceSettings) -> Callable[[], str]:
    """A fresh short-lived service token for each delivery (the ingest route takes the service role only)."""

    def token() -> str:
        return mint_token(
            settings.jwt_secret,
            sub=settings.service_name,
            role=Role.SERVICE,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            ttl_s=settings.service_token_ttl_s,
        )

    return token


def delivery_router(settings: ServiceSettings) -> APIRouter:
    """A router without routes whose lifespan runs the outbox loop that sends this service's events.

    For services whose outbox has no other target; a service that already runs an `OutboxDelivery` adds
    :func:`events_client` to it instead (two loops on one outbox would each mark the other's rows as failing).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = events_client(settings)
        delivery = OutboxDelivery(
            app.state.db.sessionmaker,
            {EVENTS_TARGET: client},
            token=service_token(settings),
            poll_s=settings.outbox_poll_s,
            batches=EVENT_BATCHES,
        )
        app.state.events_outbox = delivery
        if delivery_enabled(settings.environment):
            delivery.start()
        try:
            yield
        finally:
            await delivery.stop()
            await client.aclose()

    return APIRouter(lifespan=lifespan)

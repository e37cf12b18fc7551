"""The outbox backlog on /metrics (issue 19, item 2): a filed body's issuer sync waits while the registry is
down — pending 1 and an age that grows — and reads 0 once delivered, read from the database at scrape time."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from of_factories import filed_body
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.clients import ServiceClient
from skills_shared.outbox import OutboxDelivery
from skills_shared.testing import metric_value


class Registry:
    """The registry's issuer PUT, down (503) until ``up`` is set."""

    def __init__(self) -> None:
        self.up = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200 if self.up else 503, json={"code": request.url.path.rsplit("/", 1)[-1]})


def delivery_for(app: FastAPI, registry: Registry) -> OutboxDelivery:
    client = ServiceClient(
        "registry", "http://registry", retries=0, transport=httpx.MockTransport(registry.handle)
    )
    return OutboxDelivery(app.state.db.sessionmaker, {"registry": client}, token="service-token")


LABELS = {"service": "org-filing", "destination": "registry"}


async def test_the_outbox_backlog_and_its_age_are_exported_per_destination(
    client: httpx.AsyncClient, app: FastAPI, engine: AsyncEngine
) -> None:
    await filed_body(client)
    registry = Registry()
    delivery = delivery_for(app, registry)
    assert await delivery.deliver_once() == 0  # the registry is down: the message waits
    async with engine.begin() as conn:  # as if it had waited twenty minutes
        await conn.execute(text("UPDATE outbox SET created_at = now() - interval '20 minutes'"))
    assert await metric_value(client, "skills_outbox_pending", **LABELS) == 1
    assert await metric_value(client, "skills_outbox_oldest_age_seconds", **LABELS) >= 20 * 60

    registry.up = True
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE outbox SET next_attempt_at = now() WHERE delivered_at IS NULL"))
    assert await delivery.deliver_once() == 1
    assert await metric_value(client, "skills_outbox_pending", **LABELS) == 0
    assert await metric_value(client, "skills_outbox_oldest_age_seconds", **LABELS) == 0


async def test_a_scrape_answers_when_the_database_cannot_give_its_figures(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The outbox table locked by someone else: the scrape still answers, with the figures it had, and counts the
    miss — it never hangs on the database."""
    await filed_body(client)
    assert await metric_value(client, "skills_outbox_pending", **LABELS) == 1
    misses = await metric_value(client, "skills_metrics_refresh_failures_total", service="org-filing")
    async with engine.connect() as conn:
        await conn.execute(text("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"))
        await conn.execute(text("DELETE FROM outbox"))  # not committed: the scrape must not see it
        answer = await client.get("/metrics")
        assert answer.status_code == 200
        await conn.rollback()
    assert (
        await metric_value(client, "skills_metrics_refresh_failures_total", service="org-filing")
        == misses + 1
    )
    assert await metric_value(client, "skills_outbox_pending", **LABELS) == 1

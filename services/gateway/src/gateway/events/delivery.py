"""The webhook delivery loop: a queue per endpoint in PostgreSQL, claimed with ``FOR UPDATE SKIP LOCKED``.

Each endpoint (subscription) is drained by its own asyncio task, so a slow or failing endpoint only ever waits
on itself. A task claims one delivery at a time with a short transaction that leases it (``next_attempt_at``
pushed past the request timeout), sends it outside any transaction, then records the outcome. A process that
dies mid-request leaves a lease that expires, and the delivery is sent again: at-least-once, and receivers
deduplicate on ``webhook-id`` (the event ID). Several gateway processes may run the loop together: a claimed
row is skipped by the others.

Order per resource: a delivery is never claimed while an earlier delivery of the same subscription for the same
resource is still pending (leased or backing off), so ``claim.approved`` can never overtake ``claim.paid``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.events import metrics, signing
from gateway.events.backoff import disabled_reason, gives_up, next_wait_s
from gateway.events.settings import EventSettings
from gateway.events.tables import attempts, deliveries, events, subscriptions
from skills_shared.logging import get_logger

log = get_logger(__name__)


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__


class WebhookDelivery:
    """Sends queued deliveries to partner endpoints; one task per endpoint with work."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: EventSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.http = httpx.AsyncClient(timeout=settings.timeout_s, transport=transport, follow_redirects=False)
        self._drains: dict[uuid.UUID, asyncio.Task[int]] = {}
        self._slots = asyncio.Semaphore(settings.max_endpoints_in_flight)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lag_labels: set[str] = set()

    # --- one delivery -------------------------------------------------------------------------------------

    async def _claim(self, subscription_id: uuid.UUID) -> RowMapping | None:
        """Lease the subscription's next due delivery whose resource has nothing earlier pending."""
        now = datetime.now(UTC)
        earlier = deliveries.alias("earlier")
        async with self.sessionmaker() as session, session.begin():
            row = (
                (
                    await session.execute(
                        select(
                            deliveries,
                            events.c.id.label("event_id"),
                            events.c.type.label("event_type"),
                            events.c.payload,
                            events.c.occurred_at,
                            subscriptions.c.url,
                            subscriptions.c.secret,
                            subscriptions.c.previous_secret,
                            subscriptions.c.previous_secret_until,
                        )
                        .join(events, events.c.seq == deliveries.c.event_seq)
                        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                        .where(
                            deliveries.c.subscription_id == subscription_id,
                            deliveries.c.status == "pending",
                            deliveries.c.next_attempt_at <= now,
                            subscriptions.c.status == "active",
                            # the head of its resource's queue: a scalar subquery (one index probe per row)
                            # rather than NOT EXISTS, which the planner may turn into a scan of the whole queue
                            deliveries.c.id
                            == select(func.min(earlier.c.id))
                            .where(
                                earlier.c.subscription_id == deliveries.c.subscription_id,
                                earlier.c.resource_key == deliveries.c.resource_key,
                                earlier.c.status == "pending",
                            )
                            .scalar_subquery(),
                        )
                        .order_by(deliveries.c.id)
                        .limit(1)
                        .with_for_update(of=deliveries, skip_locked=True)
                    )
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            lease = now + timedelta(seconds=self.settings.timeout_s + self.settings.lease_margin_s)
            await session.execute(
                update(deliveries)
                .where(deliveries.c.id == row["id"])
                .values(next_attempt_at=lease, attempts=deliveries.c.attempts + 1)
            )
            return row

    async def _send(self, row: RowMapping) -> tuple[int | None, str | None, int]:
        """POST the signed event; (status code, error, milliseconds)."""
        now = datetime.now(UTC)
        payload = orjson.dumps(row["payload"])
        keys = [row["secret"]]
        if row["previous_secret"] and row["previous_secret_until"] and row["previous_secret_until"] > now:
            keys.append(row["previous_secret"])
        started = time.perf_counter()
        try:
            response = await self.http.post(
                row["url"], content=payload, headers=signing.headers(row["event_id"], now, payload, keys)
            )
        except httpx.HTTPError as exc:
            return None, _error_text(exc), int((time.perf_counter() - started) * 1000)
        elapsed = int((time.perf_counter() - started) * 1000)
        if 200 <= response.status_code < 300:
            return response.status_code, None, elapsed
        return response.status_code, f"HTTP {response.status_code}", elapsed

    async def _record(self, row: RowMapping, status_code: int | None, error: str | None, ms: int) -> None:
        now = datetime.now(UTC)
        attempt = row["attempts"] + 1
        label = str(row["subscription_id"])
        values: dict[str, Any] = {"last_status_code": status_code, "last_error": error}
        if error is None:
            outcome = "delivered"
            values |= {"status": "delivered", "delivered_at": now}
            metrics.DELIVERED.labels(label).inc()
            if not row["replay"]:
                metrics.DELAY.observe(max(0.0, (now - row["occurred_at"]).total_seconds()))
        elif gives_up(row["created_at"], now, window_s=self.settings.retry_window_s):
            outcome = "gave_up"
            values |= {"status": "failed"}
            metrics.FAILED.labels(label).inc()
        else:
            outcome = "failed"
            wait = next_wait_s(
                attempt, base_s=self.settings.backoff_base_s, max_s=self.settings.backoff_max_s
            )
            values |= {"next_attempt_at": now + timedelta(seconds=wait)}
            metrics.FAILED.labels(label).inc()
        async with self.sessionmaker() as session, session.begin():
            await session.execute(update(deliveries).where(deliveries.c.id == row["id"]).values(**values))
            await session.execute(
                attempts.insert().values(
                    subscription_id=row["subscription_id"],
                    delivery_id=row["id"],
                    event_id=row["event_id"],
                    event_type=row["event_type"],
                    at=now,
                    attempt=attempt,
                    outcome=outcome,
                    status_code=status_code,
                    error=error,
                    duration_ms=ms,
                )
            )
            if outcome == "gave_up":
                await session.execute(
                    update(subscriptions)
                    .where(subscriptions.c.id == row["subscription_id"], subscriptions.c.status == "active")
                    .values(
                        status="disabled",
                        disabled_at=now,
                        disabled_reason=disabled_reason(row["created_at"], error or "未知错误"),
                    )
                )
                metrics.DISABLED.inc()
                log.warning("webhook_endpoint_disabled", subscription=label, error=error)

    async def drain(self, subscription_id: uuid.UUID) -> int:
        """Send the endpoint's due deliveries with a few requests in flight, never two for one resource (each
        claim takes only the head of its resource's queue, and a leased head is still pending); return how many
        were acknowledged."""
        workers = self.settings.per_endpoint_concurrency
        return sum(await asyncio.gather(*(self._drain_one(subscription_id) for _ in range(workers))))

    async def _drain_one(self, subscription_id: uuid.UUID) -> int:
        delivered = 0
        while True:
            row = await self._claim(subscription_id)
            if row is None:
                return delivered
            status_code, error, ms = await self._send(row)
            await self._record(row, status_code, error, ms)
            delivered += error is None

    # --- the loop ---------------------------------------------------------------------------------------------

    async def _due_endpoints(self) -> list[uuid.UUID]:
        now = datetime.now(UTC)
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(deliveries.c.subscription_id)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .where(
                    deliveries.c.status == "pending",
                    deliveries.c.next_attempt_at <= now,
                    subscriptions.c.status == "active",
                )
                .distinct()
            )
            return [r[0] for r in rows]

    async def _update_lag(self) -> None:
        now = datetime.now(UTC)
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(deliveries.c.subscription_id, func.min(events.c.recorded_at))
                .join(events, events.c.seq == deliveries.c.event_seq)
                .where(and_(deliveries.c.status == "pending", deliveries.c.replay.is_(False)))
                .group_by(deliveries.c.subscription_id)
            )
            lags = {str(sub): max(0.0, (now - oldest).total_seconds()) for sub, oldest in rows}
        for label in self._lag_labels - lags.keys():
            metrics.LAG.labels(label).set(0.0)
        for label, lag in lags.items():
            metrics.LAG.labels(label).set(lag)
        self._lag_labels |= lags.keys()

    async def _guarded_drain(self, subscription_id: uuid.UUID) -> int:
        async with self._slots:
            try:
                return await self.drain(subscription_id)
            except Exception as exc:  # one endpoint's trouble (or a database blip) must not end the loop
                log.warning("webhook_drain_error", subscription=str(subscription_id), error=repr(exc))
                return 0

    async def tick(self) -> None:
        """Start a drain for every endpoint with due work that has none running."""
        for subscription_id in await self._due_endpoints():
            running = self._drains.get(subscription_id)
            if running is not None and not running.done():
                continue
            task = asyncio.create_task(
                self._guarded_drain(subscription_id), name=f"webhooks-{subscription_id}"
            )
            self._drains[subscription_id] = task
            task.add_done_callback(functools.partial(self._forget, subscription_id))
        await self._update_lag()

    def _forget(self, subscription_id: uuid.UUID, task: asyncio.Task[int]) -> None:
        if self._drains.get(subscription_id) is task:
            del self._drains[subscription_id]
            self._wake.set()  # work may have arrived while it ran

    def wake(self) -> None:
        """Look now (after an ingest queued deliveries)."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception as exc:  # the loop must survive a database restart
                log.warning("webhook_loop_error", error=repr(exc))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_s)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="webhook-delivery")

    async def stop(self) -> None:
        """Stop the loop and every drain; leased deliveries are sent again after their lease."""
        tasks = [t for t in [self._task, *self._drains.values()] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._drains.clear()
        await self.http.aclose()

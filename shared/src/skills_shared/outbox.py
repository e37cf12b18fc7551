"""Transactional outbox: a change and its message commit together; a loop delivers until acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import RowMapping, Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import RetryCallState, wait_exponential

from skills_shared.clients import ServiceClient
from skills_shared.db.tables import outbox
from skills_shared.logging import get_logger
from skills_shared.problems import Problem

log = get_logger(__name__)

MAX_BACKOFF_S = 300.0


async def enqueue(session: AsyncSession, *, target: str, method: str, path: str, body: Any, key: str) -> None:
    """Write a message in the caller's transaction; ``key`` becomes the Idempotency-Key of the delivery.

    A key that was already enqueued is ignored, so re-running a use case never doubles a message.
    """
    await session.execute(
        pg_insert(outbox)
        .values(
            target=target, method=method.upper(), path=path, body=jsonable_encoder(body), idempotency_key=key
        )
        .on_conflict_do_nothing(index_elements=[outbox.c.idempotency_key])
    )


_BACKOFF = wait_exponential(multiplier=1, max=MAX_BACKOFF_S)
"""tenacity's exponential wait, the same library the in-request retries use (`skills_shared.clients`); the
outbox only stores its answer as the row's next attempt time, so a delivery survives a restart."""


def backoff_s(attempts: int) -> float:
    """Exponential back-off, 1 s doubling to at most five minutes."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempts)
    return float(_BACKOFF(state))


BATCH = 64
"""Messages taken per statement: one query and one lock for many rows instead of a query per row."""
CONCURRENCY = 8
"""Messages of one batch in flight at once; below the writes class's bulkhead of a service's own calls (16), so
the outbox never refuses itself."""


@dataclass(frozen=True, slots=True)
class BatchRoute:
    """A target that takes many messages in one POST of ``{field: [body, …]}`` at ``path``.

    Every message is a request of its own (a service's CPU per POST is about a millisecond through httpx, the
    receiver's more): a redeem's or a claim's one event cost as much to deliver as the change itself. The heads of
    one pass are about different resources, so one request may carry them all. A batch refused with a 4xx that is
    not a passing condition (401, 429 …) is sent again message by message, so that one bad message is closed
    alone and the others go through.
    """

    path: str
    field: str


def _due_heads(now: datetime, after_id: int) -> Select[Any]:
    """Due messages that are the earliest undelivered one of their (target, path), after ``after_id``, locked.

    ``DISTINCT ON`` names the head of every resource's queue in one sort of the pending rows: a later message is
    never a head while an earlier one for the same resource is pending, whether that one is due, backing off, or
    locked by another deliverer (``SKIP LOCKED`` then skips it, and its successors are not heads either). The
    previous form asked the same per row, with a NOT IN list of every id already tried in the pass: one query
    per message, each larger than the last, which held a 10,000-certificate batch's events back for minutes and
    took a fifth of a core while doing so (bench mixed day, 7 Dec 2026).
    """
    heads = (
        select(outbox.c.id)
        .where(outbox.c.delivered_at.is_(None))
        .order_by(outbox.c.target, outbox.c.path, outbox.c.id)
        .distinct(outbox.c.target, outbox.c.path)
    )
    # `delivered_at IS NULL` again on the outer query, not only in ``heads``: a row another deliverer delivers
    # and commits while this statement runs is locked here once that one lets go, and PostgreSQL then re-checks
    # the outer conditions on its newest version only (the sub-select keeps this statement's older snapshot).
    # Without it that row came back as due and was sent a second time (two deliverers: 425 sends of 400).
    return (
        select(outbox)
        .where(
            outbox.c.id.in_(heads),
            outbox.c.delivered_at.is_(None),
            outbox.c.next_attempt_at <= now,
            outbox.c.id > after_id,
        )
        .order_by(outbox.c.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )


class OutboxDelivery:
    """Delivers pending messages in order of id per resource, a batch of queue heads at a time under
    ``FOR UPDATE SKIP LOCKED``.

    Several processes may run it at once: a locked row is skipped, never sent twice concurrently, and the receiver
    deduplicates by Idempotency-Key in any case.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clients: Mapping[str, ServiceClient],
        *,
        token: str | Any = None,
        poll_s: float = 0.5,
        batches: Mapping[str, BatchRoute] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clients = clients
        self.batches = dict(batches or {})
        self.token = token
        self.poll_s = poll_s
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def _token(self) -> str | None:
        return self.token() if callable(self.token) else self.token

    async def deliver_once(self) -> int:
        """Try every due message; return how many were acknowledged.

        Messages to the same (target, path) go strictly in id order: a later message is never sent while an
        earlier one for the same resource is pending, so "filed" can never be overtaken by "cancelled". A failure
        only holds back its own resource; the pass goes on with the others. The messages of one batch are heads
        of different resources, so they are sent side by side. A pass walks the ids upwards once (a failed
        message is not retried within it); when it closed something (acknowledged it, or refused it for good),
        another pass follows, so a message whose predecessor was just closed goes now rather than at the next poll.
        """
        delivered = 0
        while True:
            acknowledged, closed = await self._pass()
            delivered += acknowledged
            if closed == 0:
                return delivered

    async def _pass(self) -> tuple[int, int]:
        """One walk up the ids: (messages acknowledged, messages closed, i.e. acknowledged or refused for good)."""
        delivered = closed = 0
        after_id = 0
        gate = asyncio.Semaphore(CONCURRENCY)

        async def send(row: RowMapping) -> tuple[str, str | None]:
            async with gate:
                return await self._send(row)

        async def send_all(rows: Sequence[RowMapping]) -> list[tuple[str, str | None]]:
            """Each row's outcome; rows of a batch target go in one request, the others side by side."""
            outcomes: dict[int, tuple[str, str | None]] = {}
            singles: list[RowMapping] = []
            grouped: dict[str, list[RowMapping]] = {}
            for row in rows:
                if row["target"] in self.batches and row["method"] == "POST":
                    grouped.setdefault(row["target"], []).append(row)
                else:
                    singles.append(row)
            for target, group in grouped.items():
                async with gate:
                    outcome = await self._send_batch(target, group)
                if outcome[0] == "rejected":
                    singles += group  # find the message that was refused, and let the others through
                else:
                    outcomes.update({row["id"]: outcome for row in group})
            for row, outcome in zip(singles, await asyncio.gather(*(send(r) for r in singles)), strict=True):
                outcomes[row["id"]] = outcome
            return [outcomes[row["id"]] for row in rows]

        while True:
            async with self.sessionmaker() as session, session.begin():
                rows = (await session.execute(_due_heads(datetime.now(UTC), after_id))).mappings().all()
                if not rows:
                    return delivered, closed
                after_id = rows[-1]["id"]
                outcomes = await send_all(rows)
                now = datetime.now(UTC)
                for row, (outcome, error) in zip(rows, outcomes, strict=True):
                    attempts = row["attempts"] + 1
                    values: dict[str, Any]
                    if outcome == "retry":
                        values = {
                            "attempts": attempts,
                            "last_error": (error or "")[:2000],
                            "next_attempt_at": now + timedelta(seconds=backoff_s(attempts)),
                        }
                        log.warning("outbox_delivery_failed", id=row["id"], target=row["target"], error=error)
                    else:
                        values = {"delivered_at": now, "attempts": attempts, "last_error": error}
                        closed += 1
                        if outcome == "rejected":
                            log.error(
                                "outbox_message_rejected", id=row["id"], target=row["target"], error=error
                            )
                        else:
                            delivered += 1
                    await session.execute(update(outbox).where(outbox.c.id == row["id"]).values(**values))

    async def _send(self, row: RowMapping) -> tuple[str, str | None]:
        """Send one message: ("delivered", None), ("retry", why) or ("rejected", why) for a permanent 4xx."""
        return await self._post(
            row["target"], row["method"], row["path"], row["body"], row["idempotency_key"]
        )

    async def _send_batch(self, target: str, rows: Sequence[RowMapping]) -> tuple[str, str | None]:
        """Send the messages of one batch target in one request; one outcome for them all."""
        route = self.batches[target]
        return await self._post(
            target, "POST", route.path, {route.field: [row["body"] for row in rows]}, None
        )

    async def _post(
        self, target: str, method: str, path: str, body: Any, key: str | None
    ) -> tuple[str, str | None]:
        client = self.clients.get(target)
        if client is None:
            return "retry", f"no client for target {target}"
        try:
            response = await client.request(method, path, json=body, token=self._token(), idempotency_key=key)
        except Problem as exc:
            return "retry", f"{exc.status} {exc.code}: {exc.detail}"
        if response.status_code < 400:
            return "delivered", None
        why = f"rejected {response.status_code}: {response.text[:500]}"
        if response.status_code in (401, 403, 408, 425, 429):
            return "retry", why  # a credential or rate problem on our side heals; the message is still good
        return "rejected", why

    def wake(self) -> None:
        """Ask the loop to look now (after a write that enqueued something)."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.deliver_once()
            except Exception as exc:  # the loop must survive a database restart
                log.warning("outbox_loop_error", error=repr(exc))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)

    def start(self) -> None:
        """Start the background loop (lifespan startup)."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="outbox-delivery")

    async def stop(self) -> None:
        """Stop the loop (lifespan shutdown); undelivered messages stay for the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def pending_count(session: AsyncSession) -> int:
    """Messages not yet acknowledged (exposed in metrics and tests)."""
    return int(
        (
            await session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))
            )
        ).scalar_one()
    )

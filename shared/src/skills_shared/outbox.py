"""Transactional outbox: a change and its message commit together; a loop delivers until acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import RowMapping, exists, func, select, true, update
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


class OutboxDelivery:
    """Delivers pending messages in order of id; one row at a time under ``FOR UPDATE SKIP LOCKED``.

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
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clients = clients
        self.token = token
        self.poll_s = poll_s
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def _token(self) -> str | None:
        return self.token() if callable(self.token) else self.token

    async def deliver_once(self) -> int:
        """Try every due message once; return how many were acknowledged.

        Messages to the same (target, path) go strictly in id order: a later message is never sent while an
        earlier one for the same resource is pending, so "filed" can never be overtaken by "cancelled". A failure
        only holds back its own resource; the pass goes on with the others.
        """
        delivered = 0
        attempted: set[int] = set()
        while True:
            async with self.sessionmaker() as session, session.begin():
                earlier = outbox.alias("earlier")
                row = (
                    (
                        await session.execute(
                            select(outbox)
                            .where(
                                outbox.c.delivered_at.is_(None),
                                outbox.c.next_attempt_at <= datetime.now(UTC),
                                outbox.c.id.not_in(attempted) if attempted else true(),
                                ~exists().where(
                                    earlier.c.delivered_at.is_(None),
                                    earlier.c.target == outbox.c.target,
                                    earlier.c.path == outbox.c.path,
                                    earlier.c.id < outbox.c.id,
                                ),
                            )
                            .order_by(outbox.c.id)
                            .limit(1)
                            .with_for_update(skip_locked=True)
                        )
                    )
                    .mappings()
                    .one_or_none()
                )
                if row is None:
                    return delivered
                attempted.add(row["id"])
                outcome, error = await self._send(row)
                now = datetime.now(UTC)
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
                    if outcome == "rejected":
                        log.error("outbox_message_rejected", id=row["id"], target=row["target"], error=error)
                    else:
                        delivered += 1
                await session.execute(update(outbox).where(outbox.c.id == row["id"]).values(**values))

    async def _send(self, row: RowMapping) -> tuple[str, str | None]:
        """Send one message: ("delivered", None), ("retry", why) or ("rejected", why) for a permanent 4xx."""
        client = self.clients.get(row["target"])
        if client is None:
            return "retry", f"no client for target {row['target']}"
        try:
            response = await client.request(
                row["method"],
                row["path"],
                json=row["body"],
                token=self._token(),
                idempotency_key=row["idempotency_key"],
            )
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

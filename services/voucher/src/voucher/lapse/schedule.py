"""The lapse run on a timer inside the service (V-4), so vouchers lapse without anyone calling the endpoint.

Every replica runs it; that is harmless — the run is idempotent (a lapsed voucher never changes again), two
replicas' UPDATEs on the same rows serialise on the row locks and the second finds nothing left to lapse, and
a transaction-scoped advisory lock lets a replica skip a round another one is already doing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skills_shared.clock import Clock
from voucher.lapse.schemas import LapseRunOut
from voucher.lapse.service import LapseService

ACTOR = "lapse-scheduler"
ROUND_LOCK = 0x1A95E
"""Advisory lock key of a scheduled round: one at a time across replicas."""

log = structlog.get_logger("voucher.lapse")


async def lapse_once(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> LapseRunOut | None:
    """One scheduled round as of today; None when another replica holds the round's lock right now."""
    async with sessions() as session:
        free = await session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": ROUND_LOCK})
        if not free.scalar_one():
            await session.rollback()
            return None
        out = await LapseService(session, clock).run(ACTOR, None)
        await session.commit()
        return out


async def lapse_forever(
    sessions: async_sessionmaker[AsyncSession], clock: Callable[[], Clock], interval_s: float
) -> None:
    """Wait ``interval_s``, run a round, and so on until cancelled (the lifespan cancels it at shutdown).

    The first round comes one interval after start-up, not during it: a starting replica has enough to do.
    A failed round (database away) is logged and retried at the next tick; it never stops the schedule.
    """
    while True:
        await asyncio.sleep(interval_s)
        try:
            out = await lapse_once(sessions, clock())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("lapse_round_failed", error=type(exc).__name__)
        else:
            if out is not None and (out.lapsed_not_used or out.lapsed_not_completed):
                log.info("lapse_round", **out.model_dump(mode="json"))

"""Application factory of the voucher service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from skills_shared.app import create_service_app
from skills_shared.clock import SYSTEM_CLOCK, Clock
from skills_shared.events import delivery_router
from voucher.institutions.api import router as institutions_router
from voucher.lapse.api import router as lapse_router
from voucher.lapse.schedule import lapse_forever
from voucher.redeem.api import router as redeem_router
from voucher.settings import VoucherSettings
from voucher.settlement.api import router as settlement_router
from voucher.targets.api import router as targets_router
from voucher.training.api import router as training_router
from voucher.vouchers.api import router as vouchers_router

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: VoucherSettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn voucher.app:create_app --factory``."""
    settings = settings or VoucherSettings()
    interval = settings.lapse_interval_s

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """V-4 on a timer (`voucher.lapse.schedule`), cancelled at shutdown."""
        task = None
        if interval > 0:

            def clock() -> Clock:
                current: Clock | None = getattr(app.state, "clock", None)
                return current if current is not None else SYSTEM_CLOCK

            task = asyncio.create_task(lapse_forever(app.state.db.sessionmaker, clock, interval))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = create_service_app(
        settings,
        title="Training vouchers",
        description=(
            "Training institutions, voucher campaigns, claim, scan-to-redeem, check-in, settlement, "
            "targets (V-1 … V-8)."
        ),
        routers=[
            institutions_router,
            vouchers_router,
            redeem_router,
            training_router,
            settlement_router,
            lapse_router,
            targets_router,
            delivery_router(settings),
        ],
        migrations_dir=MIGRATIONS_DIR,
        lean_hot_paths=True,
        lifespan=lifespan,
    )
    return app

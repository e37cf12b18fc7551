"""Application factory of the voucher service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skills_shared.app import create_service_app
from voucher.settings import VoucherSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: VoucherSettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn voucher.app:create_app --factory``."""
    settings = settings or VoucherSettings()
    return create_service_app(
        settings,
        title="Training vouchers",
        description="Training institutions, voucher campaigns, claim, scan-to-redeem, check-in, settlement, targets (V-1 … V-8).",
        routers=[],
        migrations_dir=MIGRATIONS_DIR,
    )

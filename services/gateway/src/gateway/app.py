"""Application factory of the gateway service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skills_shared.app import create_service_app
from gateway.settings import GatewaySettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn gateway.app:create_app --factory``."""
    settings = settings or GatewaySettings()
    return create_service_app(
        settings,
        title="Skills suite gateway",
        description="The public API: authentication, rate limits, composed workflows, the public verify page.",
        routers=[],
        migrations_dir=MIGRATIONS_DIR,
    )

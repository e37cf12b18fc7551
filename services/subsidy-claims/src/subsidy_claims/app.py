"""Application factory of the subsidy-claims service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skills_shared.app import create_service_app
from subsidy_claims.settings import SubsidySettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: SubsidySettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn subsidy_claims.app:create_app --factory``."""
    settings = settings or SubsidySettings()
    return create_service_app(
        settings,
        title="Subsidy claims",
        description="Chongqing evaluation subsidy (cq-eval) and Shanghai skill-upgrade subsidy (sh-upgrade): rules, claims, review, payment.",
        routers=[],
        migrations_dir=MIGRATIONS_DIR,
    )

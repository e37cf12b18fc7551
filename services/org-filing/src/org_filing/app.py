"""Application factory of the org-filing service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skills_shared.app import create_service_app
from org_filing.settings import OrgFilingSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: OrgFilingSettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn org_filing.app:create_app --factory``."""
    settings = settings or OrgFilingSettings()
    return create_service_app(
        settings,
        title="Org filing",
        description="Evaluation bodies: application, eligibility, filing codes, plans, supervision and exit (OF-1 … OF-8).",
        routers=[],
        migrations_dir=MIGRATIONS_DIR,
    )

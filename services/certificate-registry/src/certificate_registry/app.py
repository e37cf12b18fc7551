"""Application factory of the certificate-registry service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skills_shared.app import create_service_app
from certificate_registry.settings import RegistrySettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    """Build the app: ``uvicorn certificate_registry.app:create_app --factory``."""
    settings = settings or RegistrySettings()
    return create_service_app(
        settings,
        title="Certificate registry",
        description="Skill certificates: numbers (CR-1), issuance from published and reviewed results, public look-up, revocation.",
        routers=[],
        migrations_dir=MIGRATIONS_DIR,
    )

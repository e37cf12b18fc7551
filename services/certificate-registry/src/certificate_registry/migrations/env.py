"""Alembic environment of the certificate-registry service (async, online only)."""

from certificate_registry.models import Base
from skills_shared.db.migrations import run_env

run_env(Base.metadata)

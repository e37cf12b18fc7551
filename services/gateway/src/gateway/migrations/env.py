"""Alembic environment of the gateway service (async, online only)."""

from gateway.models import Base
from skills_shared.db.migrations import run_env

run_env(Base.metadata)

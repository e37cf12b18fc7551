"""Alembic environment of the subsidy-claims service (async, online only)."""

from skills_shared.db.migrations import run_env
from subsidy_claims.models import Base

run_env(Base.metadata)

"""Alembic environment of the subsidy-claims service (async, online only)."""

from subsidy_claims.models import Base
from skills_shared.db.migrations import run_env

run_env(Base.metadata)

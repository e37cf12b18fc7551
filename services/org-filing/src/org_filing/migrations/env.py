"""Alembic environment of the org-filing service (async, online only)."""

from org_filing.models import Base
from skills_shared.db.migrations import run_env

run_env(Base.metadata)

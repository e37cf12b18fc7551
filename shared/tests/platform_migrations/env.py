"""Alembic env for the platform tests: only the platform tables."""

from skills_shared.db import naming_metadata
from skills_shared.db.migrations import run_env

run_env(naming_metadata())

"""Alembic environment of the voucher service (async, online only)."""

from skills_shared.db.migrations import run_env
from voucher.models import Base

run_env(Base.metadata)

"""Alembic environment of the voucher service (async, online only)."""

from voucher.models import Base
from skills_shared.db.migrations import run_env

run_env(Base.metadata)

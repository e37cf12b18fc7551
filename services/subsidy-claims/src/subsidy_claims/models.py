"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from subsidy_claims.db import Base

__all__ = ["Base"]

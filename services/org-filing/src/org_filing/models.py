"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from org_filing.db import Base

__all__ = ["Base"]

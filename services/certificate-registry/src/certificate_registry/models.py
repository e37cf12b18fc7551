"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from certificate_registry.db import Base

__all__ = ["Base"]

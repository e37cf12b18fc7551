"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from gateway.db import Base

__all__ = ["Base"]

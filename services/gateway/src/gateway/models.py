"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from gateway.db import Base
from gateway.events import tables as _event_tables  # noqa: F401  (registers the event tables)

__all__ = ["Base"]

"""Declarative base of the org-filing service's own tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from skills_shared.db import naming_metadata


class Base(DeclarativeBase):
    """Base of every ORM model of this service; its metadata drives Alembic."""

    metadata = naming_metadata()

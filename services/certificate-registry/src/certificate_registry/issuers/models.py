"""ORM model of the registry's issuer list (evaluation bodies allowed to issue, kept also once retired, CR-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, SmallInteger, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from certificate_registry.db import Base


class Issuer(Base):
    """One evaluation body by its 13-character code; retired codes stay for look-up and tracing (CR-2)."""

    __tablename__ = "issuers"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended', 'cancelled', 'merged')", name="status"),
        CheckConstraint("level_scope IN ('city', 'district')", name="level_scope"),
        CheckConstraint("valid_from <= valid_to", name="validity_order"),
    )

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    category: Mapped[str] = mapped_column(String(1))
    route: Mapped[str] = mapped_column(String(4))
    province: Mapped[str] = mapped_column(String(2))
    place: Mapped[str] = mapped_column(String(2), index=True)
    sequence: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    level_scope: Mapped[str] = mapped_column(String(10))
    scope: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    merged_into: Mapped[str | None] = mapped_column(String(13))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

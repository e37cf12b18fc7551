"""ORM rows of 贯通 evaluation bodies and their yearly guidance quotas (OF-8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from org_filing.db import Base


class GuantongBody(Base):
    """A body registered (报备) for 贯通 evaluation, with its occupation ↔ title-specialty map and experts."""

    __tablename__ = "guantong_bodies"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    body_code: Mapped[str | None] = mapped_column(String(13), index=True)
    kind: Mapped[str | None] = mapped_column(String(100))
    office_address: Mapped[str | None] = mapped_column(String(200))
    registered_place: Mapped[str] = mapped_column(String(2))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB)
    registration_complete: Mapped[bool] = mapped_column(Boolean, server_default="false")
    registered_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GuantongQuota(Base):
    """The yearly guidance quota of one body and what has been issued against it."""

    __tablename__ = "guantong_quotas"
    __table_args__ = (
        UniqueConstraint("guantong_body_id", "year"),
        CheckConstraint("quota_technician <= quota_total", name="technician_within_total"),
        CheckConstraint("issued_technician <= issued_total", name="issued_technician_within_total"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    guantong_body_id: Mapped[int] = mapped_column(ForeignKey("guantong_bodies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quota_total: Mapped[int] = mapped_column(Integer)
    quota_technician: Mapped[int] = mapped_column(Integer)
    issued_total: Mapped[int] = mapped_column(Integer, server_default="0")
    issued_technician: Mapped[int] = mapped_column(Integer, server_default="0")

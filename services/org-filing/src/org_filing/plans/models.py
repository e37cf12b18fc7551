"""ORM rows of evaluation batch plans (OF-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from org_filing.db import Base


class Plan(Base):
    """A batch plan as filed: what, when, where, how, who (seed 001 二(四)1)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    body_code: Mapped[str] = mapped_column(String(13), index=True)
    name: Mapped[str] = mapped_column(String(200))
    is_guantong: Mapped[bool] = mapped_column(Boolean)
    occupation_code: Mapped[str] = mapped_column(String(20))
    work_type: Mapped[str | None] = mapped_column(String(200))
    levels: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200))
    sessions: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(Text)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    assessors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    supervisors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

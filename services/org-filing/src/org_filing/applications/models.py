"""ORM rows of applications and of district-set thresholds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from org_filing.db import Base


class Application(Base):
    """One 附件1 application from draft to filing (OF-1, OF-3); the form is kept whole as submitted."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner: Mapped[str] = mapped_column(
        String(40), index=True, comment="applicant's credit code (token body claim)"
    )
    level_scope: Mapped[str | None] = mapped_column(String(10))
    accepting_place: Mapped[str | None] = mapped_column(String(2), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str | None] = mapped_column(String(200))
    form: Mapped[dict[str, Any]] = mapped_column(JSONB)
    eligibility: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    publicity_from: Mapped[date | None] = mapped_column(Date)
    publicity_to: Mapped[date | None] = mapped_column(Date)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DistrictThreshold(Base):
    """OF-2: the size thresholds a district sets for its district-level bodies (data, not code)."""

    __tablename__ = "district_thresholds"

    district: Mapped[str] = mapped_column(String(2), primary_key=True)
    min_years: Mapped[int] = mapped_column(Integer)
    min_total: Mapped[int] = mapped_column(Integer)
    min_per_occupation: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

"""ORM models of issued certificates and the per-(body, year, level) serial counters (CR-1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from certificate_registry.db import Base


class SerialCounter(Base):
    """The last serial handed out for one (body, year of issue, level); its row lock makes serials gapless."""

    __tablename__ = "serial_counters"
    __table_args__ = (CheckConstraint("last_serial BETWEEN 0 AND 999999", name="serial_range"),)

    body_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer)


class Certificate(Base):
    """An issued certificate. Never deleted: revocation is a status with a reason and a date (CR-7)."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("body_code", "year", "level", "serial"),
        CheckConstraint("status IN ('valid', 'revoked')", name="status"),
        CheckConstraint("serial BETWEEN 1 AND 999999", name="serial_range"),
        Index("ix_certificates_issue_date", "issue_date"),
        Index("ix_certificates_id_number", "id_number"),
    )

    number: Mapped[str] = mapped_column(String(22), primary_key=True)
    body_code: Mapped[str] = mapped_column(String(13), ForeignKey("issuers.code"))
    year: Mapped[int] = mapped_column(SmallInteger)
    level: Mapped[int] = mapped_column(SmallInteger)
    serial: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("batches.id"), index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(BigInteger)
    holder_name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    gender: Mapped[str] = mapped_column(String(1))
    photo_ref: Mapped[str | None] = mapped_column(String(200))
    occupation_code: Mapped[str] = mapped_column(String(12))
    occupation_name: Mapped[str] = mapped_column(String(100))
    work_type: Mapped[str | None] = mapped_column(String(100))
    obtained_by: Mapped[str] = mapped_column(String(24))
    issue_date: Mapped[date] = mapped_column(Date)
    body_name: Mapped[str] = mapped_column(String(200))
    body_place: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="valid")
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

"""ORM models of evaluation batches, their candidates' results and objections lodged during publicity."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from certificate_registry.db import Base


class Batch(Base):
    """One evaluation session of one body, occupation and level, moving draft → publicity → approved → issued."""

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        CheckConstraint("status IN ('draft', 'publicity', 'approved', 'issued')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    body_code: Mapped[str] = mapped_column(String(13), ForeignKey("issuers.code"), index=True)
    plan_id: Mapped[int | None] = mapped_column(Integer)
    occupation_code: Mapped[str] = mapped_column(String(12))
    occupation_name: Mapped[str] = mapped_column(String(100))
    work_type: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(SmallInteger)
    evaluation_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(24))
    guantong: Mapped[bool] = mapped_column(Boolean)
    title_specialties: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    """贯通: the title specialties org-filing's registration maps to this occupation and level (OF-8)."""
    status: Mapped[str] = mapped_column(String(12), default="draft")
    candidate_count: Mapped[int] = mapped_column(Integer, default=0)
    passed_count: Mapped[int] = mapped_column(Integer, default=0)
    publicity_starts: Mapped[date | None] = mapped_column(Date)
    """CR-4: objections and approval are decided from it (P-1, reading only the days up to the day asked about)."""
    publicity_ends: Mapped[date | None] = mapped_column(Date)
    """Recorded once the calendar covers it: at the start, else at approval (null meanwhile for a publicity started
    late in December, P-3); answers compute it from the start when it becomes known."""
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Candidate(Base):
    """One uploaded result; `certificate_number` is set once, when the certificate is issued."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("batch_id", "id_number"),
        UniqueConstraint("batch_id", "row_no"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("batches.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    gender: Mapped[str] = mapped_column(String(1))
    photo_ref: Mapped[str | None] = mapped_column(String(200))
    scores: Mapped[dict[str, Any]] = mapped_column(JSONB)
    passed: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    certificate_number: Mapped[str | None] = mapped_column(String(22), unique=True)


class Objection(Base):
    """An objection lodged during publicity; while pending or upheld it holds its candidate (CR-4)."""

    __tablename__ = "objections"
    __table_args__ = (CheckConstraint("status IN ('pending', 'upheld', 'dismissed')", name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("batches.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("candidates.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    lodged_by: Mapped[str] = mapped_column(String(200))
    lodged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status: Mapped[str] = mapped_column(String(12), default="pending")
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TitleDeclaration(Base):
    """CR-9 (seed 002 七(三)): a person declares each title level once, suite-wide, by ID number.

    The primary key is the rule: a second body or another occupation uploading the same person at the same title
    level waits on the first's row and then sees it (see ``BatchRepository.declare_titles``).
    """

    __tablename__ = "title_declarations"

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    title_level: Mapped[str] = mapped_column(String(20), primary_key=True)
    body_code: Mapped[str] = mapped_column(String(13))
    occupation_code: Mapped[str] = mapped_column(String(12))
    work_type: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(SmallInteger)
    batch_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("batches.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

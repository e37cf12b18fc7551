"""ORM rows of supervision (OF-6): complaints, 双随机 inspections and their assignments, violations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from org_filing.db import Base


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    complainant_name: Mapped[str] = mapped_column(String(200))
    complainant_contact: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    handling_note: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(200))
    submitted_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Inspection(Base):
    """One 双随机 draw: the published seed and the pools it was drawn from, so anyone can redo it."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    place_code: Mapped[str] = mapped_column(String(2))
    seed: Mapped[str] = mapped_column(String(200))
    body_pool: Mapped[list[str]] = mapped_column(JSONB)
    inspector_pool: Mapped[list[str]] = mapped_column(JSONB)
    bodies_to_draw: Mapped[int] = mapped_column(Integer)
    inspectors_per_body: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    drawn_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class InspectionAssignment(Base):
    __tablename__ = "inspection_assignments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    body_code: Mapped[str] = mapped_column(String(13))
    inspectors: Mapped[list[str]] = mapped_column(ARRAY(String(200)))
    result: Mapped[str | None] = mapped_column(String(20))
    findings: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Violation(Base):
    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    found_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

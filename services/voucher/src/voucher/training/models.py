"""Tables of training classes, the sites they run at, and trainees' check-ins (V-7)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Double, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from voucher.db import Base


class TrainingClass(Base):
    """A class (培训班次) of one institution for one project type, from its first to its last day."""

    __tablename__ = "training_classes"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    project_type: Mapped[str] = mapped_column(ForeignKey("voucher_types.code"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ClassSite(Base):
    """Which of the institution's sites a class uses for check-in."""

    __tablename__ = "class_sites"

    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("institution_sites.id"), primary_key=True)


class CheckIn(Base):
    """One accepted check-in: where (site and position), how far from the site, and when."""

    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_voucher", "voucher_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("institution_sites.id"))
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    distance_m: Mapped[float] = mapped_column(Double)
    checked_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

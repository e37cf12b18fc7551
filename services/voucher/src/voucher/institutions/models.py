"""Tables of training institutions (V-6): the institution, its sites, and who may redeem."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Double, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from voucher.db import Base


class Institution(Base):
    """One row of 附件2 职业培训机构信息采集表, keyed by the training system's 7-digit code."""

    __tablename__ = "institutions"
    __table_args__ = (CheckConstraint("status IN ('active', 'suspended', 'closed')", name="status"),)

    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(String(2), index=True)
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(40))
    type: Mapped[str | None] = mapped_column(String(40))
    admin_name: Mapped[str] = mapped_column(String(50))
    admin_id_number: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InstitutionSite(Base):
    """A training site as coordinates (附件2 培训机构经纬度, several allowed): where trainees check in (V-7)."""

    __tablename__ = "institution_sites"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RedeemPermission(Base):
    """A staff member the institution's 专员 allowed to scan vouchers; withdrawing deletes the row (audited)."""

    __tablename__ = "redeem_permissions"

    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), primary_key=True)
    staff_subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

"""Tables of voucher types, campaigns, issued holders, claimed vouchers and yearly use counters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from voucher.db import Base


class VoucherType(Base):
    """V-1 project type; its face value (V-2) is configured by the city office, in fen."""

    __tablename__ = "voucher_types"
    __table_args__ = (
        CheckConstraint("face_value_fen IS NULL OR face_value_fen > 0", name="face_value_positive"),
    )

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    face_value_fen: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Campaign(Base):
    """V-3: one yearly issue (unique per year) and any number of supplementary issues."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("kind IN ('annual', 'supplementary')", name="kind"),
        Index(
            "uq_campaigns_one_annual_per_year", "year", unique=True, postgresql_where=text("kind = 'annual'")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Grant(Base):
    """A holder named in a campaign's issue list: what the city "issued" (发放), counted per holder's district."""

    __tablename__ = "grants"
    __table_args__ = (
        # A holder is issued once per year: supplementary issues (V-3) only reach holders the yearly one missed.
        UniqueConstraint("holder_id", "year", name="uq_grants_holder_year"),
        Index("ix_grants_campaign", "campaign_id"),
        Index("ix_grants_year_district", "year", "district_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    holder_id: Mapped[str] = mapped_column(String(18))
    district_code: Mapped[str] = mapped_column(String(2))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Voucher(Base):
    """One claimed voucher: V-4 each type once per person per year is the unique key (holder, year, type)."""

    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("holder_id", "year", "type_code", name="uq_vouchers_holder_year_type"),
        CheckConstraint("status IN ('claimed', 'redeemed', 'completed', 'settled', 'lapsed')", name="status"),
        CheckConstraint(
            "status = 'claimed' OR status = 'lapsed' OR (institution_code IS NOT NULL AND class_id IS NOT NULL)",
            name="redeemed_has_place",
        ),
        Index("ix_vouchers_year_district", "year", "district_code"),
        Index("ix_vouchers_institution_status", "institution_code", "status"),
        Index("ix_vouchers_class", "class_id"),
        Index("ix_vouchers_status_valid_until", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    holder_id: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(SmallInteger)
    type_code: Mapped[str] = mapped_column(ForeignKey("voucher_types.code"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    district_code: Mapped[str] = mapped_column(String(2))
    face_value_fen: Mapped[int] = mapped_column(BigInteger)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), server_default="claimed")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    institution_code: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_classes.id"))
    redeemed_by: Mapped[str | None] = mapped_column(String(200))
    redeemed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lapsed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lapse_reason: Mapped[str | None] = mapped_column(String(40))


class HolderYearUses(Base):
    """V-5: the per-(holder, year) counter every redemption increments under a row lock; at most 3, by CHECK."""

    __tablename__ = "holder_year_uses"
    __table_args__ = (CheckConstraint("uses BETWEEN 0 AND 3", name="at_most_three"),)

    holder_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    uses: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))

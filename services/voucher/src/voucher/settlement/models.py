"""Tables of settlement claims: what the institution claimed and what the district approved (V-2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from voucher.db import Base


class Settlement(Base):
    """One claim by an institution for completed vouchers; the payable is the approved amount, not the face value."""

    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'approved', 'rejected')", name="status"),
        CheckConstraint(
            "approved_amount_fen IS NULL OR (approved_amount_fen >= 0 AND approved_amount_fen <= claimed_amount_fen)",
            name="approved_within_claim",
        ),
        CheckConstraint(
            "claimed_amount_fen > 0 AND claimed_amount_fen <= reference_amount_fen",
            name="claim_within_reference",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    district_code: Mapped[str] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(20), server_default="submitted")
    reference_amount_fen: Mapped[int] = mapped_column(BigInteger)
    claimed_amount_fen: Mapped[int] = mapped_column(BigInteger)
    approved_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SettlementItem(Base):
    """A voucher in a claim; unique, so a voucher is claimed for at most once."""

    __tablename__ = "settlement_items"

    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), primary_key=True, unique=True)

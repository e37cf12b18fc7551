"""ORM rows of filed bodies, their scope, the per-place sequence counters and the retired-code pool."""

from __future__ import annotations

from datetime import date, datetime

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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from org_filing.db import Base


class Body(Base):
    """A filed evaluation body with its 13-character code (OF-4); never deleted, cancelled bodies stay."""

    __tablename__ = "bodies"
    __table_args__ = (
        UniqueConstraint("place_code", "sequence"),
        CheckConstraint("sequence BETWEEN 1 AND 9999", name="sequence_range"),
        CheckConstraint("valid_to >= valid_from", name="validity_order"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)
    place_code: Mapped[str] = mapped_column(String(2))
    sequence: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    registered_address: Mapped[str] = mapped_column(String(200))
    office_address: Mapped[str] = mapped_column(String(200))
    legal_representative: Mapped[str] = mapped_column(String(200))
    level_scope: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, server_default="false")
    opinion: Mapped[str] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BodyScope(Base):
    """One filed occupation of a body with its work types and levels (CR-3)."""

    __tablename__ = "body_scopes"
    __table_args__ = (UniqueConstraint("body_id", "occupation_code"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    occupation_code: Mapped[str] = mapped_column(String(20))
    occupation_name: Mapped[str] = mapped_column(String(200))
    work_types: Mapped[list[str]] = mapped_column(ARRAY(String(200)))
    levels: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))


class PlaceCounter(Base):
    """OF-4: the next sequence a place gives out; locked FOR UPDATE while a code is assigned, never decremented."""

    __tablename__ = "place_counters"
    __table_args__ = (CheckConstraint("next_sequence BETWEEN 1 AND 10000", name="next_range"),)

    place_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    next_sequence: Mapped[int] = mapped_column(Integer, server_default="1")


class RetiredCode(Base):
    """CR-2 废置库: a cancelled (or merged) body's code, kept for look-up and never given out again."""

    __tablename__ = "retired_codes"
    __table_args__ = (UniqueConstraint("place_code", "sequence"),)

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    place_code: Mapped[str] = mapped_column(String(2))
    sequence: Mapped[int] = mapped_column(SmallInteger)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    retired_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))

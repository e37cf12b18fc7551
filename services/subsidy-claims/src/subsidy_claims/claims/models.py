"""ORM models of claims, objections, past subsidies and the ledgers that make double payment impossible."""

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
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from subsidy_claims.claims.rules import ClaimStatus
from subsidy_claims.db import Base

NOT_HOLDING_SQL = "status NOT IN ('draft', 'rejected')"
"""SQL of claims.rules.HOLDING: the rows the unique indexes see."""

STATUS_VALUES_SQL = ", ".join(f"'{s.value}'" for s in ClaimStatus)


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    policy: Mapped[str] = mapped_column(String(20))
    policy_version: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default=ClaimStatus.DRAFT.value)
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    applicant_name: Mapped[str] = mapped_column(String(100))
    certificate_number: Mapped[str] = mapped_column(String(22))
    certificate_kind: Mapped[str] = mapped_column(String(30))
    occupation_code: Mapped[str] = mapped_column(String(20))
    occupation_name: Mapped[str | None] = mapped_column(String(100))
    work_type: Mapped[str | None] = mapped_column(String(100))
    family_key: Mapped[str] = mapped_column(String(20))
    work_type_key: Mapped[str] = mapped_column(String(130))
    level: Mapped[int | None] = mapped_column(SmallInteger)
    level_key: Mapped[int] = mapped_column(SmallInteger)
    certificate_issue_date: Mapped[date] = mapped_column(Date)
    district: Mapped[str | None] = mapped_column(String(6))
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    outcome: Mapped[str | None] = mapped_column(String(20))
    applied_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    city_share_fen: Mapped[int | None] = mapped_column(BigInteger)
    district_share_fen: Mapped[int | None] = mapped_column(BigInteger)
    as_in_service: Mapped[bool] = mapped_column(Boolean, default=False)
    as_secondary_student: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_due_on: Mapped[date | None] = mapped_column(Date)
    # CQ-4: the day the review clock (re)started; the deadline is recorded from it once the calendar covers it.
    review_started_on: Mapped[date | None] = mapped_column(Date)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    decided_on: Mapped[date | None] = mapped_column(Date)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    material_request: Mapped[str | None] = mapped_column(Text)
    material_response: Mapped[str | None] = mapped_column(Text)
    # CQ-5 / SH-11: objections and confirmation are decided from the start day (P-1, reading only the days up to
    # the day asked about); the end day is recorded once the calendar covers it (at publication, else at
    # confirmation), so it stays null for a late-December publicity until the next year's calendar is loaded.
    publicity_started_on: Mapped[date | None] = mapped_column(Date)
    publicity_ends_on: Mapped[date | None] = mapped_column(Date)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    card_number: Mapped[str | None] = mapped_column(String(40))
    card_financial_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_account: Mapped[str | None] = mapped_column(String(40))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    payment_channel: Mapped[str | None] = mapped_column(String(30))
    payment_attempts: Mapped[int] = mapped_column(Integer, default=0)
    payment_failure_reason: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[date | None] = mapped_column(Date)
    clawback_reason: Mapped[str | None] = mapped_column(Text)
    clawed_back_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        CheckConstraint(f"status IN ({STATUS_VALUES_SQL})", name="status_known"),
        CheckConstraint("policy IN ('cq-eval', 'sh-upgrade')", name="policy_known"),
        CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="level_range"),
        # One live claim per certificate and policy: two simultaneous submissions yield one claim.
        Index(
            "uq_claims_live_certificate",
            "policy",
            "certificate_number",
            unique=True,
            postgresql_where=text(NOT_HOLDING_SQL),
        ),
        # CQ-7 / SH-6: one live claim per person, 工种 and level.
        Index(
            "uq_claims_live_level",
            "applicant_id_number",
            "policy",
            "work_type_key",
            "level_key",
            unique=True,
            postgresql_where=text(NOT_HOLDING_SQL),
        ),
        Index("ix_claims_queue", "district", "status", "review_due_on"),
        Index("ix_claims_applicant", "applicant_id_number"),
    )


class Objection(Base):
    """An objection lodged during publicity (CQ-5); an open one blocks confirmation."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    raised_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(
            "resolution IS NULL OR resolution IN ('upheld', 'dismissed')", name="resolution_known"
        ),
    )


class PastSubsidyRecord(Base):
    """Subsidies granted elsewhere: the former 鉴定补贴 (CQ-8), Shanghai training subsidies (SH-13), …"""

    __tablename__ = "past_subsidies"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    applicant_id_number: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occupation_code: Mapped[str] = mapped_column(String(20))
    work_type: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[int | None] = mapped_column(SmallInteger)
    year: Mapped[int] = mapped_column(SmallInteger)
    as_in_service: Mapped[bool] = mapped_column(Boolean, default=False)
    as_secondary_student: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LevelLedger(Base):
    """CQ-7 / SH-6 as a row: the best level a person holds per policy and 工种.

    A claim may take the row only with a strictly higher level (lower code), in one conditional upsert, so the
    "never the same or a lower level again" rule holds even between simultaneous transactions.
    """

    __tablename__ = "level_ledger"

    applicant_id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    policy: Mapped[str] = mapped_column(String(20), primary_key=True)
    work_type_key: Mapped[str] = mapped_column(String(130), primary_key=True)
    best_level_key: Mapped[int] = mapped_column(SmallInteger)
    claim_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


class FamilyLedger(Base):
    """CQ-6 as a row: the one 工种 of an occupation family a person is subsidised for.

    Its primary key is the database's guard: a second 工种 in the same family has no row to take. (An exclusion
    constraint on claims would say the same but needs the btree_gist extension, which not every PostgreSQL
    build ships — the embedded one used by `make run` and `make test` does not.)
    """

    __tablename__ = "family_ledger"

    applicant_id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    policy: Mapped[str] = mapped_column(String(20), primary_key=True)
    family_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    work_type_key: Mapped[str] = mapped_column(String(130))


class YearlyCount(Base):
    """SH-13 as a row: live sh-upgrade claims per person and year, capped by CHECK constraints."""

    __tablename__ = "yearly_counts"

    applicant_id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    claims: Mapped[int] = mapped_column(SmallInteger, default=0)
    in_service_claims: Mapped[int] = mapped_column(SmallInteger, default=0)

    __table_args__ = (
        CheckConstraint("claims BETWEEN 0 AND 3", name="sh13_yearly_cap"),
        CheckConstraint("in_service_claims BETWEEN 0 AND 1", name="sh13_in_service_cap"),
    )

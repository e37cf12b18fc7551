"""Claims, objections, past subsidies, double-payment ledgers, policy tables.

Revision ID: 0002_claims
Revises: 0001_platform
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_claims"
down_revision: str | None = "0001_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "'draft', 'submitted', 'under_review', 'material_requested', 'resubmitted', 'approved', 'rejected', "
    "'in_publicity', 'confirmed', 'payment_instructed', 'paid', 'payment_failed', 'clawed_back'"
)
LIVE = "status NOT IN ('draft', 'rejected')"


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("policy", sa.String(20), nullable=False),
        sa.Column("policy_version", sa.String(20)),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("applicant_id_number", sa.String(18), nullable=False),
        sa.Column("applicant_name", sa.String(100), nullable=False),
        sa.Column("certificate_number", sa.String(22), nullable=False),
        sa.Column("certificate_kind", sa.String(30), nullable=False),
        sa.Column("occupation_code", sa.String(20), nullable=False),
        sa.Column("occupation_name", sa.String(100)),
        sa.Column("work_type", sa.String(100)),
        sa.Column("family_key", sa.String(20), nullable=False),
        sa.Column("work_type_key", sa.String(130), nullable=False),
        sa.Column("level", sa.SmallInteger()),
        sa.Column("level_key", sa.SmallInteger(), nullable=False),
        sa.Column("certificate_issue_date", sa.Date(), nullable=False),
        sa.Column("district", sa.String(6)),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("decision", postgresql.JSONB()),
        sa.Column("outcome", sa.String(20)),
        sa.Column("applied_amount_fen", sa.BigInteger()),
        sa.Column("amount_fen", sa.BigInteger()),
        sa.Column("city_share_fen", sa.BigInteger()),
        sa.Column("district_share_fen", sa.BigInteger()),
        sa.Column("as_in_service", sa.Boolean(), nullable=False),
        sa.Column("as_secondary_student", sa.Boolean(), nullable=False),
        sa.Column("submitted_on", sa.Date()),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("review_due_on", sa.Date()),
        sa.Column("reviewer", sa.String(200)),
        sa.Column("decided_on", sa.Date()),
        sa.Column("rejection_reason", sa.Text()),
        sa.Column("material_request", sa.Text()),
        sa.Column("material_response", sa.Text()),
        sa.Column("publicity_started_on", sa.Date()),
        sa.Column("publicity_ends_on", sa.Date()),
        sa.Column("confirmed_by", sa.String(200)),
        sa.Column("confirmed_on", sa.Date()),
        sa.Column("card_number", sa.String(40)),
        sa.Column("card_financial_enabled", sa.Boolean(), nullable=False),
        sa.Column("bank_account", sa.String(40)),
        sa.Column("bank_name", sa.String(100)),
        sa.Column("payment_channel", sa.String(30)),
        sa.Column("payment_attempts", sa.Integer(), nullable=False),
        sa.Column("payment_failure_reason", sa.Text()),
        sa.Column("paid_on", sa.Date()),
        sa.Column("clawback_reason", sa.Text()),
        sa.Column("clawed_back_on", sa.Date()),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_claims_status_known"),
        sa.CheckConstraint("policy IN ('cq-eval', 'sh-upgrade')", name="ck_claims_policy_known"),
        sa.CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="ck_claims_amount_not_negative"),
        sa.CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="ck_claims_level_range"),
    )
    op.create_index(
        "uq_claims_live_certificate",
        "claims",
        ["policy", "certificate_number"],
        unique=True,
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "uq_claims_live_level",
        "claims",
        ["applicant_id_number", "policy", "work_type_key", "level_key"],
        unique=True,
        postgresql_where=sa.text(LIVE),
    )
    op.create_index("ix_claims_queue", "claims", ["district", "status", "review_due_on"])
    op.create_index("ix_claims_applicant", "claims", ["applicant_id_number"])

    op.create_table(
        "objections",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("claim_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("raised_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("resolution", sa.String(20)),
        sa.Column("resolution_note", sa.Text()),
        sa.Column("resolved_by", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_objections"),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name="fk_objections_claim_id_claims"),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('upheld', 'dismissed')",
            name="ck_objections_resolution_known",
        ),
    )
    op.create_index("ix_objections_claim_id", "objections", ["claim_id"])

    op.create_table(
        "past_subsidies",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("applicant_id_number", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("occupation_code", sa.String(20), nullable=False),
        sa.Column("work_type", sa.String(100)),
        sa.Column("level", sa.SmallInteger()),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("as_in_service", sa.Boolean(), nullable=False),
        sa.Column("as_secondary_student", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_past_subsidies"),
    )
    op.create_index("ix_past_subsidies_applicant_id_number", "past_subsidies", ["applicant_id_number"])

    op.create_table(
        "level_ledger",
        sa.Column("applicant_id_number", sa.String(18), nullable=False),
        sa.Column("policy", sa.String(20), nullable=False),
        sa.Column("work_type_key", sa.String(130), nullable=False),
        sa.Column("best_level_key", sa.SmallInteger(), nullable=False),
        sa.Column("claim_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("applicant_id_number", "policy", "work_type_key", name="pk_level_ledger"),
    )
    op.create_table(
        "family_ledger",
        sa.Column("applicant_id_number", sa.String(18), nullable=False),
        sa.Column("policy", sa.String(20), nullable=False),
        sa.Column("family_key", sa.String(20), nullable=False),
        sa.Column("work_type_key", sa.String(130), nullable=False),
        sa.PrimaryKeyConstraint("applicant_id_number", "policy", "family_key", name="pk_family_ledger"),
    )
    op.create_table(
        "yearly_counts",
        sa.Column("applicant_id_number", sa.String(18), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("claims", sa.SmallInteger(), nullable=False),
        sa.Column("in_service_claims", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("applicant_id_number", "year", name="pk_yearly_counts"),
        sa.CheckConstraint("claims BETWEEN 0 AND 3", name="ck_yearly_counts_sh13_yearly_cap"),
        sa.CheckConstraint("in_service_claims BETWEEN 0 AND 1", name="ck_yearly_counts_sh13_in_service_cap"),
    )
    op.create_table(
        "cq_amount_tables",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("amounts", postgresql.JSONB(), nullable=False),
        sa.Column("loaded_by", sa.String(200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cq_amount_tables"),
        sa.UniqueConstraint("version", name="uq_cq_amount_tables_version"),
    )
    op.create_table(
        "sh_catalogue",
        sa.Column("occupation_code", sa.String(20), nullable=False),
        sa.Column("work_type", sa.String(100), nullable=False),
        sa.Column("catalogue_class", sa.String(1), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("occupation_code", "work_type", name="pk_sh_catalogue"),
        sa.CheckConstraint("catalogue_class IN ('A', 'B', 'C')", name="ck_sh_catalogue_class_known"),
    )


def downgrade() -> None:
    for table in (
        "sh_catalogue",
        "cq_amount_tables",
        "yearly_counts",
        "family_ledger",
        "level_ledger",
        "past_subsidies",
        "objections",
        "claims",
    ):
        op.drop_table(table)

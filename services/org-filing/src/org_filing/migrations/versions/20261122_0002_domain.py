"""Org-filing domain tables: applications, bodies, code counters, retired codes, plans, supervision, 贯通.

Revision ID: 0002_domain
Revises: 0001_platform
Create Date: 2026-11-22 04:11:07.333431
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_domain"
down_revision: str | None = "0001_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bodies",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("place_code", sa.String(length=2), nullable=False),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("registered_address", sa.String(length=200), nullable=False),
        sa.Column("office_address", sa.String(length=200), nullable=False),
        sa.Column("legal_representative", sa.String(length=200), nullable=False),
        sa.Column("level_scope", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("sequence BETWEEN 1 AND 9999", name=op.f("ck_bodies_sequence_range")),
        sa.CheckConstraint("valid_to >= valid_from", name=op.f("ck_bodies_validity_order")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["bodies.id"], name=op.f("fk_bodies_merged_into_id_bodies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bodies")),
        sa.UniqueConstraint("code", name=op.f("uq_bodies_code")),
        sa.UniqueConstraint("place_code", "sequence", name=op.f("uq_bodies_place_code_sequence")),
    )
    op.create_index(op.f("ix_bodies_credit_code"), "bodies", ["credit_code"], unique=False)
    op.create_index(op.f("ix_bodies_status"), "bodies", ["status"], unique=False)
    op.create_table(
        "district_thresholds",
        sa.Column("district", sa.String(length=2), nullable=False),
        sa.Column("min_years", sa.Integer(), nullable=False),
        sa.Column("min_total", sa.Integer(), nullable=False),
        sa.Column("min_per_occupation", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("district", name=op.f("pk_district_thresholds")),
    )
    op.create_table(
        "guantong_bodies",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body_code", sa.String(length=13), nullable=True),
        sa.Column("kind", sa.String(length=100), nullable=True),
        sa.Column("office_address", sa.String(length=200), nullable=True),
        sa.Column("registered_place", sa.String(length=2), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("registration_complete", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guantong_bodies")),
        sa.UniqueConstraint("name", name=op.f("uq_guantong_bodies_name")),
    )
    op.create_index(op.f("ix_guantong_bodies_body_code"), "guantong_bodies", ["body_code"], unique=False)
    op.create_table(
        "inspections",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("place_code", sa.String(length=2), nullable=False),
        sa.Column("seed", sa.String(length=200), nullable=False),
        sa.Column("body_pool", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("inspector_pool", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("bodies_to_draw", sa.Integer(), nullable=False),
        sa.Column("inspectors_per_body", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_table(
        "place_counters",
        sa.Column("place_code", sa.String(length=2), nullable=False),
        sa.Column("next_sequence", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("next_sequence BETWEEN 1 AND 10000", name=op.f("ck_place_counters_next_range")),
        sa.PrimaryKeyConstraint("place_code", name=op.f("pk_place_counters")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "owner",
            sa.String(length=40),
            nullable=False,
            comment="applicant's credit code (token body claim)",
        ),
        sa.Column("level_scope", sa.String(length=10), nullable=True),
        sa.Column("accepting_place", sa.String(length=2), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("form", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("eligibility", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("publicity_from", sa.Date(), nullable=True),
        sa.Column("publicity_to", sa.Date(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("body_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_applications_body_id_bodies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("body_id", name=op.f("uq_applications_body_id")),
    )
    op.create_index(
        op.f("ix_applications_accepting_place"), "applications", ["accepting_place"], unique=False
    )
    op.create_index(op.f("ix_applications_owner"), "applications", ["owner"], unique=False)
    op.create_index(op.f("ix_applications_status"), "applications", ["status"], unique=False)
    op.create_table(
        "body_scopes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column("occupation_code", sa.String(length=20), nullable=False),
        sa.Column("occupation_name", sa.String(length=200), nullable=False),
        sa.Column("work_types", postgresql.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column("levels", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_body_scopes_body_id_bodies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_scopes")),
        sa.UniqueConstraint(
            "body_id", "occupation_code", name=op.f("uq_body_scopes_body_id_occupation_code")
        ),
    )
    op.create_index(op.f("ix_body_scopes_body_id"), "body_scopes", ["body_id"], unique=False)
    op.create_table(
        "complaints",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column("complainant_name", sa.String(length=200), nullable=False),
        sa.Column("complainant_contact", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("handling_note", sa.Text(), nullable=True),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_complaints_body_id_bodies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_body_id"), "complaints", ["body_id"], unique=False)
    op.create_table(
        "guantong_quotas",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("guantong_body_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quota_total", sa.Integer(), nullable=False),
        sa.Column("quota_technician", sa.Integer(), nullable=False),
        sa.Column("issued_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("issued_technician", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "issued_technician <= issued_total",
            name=op.f("ck_guantong_quotas_issued_technician_within_total"),
        ),
        sa.CheckConstraint(
            "quota_technician <= quota_total", name=op.f("ck_guantong_quotas_technician_within_total")
        ),
        sa.ForeignKeyConstraint(
            ["guantong_body_id"],
            ["guantong_bodies.id"],
            name=op.f("fk_guantong_quotas_guantong_body_id_guantong_bodies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guantong_quotas")),
        sa.UniqueConstraint(
            "guantong_body_id", "year", name=op.f("uq_guantong_quotas_guantong_body_id_year")
        ),
    )
    op.create_index(
        op.f("ix_guantong_quotas_guantong_body_id"), "guantong_quotas", ["guantong_body_id"], unique=False
    )
    op.create_table(
        "inspection_assignments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.BigInteger(), nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column("body_code", sa.String(length=13), nullable=False),
        sa.Column("inspectors", postgresql.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_inspection_assignments_body_id_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_assignments_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_assignments")),
    )
    op.create_index(
        op.f("ix_inspection_assignments_body_id"), "inspection_assignments", ["body_id"], unique=False
    )
    op.create_index(
        op.f("ix_inspection_assignments_inspection_id"),
        "inspection_assignments",
        ["inspection_id"],
        unique=False,
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column("body_code", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_guantong", sa.Boolean(), nullable=False),
        sa.Column("occupation_code", sa.String(length=20), nullable=False),
        sa.Column("work_type", sa.String(length=200), nullable=True),
        sa.Column("levels", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("candidates", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("assessors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("supervisors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_plans_body_id_bodies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_body_code"), "plans", ["body_code"], unique=False)
    op.create_index(op.f("ix_plans_body_id"), "plans", ["body_id"], unique=False)
    op.create_table(
        "retired_codes",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("place_code", sa.String(length=2), nullable=False),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_retired_codes_body_id_bodies")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_retired_codes")),
        sa.UniqueConstraint("place_code", "sequence", name=op.f("uq_retired_codes_place_code_sequence")),
    )
    op.create_table(
        "violations",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_violations_body_id_bodies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
    )
    op.create_index(op.f("ix_violations_body_id"), "violations", ["body_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_violations_body_id"), table_name="violations")
    op.drop_table("violations")
    op.drop_table("retired_codes")
    op.drop_index(op.f("ix_plans_body_id"), table_name="plans")
    op.drop_index(op.f("ix_plans_body_code"), table_name="plans")
    op.drop_table("plans")
    op.drop_index(op.f("ix_inspection_assignments_inspection_id"), table_name="inspection_assignments")
    op.drop_index(op.f("ix_inspection_assignments_body_id"), table_name="inspection_assignments")
    op.drop_table("inspection_assignments")
    op.drop_index(op.f("ix_guantong_quotas_guantong_body_id"), table_name="guantong_quotas")
    op.drop_table("guantong_quotas")
    op.drop_index(op.f("ix_complaints_body_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(op.f("ix_body_scopes_body_id"), table_name="body_scopes")
    op.drop_table("body_scopes")
    op.drop_index(op.f("ix_applications_status"), table_name="applications")
    op.drop_index(op.f("ix_applications_owner"), table_name="applications")
    op.drop_index(op.f("ix_applications_accepting_place"), table_name="applications")
    op.drop_table("applications")
    op.drop_table("place_counters")
    op.drop_table("inspections")
    op.drop_index(op.f("ix_guantong_bodies_body_code"), table_name="guantong_bodies")
    op.drop_table("guantong_bodies")
    op.drop_table("district_thresholds")
    op.drop_index(op.f("ix_bodies_status"), table_name="bodies")
    op.drop_index(op.f("ix_bodies_credit_code"), table_name="bodies")
    op.drop_table("bodies")

"""Registry schema: issuers, batches, candidates, objections, serial counters, certificates, signing keys.

Serial counters hold the last serial per (body, year, level) (CR-1); certificates are never deleted (CR-7).

Revision ID: 0002_registry
Revises: 0001_platform
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_registry"
down_revision: str | None = "0001_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issuers",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("route", sa.String(length=4), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("place", sa.String(length=2), nullable=False),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level_scope", sa.String(length=10), nullable=False),
        sa.Column("scope", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("merged_into", sa.String(length=13), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("level_scope IN ('city', 'district')", name=op.f("ck_issuers_level_scope")),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'cancelled', 'merged')", name=op.f("ck_issuers_status")
        ),
        sa.CheckConstraint("valid_from <= valid_to", name=op.f("ck_issuers_validity_order")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_issuers")),
    )
    op.create_index(op.f("ix_issuers_place"), "issuers", ["place"], unique=False)
    op.create_table(
        "serial_counters",
        sa.Column("body_code", sa.String(length=13), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_serial BETWEEN 0 AND 999999", name=op.f("ck_serial_counters_serial_range")),
        sa.PrimaryKeyConstraint("body_code", "year", "level", name=op.f("pk_serial_counters")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_signing_keys_key_id")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("body_code", sa.String(length=13), nullable=False),
        sa.Column("plan_ref", sa.String(length=100), nullable=False),
        sa.Column("occupation_code", sa.String(length=12), nullable=False),
        sa.Column("occupation_name", sa.String(length=100), nullable=False),
        sa.Column("work_type", sa.String(length=100), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("evaluation_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("guantong", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("candidate_count", sa.Integer(), nullable=False),
        sa.Column("passed_count", sa.Integer(), nullable=False),
        sa.Column("publicity_starts", sa.Date(), nullable=True),
        sa.Column("publicity_ends", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'publicity', 'approved', 'issued')", name=op.f("ck_batches_status")
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_batches_level")),
        sa.ForeignKeyConstraint(["body_code"], ["issuers.code"], name=op.f("fk_batches_body_code_issuers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_index(op.f("ix_batches_body_code"), "batches", ["body_code"], unique=False)
    op.create_table(
        "candidates",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.UUID(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("photo_ref", sa.String(length=200), nullable=True),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("certificate_number", sa.String(length=22), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_candidates_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("batch_id", "id_number", name=op.f("uq_candidates_batch_id_id_number")),
        sa.UniqueConstraint("batch_id", "row_no", name=op.f("uq_candidates_batch_id_row_no")),
        sa.UniqueConstraint("certificate_number", name=op.f("uq_candidates_certificate_number")),
    )
    op.create_table(
        "certificates",
        sa.Column("number", sa.String(length=22), nullable=False),
        sa.Column("body_code", sa.String(length=13), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.UUID(), nullable=True),
        sa.Column("candidate_id", sa.BigInteger(), nullable=True),
        sa.Column("holder_name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("photo_ref", sa.String(length=200), nullable=True),
        sa.Column("occupation_code", sa.String(length=12), nullable=False),
        sa.Column("occupation_name", sa.String(length=100), nullable=False),
        sa.Column("work_type", sa.String(length=100), nullable=True),
        sa.Column("obtained_by", sa.String(length=24), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("body_name", sa.String(length=200), nullable=False),
        sa.Column("body_place", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('valid', 'revoked')", name=op.f("ck_certificates_status")),
        sa.CheckConstraint("serial BETWEEN 1 AND 999999", name=op.f("ck_certificates_serial_range")),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_certificates_batch_id_batches")),
        sa.ForeignKeyConstraint(
            ["body_code"], ["issuers.code"], name=op.f("fk_certificates_body_code_issuers")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_certificates")),
        sa.UniqueConstraint(
            "body_code", "year", "level", "serial", name=op.f("uq_certificates_body_code_year_level_serial")
        ),
    )
    op.create_index(op.f("ix_certificates_batch_id"), "certificates", ["batch_id"], unique=False)
    op.create_index("ix_certificates_id_number", "certificates", ["id_number"], unique=False)
    op.create_index("ix_certificates_issue_date", "certificates", ["issue_date"], unique=False)
    op.create_table(
        "objections",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lodged_by", sa.String(length=200), nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'upheld', 'dismissed')", name=op.f("ck_objections_status")),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_objections_batch_id_batches")),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_objections_candidate_id_candidates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    op.create_index(op.f("ix_objections_batch_id"), "objections", ["batch_id"], unique=False)
    op.create_index(op.f("ix_objections_candidate_id"), "objections", ["candidate_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_objections_candidate_id"), table_name="objections")
    op.drop_index(op.f("ix_objections_batch_id"), table_name="objections")
    op.drop_table("objections")
    op.drop_index("ix_certificates_issue_date", table_name="certificates")
    op.drop_index("ix_certificates_id_number", table_name="certificates")
    op.drop_index(op.f("ix_certificates_batch_id"), table_name="certificates")
    op.drop_table("certificates")
    op.drop_table("candidates")
    op.drop_index(op.f("ix_batches_body_code"), table_name="batches")
    op.drop_table("batches")
    op.drop_table("signing_keys")
    op.drop_table("serial_counters")
    op.drop_index(op.f("ix_issuers_place"), table_name="issuers")
    op.drop_table("issuers")

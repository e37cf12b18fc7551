"""Voucher schema: institutions, types, campaigns, grants, vouchers, use counters, classes, check-ins, settlements.

The V-1 project types are loaded here as reference data, without face values: the city office sets them (V-2).

Revision ID: 0002_voucher_schema
Revises: 0001_platform
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from skills_shared.reference import VoucherProjectType

revision: str = "0002_voucher_schema"
down_revision: str | None = "0001_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('annual', 'supplementary')", name=op.f("ck_campaigns_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(
        "uq_campaigns_one_annual_per_year",
        "campaigns",
        ["year"],
        unique=True,
        postgresql_where=sa.text("kind = 'annual'"),
    )
    op.create_table(
        "holder_year_uses",
        sa.Column("holder_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("uses", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("uses BETWEEN 0 AND 3", name=op.f("ck_holder_year_uses_at_most_three")),
        sa.PrimaryKeyConstraint("holder_id", "year", name=op.f("pk_holder_year_uses")),
    )
    op.create_table(
        "institutions",
        sa.Column("code", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district_code", sa.String(length=2), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("admin_name", sa.String(length=50), nullable=False),
        sa.Column("admin_id_number", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'closed')", name=op.f("ck_institutions_status")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_institutions")),
    )
    op.create_index(op.f("ix_institutions_district_code"), "institutions", ["district_code"], unique=False)
    op.create_table(
        "voucher_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("face_value_fen", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "face_value_fen IS NULL OR face_value_fen > 0", name=op.f("ck_voucher_types_face_value_positive")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_voucher_types")),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("holder_id", sa.String(length=18), nullable=False),
        sa.Column("district_code", sa.String(length=2), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_grants_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
        sa.UniqueConstraint("holder_id", "year", name="uq_grants_holder_year"),
    )
    op.create_index("ix_grants_campaign", "grants", ["campaign_id"], unique=False)
    op.create_index("ix_grants_year_district", "grants", ["year", "district_code"], unique=False)
    op.create_table(
        "institution_sites",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("institution_code", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_institution_sites_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_institution_sites_longitude")),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_institution_sites_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_sites")),
    )
    op.create_index(
        op.f("ix_institution_sites_institution_code"), "institution_sites", ["institution_code"], unique=False
    )
    op.create_table(
        "redeem_permissions",
        sa.Column("institution_code", sa.String(length=7), nullable=False),
        sa.Column("staff_subject", sa.String(length=64), nullable=False),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_redeem_permissions_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("institution_code", "staff_subject", name=op.f("pk_redeem_permissions")),
    )
    op.create_table(
        "settlements",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("institution_code", sa.String(length=7), nullable=False),
        sa.Column("district_code", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="submitted", nullable=False),
        sa.Column("reference_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("claimed_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("approved_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column(
            "submitted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'rejected')", name=op.f("ck_settlements_status")
        ),
        sa.CheckConstraint(
            "approved_amount_fen IS NULL OR (approved_amount_fen >= 0 AND approved_amount_fen <= claimed_amount_fen)",
            name=op.f("ck_settlements_approved_within_claim"),
        ),
        sa.CheckConstraint(
            "claimed_amount_fen > 0 AND claimed_amount_fen <= reference_amount_fen",
            name=op.f("ck_settlements_claim_within_reference"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_settlements_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    op.create_index(op.f("ix_settlements_district_code"), "settlements", ["district_code"], unique=False)
    op.create_index(
        op.f("ix_settlements_institution_code"), "settlements", ["institution_code"], unique=False
    )
    op.create_table(
        "training_classes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("institution_code", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_type", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_training_classes_dates_ordered")),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_training_classes_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["project_type"],
            ["voucher_types.code"],
            name=op.f("fk_training_classes_project_type_voucher_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_classes")),
    )
    op.create_index(
        op.f("ix_training_classes_institution_code"), "training_classes", ["institution_code"], unique=False
    )
    op.create_table(
        "class_sites",
        sa.Column("class_id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_classes.id"], name=op.f("fk_class_sites_class_id_training_classes")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["institution_sites.id"], name=op.f("fk_class_sites_site_id_institution_sites")
        ),
        sa.PrimaryKeyConstraint("class_id", "site_id", name=op.f("pk_class_sites")),
    )
    op.create_table(
        "vouchers",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("holder_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("district_code", sa.String(length=2), nullable=False),
        sa.Column("face_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="claimed", nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("institution_code", sa.String(length=7), nullable=True),
        sa.Column("class_id", sa.BigInteger(), nullable=True),
        sa.Column("redeemed_by", sa.String(length=200), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lapsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lapse_reason", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "status = 'claimed' OR status = 'lapsed' OR (institution_code IS NOT NULL AND class_id IS NOT NULL)",
            name=op.f("ck_vouchers_redeemed_has_place"),
        ),
        sa.CheckConstraint(
            "status IN ('claimed', 'redeemed', 'completed', 'settled', 'lapsed')",
            name=op.f("ck_vouchers_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_vouchers_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_classes.id"], name=op.f("fk_vouchers_class_id_training_classes")
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_vouchers_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"], ["voucher_types.code"], name=op.f("fk_vouchers_type_code_voucher_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("holder_id", "year", "type_code", name="uq_vouchers_holder_year_type"),
    )
    op.create_index("ix_vouchers_class", "vouchers", ["class_id"], unique=False)
    op.create_index(
        "ix_vouchers_institution_status", "vouchers", ["institution_code", "status"], unique=False
    )
    op.create_index("ix_vouchers_status_valid_until", "vouchers", ["status", "valid_until"], unique=False)
    op.create_index("ix_vouchers_year_district", "vouchers", ["year", "district_code"], unique=False)
    op.create_table(
        "check_ins",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("class_id", sa.BigInteger(), nullable=False),
        sa.Column("voucher_id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("distance_m", sa.Double(), nullable=False),
        sa.Column(
            "checked_in_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_classes.id"], name=op.f("fk_check_ins_class_id_training_classes")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["institution_sites.id"], name=op.f("fk_check_ins_site_id_institution_sites")
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_check_ins_voucher_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
    )
    op.create_index(op.f("ix_check_ins_class_id"), "check_ins", ["class_id"], unique=False)
    op.create_index("ix_check_ins_voucher", "check_ins", ["voucher_id"], unique=False)
    op.create_table(
        "settlement_items",
        sa.Column("settlement_id", sa.BigInteger(), nullable=False),
        sa.Column("voucher_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlements.id"], name=op.f("fk_settlement_items_settlement_id_settlements")
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_settlement_items_voucher_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("settlement_id", "voucher_id", name=op.f("pk_settlement_items")),
        sa.UniqueConstraint("voucher_id", name=op.f("uq_settlement_items_voucher_id")),
    )
    voucher_types = sa.table("voucher_types", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(voucher_types, [{"code": t.value, "name": t.zh} for t in VoucherProjectType])


def downgrade() -> None:
    op.drop_table("settlement_items")
    op.drop_index("ix_check_ins_voucher", table_name="check_ins")
    op.drop_index(op.f("ix_check_ins_class_id"), table_name="check_ins")
    op.drop_table("check_ins")
    op.drop_index("ix_vouchers_year_district", table_name="vouchers")
    op.drop_index("ix_vouchers_status_valid_until", table_name="vouchers")
    op.drop_index("ix_vouchers_institution_status", table_name="vouchers")
    op.drop_index("ix_vouchers_class", table_name="vouchers")
    op.drop_table("vouchers")
    op.drop_table("class_sites")
    op.drop_index(op.f("ix_training_classes_institution_code"), table_name="training_classes")
    op.drop_table("training_classes")
    op.drop_index(op.f("ix_settlements_institution_code"), table_name="settlements")
    op.drop_index(op.f("ix_settlements_district_code"), table_name="settlements")
    op.drop_table("settlements")
    op.drop_table("redeem_permissions")
    op.drop_index(op.f("ix_institution_sites_institution_code"), table_name="institution_sites")
    op.drop_table("institution_sites")
    op.drop_index("ix_grants_year_district", table_name="grants")
    op.drop_index("ix_grants_campaign", table_name="grants")
    op.drop_table("grants")
    op.drop_table("voucher_types")
    op.drop_index(op.f("ix_institutions_district_code"), table_name="institutions")
    op.drop_table("institutions")
    op.drop_table("holder_year_uses")
    op.drop_index(
        "uq_campaigns_one_annual_per_year",
        table_name="campaigns",
        postgresql_where=sa.text("kind = 'annual'"),
    )
    op.drop_table("campaigns")

"""Batches name their filed plan by org-filing's id; 贯通 rows carry the title held; one title level once.

Revision ID: 0011_plans_titles
Revises: 0010_audit_append
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_plans_titles"
down_revision: str | None = "0010_audit_append"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("batches", sa.Column("plan_id", sa.Integer(), nullable=True))
    op.execute("UPDATE batches SET plan_id = plan_ref::integer WHERE plan_ref ~ '^[0-9]{1,9}$'")
    op.drop_column("batches", "plan_ref")
    op.add_column(
        "batches",
        sa.Column("title_specialties", postgresql.JSONB(), server_default="[]", nullable=False),
    )
    op.add_column("candidates", sa.Column("title", postgresql.JSONB(), nullable=True))
    op.create_table(
        "title_declarations",
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("title_level", sa.String(20), nullable=False),
        sa.Column("body_code", sa.String(13), nullable=False),
        sa.Column("occupation_code", sa.String(12), nullable=False),
        sa.Column("work_type", sa.String(100), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("batch_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id_number", "title_level", name="pk_title_declarations"),
    )
    op.create_index("ix_title_declarations_batch_id", "title_declarations", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_title_declarations_batch_id", table_name="title_declarations")
    op.drop_table("title_declarations")
    op.drop_column("candidates", "title")
    op.drop_column("batches", "title_specialties")
    op.add_column("batches", sa.Column("plan_ref", sa.String(100), nullable=True))
    op.execute("UPDATE batches SET plan_ref = plan_id::text")
    op.drop_column("batches", "plan_id")

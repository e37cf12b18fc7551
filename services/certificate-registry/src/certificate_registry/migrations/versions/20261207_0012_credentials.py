"""Verifiable credentials: the public keys ever published (JWKS) and each certificate's status-list slot.

Revision ID: 0012_credentials
Revises: 0011_plans_titles
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_credentials"
down_revision: str | None = "0011_plans_titles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_signing_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "first_used_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_published_signing_keys")),
    )
    op.create_table(
        "credential_status_entries",
        sa.Column("number", sa.String(length=22), nullable=False),
        sa.Column(
            "list_index", sa.BigInteger(), sa.Identity(always=False, start=0, minvalue=0), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["number"], ["certificates.number"], name=op.f("fk_credential_status_entries_number_certificates")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_credential_status_entries")),
        sa.UniqueConstraint("list_index", name=op.f("uq_credential_status_entries_list_index")),
    )


def downgrade() -> None:
    op.drop_table("credential_status_entries")
    op.drop_table("published_signing_keys")

"""Platform v3: audit_append(), the audit chain's lock and its chained insert in one round trip.

Revision ID: 0010_audit_append
Revises: 0009_audit_chains
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from skills_shared.db.migrations import downgrade_platform_v3, upgrade_platform_v3

revision: str = "0010_audit_append"
down_revision: str | None = "0009_audit_chains"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_platform_v3()


def downgrade() -> None:
    downgrade_platform_v3()

"""Platform tables v2: the audit log becomes several parallel hash chains.

Revision ID: 0009_audit_chains
Revises: 0002_claims
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from skills_shared.db.migrations import downgrade_platform_v2, upgrade_platform_v2

revision: str = "0009_audit_chains"
down_revision: str | None = "0002_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_platform_v2()


def downgrade() -> None:
    downgrade_platform_v2()

"""Platform tables for the shared package tests.

Revision ID: 0001_platform
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from skills_shared.db.migrations import downgrade_platform_v1, upgrade_platform_v1

revision: str = "0001_platform"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_platform_v1()


def downgrade() -> None:
    downgrade_platform_v1()

"""Claims v2: the day CQ-4's review clock started, so a deadline in a year the calendar did not yet cover at
submission can be recorded once it does (instead of staying unknown for ever).

Revision ID: 0011_review_started
Revises: 0010_audit_append
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_review_started"
down_revision: str | None = "0010_audit_append"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("review_started_on", sa.Date()))
    # Claims already submitted: the clock started on the submission day (a resubmission's day was not kept;
    # its deadline, when known, is already recorded and is what counts).
    op.execute(
        "UPDATE claims SET review_started_on = submitted_on WHERE policy = 'cq-eval' AND submitted_on IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("claims", "review_started_on")

"""All SQL of the redeem path: one round trip for every check, the guarded flip and the yearly counter.

This is the hot path (≥ 500 redeems per second is the aim), so it speaks SQL to asyncpg rather than the ORM,
and every round trip saved counts: on this machine each costs 60–120 µs of CPU before any work is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from skills_shared.db.lean import LeanTx

# One round trip reads everything the rules need *and* attempts the flip claimed → redeemed, guarded by every
# condition the database can check. The SELECT part sees the row as it was when the statement began; the UPDATE
# part waits for a concurrent scan's row lock and re-checks `status = 'claimed'` after it commits, so of any
# number of simultaneous scans exactly one gets `redeemed_at` back. The service then applies the pure rules to
# the context and rolls the whole unit of work back on any refusal.
#
# V-6 is decided here and only here: `may_redeem` (the institution is registered and active, and the scanning
# staff member holds a redeem permission granted by its 专员) is computed once, guards the flip, and is returned
# so the service can word the refusal (`institution_status`, `has_permission` say why). No Python rule repeats it.
# The decision and the flip are one step on one snapshot: a withdrawal or suspension committed before the scan's
# statement began is always seen; one committing while it runs is ordered after this scan.
_SCAN = """
    WITH may AS (
        SELECT i.status AS institution_status,
               EXISTS (SELECT 1 FROM redeem_permissions p
                       WHERE p.institution_code = $1::text AND p.staff_subject = $2::text) AS has_permission
          FROM (SELECT 1) AS one
          LEFT JOIN institutions i ON i.code = $1::text
    ),
    decided AS (
        SELECT institution_status, has_permission,
               coalesce(institution_status = 'active', false) AND has_permission AS may_redeem
          FROM may
    ),
    flip AS (
        UPDATE vouchers v
           SET status = 'redeemed', institution_code = $1::text, class_id = $3::bigint,
               redeemed_by = $2::text, redeemed_at = $5::timestamptz
         WHERE v.id = $4::bigint AND v.status = 'claimed' AND v.valid_until >= $6::date
           AND (SELECT may_redeem FROM decided)
           AND EXISTS (SELECT 1 FROM training_classes c
                       WHERE c.id = $3::bigint AND c.institution_code = $1::text
                         AND c.project_type = v.type_code AND c.ends_on >= $6::date)
        RETURNING v.redeemed_at, v.holder_id, v.year
    ),
    -- V-5: the per-(holder, year) row is the lock every redemption of that holder takes; the conditional
    -- DO UPDATE refuses a fourth use (no row back), and the table's CHECK (uses <= 3) stands behind it.
    -- Only a scan that flipped the voucher counts a use.
    take AS (
        INSERT INTO holder_year_uses AS u (holder_id, year, uses)
        SELECT holder_id, year, 1 FROM flip
        ON CONFLICT (holder_id, year) DO UPDATE SET uses = u.uses + 1 WHERE u.uses < $7::int
        RETURNING u.uses
    )
    SELECT d.may_redeem, d.institution_status, d.has_permission,
           c.institution_code AS class_institution, c.project_type, c.ends_on,
           v.holder_id, v.status AS voucher_status, v.valid_until, v.type_code, v.year, v.face_value_fen,
           (SELECT redeemed_at FROM flip) AS redeemed_at,
           (SELECT uses FROM take) AS uses, v.district_code
    FROM decided AS d
    LEFT JOIN training_classes c ON c.id = $3::bigint
    LEFT JOIN vouchers v ON v.id = $4::bigint
    """


@dataclass(frozen=True, slots=True)
class ScanContext:
    may_redeem: bool
    """V-6 as the statement decided it (and guarded the flip with)."""
    institution_status: str | None
    has_permission: bool
    class_institution: str | None
    project_type: str | None
    ends_on: date | None
    holder_id: str | None
    voucher_status: str | None
    valid_until: date | None
    type_code: str | None
    year: int | None
    face_value_fen: int | None
    redeemed_at: datetime | None
    uses: int | None
    """Uses of the holder's year after this one; None when the flip did not happen or the cap refused it."""
    district_code: str | None = None
    """The voucher's district, the label of the redemption counter."""


class RedeemRepository:
    """Speaks to the lean unit of work's connection (no ORM on the hot path)."""

    def __init__(self, tx: LeanTx) -> None:
        self.conn = tx.conn

    async def scan(
        self, code: str, staff: str, class_id: int, voucher_id: int, now: datetime, today: date, cap: int
    ) -> ScanContext:
        """Read the scan's context, try the guarded flip and count the use, in one statement (see `_SCAN`)."""
        row = await self.conn.fetchrow(_SCAN, code, staff, class_id, voucher_id, now, today, cap)
        assert row is not None  # one row always: the LEFT JOINs hang off a one-row source
        return ScanContext(*row)

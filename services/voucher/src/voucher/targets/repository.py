"""All SQL of the targets dashboard: issued, claimed and used per district for one year."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from voucher.targets.rules import Counts

# Issued and claimed count where the holder belongs (the issue list's district); used counts where the
# voucher was used (the redeeming institution's district), which is what 附件1's 区县用券任务 measures.
# V-4: lapsed vouchers are not used; a redeemed voucher whose class has ended without completion is not used
# either, even before the lapse run has marked it.
_COUNTS = text(
    """
    WITH issued AS (
        SELECT district_code, count(*) AS n FROM grants WHERE year = :year GROUP BY district_code
    ), claimed AS (
        SELECT district_code, count(*) AS n FROM vouchers WHERE year = :year GROUP BY district_code
    ), used AS (
        SELECT i.district_code, count(*) AS n
          FROM vouchers v
          JOIN institutions i ON i.code = v.institution_code
          LEFT JOIN training_classes c ON c.id = v.class_id
         WHERE v.year = :year
           AND (v.status IN ('completed', 'settled') OR (v.status = 'redeemed' AND c.ends_on >= :today))
         GROUP BY i.district_code
    ), districts AS (
        SELECT district_code FROM issued UNION SELECT district_code FROM claimed UNION SELECT district_code FROM used
    )
    SELECT d.district_code, coalesce(issued.n, 0), coalesce(claimed.n, 0), coalesce(used.n, 0)
      FROM districts d
      LEFT JOIN issued USING (district_code)
      LEFT JOIN claimed USING (district_code)
      LEFT JOIN used USING (district_code)
    """
)


async def counts_by_district(session: AsyncSession, year: int, today: date) -> dict[str, Counts]:
    rows = await session.execute(_COUNTS, {"year": year, "today": today})
    return {code: Counts(int(i), int(c), int(u)) for code, i, c, u in rows}

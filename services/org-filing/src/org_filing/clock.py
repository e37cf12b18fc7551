"""The business date as a dependency: Asia/Shanghai today in production, a fixed day where a test pins it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from skills_shared.workdays import today_shanghai


async def business_today() -> date:
    """Today in Asia/Shanghai; every date rule (OF-3, OF-5, OF-6) reads the day through this one seam."""
    return today_shanghai()


TodayDep = Annotated[date, Depends(business_today)]

"""The business date as a dependency, so rules that depend on "today" (CR-4 publicity) are testable."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from skills_shared.workdays import today_shanghai


async def business_today() -> date:
    """Today in Asia/Shanghai; tests replace it with ``app.dependency_overrides``."""
    return today_shanghai()


Today = Annotated[date, Depends(business_today)]

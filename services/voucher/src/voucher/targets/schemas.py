"""Wire shape of the targets dashboard (V-8)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DistrictProgressOut(BaseModel):
    district_code: str = Field(description="区县编码（01–41）")
    district_name: str
    target_used: int
    issued: int
    claimed: int
    used: int
    used_percent: float
    target_met: bool


class DashboardOut(BaseModel):
    year: int
    districts: list[DistrictProgressOut]
    issued: int
    claimed: int
    used: int
    issue_goal: int
    use_goal: int
    target_used_total: int
    issue_goal_met: bool
    use_goal_met: bool

"""Use case of the targets dashboard (V-8)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.auth import Principal, Role
from skills_shared.clock import Clock, today_of
from skills_shared.reference import (
    CQ_DISTRICTS,
    VOUCHER_CITY_ISSUE_TARGET,
    VOUCHER_CITY_USE_TARGET,
    VOUCHER_DISTRICT_TARGETS,
)
from voucher.targets.repository import counts_by_district
from voucher.targets.rules import Dashboard, build_dashboard
from voucher.targets.schemas import DashboardOut, DistrictProgressOut
from voucher.vouchers.rules import open_campaign_year


class TargetsService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def dashboard(self, principal: Principal, year: int | None) -> tuple[int, Dashboard]:
        today = today_of(self.clock)
        y = year or open_campaign_year(today)  # V-4: from 1 December the open campaign is next year's
        counts = await counts_by_district(self.session, y, today)
        targets = {code: (CQ_DISTRICTS[code], n) for code, n in VOUCHER_DISTRICT_TARGETS.items()}
        dash = build_dashboard(targets, counts, VOUCHER_CITY_ISSUE_TARGET, VOUCHER_CITY_USE_TARGET)
        if principal.role == Role.DISTRICT_OFFICER:
            # A district officer sees their own row; the city totals are public figures and stay.
            dash = Dashboard(
                **{**asdict(dash), "districts": [d for d in dash.districts if d.code == principal.district]}
            )
        return y, dash

    @staticmethod
    def to_out(year: int, dash: Dashboard) -> DashboardOut:
        data = asdict(dash)
        data["districts"] = [
            DistrictProgressOut(district_code=d.pop("code"), district_name=d.pop("name"), **d)
            for d in data["districts"]
        ]
        return DashboardOut(year=year, **data)

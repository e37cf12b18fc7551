"""Wire shapes of an evaluation batch plan (OF-5; seed 001 二(四)1: what, when, where, how, who)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from org_filing.common_schemas import Levels, LongText, Strict, Text
from skills_shared.contracts.v1.org_filing import FilingPlan, FilingPlanPerson
from skills_shared.validators import IsoDate, OccupationCode, PersonName, ResidentId


class PlanPersonIn(Strict):
    name: PersonName
    id_number: ResidentId
    role: Text | None = Field(default=None, description="e.g. 考评员、督导员、现场负责人")


class PlanIn(Strict):
    """A batch plan as a body files it (seed 001 二(四)1): at least 10 working days before ``starts_on``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "2026年第三批电工职业技能等级认定",
                    "is_guantong": False,
                    "occupation_code": "6-31-01-03",
                    "work_type": "维修电工",
                    "levels": [4, 5],
                    "starts_on": "2026-09-17",
                    "ends_on": "2026-09-18",
                    "venue": "重庆市渝中区某实训楼三楼",
                    "sessions": 2,
                    "method": "理论知识考试 + 技能操作考核",
                    "candidates": [{"name": "张某某", "id_number": "500101198001010013"}],
                    "assessors": [{"name": "李某某", "id_number": "500101198001010021", "role": "考评员"}],
                    "supervisors": [{"name": "王某某", "id_number": "50010119800101003X", "role": "督导员"}],
                }
            ]
        },
    )

    name: Text = Field(description="计划名称（贯通计划须含“贯通”）")
    is_guantong: StrictBool = False
    occupation_code: OccupationCode
    work_type: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = None
    levels: Levels
    starts_on: IsoDate
    ends_on: IsoDate
    venue: Text = Field(description="评价地点")
    sessions: int = Field(strict=True, ge=1, le=1000, description="场次")
    method: LongText = Field(description="评价方式")
    candidates: list[PlanPersonIn] = Field(min_length=1, max_length=5000, description="参加评价人员")
    assessors: list[PlanPersonIn] = Field(min_length=1, max_length=500, description="考评人员")
    supervisors: list[PlanPersonIn] = Field(min_length=1, max_length=200, description="督导人员")


MaskedPerson = FilingPlanPerson
PlanOut = FilingPlan
"""A filed plan as answered is org-filing's v1 contract (``skills_shared.contracts.v1.org_filing``)."""


class WithdrawIn(Strict):
    """Why the body withdraws its plan (kept in the audit trail)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "考点场地调整，另行报备"}]}
    )

    reason: Text

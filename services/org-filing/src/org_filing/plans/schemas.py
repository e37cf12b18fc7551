"""Wire shapes of an evaluation batch plan (OF-5; seed 001 二(四)1: what, when, where, how, who)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from org_filing.common_schemas import Levels, LongText, Strict, Text
from skills_shared.validators import OccupationCode, ResidentId


class PlanPerson(Strict):
    name: Text
    id_number: ResidentId
    role: Text | None = Field(default=None, description="e.g. 考评员、督导员、现场负责人")


class PlanIn(Strict):
    name: Text = Field(description="计划名称（贯通计划须含“贯通”）")
    is_guantong: bool = False
    occupation_code: OccupationCode
    work_type: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = None
    levels: Levels
    starts_on: date
    ends_on: date
    venue: Text = Field(description="评价地点")
    sessions: int = Field(ge=1, le=1000, description="场次")
    method: LongText = Field(description="评价方式")
    candidates: list[PlanPerson] = Field(min_length=1, max_length=5000, description="参加评价人员")
    assessors: list[PlanPerson] = Field(min_length=1, max_length=500, description="考评人员")
    supervisors: list[PlanPerson] = Field(min_length=1, max_length=200, description="督导人员")


class MaskedPerson(BaseModel):
    name: str
    id_number: str = Field(description="masked")
    role: str | None = None


class PlanOut(BaseModel):
    """A filed plan; the gateway checks it (status, body, scope, dates) before issuing certificates."""

    id: int
    body_code: str
    body_status: str
    name: str
    is_guantong: bool
    occupation_code: str
    work_type: str | None
    levels: list[int]
    starts_on: date
    ends_on: date
    venue: str
    sessions: int
    method: str
    candidate_count: int
    candidates: list[MaskedPerson]
    assessors: list[MaskedPerson]
    supervisors: list[MaskedPerson]
    filed_on: date
    status: str
    created_at: datetime

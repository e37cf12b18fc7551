"""Wire shapes of supervision (OF-6): complaints, 双随机 inspections, violations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from org_filing.common_schemas import LongText, PlaceCode, Strict, Text


class ComplaintIn(Strict):
    complainant_name: Text
    complainant_contact: Text
    content: LongText
    received_on: date | None = Field(default=None, description="defaults to today (Asia/Shanghai)")


class ComplaintOut(BaseModel):
    id: int
    body_code: str
    complainant_name: str
    content: str
    received_on: date
    status: str
    handling_note: str | None
    handled_by: str | None
    created_at: datetime


class ComplaintActionIn(Strict):
    action: Literal["start", "substantiate", "dismiss"]
    note: LongText


class ViolationAction(StrEnum):
    warning = "warning"
    rectification = "rectification"
    suspension = "suspension"
    cancellation = "cancellation"


class ViolationIn(Strict):
    found_on: date
    description: LongText
    action: ViolationAction
    source: Literal["inspection", "complaint", "other"] = "other"


class ViolationOut(BaseModel):
    id: int
    body_code: str
    found_on: date
    description: str
    source: str
    action: str
    recorded_by: str


class DrawIn(Strict):
    """A 双随机 draw: the seed is published with the result so anyone can redo it."""

    title: Text
    place_code: PlaceCode
    seed: Text
    bodies_to_draw: int = Field(ge=1, le=1000)
    inspectors_per_body: int = Field(ge=1, le=10)
    inspector_ids: list[Text] = Field(min_length=1, max_length=1000, description="执法检查人员名录")


class AssignmentOut(BaseModel):
    body_code: str
    inspectors: list[str]
    result: str | None
    findings: str | None


class InspectionOut(BaseModel):
    id: int
    title: str
    place_code: str
    seed: str
    body_pool: list[str]
    inspector_pool: list[str]
    bodies_to_draw: int
    inspectors_per_body: int
    status: str
    drawn_on: date
    published_at: datetime | None
    assignments: list[AssignmentOut]


class ResultIn(Strict):
    result: Literal["compliant", "non_compliant"]
    findings: LongText

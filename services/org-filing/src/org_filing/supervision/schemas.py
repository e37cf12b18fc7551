"""Wire shapes of supervision (OF-6): complaints, 双随机 inspections, violations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from org_filing.common_schemas import LongText, PlaceCode, Strict, Text
from skills_shared.validators import IsoDate, PersonName


class ComplaintIn(Strict):
    """A complaint about a body (OF-6), from anyone signed in."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "complainant_name": "王某",
                    "complainant_contact": "13800000000",
                    "content": "考场秩序混乱，存在替考",
                }
            ]
        },
    )

    complainant_name: PersonName
    complainant_contact: Text
    content: LongText
    received_on: IsoDate | None = Field(default=None, description="defaults to today (Asia/Shanghai)")


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
    """What the officer does with the complaint, and the note of it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"action": "substantiate", "note": "经核查属实，责令整改"}]},
    )

    action: Literal["start", "substantiate", "dismiss"]
    note: LongText


class ViolationAction(StrEnum):
    warning = "warning"
    rectification = "rectification"
    suspension = "suspension"
    cancellation = "cancellation"


class ViolationIn(Strict):
    """A violation found (OF-6); suspension and cancellation move the body too."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "found_on": "2026-09-01",
                    "description": "未按计划组织评价",
                    "action": "warning",
                    "source": "other",
                }
            ]
        },
    )

    found_on: IsoDate
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

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "2026年第三季度双随机检查",
                    "district_code": "05",
                    "seed": "2026Q3-05-公开随机数",
                    "bodies_to_draw": 2,
                    "inspectors_per_body": 2,
                    "inspector_ids": ["inspector-01", "inspector-02", "inspector-03"],
                }
            ]
        },
    )

    title: Text
    district_code: PlaceCode = Field(
        validation_alias=AliasChoices("district_code", "place_code"),
        description="The filing district drawn from; `place_code` is its deprecated name (one version).",
    )
    seed: Text
    bodies_to_draw: int = Field(strict=True, ge=1, le=1000)
    inspectors_per_body: int = Field(strict=True, ge=1, le=10)
    inspector_ids: list[Text] = Field(min_length=1, max_length=1000, description="执法检查人员名录")


class AssignmentOut(BaseModel):
    body_code: str
    inspectors: list[str]
    result: str | None
    findings: str | None


class InspectionOut(BaseModel):
    id: int
    title: str
    district_code: str
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
    """An inspection's finding for one drawn body."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"result": "compliant", "findings": "评价过程规范"}]}
    )

    result: Literal["compliant", "non_compliant"]
    findings: LongText

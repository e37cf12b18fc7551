"""Wire shapes of filed bodies, the receipt (附件3) and the moves officers make on a body."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints

from org_filing.common_schemas import Levels, LongText, PlaceCode, Strict, Text
from skills_shared.contracts.v1.org_filing import FilingBody, FilingScopeLine
from skills_shared.validators import CreditCode, IsoDate, OccupationCode, PersonName


class ScopeIn(Strict):
    occupation_code: OccupationCode
    occupation_name: Text
    work_types: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    ] = Field(default_factory=list, max_length=50)
    levels: Levels


ScopeOut = FilingScopeLine
BodyOut = FilingBody
"""A body's public record is org-filing's v1 contract (``skills_shared.contracts.v1.org_filing``)."""


class ReceiptOut(BaseModel):
    """职业技能等级评价机构备案回执 (seed 001 附件3), field by field."""

    title: str = "职业技能等级评价机构备案回执"
    unit_name: str = Field(description="单位名称")
    body_code: str = Field(description="机构备案编码")
    credit_code: str = Field(description="统一社会信用代码")
    registered_address: str = Field(description="注册地址")
    office_address: str = Field(description="办公地址")
    legal_representative: str = Field(description="法定代表人")
    scope: list[ScopeOut] = Field(description="认定职业（工种）、等级范围")
    scope_text: list[str]
    valid_from: date
    valid_to: date
    department: str = Field(description="备案管理部门")
    opinion: str = Field(description="备案管理部门意见")
    issued_on: date


class ReasonIn(Strict):
    """Why an officer moves a body (kept in the audit trail and sent with the issuer record)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "双随机检查发现问题，责令整改"}]}
    )

    reason: LongText


class ScopeChangeIn(Strict):
    """The whole filed scope after the change (CR-3)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "scope": [
                        {
                            "occupation_code": "6-31-01-03",
                            "occupation_name": "电工",
                            "work_types": ["维修电工"],
                            "levels": [3, 4, 5],
                        }
                    ]
                }
            ]
        },
    )

    scope: list[ScopeIn] = Field(min_length=1, max_length=50)


class MergeIn(Strict):
    """A merger (OF-7, CR-2): the merged bodies are cancelled and a new body with a new code is filed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "merged_codes": ["S000050050001", "S000050050002"],
                    "district_code": "05",
                    "level_scope": "district",
                    "name": "重庆市某职业技能评价中心",
                    "credit_code": "91500000MA0000001B",
                    "registered_address": "重庆市大渡口区某路1号",
                    "office_address": "重庆市大渡口区某路1号",
                    "legal_representative": "张某",
                    "scope": [
                        {"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [3, 4, 5]}
                    ],
                    "valid_from": "2026-10-01",
                }
            ]
        },
    )

    merged_codes: list[Annotated[str, StringConstraints(pattern=r"^[SY][0-9]{12}$")]] = Field(
        min_length=2, max_length=20
    )
    district_code: PlaceCode = Field(
        validation_alias=AliasChoices("district_code", "place_code"),
        description="The new body's filing district; `place_code` is its deprecated name (one version).",
    )
    level_scope: Literal["city", "district"]
    name: Text
    credit_code: CreditCode
    registered_address: Text
    office_address: Text
    legal_representative: PersonName
    scope: list[ScopeIn] = Field(min_length=1, max_length=50)
    valid_from: IsoDate
    valid_to: IsoDate | None = None
    opinion: Text = "合并后视同新增评价机构予以备案"


class RetiredOut(BaseModel):
    code: str
    district_code: str
    sequence: int
    retired_on: date
    reason: str
    body_name: str

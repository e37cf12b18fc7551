"""Wire shapes of 贯通 bodies (seed 002 附件1 报备表) and their yearly quotas (OF-8)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from org_filing.common_schemas import Phone, PlaceCode, Strict, Text
from skills_shared.validators import OccupationCode, PersonName, ResidentId


class PersonContact(Strict):
    name: PersonName
    title: Text = Field(description="职务")
    landline: Phone | None = None
    mobile: Phone


class MappingIn(Strict):
    """二、职业（工种）与专业技术职称专业对应."""

    occupation_name: Text
    occupation_code: OccupationCode | None = Field(
        default=None,
        description="职业编码; without it the row matches the body's filed occupation of the same name (OF-8)",
    )
    work_type: Text | None = None
    level: int = Field(strict=True, ge=1, le=5, description="等级代码；贯通为 3/2/1")
    title_specialties: list[Text] = Field(min_length=1, max_length=50, description="对应专业技术职称专业范围")


class GuantongStaff(Strict):
    name: PersonName
    id_number: ResidentId
    title: Text
    education: Text
    duties: Text


class GuantongExpert(Strict):
    name: PersonName
    id_number: ResidentId
    title_or_level: Text = Field(description="职务/职称/技能等级")
    education: Text
    specialty: Text
    in_house: StrictBool


class GuantongRegisterIn(Strict):
    """组织专业技术人员参加高技能人才贯通评价机构报备表 (seed 002 附件1)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "重庆市某职业技能评价中心",
                    "kind": "社会培训评价组织",
                    "office_address": "重庆市渝北区春华大道99号",
                    "district_code": "00",
                    "body_code": "S000050000001",
                    "legal_representative": {"name": "张某", "title": "主任", "mobile": "13900000000"},
                    "contact": {"name": "李某", "title": "办公室主任", "mobile": "13900000001"},
                    "mappings": [
                        {
                            "occupation_name": "电工",
                            "occupation_code": "6-31-01-03",
                            "level": 3,
                            "title_specialties": ["电气工程"],
                        }
                    ],
                    "staff": [
                        {
                            "name": "王某",
                            "id_number": "500101198001010013",
                            "title": "主任",
                            "education": "本科",
                            "duties": "组织实施",
                        }
                    ],
                    "experts": [
                        {
                            "name": "赵某",
                            "id_number": "500101198001010021",
                            "title_or_level": "正高级工程师",
                            "education": "博士",
                            "specialty": "电气工程",
                            "in_house": False,
                        }
                    ],
                }
            ]
        },
    )

    name: Text
    kind: Text = Field(description="评价机构类型")
    office_address: Text
    district_code: PlaceCode = Field(
        validation_alias=AliasChoices("district_code", "registered_place"),
        description="报备地：00 市级（指导中心报备）；01–41 区县. `registered_place` is its deprecated name.",
    )
    body_code: Annotated[str, StringConstraints(pattern=r"^[SY][0-9]{12}$")] | None = None
    legal_representative: PersonContact
    contact: PersonContact
    mappings: list[MappingIn] = Field(min_length=1, max_length=200)
    staff: list[GuantongStaff] = Field(min_length=1, max_length=100)
    experts: list[GuantongExpert] = Field(min_length=1, max_length=200)


class GuantongBodyOut(BaseModel):
    id: int
    name: str
    kind: str | None
    body_code: str | None
    district_code: str
    registration_complete: bool
    mappings: list[MappingIn]
    expert_count: int


class QuotaIn(Strict):
    """A body's yearly guidance quota (OF-8)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"quota_total": 40, "quota_technician": 30}]}
    )

    quota_total: int = Field(strict=True, ge=0, description="高级工及以上获证人次")
    quota_technician: int = Field(strict=True, ge=0, description="其中技师、高级技师")


class IssuedIn(Strict):
    """Certificates newly issued against the quota."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"total": 12, "technician": 5}]}
    )

    total: int = Field(strict=True, ge=1, le=100_000, description="newly issued 高级工及以上 certificates")
    technician: int = Field(strict=True, ge=0, le=100_000, description="of which 技师/高级技师")


class ProgressOut(BaseModel):
    guantong_body_id: int
    name: str
    year: int
    quota_total: int
    quota_technician: int
    issued_total: int
    issued_technician: int
    remaining_total: int
    remaining_technician: int
    percent_total: int
    percent_technician: int


class YearProgressOut(BaseModel):
    year: int
    bodies: list[ProgressOut]
    quota_total: int
    quota_technician: int
    issued_total: int
    issued_technician: int

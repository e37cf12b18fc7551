"""Wire shapes of 贯通 bodies (seed 002 附件1 报备表) and their yearly quotas (OF-8)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from org_filing.common_schemas import Phone, PlaceCode, Strict, Text
from skills_shared.validators import OccupationCode, ResidentId


class PersonContact(Strict):
    name: Text
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
    level: int = Field(ge=1, le=5, description="等级代码；贯通为 3/2/1")
    title_specialties: list[Text] = Field(min_length=1, max_length=50, description="对应专业技术职称专业范围")


class GuantongStaff(Strict):
    name: Text
    id_number: ResidentId
    title: Text
    education: Text
    duties: Text


class GuantongExpert(Strict):
    name: Text
    id_number: ResidentId
    title_or_level: Text = Field(description="职务/职称/技能等级")
    education: Text
    specialty: Text
    in_house: bool


class GuantongRegisterIn(Strict):
    name: Text
    kind: Text = Field(description="评价机构类型")
    office_address: Text
    registered_place: PlaceCode = Field(description="00 市级（指导中心报备）；01–41 区县")
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
    registered_place: str
    registration_complete: bool
    mappings: list[MappingIn]
    expert_count: int


class QuotaIn(Strict):
    quota_total: int = Field(ge=0, description="高级工及以上获证人次")
    quota_technician: int = Field(ge=0, description="其中技师、高级技师")


class IssuedIn(Strict):
    total: int = Field(ge=1, le=100_000, description="newly issued 高级工及以上 certificates")
    technician: int = Field(ge=0, le=100_000, description="of which 技师/高级技师")


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

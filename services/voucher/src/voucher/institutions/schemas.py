"""Wire shapes of institutions, sites and redeem permissions (seed 004 附件2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from skills_shared.reference import InstitutionType
from skills_shared.validators import InstitutionCode, ResidentId
from voucher.fields import DistrictCode, Latitude, Longitude, Text200
from voucher.institutions.rules import InstitutionStatus, is_valid_phone


def _phone(value: str) -> str:
    if not is_valid_phone(value):
        raise PydanticCustomError("phone_format", "机构电话应为11位手机号码或座机号码（如023-88126902）")
    return value


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_phone)]


class SiteIn(BaseModel):
    """A training site: where trainees check in (附件2 培训机构经纬度)."""

    model_config = ConfigDict(extra="forbid")

    name: Text200 = Field(description="地点名称，如“本部教学楼”")
    latitude: Latitude
    longitude: Longitude


class SiteOut(BaseModel):
    id: int
    name: str
    latitude: float
    longitude: float


class InstitutionCreate(BaseModel):
    """Every field of 附件2 职业培训机构信息采集表; all are required except the type (选填)."""

    model_config = ConfigDict(extra="forbid")

    code: InstitutionCode
    name: Text200 = Field(description="机构名称（全称）")
    district_code: DistrictCode
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] = Field(
        description="机构地址，如“重庆市XX区县XX街道XX号”"
    )
    phone: Phone
    type: InstitutionType | None = Field(default=None, description="机构类型（选填）")
    admin_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] = Field(
        description="机构专员姓名"
    )
    admin_id_number: ResidentId = Field(description="机构专员身份证号码")
    sites: list[SiteIn] = Field(min_length=1, max_length=100, description="培训地点经纬度，可填写多个")


class InstitutionUpdate(BaseModel):
    """What an officer may change: contact data, status, and the 专员 (a change of 专员 names both fields)."""

    model_config = ConfigDict(extra="forbid")

    name: Text200 | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = (
        None
    )
    phone: Phone | None = None
    type: InstitutionType | None = None
    status: InstitutionStatus | None = None
    admin_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None
    ) = None
    admin_id_number: ResidentId | None = None

    @model_validator(mode="after")
    def _admin_together(self) -> InstitutionUpdate:
        if (self.admin_name is None) != (self.admin_id_number is None):
            raise PydanticCustomError("admin_change_incomplete", "变更机构专员须同时填写姓名和身份证号码")
        return self


class InstitutionOut(BaseModel):
    code: str
    name: str
    district_code: str
    district_name: str
    address: str
    phone: str
    type: str | None
    type_name: str | None
    admin_name: str
    admin_id_number: str = Field(description="机构专员身份证号码（脱敏）")
    status: InstitutionStatus
    sites: list[SiteOut]
    created_at: datetime
    updated_at: datetime


class RedeemerOut(BaseModel):
    """A staff member allowed to redeem; the subject is masked when it is an ID number."""

    institution_code: str
    staff_subject: str
    granted_by: str
    granted_at: datetime


StaffSubject = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")]

"""Wire shapes of institutions, sites and redeem permissions (seed 004 附件2).

An institution as answered is the v1 contract ``InstitutionV1`` (the gateway reads it); the request models are
this service's own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from skills_shared.contracts.v1.voucher import InstitutionSiteV1, InstitutionStatus, InstitutionV1
from skills_shared.reference import InstitutionType
from skills_shared.validators import InstitutionCode, PersonName, ResidentId
from voucher.fields import DistrictCode, Latitude, Longitude, Text200
from voucher.institutions.rules import is_valid_phone

InstitutionOut = InstitutionV1
SiteOut = InstitutionSiteV1


def _phone(value: str) -> str:
    if not is_valid_phone(value):
        raise PydanticCustomError("phone_format", "机构电话应为11位手机号码或座机号码（如023-88126902）")
    return value


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_phone)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_SITE_EXAMPLE: JsonDict = {"name": "朝天门教学点", "latitude": 29.5653, "longitude": 106.5878}


class SiteIn(BaseModel):
    """A training site: where trainees check in (附件2 培训机构经纬度)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_SITE_EXAMPLE]})

    name: Text200 = Field(description="地点名称，如“本部教学楼”")
    latitude: Latitude
    longitude: Longitude


class InstitutionCreate(BaseModel):
    """Every field of 附件2 职业培训机构信息采集表; all are required except the type (选填).

    Two sites with the same name are refused with both rows named (``duplicate_rows``).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "5000001",
                    "name": "重庆市渝中区职业培训学校",
                    "district_code": "03",
                    "address": "重庆市渝中区解放碑街道民族路1号",
                    "phone": "023-88126902",
                    "type": "private_training_school",
                    "admin_name": "王晓燕",
                    "admin_id_number": "11010519491231002X",
                    "sites": [
                        _SITE_EXAMPLE,
                        {"name": "解放碑教学点", "latitude": 29.5576, "longitude": 106.5770},
                    ],
                }
            ]
        },
    )

    code: InstitutionCode
    name: Text200 = Field(description="机构名称（全称）")
    district_code: DistrictCode
    address: Address = Field(description="机构地址，如“重庆市XX区县XX街道XX号”")
    phone: Phone
    type: InstitutionType | None = Field(default=None, description="机构类型（选填）")
    admin_name: PersonName = Field(description="机构专员姓名")
    admin_id_number: ResidentId = Field(description="机构专员身份证号码")
    sites: list[SiteIn] = Field(min_length=1, max_length=100, description="培训地点经纬度，可填写多个")


class InstitutionUpdate(BaseModel):
    """What an officer may change: contact data, status, and the 专员 (a change of 专员 names both fields)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "suspended"},
                {"admin_name": "李建国", "admin_id_number": "500103198503120274"},
            ]
        },
    )

    name: Text200 | None = None
    address: Address | None = None
    phone: Phone | None = None
    type: InstitutionType | None = None
    status: InstitutionStatus | None = None
    admin_name: PersonName | None = None
    admin_id_number: ResidentId | None = None

    @model_validator(mode="after")
    def _admin_together(self) -> InstitutionUpdate:
        if (self.admin_name is None) != (self.admin_id_number is None):
            raise PydanticCustomError("admin_change_incomplete", "变更机构专员须同时填写姓名和身份证号码")
        return self


StaffSubject = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$"),
    Field(description="核券人员在令牌中的主体标识（如工号或身份证号）"),
]


class RedeemerGrants(BaseModel):
    """V-6: staff members the 专员 grants redeem permission to at once (one list, no name twice)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"staff_subjects": ["staff-001", "staff-002"]}]}
    )

    staff_subjects: list[StaffSubject] = Field(min_length=1, max_length=500)


class RedeemerOut(BaseModel):
    """A staff member allowed to redeem; the subject is masked when it is an ID number."""

    institution_code: str
    staff_subject: str
    granted_by: str
    granted_at: datetime


class RedeemerGrantsOut(BaseModel):
    """Who was granted now; those who already had the permission are only counted."""

    granted: list[RedeemerOut]
    already_granted: int = Field(description="已有核销权限、本次未变化的人数")

"""Wire shapes of voucher types, campaigns, issue lists and claimed vouchers.

The holder's vouchers and a claim's answer are what the gateway relays: their models are the v1 contracts in
``skills_shared.contracts.v1.voucher``, used here as the routes' response models.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from skills_shared.contracts.v1.voucher import VoucherClaimV1, VoucherV1
from skills_shared.reference import VoucherProjectType
from skills_shared.validators import IsoDate, ResidentId
from voucher.fields import DistrictCode, Flag, PositiveFen, Text200, Year
from voucher.vouchers.rules import CampaignKind

VoucherOut = VoucherV1
ClaimResult = VoucherClaimV1


class VoucherTypeOut(BaseModel):
    code: str
    name: str
    face_value_fen: int | None = Field(description="面值（分）；未设定时不可领取")
    active: bool


class VoucherTypeUpdate(BaseModel):
    """V-2: the city office sets a type's face value (fen) and whether it is offered."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"face_value_fen": 80000, "active": True}]}
    )

    face_value_fen: PositiveFen = Field(le=100_000_000, description="面值，单位：分（整数）")
    active: Flag = True


class CampaignCreate(BaseModel):
    """V-3: the yearly issue or a supplementary one; V-4: valid until 30 November of its year at the latest."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"year": 2027, "kind": "annual", "name": "2027年职业培训券"},
                {
                    "year": 2027,
                    "kind": "supplementary",
                    "name": "2027年职业培训券补发",
                    "valid_until": "2027-10-31",
                },
            ]
        },
    )

    year: Year
    kind: CampaignKind
    name: Text200
    valid_until: IsoDate | None = Field(default=None, description="默认且最晚为当年11月30日（V-4）")


class CampaignOut(BaseModel):
    id: int
    year: int
    kind: CampaignKind
    name: str
    valid_until: date
    created_at: datetime
    issued: int = Field(description="本批次发放人数")


class HolderIn(BaseModel):
    """One eligible holder of an electronic social-security card, and the district their vouchers count for."""

    model_config = ConfigDict(extra="forbid")

    id_number: ResidentId
    district_code: DistrictCode


class IssueRequest(BaseModel):
    """V-3: the list of eligible holders a campaign issues to (300,000 in one request is expected).

    A holder named twice is refused with both rows named (``duplicate_rows``), before anything is issued.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "holders": [
                        {"id_number": "11010519491231002X", "district_code": "04"},
                        {"id_number": "500103198503120274", "district_code": "05"},
                    ]
                }
            ]
        },
    )

    holders: list[HolderIn] = Field(min_length=1)


class IssueResult(BaseModel):
    campaign_id: int
    requested: int
    issued: int = Field(description="本次新发放人数")
    already_issued: int = Field(description="本年度已发放过（一次性发放或其他补发批次）的人数")


class ClaimRequest(BaseModel):
    """V-4: claim some types, or all at once (``types`` left out or null); a type named twice is refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"types": ["employment_skills", "entrepreneurship"]}, {}]},
    )

    types: list[VoucherProjectType] | None = Field(
        default=None, max_length=100, description="不填表示领取全部可领类型"
    )

"""Wire shapes of voucher types, campaigns, issue lists and claimed vouchers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from skills_shared.reference import VoucherProjectType
from skills_shared.validators import ResidentId
from voucher.fields import DistrictCode, Text200
from voucher.vouchers.rules import CampaignKind, LapseReason, VoucherStatus


class VoucherTypeOut(BaseModel):
    code: str
    name: str
    face_value_fen: int | None = Field(description="面值（分）；未设定时不可领取")
    active: bool


class VoucherTypeUpdate(BaseModel):
    """V-2: the city office sets a type's face value (fen) and whether it is offered."""

    model_config = ConfigDict(extra="forbid")

    face_value_fen: int = Field(strict=True, gt=0, le=100_000_000, description="面值，单位：分（整数）")
    active: bool = True


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2021, le=2100)
    kind: CampaignKind
    name: Text200
    valid_until: date | None = Field(default=None, description="默认且最晚为当年11月30日（V-4）")


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
    """V-3: the list of eligible holders a campaign issues to (300,000 in one request is expected)."""

    model_config = ConfigDict(extra="forbid")

    holders: list[HolderIn] = Field(min_length=1)

    @field_validator("holders")
    @classmethod
    def _no_repeats(cls, holders: list[HolderIn]) -> list[HolderIn]:
        seen: dict[str, int] = {}
        for i, h in enumerate(holders):
            first = seen.setdefault(h.id_number, i)
            if first != i:
                raise PydanticCustomError(
                    "holder_repeated",
                    "发放名单第{index}项与第{first}项身份证号重复",
                    {"index": i, "first": first},
                )
        return holders


class IssueResult(BaseModel):
    campaign_id: int
    requested: int
    issued: int = Field(description="本次新发放人数")
    already_issued: int = Field(description="本年度已发放过（一次性发放或其他补发批次）的人数")


class ClaimRequest(BaseModel):
    """V-4: claim some types, or all at once (``types`` left out or null)."""

    model_config = ConfigDict(extra="forbid")

    types: list[VoucherProjectType] | None = Field(default=None, description="不填表示领取全部可领类型")


class VoucherOut(BaseModel):
    id: int
    year: int
    type_code: str
    type_name: str
    face_value_fen: int
    valid_until: date
    status: VoucherStatus
    usable: bool = Field(description="现在能否出示核销")
    holder_id_number: str = Field(description="持券人身份证号码（脱敏）")
    institution_code: str | None = None
    class_id: int | None = None
    claimed_at: datetime
    redeemed_at: datetime | None = None
    completed_at: datetime | None = None
    lapsed_at: datetime | None = None
    lapse_reason: LapseReason | None = None


class ClaimResult(BaseModel):
    vouchers: list[VoucherOut]

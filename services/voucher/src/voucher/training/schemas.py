"""Wire shapes of classes, check-ins and completions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from skills_shared.reference import VoucherProjectType
from voucher.fields import Latitude, Longitude, Text200
from voucher.institutions.schemas import SiteOut


class ClassCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200
    project_type: VoucherProjectType
    starts_on: date
    ends_on: date
    site_ids: list[int] = Field(min_length=1, max_length=50, description="本机构的培训地点（签到地点）")


class ClassOut(BaseModel):
    id: int
    institution_code: str
    name: str
    project_type: str
    starts_on: date
    ends_on: date
    sites: list[SiteOut]
    created_at: datetime


class CheckInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: Latitude
    longitude: Longitude


class CheckInOut(BaseModel):
    id: int
    class_id: int
    voucher_id: int
    site_id: int
    distance_m: float
    checked_in_at: datetime


class CompletionRequest(BaseModel):
    """The institution records whether a trainee completed the subsidised training (V-4)."""

    model_config = ConfigDict(extra="forbid")

    voucher_id: int
    completed: bool

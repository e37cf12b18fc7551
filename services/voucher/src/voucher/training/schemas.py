"""Wire shapes of classes, check-ins and completions; a class as answered is the v1 contract the gateway reads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from skills_shared.contracts.v1.voucher import TrainingClassV1
from skills_shared.reference import VoucherProjectType
from skills_shared.validators import IsoDate
from voucher.fields import Flag, Latitude, Longitude, RowId, Text200

ClassOut = TrainingClassV1


class ClassCreate(BaseModel):
    """A class at some of the institution's own sites; a site named twice is refused (``duplicate_rows``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "电工培训班（2027年第1期）",
                    "project_type": "employment_skills",
                    "starts_on": "2027-03-01",
                    "ends_on": "2027-04-30",
                    "site_ids": [1, 2],
                }
            ]
        },
    )

    name: Text200
    project_type: VoucherProjectType
    starts_on: IsoDate
    ends_on: IsoDate
    site_ids: list[RowId] = Field(min_length=1, max_length=50, description="本机构的培训地点（签到地点）")


class CheckInRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"latitude": 29.5655, "longitude": 106.5880}]}
    )

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

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"voucher_id": 42, "completed": True}]}
    )

    voucher_id: RowId
    completed: Flag

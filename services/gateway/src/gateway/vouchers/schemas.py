"""Wire shapes of the voucher workflows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class VoucherClaimIn(BaseModel):
    """V-4: claim some types, or all (``types`` left out)."""

    model_config = ConfigDict(extra="forbid")

    types: list[str] | None = Field(default=None, max_length=20, description="不填表示领取全部可领类型")


class RedeemIn(BaseModel):
    """What the institution's scanner sends: the QR text of the holder's voucher and the class to enrol in."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    class_id: int = Field(ge=1)

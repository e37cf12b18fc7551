"""Wire shapes of settlement claims and the district's decision (V-2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from voucher.settlement.rules import SettlementStatus


class SettlementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voucher_ids: list[int] = Field(min_length=1, max_length=5000)
    claimed_amount_fen: int | None = Field(
        default=None, strict=True, gt=0, le=10**12, description="默认为面值合计"
    )


class SettlementDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    approved_amount_fen: int | None = Field(default=None, strict=True, ge=0, le=10**12)
    reason: str | None = Field(default=None, max_length=500)


class SettlementOut(BaseModel):
    id: int
    institution_code: str
    district_code: str
    status: SettlementStatus
    voucher_ids: list[int]
    reference_amount_fen: int = Field(description="面值合计（参考金额）")
    claimed_amount_fen: int
    approved_amount_fen: int | None
    payable_fen: int | None = Field(description="应付金额 = 区县审核金额；未审核时为空")
    reason: str | None
    submitted_at: datetime
    decided_at: datetime | None

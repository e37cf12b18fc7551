"""Wire shapes of settlement claims and the district's decision (V-2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from voucher.fields import Fen, Flag, PositiveFen, RowId
from voucher.settlement.rules import MAX_VOUCHERS_PER_CLAIM, SettlementStatus


class SettlementCreate(BaseModel):
    """The vouchers claimed for (each once: a voucher named twice is refused, ``duplicate_rows``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"voucher_ids": [41, 42, 57]}, {"voucher_ids": [41], "claimed_amount_fen": 60000}]
        },
    )

    voucher_ids: list[RowId] = Field(min_length=1, max_length=MAX_VOUCHERS_PER_CLAIM)
    claimed_amount_fen: PositiveFen | None = Field(default=None, description="申请金额（分），默认为面值合计")


class SettlementDecision(BaseModel):
    """V-2: approve an amount (the payable), with a reason when it differs from the claim, or reject with one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"approve": True, "approved_amount_fen": 160000},
                {
                    "approve": True,
                    "approved_amount_fen": 120000,
                    "reason": "1名学员考勤不足，按实际培训课时核减",
                },
                {"approve": False, "reason": "培训记录与签到记录不符"},
            ]
        },
    )

    approve: Flag
    approved_amount_fen: Fen | None = Field(default=None, description="审核金额（分）")
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

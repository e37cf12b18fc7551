"""Wire shapes of QR tokens and redemptions (V-5)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class QrTokenOut(BaseModel):
    token: str = Field(description="二维码内容；有效期很短，过期后请刷新")
    expires_at: datetime


class RedeemRequest(BaseModel):
    """What the scanner app sends: the scanned QR text and the class the trainee enrols in."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    class_id: int = Field(ge=1)


class RedemptionOut(BaseModel):
    voucher_id: int
    holder_id_number: str = Field(description="持券人身份证号码（脱敏）")
    type_code: str
    type_name: str
    face_value_fen: int
    institution_code: str
    class_id: int
    redeemed_at: datetime
    uses_this_year: int = Field(description="持券人本年度已用券次数（含本次）")

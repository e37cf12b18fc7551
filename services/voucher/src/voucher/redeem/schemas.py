"""Wire shapes of QR tokens and redemptions (V-5); the answers are the v1 contracts the gateway relays."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from skills_shared.contracts.v1.voucher import QrTokenV1, RedemptionV1
from voucher.fields import RowId

QrTokenOut = QrTokenV1
RedemptionOut = RedemptionV1


class RedeemRequest(BaseModel):
    """What the scanner app sends: the scanned QR text and the class the trainee enrols in."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"token": "VQ1.42.3f9a0c1b7e5d2a4c6b8e.1796112000.Qk3xv0aZ", "class_id": 7}]
        },
    )

    token: str = Field(min_length=1, max_length=200, description="扫描到的二维码内容")
    class_id: RowId = Field(description="学员报名的培训班")

"""What the voucher service answers other services (provider: voucher; consumer: the gateway).

- ``GET /v1/institutions/{code}`` → :class:`InstitutionV1`: the institution facts a redeem is about (its status,
  district, sites). The V-6 redeem permission itself is decided by voucher when it redeems, never by a consumer
  from these facts.
- ``GET /v1/classes/{class_id}`` → :class:`TrainingClassV1`.
- ``GET /v1/me/vouchers`` → ``Page[VoucherV1]``: "my vouchers".
- ``POST /v1/me/vouchers/claims`` → :class:`VoucherClaimV1`; ``POST /v1/me/vouchers/{id}/qr-token`` →
  :class:`QrTokenV1`; ``POST /v1/redemptions`` → :class:`RedemptionV1`.

The state vocabularies (:class:`VoucherStatus`, :class:`InstitutionStatus`, :class:`LapseReason`) live here
because they are part of what crosses the boundary; the voucher service's state machines are built on them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class VoucherStatus(StrEnum):
    """Life of one claimed voucher (V-4, V-5).

    claimed → redeemed (scanned at enrolment) → completed (training finished) → settled (institution paid);
    claimed or redeemed → lapsed (not used by its validity, or training not completed).
    """

    CLAIMED = "claimed"
    REDEEMED = "redeemed"
    COMPLETED = "completed"
    SETTLED = "settled"
    LAPSED = "lapsed"


class LapseReason(StrEnum):
    """Why a voucher lapsed (V-4)."""

    NOT_USED = "not_used"
    TRAINING_NOT_COMPLETED = "training_not_completed"


class InstitutionStatus(StrEnum):
    """A training institution's standing (V-6): only an active one redeems vouchers or opens classes."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class InstitutionSiteV1(BaseModel):
    """A training site as coordinates (附件2 培训机构经纬度): where trainees check in (V-7)."""

    model_config = ConfigDict(title="VoucherInstitutionSiteV1")

    id: int
    name: str
    latitude: float
    longitude: float


class InstitutionV1(BaseModel):
    """One training institution (附件2), the 专员's ID number masked."""

    model_config = ConfigDict(title="VoucherInstitutionV1")

    code: str = Field(description="培训机构7位编码")
    name: str
    district_code: str = Field(description="区县编码（01–41）")
    district_name: str
    address: str
    phone: str
    type: str | None
    type_name: str | None
    admin_name: str = Field(description="机构专员姓名")
    admin_id_number: str = Field(description="机构专员身份证号码（脱敏）")
    status: InstitutionStatus
    sites: list[InstitutionSiteV1]
    created_at: datetime
    updated_at: datetime


class TrainingClassV1(BaseModel):
    """A class (培训班次) of one institution for one project type, with its check-in sites."""

    model_config = ConfigDict(title="VoucherTrainingClassV1")

    id: int
    institution_code: str
    name: str
    project_type: str
    starts_on: date
    ends_on: date
    sites: list[InstitutionSiteV1]
    created_at: datetime


class VoucherV1(BaseModel):
    """One of the holder's vouchers, the holder's ID number masked."""

    model_config = ConfigDict(title="VoucherV1")

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


class VoucherClaimV1(BaseModel):
    """The vouchers one claim took (V-4)."""

    model_config = ConfigDict(title="VoucherClaimV1")

    vouchers: list[VoucherV1]


class QrTokenV1(BaseModel):
    """A short-lived signed QR token the holder shows at enrolment (V-5)."""

    model_config = ConfigDict(title="VoucherQrTokenV1")

    token: str = Field(description="二维码内容；有效期很短，过期后请刷新")
    expires_at: datetime


class RedemptionV1(BaseModel):
    """A voucher redeemed (核销) into a class (V-5)."""

    model_config = ConfigDict(title="VoucherRedemptionV1")

    voucher_id: int
    holder_id_number: str = Field(description="持券人身份证号码（脱敏）")
    type_code: str
    type_name: str
    face_value_fen: int
    institution_code: str
    class_id: int
    redeemed_at: datetime
    uses_this_year: int = Field(description="持券人本年度已用券次数（含本次）")

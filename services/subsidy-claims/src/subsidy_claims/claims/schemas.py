"""Wire schemas of claims: what an applicant sends (facts with provenance) and what comes back (masked)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skills_shared.certnumber import CertificateNumberStr
from skills_shared.validators import OccupationCode, ResidentId
from subsidy_claims.policies.facts import (
    CatalogueClass,
    CertificateKind,
    CqIdentityCategory,
    EmployerTrade,
    Provenance,
    ShGroup,
)

T = TypeVar("T")

PolicyId = Literal["cq-eval", "sh-upgrade"]
Fen = Annotated[int, Field(gt=0, le=100_000_000, description="Amount in fen (分), a whole number.")]
CqDistrict = Annotated[str, Field(pattern=r"^(0[1-9]|[1-3][0-9]|4[01])$", description="重庆区县代码 01–41")]
ShDistrict = Annotated[str, Field(pattern=r"^3101[0-9]{2}$", description="上海区级行政区划代码，如 310115")]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactIn(Strict, Generic[T]):
    """A fact and where it comes from: declared by the applicant, or verified by a named source."""

    value: T
    provenance: Provenance = Provenance.DECLARED
    source: Annotated[str, Field(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _verified_names_source(self) -> FactIn[T]:
        if self.provenance is Provenance.VERIFIED and not self.source:
            raise ValueError("核验的事实须注明来源（source）")
        return self


class ApplicantIn(Strict):
    id_number: ResidentId
    name: Annotated[str, Field(min_length=1, max_length=50)]


class CertificateIn(Strict):
    """What the applicant says the certificate shows; checked against the registry at submission (CQ-4)."""

    number: CertificateNumberStr
    occupation_code: OccupationCode
    occupation_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    work_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    level: Annotated[int, Field(ge=1, le=5)] | None = None
    kind: CertificateKind
    issue_date: date


class CqIn(Strict):
    identity_category: FactIn[CqIdentityCategory]
    evaluation_district: CqDistrict
    applied_amount_fen: Fen


class ShIn(Strict):
    group: FactIn[ShGroup]
    hukou_shanghai: FactIn[bool]
    hukou_district: ShDistrict | None = None
    employed_in_shanghai_now: FactIn[bool] = FactIn[bool](value=False)
    employment_start: FactIn[date | None] = FactIn[date | None](value=None)
    employer_insurance_district: ShDistrict | None = None
    employer_district: ShDistrict | None = None
    employer_trade: EmployerTrade | None = None
    post_occupation_code: FactIn[str | None] = FactIn[str | None](value=None)
    pension_and_medical_in_shanghai: FactIn[bool] = FactIn[bool](value=False)
    insurance_district: ShDistrict | None = None
    school_in_shanghai: bool = False
    school_district: ShDistrict | None = None
    graduating_year_start: date | None = None
    graduating_year_end: date | None = None
    veteran_discharged_on: date | None = None
    civil_servant: FactIn[bool] = FactIn[bool](value=False)
    public_institution_non_skill_post: FactIn[bool] = FactIn[bool](value=False)
    counter_district: ShDistrict | None = None


class PayoutIn(Strict):
    """CQ-5 / SH-11: the social-security card (used when its financial function is open), else a bank account."""

    card_number: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{6,40}$")] | None = None
    card_financial_enabled: bool = False
    bank_account: Annotated[str, Field(pattern=r"^[0-9]{8,32}$")] | None = None
    bank_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class PastSubsidyIn(Strict):
    kind: Literal["cq-eval", "cq-jianding", "sh-upgrade", "sh-training"]
    occupation_code: OccupationCode
    work_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    level: Annotated[int, Field(ge=1, le=5)] | None = None
    year: Annotated[int, Field(ge=1990, le=2100)]
    as_in_service: bool = False
    as_secondary_student: bool = False


class ClaimCreate(Strict):
    """A draft claim. Exactly the facts block of its policy must be present."""

    policy: PolicyId
    applicant: ApplicantIn
    certificate: CertificateIn
    cq: CqIn | None = None
    sh: ShIn | None = None
    payout: PayoutIn
    declared_past_subsidies: list[PastSubsidyIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _facts_match_policy(self) -> ClaimCreate:
        if self.policy == "cq-eval" and self.cq is None:
            raise ValueError("cq-eval 申请须填写 cq 部分")
        if self.policy == "sh-upgrade" and self.sh is None:
            raise ValueError("sh-upgrade 申请须填写 sh 部分")
        return self


class ReasonIn(Strict):
    reason: Text


class ApproveIn(Strict):
    """The reviewer's approved amount; required for cq-eval while no CQ-10 amount table is loaded."""

    amount_fen: Fen | None = None
    note: Text | None = None


VerifiableFact = Literal[
    "cq.identity_category",
    "sh.group",
    "sh.hukou_shanghai",
    "sh.employed_in_shanghai_now",
    "sh.employment_start",
    "sh.post_occupation_code",
    "sh.pension_and_medical_in_shanghai",
    "sh.civil_servant",
    "sh.public_institution_non_skill_post",
]


class VerifyFactIn(Strict):
    """Mark a declared fact verified, naming the source it was checked against."""

    fact: VerifiableFact
    source: Annotated[str, Field(min_length=1, max_length=100)]


class ResubmitIn(Strict):
    material: Text


class ObjectionIn(Strict):
    reason: Text


class ObjectionResolveIn(Strict):
    resolution: Literal["upheld", "dismissed"]
    note: Text


class PaymentResultIn(Strict):
    result: Literal["paid", "failed"]
    reason: Text | None = None


class ClaimOut(BaseModel):
    """A claim as applicants and reviewers see it; the ID number is masked."""

    id: uuid.UUID
    policy: str
    policy_version: str | None
    status: str
    applicant_id_masked: str
    applicant_name: str
    certificate_number: str
    occupation_code: str
    occupation_name: str | None
    work_type: str | None
    level: int | None
    certificate_kind: str
    certificate_issue_date: date
    apply_by: date | None = Field(
        description="Last day to apply: SH-9 window, or CQ-9 for transitional certificates."
    )
    district: str | None
    outcome: str | None
    decision: dict[str, Any] | None
    facts: dict[str, Any]
    applied_amount_fen: int | None
    amount_fen: int | None
    city_share_fen: int | None
    district_share_fen: int | None
    submitted_on: date | None
    review_due_on: date | None
    overdue: bool
    rejection_reason: str | None
    material_request: str | None
    material_response: str | None
    publicity_started_on: date | None
    publicity_ends_on: date | None
    confirmed_on: date | None
    payment_channel: str | None
    payment_attempts: int
    payment_failure_reason: str | None
    paid_on: date | None
    clawback_reason: str | None
    objections: list[dict[str, Any]] = Field(default_factory=list)


class QueueItem(BaseModel):
    id: uuid.UUID
    policy: str
    status: str
    applicant_id_masked: str
    applicant_name: str
    occupation_name: str | None
    level: int | None
    amount_fen: int | None
    submitted_on: date | None
    review_due_on: date | None
    overdue: bool


class CatalogueIn(Strict):
    occupation_code: OccupationCode
    work_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    catalogue_class: CatalogueClass

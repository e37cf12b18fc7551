"""What subsidy-claims accepts from other services and answers them (provider: subsidy-claims).

- ``POST /v1/claims`` takes :class:`ClaimDraft` (the gateway's subsidy application, a counter officer, a citizen)
  and answers :class:`SubsidyClaim`; so do ``GET /v1/claims/{id}``, ``POST /v1/claims/{id}/submit`` and every
  move of a claim;
- ``GET /v1/claims/mine`` ("my things") answers a ``Page[SubsidyClaim]``;
- ``POST /v1/policies/{policy}/evaluate`` (the preview) takes :class:`PolicyPreview` and answers
  :class:`SubsidyDecision`, the same explanation a claim carries.

Money is whole fen and counts are whole numbers, both strict (``true`` or ``"150000"`` are refused, never read as
1 or 150000); dates are ``YYYY-MM-DD`` strings only; personal names go through the suite's one name check. Every
model forbids unknown members, and every schema title ends in ``V1`` and is unique in the suite, so a generated
client gets one class per schema.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StrictBool, model_validator

from skills_shared.certnumber import CertificateNumberStr
from skills_shared.reference import CertificateKind
from skills_shared.validators import IsoDate, OccupationCode, PersonName, ResidentId


def _v1_title(cls: type[Any]) -> str:
    return f"{cls.__name__}V1"


# --- vocabulary (the certificate kinds are the suite's one ``skills_shared.reference.CertificateKind``) ----------


class Provenance(StrEnum):
    """Whether the applicant said so or a named source confirmed it."""

    DECLARED = "declared"
    VERIFIED = "verified"


class CqIdentityCategory(StrEnum):
    """The six 身份类别 of the Chongqing form (CQ-2)."""

    POVERTY_MONITORING = "1"  # 防止返贫监测对象
    GRADUATE = "2"  # 毕业年度高校毕业生
    SCHOOL_LEAVER = "3"  # 城乡未继续升学的应届初高中毕业生
    RURAL_MIGRANT = "4"  # 农村转移就业劳动者
    REGISTERED_UNEMPLOYED = "5"  # 城镇登记失业人员
    EMPLOYMENT_DIFFICULTY = "6"  # 就业困难人员


class ShGroup(StrEnum):
    """The groups of SH-1 as they matter for the SH-4 rate."""

    IN_SERVICE = "in_service"
    FLEXIBLE = "flexible"
    DISABLED = "disabled"
    VETERAN = "veteran"
    DIFFICULTY = "difficulty"
    COLLEGE_STUDENT = "college_student"
    SECONDARY_STUDENT = "secondary_student"
    UNEMPLOYED = "unemployed"
    XIEBAO = "xiebao"
    RURAL_SURPLUS = "rural_surplus"
    UNREGISTERED = "unregistered"
    ELDER_DOMESTIC = "elder_domestic"  # SH-8 养老护理 / 家政服务 workers


class CatalogueClass(StrEnum):
    """SH-2 catalogue classes."""

    A = "A"  # 重点支持
    B = "B"  # 急需紧缺
    C = "C"  # 其它


class EmployerTrade(StrEnum):
    """SH-8 trades whose workers are treated as in-service."""

    ELDER_CARE = "elder_care"
    DOMESTIC_SERVICE = "domestic_service"


class ClaimStatus(StrEnum):
    """Where a claim is in its life (the state machine is subsidy-claims' ``claims/rules.py``)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MATERIAL_REQUESTED = "material_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_PUBLICITY = "in_publicity"
    CONFIRMED = "confirmed"
    PAYMENT_INSTRUCTED = "payment_instructed"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    CLAWED_BACK = "clawed_back"


PolicyId = Literal["cq-eval", "sh-upgrade"]
SubsidyKindName = Literal["cq-eval", "cq-jianding", "sh-upgrade", "sh-training"]

# --- strict scalars --------------------------------------------------------------------------------------------

Fen = Annotated[
    int, Field(strict=True, gt=0, le=100_000_000, description="Amount in fen (分), a whole JSON number.")
]
Level = Annotated[
    int, Field(strict=True, ge=1, le=5, description="Skill level code 1–5 (一级/高级技师 … 五级/初级工).")
]
Year = Annotated[int, Field(strict=True, ge=1990, le=2100)]
CqDistrictCode = Annotated[
    str, Field(pattern=r"^(0[1-9]|[1-3][0-9]|4[01])$", description="重庆区县代码 01–41")
]
ShDistrictCode = Annotated[
    str, Field(pattern=r"^3101[0-9]{2}$", description="上海区级行政区划代码，如 310115")
]
Text100 = Annotated[str, Field(min_length=1, max_length=100)]
Text500 = Annotated[str, Field(min_length=1, max_length=500)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", model_title_generator=_v1_title)


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid", model_title_generator=_v1_title)


# --- facts with provenance -------------------------------------------------------------------------------------


class _Fact(_Input):
    provenance: Provenance = Provenance.DECLARED
    source: Text100 | None = Field(default=None, description="The system that verified the fact.")

    @model_validator(mode="after")
    def _verified_names_source(self) -> Any:
        if self.provenance is Provenance.VERIFIED and not self.source:
            raise ValueError("核验的事实须注明来源（source）")
        return self


class IdentityCategoryFact(_Fact):
    """CQ-2 identity category, declared or verified."""

    value: CqIdentityCategory


class ShGroupFact(_Fact):
    """SH-1 group, declared or verified."""

    value: ShGroup


class FlagFact(_Fact):
    """A yes/no fact (JSON true/false only), declared or verified."""

    value: StrictBool


class DateFact(_Fact):
    """A date fact (YYYY-MM-DD) or null, declared or verified."""

    value: IsoDate | None = None


class PostOccupationFact(_Fact):
    """SH-5: the occupation code of the post the applicant works in, declared or verified."""

    value: Annotated[str, Field(min_length=1, max_length=20)] | None = None


# --- the draft a claim starts as -------------------------------------------------------------------------------


class ClaimApplicant(_Input):
    id_number: ResidentId
    name: PersonName


class DeclaredCertificate(_Input):
    """What the applicant says the certificate shows; checked against the registry at submission (CQ-4)."""

    number: CertificateNumberStr
    occupation_code: OccupationCode
    occupation_name: Text100 | None = None
    work_type: Text100 | None = None
    level: Level | None = None
    kind: CertificateKind
    issue_date: IsoDate


class CqClaimFacts(_Input):
    """Facts only the Chongqing evaluation subsidy asks for."""

    identity_category: IdentityCategoryFact
    district_code: CqDistrictCode = Field(
        validation_alias=AliasChoices("district_code", "evaluation_district"),
        description="CQ-3: the district where the evaluation took place, which reviews the claim. "
        "`evaluation_district` is a deprecated alias.",
    )
    applied_amount_fen: Fen


class ShClaimFacts(_Input):
    """Facts only the Shanghai skill-upgrade subsidy asks for; status is as on the certificate date."""

    group: ShGroupFact
    hukou_shanghai: FlagFact
    hukou_district: ShDistrictCode | None = None
    employed_in_shanghai_now: FlagFact = FlagFact(value=False)
    employment_start: DateFact = DateFact()
    employer_insurance_district: ShDistrictCode | None = None
    employer_district: ShDistrictCode | None = None
    employer_trade: EmployerTrade | None = None
    post_occupation_code: PostOccupationFact = PostOccupationFact()
    pension_and_medical_in_shanghai: FlagFact = FlagFact(value=False)
    insurance_district: ShDistrictCode | None = None
    school_in_shanghai: StrictBool = False
    school_district: ShDistrictCode | None = None
    graduating_year_start: IsoDate | None = None
    graduating_year_end: IsoDate | None = None
    veteran_discharged_on: IsoDate | None = None
    civil_servant: FlagFact = FlagFact(value=False)
    public_institution_non_skill_post: FlagFact = FlagFact(value=False)
    counter_district: ShDistrictCode | None = None


class Payout(_Input):
    """CQ-5 / SH-11: the social-security card (used when its financial function is open), else a bank account."""

    card_number: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{6,40}$")] | None = None
    card_financial_enabled: StrictBool = False
    bank_account: Annotated[str, Field(pattern=r"^[0-9]{8,32}$")] | None = None
    bank_name: Text100 | None = None


class PastSubsidyEntry(_Input):
    """A subsidy already paid (CQ-8 former 鉴定补贴, SH-13 training subsidies, or these two policies)."""

    kind: SubsidyKindName
    occupation_code: OccupationCode
    work_type: Text100 | None = None
    level: Level | None = None
    year: Year
    as_in_service: StrictBool = False
    as_secondary_student: StrictBool = False


_CQ_EXAMPLE: dict[str, Any] = {
    "policy": "cq-eval",
    "applicant": {"id_number": "11010519491231002X", "name": "张三"},
    "certificate": {
        "number": "S000050050001263000001",
        "occupation_code": "4-01-02-03",
        "occupation_name": "电子商务师",
        "work_type": None,
        "level": 3,
        "kind": "skill_level",
        "issue_date": "2026-05-20",
    },
    "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150000},
    "payout": {"card_number": "6217000012345678", "card_financial_enabled": True},
    "declared_past_subsidies": [],
}


class ClaimDraft(_Input):
    """A draft claim. Exactly the facts block of its policy must be present."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CQ_EXAMPLE]})

    policy: PolicyId
    applicant: ClaimApplicant
    certificate: DeclaredCertificate
    cq: CqClaimFacts | None = None
    sh: ShClaimFacts | None = None
    payout: Payout
    declared_past_subsidies: list[PastSubsidyEntry] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _facts_match_policy(self) -> ClaimDraft:
        if self.policy == "cq-eval" and self.cq is None:
            raise ValueError("cq-eval 申请须填写 cq 部分")
        if self.policy == "sh-upgrade" and self.sh is None:
            raise ValueError("sh-upgrade 申请须填写 sh 部分")
        return self


class PolicyPreview(_Input):
    """Facts to evaluate without storing anything; the certificate counts as unverified (CQ-4 / SH-2).

    The office's own records of the applicant (payments recorded elsewhere, this service's live claims) are
    taken into account when the caller may see them; the answer's ``records`` says whether they were.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{k: v for k, v in _CQ_EXAMPLE.items() if k not in ("policy", "payout")}]
        }
    )

    applied_on: IsoDate | None = None
    applicant: ClaimApplicant
    certificate: DeclaredCertificate
    cq: CqClaimFacts | None = None
    sh: ShClaimFacts | None = None
    declared_past_subsidies: list[PastSubsidyEntry] = Field(default_factory=list, max_length=50)


# --- the explanation -------------------------------------------------------------------------------------------


class RuleFinding(_Output):
    """One rule's verdict in the explanation: its ID, its clause from the seed, and why."""

    rule: str
    clause: str
    verdict: Literal["pass", "fail", "needs_material", "not_applicable"]
    reason: str


class AmountWorking(_Output):
    """How the rule computes the amount: table amount × rate = result, all in fen."""

    rule: str
    table_key: str
    table_amount_fen: int
    rate_percent: int
    amount_fen: int
    working: str


class FundingSplit(_Output):
    """SH-12: the city and the reviewing district share the amount 1:1 (an odd fen goes to the city)."""

    rule: str
    city_fen: int
    district_fen: int
    district_code: str | None = Field(validation_alias=AliasChoices("district_code", "district"))


class RecordsConsulted(_Output):
    """Whether the office's own records of the applicant were taken into account (CQ-6/7/8, SH-6, SH-13)."""

    consulted: bool
    past_subsidies: int = Field(
        description="Payments recorded elsewhere (former 鉴定补贴, training subsidies)."
    )
    claims: int = Field(description="This office's claims of the applicant that hold an entitlement.")
    note: str = Field(description="What was, or was not, looked at, in Chinese.")


class ApprovedAmount(_Output):
    """The amount a reviewer approved, beside the rule's computed amount, with the reviewer's reason."""

    amount_fen: int
    computed_amount_fen: int | None
    changed: bool = Field(description="True when the approved amount differs from the computed one.")
    reason: str | None
    approved_on: date
    working: str = Field(description="The approval in words, e.g. 核定金额 800元（规则计算 1000元）：理由.")


class SubsidyDecision(_Output):
    """The decision record: every rule's verdict, the amount with its working, the reviewing district."""

    policy: PolicyId
    policy_version: str
    evaluated_on: date
    outcome: Literal["eligible", "needs_material", "ineligible"]
    results: list[RuleFinding]
    amount: AmountWorking | None
    district_code: str | None = Field(
        validation_alias=AliasChoices("district_code", "review_district"),
        description="The district that reviews the claim (CQ-3, SH-10).",
    )
    funding: FundingSplit | None
    notes: list[str]
    records: RecordsConsulted | None = Field(
        default=None, description="Whether the applicant's records with this office were taken into account."
    )
    approved: ApprovedAmount | None = Field(
        default=None, description="Set once a reviewer approved: the amount approved and why."
    )


# --- the claim -------------------------------------------------------------------------------------------------


class CertificateAsRecorded(_Output):
    """The certificate as the registry showed it at submission (ID number masked)."""

    number: str
    holder_id_masked: str
    holder_name: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int | None
    kind: CertificateKind
    issue_date: date
    obtained_via: str


class VerifiedCertificate(_Output):
    provenance: Provenance
    source: str | None
    value: CertificateAsRecorded


class ClaimFactSheet(_Output):
    """The facts of a claim as declared or verified; the payout accounts are never shown."""

    cq: CqClaimFacts | None = None
    sh: ShClaimFacts | None = None
    declared_past_subsidies: list[PastSubsidyEntry] = Field(default_factory=list)
    certificate: VerifiedCertificate | None = None


class ClaimObjection(_Output):
    id: int
    reason: str
    resolution: Literal["upheld", "dismissed"] | None
    raised_at: datetime


class SubsidyClaim(_Output):
    """A claim as applicants and reviewers see it; the ID number is masked."""

    id: uuid.UUID
    policy: PolicyId
    policy_version: str | None
    status: ClaimStatus
    applicant_id_masked: str
    applicant_name: str
    certificate_number: str
    occupation_code: str
    occupation_name: str | None
    work_type: str | None
    level: int | None
    certificate_kind: CertificateKind
    certificate_issue_date: date
    apply_by: date | None = Field(
        description="Last day to apply: SH-9 window, or CQ-9 for transitional certificates."
    )
    district_code: str | None = Field(description="The reviewing district (CQ-3, SH-10), once submitted.")
    outcome: Literal["eligible", "needs_material", "ineligible"] | None
    decision: SubsidyDecision | None
    facts: ClaimFactSheet
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
    publicity_started_on: date | None = Field(
        description="First day of publicity (CQ-5 / SH-11); objections and confirmation are decided from it."
    )
    publicity_ends_on: date | None = Field(
        description="Last day of publicity (P-1: the 5th working day after the start); confirmation from the day "
        "after. Null while the working-day calendar does not cover that day (P-3: a publicity started late in "
        "December ends in a year whose holidays are not yet published), never guessed; the publicity runs anyway."
    )
    confirmed_on: date | None
    payment_channel: Literal["social_security_card", "bank_account"] | None
    payment_attempts: int
    payment_failure_reason: str | None
    paid_on: date | None
    clawback_reason: str | None
    objections: list[ClaimObjection] = Field(default_factory=list)

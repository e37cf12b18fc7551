"""The gateway's public API: every body its composed routes take and every answer they give (provider: gateway).

Partner systems and mobile-app back ends integrate against these models (the gateway's ``/openapi.json`` is built
from them, and a client generated from it is part of the test suite). Where a route passes a service's answer on,
its answer is that service's own contract model (``registry.CertificateBatch``, …), parsed on the way so that a
provider that breaks its contract is a 502 naming it, never a half-parsed answer.

Bodies the gateway hands on to a service are described here field by field, so a client learns them from the
document rather than from error messages; the service validates them again with its own rules (the gateway holds
no domain rule), and a contract test in the gateway's package checks that each one still matches what the service
accepts.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from skills_shared.contracts.v1.org_filing import (
    APPLICATION_FORM_EXAMPLE,
    ApplicationForm,
    EvaluationIn,
    FileIn,
    PublishIn,
    RejectIn,
    Strict,
)
from skills_shared.contracts.v1.org_filing import PlanFiling as OrgPlanFiling
from skills_shared.contracts.v1.org_filing import PlanPerson as OrgPlanPerson
from skills_shared.contracts.v1.registry import (
    Method,
    Name100,
    PublicCertificate,
    ResultsUpload,
    SaneDate,
)
from skills_shared.contracts.v1.subsidy import (
    CqClaimFacts,
    Fen,
    PastSubsidyEntry,
    Payout,
    PolicyId,
    ShClaimFacts,
    SubsidyClaim,
    Text500,
)
from skills_shared.contracts.v1.voucher import VoucherV1
from skills_shared.validators import OccupationCode, PersonName

T = TypeVar("T")

BODY_CODE_PATTERN = r"^[SY][0-9]{12}$"
CERTIFICATE_NUMBER_PATTERN = r"^[A-Z][0-9]{21}$"


# --- bodies: the filing application (seed 001 附件1, OF-1) and the accepting department's steps (OF-3, OF-4) ---
# Their one home is org-filing's contract (``contracts.v1.org_filing``): the gateway relays them unchanged, so it
# takes exactly what org-filing takes. The gateway's public names below are aliases of those models.

BODY_APPLICATION_EXAMPLE = APPLICATION_FORM_EXAMPLE
BodyApplication = ApplicationForm
"""The complete 附件1 form (OF-1). The gateway drafts it with org-filing and submits it at once."""
ApplicationEvaluation = EvaluationIn
ApplicationPublication = PublishIn
ApplicationFiling = FileIn
ApplicationRejection = RejectIn


PlanPerson = OrgPlanPerson
PlanFiling = OrgPlanFiling
"""The plan a body files: org-filing's contract, relayed unchanged (OF-5 is org-filing's to decide)."""


# --- bodies: status moves (OF-6, OF-7) --------------------------------------------------------------------


class BodyStatusMove(StrEnum):
    """The status changes of a filed body that org-filing offers (OF-6 supervision, OF-7/CR-2 cancellation)."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    CANCEL = "cancel"
    EXTEND = "extend"


MOVES_WITH_REASON = frozenset({BodyStatusMove.SUSPEND, BodyStatusMove.REINSTATE, BodyStatusMove.CANCEL})
"""org-filing takes a reason for these moves; an extension has none (three clean years speak for themselves)."""


class BodyStatusChange(Strict):
    """One status move of a filed body."""

    model_config = ConfigDict(
        extra="forbid",
        title="BodyStatusChangeV1",
        json_schema_extra={"examples": [{"action": "suspend", "reason": "投诉查实，暂停评价活动"}]},
    )

    action: BodyStatusMove = Field(description="suspend 暂停, reinstate 恢复, cancel 注销, extend 延续.")
    reason: str | None = Field(
        default=None, min_length=1, max_length=2000, description="理由（暂停、恢复、注销必填）"
    )

    @model_validator(mode="after")
    def _reason_when_needed(self) -> BodyStatusChange:
        if self.action in MOVES_WITH_REASON and not self.reason:
            raise ValueError("该操作须填写理由（reason）")
        return self


# --- batches (CR-3, CR-4, OF-5 are checked by the registry and org-filing) ---------------------------------


class BatchOpening(Strict):
    """A batch under a filed plan; the body is the caller's own (the token's ``body``).

    The registry asks org-filing whether the plan allows the batch (OF-5 filed on time and standing, CR-3 in the
    body's scope, OF-6 body active); a refusal comes back unchanged with its rule ID and code.
    """

    model_config = ConfigDict(
        extra="forbid",
        title="BatchOpeningV1",
        json_schema_extra={
            "examples": [
                {
                    "plan_id": 12,
                    "occupation_code": "6-31-01-03",
                    "occupation_name": "电工",
                    "work_type": "维修电工",
                    "level": 3,
                    "evaluation_date": "2026-12-28",
                    "method": "examination",
                    "guantong": False,
                }
            ]
        },
    )

    plan_id: int = Field(ge=1, le=2_147_483_647, description="The plan filed with org-filing (OF-5).")
    occupation_code: OccupationCode
    occupation_name: Name100 = Field(description="职业名称, printed on the certificate.")
    work_type: Name100 | None = Field(default=None, description="工种; null when the occupation has none.")
    level: int = Field(ge=1, le=5, description="等级代码 1–5 (1 一级/高级技师 … 5 五级/初级工).")
    evaluation_date: SaneDate
    method: Method = Field(description="评价方式: it decides which subjects count (CR-8).")
    guantong: bool = Field(default=False, description="贯通 batch (seed 002): a 3-expert panel scores.")


class BatchResults(ResultsUpload):
    """The batch's results, all or nothing (up to 10,000 rows; replaces any earlier upload while in draft).

    The rows are the registry's own ``CandidateResult`` (their one home): the registry checks the whole upload at
    once (the name check, ID checksum, gender against the ID, duplicates, the subjects the method requires) and
    answers one 422 listing every bad row. Only the published title is the gateway's."""

    model_config = ConfigDict(extra="forbid", title="BatchResultsV1")


# --- org-filing's answers on an application, as the gateway passes them on -------------------------------------
# A filed body and a filed plan are org-filing's own contracts (``org_filing.FilingBody``, ``FilingPlan``); an
# application's answer is not, so the gateway parses it into these models (members it does not know are left out
# of its answer, a missing or renamed one is a 502 naming org-filing).


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class EligibilityFinding(_Answer):
    """One OF-2 / CR-3 check on the application and its outcome."""

    model_config = ConfigDict(extra="ignore", title="EligibilityFindingV1")

    rule: str
    check: str
    outcome: str = Field(description="pass, fail, exempt or undetermined")
    detail: str


class RecordedEvaluation(_Answer):
    """The accepting department's evaluation as recorded, with who made it and when."""

    model_config = ConfigDict(extra="ignore", title="RecordedEvaluationV1")

    selected: bool
    sound_finances: bool
    good_credit: bool
    no_violation_record: bool
    opinion: str
    by: str | None = None
    on: date | None = None


class FiledAttachment(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledAttachmentV1")

    sha256: str
    filename: str
    size_bytes: int
    kind: str | None = Field(default=None, description="For the form's attachments: which material it is.")


class FiledBasicInfo(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledBasicInfoV1")

    name: str
    address: str
    office_address: str | None = None
    registering_authority: str
    nature: str
    credit_code: str
    legal_representative: str
    registered_capital_fen: int
    contact_person: str
    contact_title: str
    contact_phone: str
    contact_email: str
    independent_legal_person: bool


class FiledOccupation(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledOccupationV1")

    name: str
    work_type: str | None = None
    code: str
    is_new: bool
    start_date: date
    people_evaluated: int
    levels: list[int]


class FiledWorkstations(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledWorkstationsV1")

    occupation_name: str
    count: int


class FiledSite(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledSiteV1")

    address: str
    area_sqm: int
    classrooms: int
    workstations: list[FiledWorkstations]
    description: str | None = None
    ownership_proof: FiledAttachment | None = None


class FiledEquipment(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledEquipmentV1")

    name: str
    brand: str
    model: str
    quantity: int
    owner: str


class FiledPerson(_Answer):
    """A person named on the form (staff, expert, assessor or supervisor), the ID number masked; the columns of
    the person's section, those of other sections left out."""

    model_config = ConfigDict(extra="ignore", title="FiledPersonV1")

    name: str
    id_number: str = Field(description="身份证号（脱敏）")
    title: str | None = None
    education: str | None = None
    duties: str | None = None
    specialty: str | None = None
    assessor_certificate_no: str | None = None
    occupation: str | None = None
    title_or_level: str | None = None
    employer: str | None = None
    in_house: bool | None = None
    agreement: FiledAttachment | None = None


class FiledPledge(_Answer):
    model_config = ConfigDict(extra="ignore", title="FiledPledgeV1")

    accepted: bool
    signatory: str
    signed_on: date


class FiledApplicationForm(_Answer):
    """The 附件1 form as org-filing keeps it (``BodyApplicationV1``'s sections, complete once submitted), every
    ID number masked."""

    model_config = ConfigDict(extra="ignore", title="FiledApplicationFormV1")

    level_scope: str | None = None
    district_code: str | None = Field(
        default=None, validation_alias=AliasChoices("district_code", "district")
    )
    national_base: str | None = None
    basic: FiledBasicInfo | None = None
    occupations: list[FiledOccupation] | None = None
    sites: list[FiledSite] | None = None
    equipment: list[FiledEquipment] | None = None
    exam_systems: str | None = None
    staff: list[FiledPerson] | None = None
    experts: list[FiledPerson] | None = None
    assessors: list[FiledPerson] | None = None
    supervisors: list[FiledPerson] | None = None
    systems: str | None = None
    pledge: FiledPledge | None = None
    attachments: list[FiledAttachment] | None = None


class FilingApplicationRecord(_Answer):
    """An application to be filed as it stands after a step (ID numbers in the form masked)."""

    model_config = ConfigDict(extra="ignore", title="FilingApplicationRecordV1")

    id: int
    status: str = Field(description="draft, submitted, evaluated, published, filed or rejected")
    level_scope: str | None
    district_code: str | None = Field(
        validation_alias=AliasChoices("district_code", "accepting_place"),
        description="The accepting district (00: the city centre).",
    )
    credit_code: str | None
    name: str | None
    form: FiledApplicationForm = Field(description="The 附件1 form as filed, ID numbers masked.")
    eligibility: list[EligibilityFinding] | None = None
    evaluation: RecordedEvaluation | None = None
    publicity_from: date | None = None
    publicity_to: date | None = None
    body_code: str | None = Field(default=None, description="The filing code, once filed (OF-4).")
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None


# --- subsidies (CQ-*, SH-*: subsidy-claims decides) ---------------------------------------------------------


class SubsidyApplication(Strict):
    """What a citizen sends: which certificate, under which policy, and the policy's own facts.

    The applicant is the token's subject and the certificate's details come from the registry, so neither can be
    typed in wrongly; the facts are checked by subsidy-claims, whose field errors come back unchanged.
    """

    model_config = ConfigDict(
        extra="forbid",
        title="SubsidyApplicationV1",
        json_schema_extra={
            "examples": [
                {
                    "policy": "cq-eval",
                    "certificate_number": "S000050050001263000001",
                    "holder_name": "张三",
                    "cq": {
                        "identity_category": {"value": "4"},
                        "district_code": "05",
                        "applied_amount_fen": 150000,
                    },
                    "payout": {"bank_account": "6222000011112222", "bank_name": "某银行"},
                }
            ]
        },
    )

    policy: PolicyId = Field(description="cq-eval 重庆技能评价补贴, sh-upgrade 上海技能提升补贴")
    certificate_number: str = Field(pattern=CERTIFICATE_NUMBER_PATTERN, description="证书编号 (CR-1)")
    holder_name: PersonName = Field(description="持证人姓名，须与证书一致")
    cq: CqClaimFacts | None = Field(default=None, description="Facts of cq-eval (required for it).")
    sh: ShClaimFacts | None = Field(default=None, description="Facts of sh-upgrade (required for it).")
    payout: Payout
    declared_past_subsidies: list[PastSubsidyEntry] = Field(default_factory=list, max_length=50)


class ClaimApproval(Strict):
    """The reviewer's approval. For cq-eval while no CQ-10 amount table is loaded, the approved amount (at most the
    amount applied for), and the reason when it is less than computed; the claim's explanation then shows both."""

    model_config = ConfigDict(
        extra="forbid",
        title="ClaimApprovalRequestV1",
        json_schema_extra={"examples": [{"amount_fen": 80000, "reason": "评价费用票据金额为800元"}, {}]},
    )

    amount_fen: Fen | None = None
    reason: Text500 | None = Field(
        default=None,
        validation_alias=AliasChoices("reason", "note"),
        description="Why the approved amount differs from the computed one. `note` is a deprecated alias.",
    )


class ClaimRejection(Strict):
    """The reviewer's refusal with its reason (CQ-4)."""

    model_config = ConfigDict(
        extra="forbid",
        title="ClaimRejectionV1",
        json_schema_extra={"examples": [{"reason": "证书信息与申请不符"}]},
    )

    reason: Text500


# --- vouchers (V-4 … V-6: voucher decides) ------------------------------------------------------------------


class VoucherClaimRequest(Strict):
    """V-4: claim some types, or every type the holder may claim (``types`` left out)."""

    model_config = ConfigDict(
        extra="forbid",
        title="VoucherClaimRequestV1",
        json_schema_extra={"examples": [{"types": ["employment_skills"]}, {}]},
    )

    types: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(
        default=None, max_length=20, description="不填表示领取全部可领类型"
    )


class RedemptionRequest(Strict):
    """What the institution's scanner sends: the QR text of the holder's voucher and the class to enrol in."""

    model_config = ConfigDict(
        extra="forbid",
        title="RedemptionRequestV1",
        json_schema_extra={"examples": [{"token": "v1.eyJ2IjoxMn0.c2ln", "class_id": 3}]},
    )

    token: str = Field(min_length=1, max_length=200, description="扫描到的二维码内容")
    class_id: int = Field(ge=1, description="报名的培训班")


# --- the caller's own things ------------------------------------------------------------------------------


class PartStatus(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"


class Part(BaseModel, Generic[T]):
    """One part of "my things": its items, or which service did not answer and why."""

    model_config = ConfigDict(extra="forbid")

    status: PartStatus
    items: list[T] | None = Field(default=None, description="Present when the part arrived.")
    service: str | None = Field(
        default=None, description="The service that did not answer, when unavailable."
    )
    reason: str | None = Field(
        default=None, description="timeout, or the service's problem code, when unavailable."
    )


class MyThings(BaseModel):
    """Certificates (registry), claims (subsidy-claims), vouchers (voucher); ``complete`` is false when a part is
    missing. Each list is the first page of the service's own list."""

    model_config = ConfigDict(extra="forbid", title="MyThingsV1")

    certificates: Part[PublicCertificate]
    claims: Part[SubsidyClaim]
    vouchers: Part[VoucherV1]
    complete: bool = Field(description="Every part arrived.")


# --- audit (issue 17: inspectors verify each service's chain through the gateway) -------------------------


class AuditedService(StrEnum):
    """Whose audit hash chain to verify: the gateway's own or one of the four services'."""

    GATEWAY = "gateway"
    REGISTRY = "registry"
    FILING = "filing"
    SUBSIDY = "subsidy"
    VOUCHER = "voucher"


class AuditChainReport(BaseModel):
    """The verification of one service's audit hash chain (CR-7 全程留痕); names the first broken link."""

    model_config = ConfigDict(extra="forbid", title="AuditChainReportV1")

    service: AuditedService
    ok: bool = Field(description="Every link holds.")
    checked: int = Field(ge=0, description="Rows checked.")
    first_broken_id: int | None = Field(default=None, description="The first row whose link does not hold.")
    reason: str | None = Field(default=None, description="Why that link does not hold.")
    heads: dict[int, dict[str, Any]] = Field(
        default_factory=dict, description="The head of each chain (by chain number) as verified."
    )
    checkpoint: int | None = Field(
        default=None,
        description="The newest signed checkpoint compared with (none kept or written yet: null).",
    )
    missing: list[str] = Field(
        default_factory=list,
        description="What the checkpoints show is gone or rewritten, one line per chain.",
    )

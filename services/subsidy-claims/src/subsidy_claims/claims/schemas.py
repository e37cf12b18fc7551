"""Wire schemas of the claim routes that only this service's clients send; the draft and the claim itself are
contracts (``skills_shared.contracts.v1.subsidy``) because the gateway sends and reads them.

Every schema title is unique in the suite (a generated client names one class per title): a reviewer's reason
to reject, to ask for material and to claw back are three schemas, not one shared ``ReasonIn``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from skills_shared.contracts.v1.subsidy import (
    ClaimDraft,
    ClaimStatus,
    Fen,
    PastSubsidyEntry,
    PolicyId,
    SubsidyClaim,
)
from skills_shared.validators import ResidentId

__all__ = [
    "BankPaymentResult",
    "ClaimApproval",
    "ClaimDraft",
    "ClaimRejection",
    "ClawBackOrder",
    "FactVerification",
    "MaterialRequest",
    "MaterialResponse",
    "ObjectionRuling",
    "PastSubsidiesRecorded",
    "PastSubsidyEntry",
    "PastSubsidyReport",
    "PublicityObjection",
    "ReviewQueueItem",
    "SubsidyClaim",
]

Text = Annotated[str, Field(min_length=1, max_length=500)]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    listed: list[Any] = list(examples)
    return ConfigDict(extra="forbid", json_schema_extra={"examples": listed})


class ClaimRejection(BaseModel):
    """A reviewer rejects a claim under review, saying why (CQ-4)."""

    model_config = _examples({"reason": "证书职业与申报职业不一致"})

    reason: Text


class MaterialRequest(BaseModel):
    """A reviewer asks the applicant for supporting material (CQ-4); the review clock stops meanwhile."""

    model_config = _examples({"reason": "请补充农村转移就业劳动者身份证明"})

    reason: Text


class MaterialResponse(BaseModel):
    """The applicant provides the material asked for; the CQ-4 clock restarts."""

    model_config = _examples({"material": "已上传村委会出具的外出务工证明"})

    material: Text


class ClawBackOrder(BaseModel):
    """追回 of a paid subsidy, with the reason."""

    model_config = _examples({"reason": "经核查证书系冒名取得"})

    reason: Text


class PublicityObjection(BaseModel):
    """Anyone may object to a claim while it is in publicity (CQ-5, SH-11)."""

    model_config = _examples({"reason": "申请人并非农村转移就业劳动者"})

    reason: Text


class ObjectionRuling(BaseModel):
    """Upholding an objection rejects the claim; dismissing it lets the claim go on."""

    model_config = _examples({"resolution": "dismissed", "note": "经核实，申请人身份属实"})

    resolution: Literal["upheld", "dismissed"]
    note: Text


class ClaimApproval(BaseModel):
    """The reviewer's approval. For cq-eval while no CQ-10 amount table is loaded, the approved amount (at most the
    amount applied for), and the reason when it is less than computed; the explanation then shows both."""

    model_config = _examples({"amount_fen": 80000, "reason": "评价费用票据金额为800元"}, {})

    amount_fen: Fen | None = None
    reason: Text | None = Field(
        default=None,
        validation_alias=AliasChoices("reason", "note"),
        description="Why the approved amount differs from the computed one. `note` is a deprecated alias.",
    )


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


class FactVerification(BaseModel):
    """Mark a declared fact verified, naming the source it was checked against."""

    model_config = _examples({"fact": "cq.identity_category", "source": "农村劳动力实名制数据库"})

    fact: VerifiableFact
    source: Annotated[str, Field(min_length=1, max_length=100)]


class BankPaymentResult(BaseModel):
    """The bank's answer to a payment instruction."""

    model_config = _examples({"result": "paid"}, {"result": "failed", "reason": "账户已销户"})

    result: Literal["paid", "failed"]
    reason: Text | None = None


class PastSubsidyReport(BaseModel):
    """Subsidies paid elsewhere to one person (former 鉴定补贴 for CQ-8, training subsidies for SH-13)."""

    model_config = _examples(
        {
            "applicant_id_number": "11010519491231002X",
            "source": "原职业技能鉴定补贴发放台账",
            "subsidies": [{"kind": "cq-jianding", "occupation_code": "4-01-02-03", "level": 4, "year": 2019}],
        }
    )

    applicant_id_number: ResidentId
    source: Annotated[str, Field(min_length=1, max_length=100)]
    subsidies: Annotated[list[PastSubsidyEntry], Field(min_length=1, max_length=100)]


class PastSubsidiesRecorded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recorded: int


class ReviewQueueItem(BaseModel):
    """One claim in a reviewer's queue."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    policy: PolicyId
    status: ClaimStatus
    district_code: str | None
    applicant_id_masked: str
    applicant_name: str
    occupation_name: str | None
    level: int | None
    amount_fen: int | None
    submitted_on: date | None
    review_due_on: date | None
    overdue: bool

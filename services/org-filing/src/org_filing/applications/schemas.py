"""The application form (seed 001 附件1, OF-1) and the review payloads, as pydantic models.

The form and the review steps' bodies are org-filing's public contract (``skills_shared.contracts.v1.org_filing``,
their one home, which the gateway relays too); this module re-exports them beside what only org-filing uses: the
draft, the answers with masked ID numbers, the district thresholds and the checks across sections.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from org_filing.common_schemas import LongText, PlaceCode, Strict, VerdictOut
from skills_shared.contracts.v1.org_filing import (
    ApplicationForm,
    Assessor,
    AttachmentKind,
    BasicInfo,
    Equipment,
    EvaluationIn,
    Expert,
    FileIn,
    KindedAttachment,
    NationalBase,
    OccupationApplied,
    OrgNature,
    Pledge,
    PublishIn,
    RejectIn,
    Site,
    StaffMember,
    Supervisor,
    Workstations,
)

__all__ = [
    "REQUIRED_ATTACHMENTS",
    "ApplicationDraft",
    "ApplicationForm",
    "ApplicationFormOut",
    "ApplicationOut",
    "Assessor",
    "AssessorOut",
    "AttachmentKind",
    "BasicInfo",
    "Equipment",
    "EvaluationIn",
    "EvaluationOut",
    "Expert",
    "ExpertOut",
    "FileIn",
    "KindedAttachment",
    "NationalBase",
    "OccupationApplied",
    "OrgNature",
    "Pledge",
    "PublishIn",
    "RejectIn",
    "Site",
    "StaffMember",
    "StaffMemberOut",
    "Supervisor",
    "SupervisorOut",
    "ThresholdsIn",
    "ThresholdsOut",
    "Workstations",
    "cross_field_errors",
]


REQUIRED_ATTACHMENTS = frozenset(
    {
        AttachmentKind.work_plan,
        AttachmentKind.site_assets,
        AttachmentKind.credit_report,
        AttachmentKind.scale_evidence,
    }
)


class ApplicationDraft(Strict):
    """A draft: any section may be missing, but every section given is checked in full (IDs included)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"level_scope": "district", "district_code": "05"}]},
    )

    level_scope: Literal["city", "district"] | None = None
    district_code: PlaceCode | None = Field(
        default=None,
        validation_alias=AliasChoices("district_code", "district"),
        description="区县级机构的受理区县代码（01–41）; `district` is its deprecated name (one version).",
    )
    national_base: NationalBase | None = None
    basic: BasicInfo | None = None
    occupations: list[OccupationApplied] | None = Field(default=None, max_length=50)
    sites: list[Site] | None = Field(default=None, max_length=50)
    equipment: list[Equipment] | None = Field(default=None, max_length=500)
    exam_systems: LongText | None = None
    staff: list[StaffMember] | None = Field(default=None, max_length=200)
    experts: list[Expert] | None = Field(default=None, max_length=200)
    assessors: list[Assessor] | None = Field(default=None, max_length=500)
    supervisors: list[Supervisor] | None = Field(default=None, max_length=200)
    systems: LongText | None = None
    pledge: Pledge | None = None
    attachments: list[KindedAttachment] | None = Field(default=None, max_length=100)


class _Masked(BaseModel):
    """A person as an answer shows them: the ID number masked (personal data never leaves in full)."""

    id_number: str = Field(description="身份证号（脱敏）")


class StaffMemberOut(_Masked, StaffMember):
    model_config = ConfigDict(extra="forbid", title="StaffMemberOut")


class ExpertOut(_Masked, Expert):
    model_config = ConfigDict(extra="forbid", title="ExpertOut")


class AssessorOut(_Masked, Assessor):
    model_config = ConfigDict(extra="forbid", title="AssessorOut")


class SupervisorOut(_Masked, Supervisor):
    model_config = ConfigDict(extra="forbid", title="SupervisorOut")


class ApplicationFormOut(ApplicationDraft):
    """The 附件1 form as saved (complete once submitted), every ID number masked."""

    model_config = ConfigDict(extra="ignore")

    staff: list[StaffMemberOut] | None = None  # type: ignore[assignment]
    experts: list[ExpertOut] | None = None  # type: ignore[assignment]
    assessors: list[AssessorOut] | None = None  # type: ignore[assignment]
    supervisors: list[SupervisorOut] | None = None  # type: ignore[assignment]


class EvaluationOut(EvaluationIn):
    """The evaluation as recorded, with who made it and on which day."""

    model_config = ConfigDict(extra="ignore", title="EvaluationOut")

    by: str = Field(description="The officer who recorded it.")
    on: date = Field(description="The day of the selection.")


class ApplicationOut(BaseModel):
    id: int
    status: str
    level_scope: str | None
    district_code: str | None = Field(description="The accepting district (00: the city centre, OF-3).")
    credit_code: str | None
    name: str | None
    form: ApplicationFormOut
    eligibility: list[VerdictOut] | None = None
    evaluation: EvaluationOut | None = None
    publicity_from: date | None = None
    publicity_to: date | None = None
    body_code: str | None = None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None


class ThresholdsIn(Strict):
    """OF-2: a district's thresholds for its district-level bodies."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"min_years": 3, "min_total": 5000, "min_per_occupation": 2000}]},
    )

    min_years: int = Field(strict=True, ge=0, le=100)
    min_total: int = Field(strict=True, ge=0)
    min_per_occupation: int = Field(strict=True, ge=0)


class ThresholdsOut(ThresholdsIn):
    district_code: str


def cross_field_errors(raw: dict[str, Any]) -> list[tuple[list[str | int], str, str]]:
    """Checks across sections of the form, run on the raw dict so they report even when other fields are bad."""
    out: list[tuple[list[str | int], str, str]] = []
    scope = raw.get("level_scope")
    district = raw.get("district_code", raw.get("district"))
    if scope == "district" and district in (None, "00"):
        out.append((["district_code"], "区县级机构须填写受理区县代码（01–41）", "district_required"))
    if scope == "city" and district not in (None, "00"):
        out.append(
            (["district_code"], "全市范围机构由市职业技能鉴定指导中心受理，不填区县", "district_not_allowed")
        )
    attachments = raw.get("attachments")
    if isinstance(attachments, list):
        kinds = {a.get("kind") for a in attachments if isinstance(a, dict)}
        missing = sorted(k.value for k in REQUIRED_ATTACHMENTS if k.value not in kinds)
        if missing:
            out.append((["attachments"], "缺少申报材料：" + "、".join(missing), "attachments_missing"))
    occupations = raw.get("occupations")
    if isinstance(occupations, list):
        seen: set[tuple[Any, Any]] = set()
        for i, o in enumerate(occupations):
            if not isinstance(o, dict):
                continue
            key = (o.get("code"), o.get("work_type") or None)
            if key in seen:
                out.append((["occupations", i], "职业（工种）重复", "duplicate_occupation"))
            seen.add(key)
    for section in ("staff", "experts", "assessors", "supervisors"):
        people = raw.get(section)
        if not isinstance(people, list):
            continue
        seen_ids: set[str] = set()
        for i, person in enumerate(people):
            pid = str(person.get("id_number", "")).upper() if isinstance(person, dict) else ""
            if pid and pid in seen_ids:
                out.append(([section, i, "id_number"], "同一人员重复填报", "duplicate_person"))
            seen_ids.add(pid)
    return out

"""The application form (seed 001 附件1, OF-1) and the review payloads, as pydantic models."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from org_filing.applications.rules import NationalBase
from org_filing.common_schemas import (
    AttachmentRef,
    Levels,
    LongText,
    Phone,
    PlaceCode,
    Strict,
    Text,
    VerdictOut,
)
from skills_shared.validators import CreditCode, IsoDate, OccupationCode, PersonName, ResidentId


class OrgNature(StrEnum):
    """机构性质 on the form: 企事业单位 / 院校 / 社会组织."""

    enterprise_institution = "enterprise_institution"
    school = "school"
    social_organization = "social_organization"


class BasicInfo(Strict):
    """一、基本信息."""

    name: Text
    address: Text = Field(description="地址（注册地址）")
    office_address: Text | None = Field(default=None, description="办公地址（回执用；不填同注册地址）")
    registering_authority: Text = Field(description="注册登记机构")
    nature: OrgNature
    credit_code: CreditCode
    legal_representative: PersonName
    registered_capital_fen: int = Field(strict=True, ge=0, description="注册资金（分）")
    contact_person: Text
    contact_title: Text = Field(description="联系人职务")
    contact_phone: Phone
    contact_email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
    independent_legal_person: StrictBool = Field(description="具有独立法人资格（OF-2）")


class OccupationApplied(Strict):
    """二、拟开展评价的职业（工种）: one row."""

    name: Text = Field(description="职业名称")
    work_type: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        default=None, description="工种名称（无则留空，证书印“——”）"
    )
    code: OccupationCode
    is_new: StrictBool = Field(description="是否新职业")
    start_date: IsoDate = Field(description="培训评价起始日期")
    people_evaluated: int = Field(strict=True, ge=0, description="已培训评价人数（人次）")
    levels: Levels = Field(description="评价等级范围")


class Workstations(Strict):
    occupation_name: Text
    count: int = Field(strict=True, ge=1)


class Site(Strict):
    """三（一）场地情况."""

    address: Text
    area_sqm: int = Field(strict=True, ge=1, description="场地面积（平方米）")
    classrooms: int = Field(strict=True, ge=0, description="教室（间）")
    workstations: list[Workstations] = Field(min_length=1)
    description: LongText | None = None
    ownership_proof: AttachmentRef | None = Field(default=None, description="权属证明材料")


class Equipment(Strict):
    """三（二）设施设备."""

    name: Text
    brand: Text
    model: Text
    quantity: int = Field(strict=True, ge=1)
    owner: Text = Field(description="所有权归属")


class OutsiderMixin(Strict):
    in_house: StrictBool = Field(description="是否本单位人员")
    agreement: AttachmentRef | None = Field(
        default=None, description="非本单位人员：本人签署的承诺书或合作协议复印件"
    )

    @model_validator(mode="after")
    def _outsider_needs_agreement(self) -> Any:
        if not self.in_house and self.agreement is None:
            raise ValueError("非本单位人员须提供承诺书或合作协议（agreement）")
        return self


class StaffMember(Strict):
    """四（一）专职工作人员."""

    name: PersonName
    id_number: ResidentId
    title: Text = Field(description="职称/职务")
    education: Text
    duties: Text


class Expert(OutsiderMixin):
    """四（二）专家."""

    name: PersonName
    id_number: ResidentId
    title: Text
    education: Text
    specialty: Text = Field(description="专业方向")


class Assessor(OutsiderMixin):
    """四（三）考评人员."""

    name: PersonName
    id_number: ResidentId
    assessor_certificate_no: Text = Field(description="考评员证书号")
    occupation: Text = Field(description="考评职业")
    title_or_level: Text = Field(description="职称/职务/技能等级")
    education: Text


class Supervisor(Strict):
    """四（四）内部督导人员."""

    name: PersonName
    id_number: ResidentId
    employer: Text = Field(description="所在单位")
    title_or_level: Text
    education: Text


class Pledge(Strict):
    """六、诚信承诺: the legal representative signs that everything is true."""

    accepted: Literal[True] = Field(description="承诺申报材料真实有效")
    signatory: Text = Field(description="法定代表人")
    signed_on: IsoDate


class AttachmentKind(StrEnum):
    work_plan = "work_plan"  # 附件2 职业技能等级认定工作方案
    site_assets = "site_assets"  # 场地设备设施等资产材料
    financial_statement = "financial_statement"
    credit_report = "credit_report"  # 信用报告
    scale_evidence = "scale_evidence"  # 培训评价规模数据辅证材料
    other = "other"


class KindedAttachment(AttachmentRef):
    kind: AttachmentKind


REQUIRED_ATTACHMENTS = frozenset(
    {
        AttachmentKind.work_plan,
        AttachmentKind.site_assets,
        AttachmentKind.credit_report,
        AttachmentKind.scale_evidence,
    }
)


class ApplicationForm(Strict):
    """The complete 附件1 form: what a submitted application must hold (OF-1)."""

    level_scope: Literal["city", "district"]
    district_code: PlaceCode | None = Field(
        default=None,
        validation_alias=AliasChoices("district_code", "district"),
        description="区县级机构的受理区县代码（01–41）; `district` is its deprecated name (one version).",
    )
    national_base: NationalBase | None = None
    basic: BasicInfo
    occupations: list[OccupationApplied] = Field(min_length=1, max_length=50)
    sites: list[Site] = Field(min_length=1, max_length=50)
    equipment: list[Equipment] = Field(min_length=1, max_length=500)
    exam_systems: LongText = Field(description="计算机考务系统及视频监控设备配置情况")
    staff: list[StaffMember] = Field(min_length=1, max_length=200)
    experts: list[Expert] = Field(min_length=1, max_length=200)
    assessors: list[Assessor] = Field(min_length=1, max_length=500)
    supervisors: list[Supervisor] = Field(min_length=1, max_length=200)
    systems: LongText = Field(description="制度建设、组织优势、专业优势等情况")
    pledge: Pledge
    attachments: list[KindedAttachment] = Field(min_length=1, max_length=100)


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


class EvaluationIn(Strict):
    """The accepting department's evaluation ('who accepts, evaluates', OF-3) with its OF-2 findings."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "selected": True,
                    "sound_finances": True,
                    "good_credit": True,
                    "no_violation_record": True,
                    "opinion": "经评估，符合遴选条件",
                }
            ]
        },
    )

    selected: StrictBool = Field(description="择优遴选结果：是否入选")
    sound_finances: StrictBool
    good_credit: StrictBool
    no_violation_record: StrictBool
    opinion: LongText = Field(description="评估意见")


class PublishIn(Strict):
    """The selection's publicity period (OF-3): from the selection on, and not over when recorded."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"publicity_from": "2026-09-01", "publicity_to": "2026-09-07"}]},
    )

    publicity_from: IsoDate
    publicity_to: IsoDate

    @model_validator(mode="after")
    def _order(self) -> PublishIn:
        if self.publicity_to < self.publicity_from:
            raise ValueError("公示结束日期早于开始日期")
        return self


class FileIn(Strict):
    """Filing (OF-3, OF-4): the receipt's validity and the department's opinion."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"valid_from": "2026-09-10", "opinion": "同意备案"}]}
    )

    valid_from: IsoDate
    valid_to: IsoDate | None = Field(default=None, description="不填则为 3 年（OF-3 上限）")
    opinion: Text = Field(default="同意备案", description="备案管理部门意见")


class RejectIn(Strict):
    """Why the accepting department refuses the application."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "场地设施不符合评价要求"}]}
    )

    reason: LongText


class _Masked(BaseModel):
    """A person as an answer shows them: the ID number masked (personal data never leaves in full)."""

    id_number: str = Field(description="身份证号（脱敏）")


class StaffMemberOut(_Masked, StaffMember):
    pass


class ExpertOut(_Masked, Expert):
    pass


class AssessorOut(_Masked, Assessor):
    pass


class SupervisorOut(_Masked, Supervisor):
    pass


class ApplicationFormOut(ApplicationDraft):
    """The 附件1 form as saved (complete once submitted), every ID number masked."""

    model_config = ConfigDict(extra="ignore")

    staff: list[StaffMemberOut] | None = None  # type: ignore[assignment]
    experts: list[ExpertOut] | None = None  # type: ignore[assignment]
    assessors: list[AssessorOut] | None = None  # type: ignore[assignment]
    supervisors: list[SupervisorOut] | None = None  # type: ignore[assignment]


class EvaluationOut(EvaluationIn):
    """The evaluation as recorded, with who made it and on which day."""

    model_config = ConfigDict(extra="ignore")

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

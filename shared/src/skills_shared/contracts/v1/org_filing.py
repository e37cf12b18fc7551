"""What org-filing answers other services (provider: org-filing): the batch check, a body's public record and a
filed plan. org-filing uses these as its response models, so a consumer parsing them sees exactly what it sends.

The filing application's bodies (the 附件1 form and the review steps) have their one home here too: org-filing's
routes take them and the gateway relays them under its public names (``BodyApplication``, …), so the two can never
validate differently.

``POST /v1/plans/{plan_id}/batch-check`` (service token) is how the registry learns, at the moment a batch is
opened, whether the plan behind it allows it. The rules (OF-5 plan filed, standing, on time, covering the batch's
occupation, level and date; CR-3 scope; OF-6 body active; OF-8 贯通 registration) live in org-filing alone; a
refusal comes back as org-filing's own problem+json (422/403 with ``rule`` and ``code``), which the registry
passes on unchanged, so every route that opens a batch refuses with the same code and rule ID.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from skills_shared.validators import CreditCode, IsoDate, OccupationCode, PersonName, ResidentId


class BatchPlanCheck(BaseModel):
    """The batch the registry is about to open, as org-filing needs it to judge the plan."""

    model_config = ConfigDict(
        extra="forbid",
        title="BatchPlanCheckV1",
        json_schema_extra={
            "examples": [
                {
                    "body_code": "S000050000001",
                    "occupation_code": "6-31-01-03",
                    "work_type": "维修电工",
                    "level": 4,
                    "evaluation_date": "2026-09-17",
                    "route": None,
                }
            ]
        },
    )

    body_code: str = Field(description="Filing code of the body opening the batch.")
    occupation_code: str
    work_type: str | None = Field(default=None, description="工种, when the occupation has them.")
    level: int = Field(ge=1, le=5)
    evaluation_date: date
    route: str | None = Field(
        default=None,
        description=(
            "Evaluation route, when the batch has one: `贯通` (or `guantong`) for a 贯通 evaluation, which only a "
            "registered 贯通 body may open under a 贯通 plan (OF-8); anything else is an ordinary batch."
        ),
    )


class BatchPlanClearance(BaseModel):
    """The plan allows the batch: the facts the registry records beside it."""

    model_config = ConfigDict(
        extra="forbid",
        title="BatchPlanClearanceV1",
        json_schema_extra={
            "examples": [
                {
                    "plan_id": 12,
                    "body_code": "S000050000001",
                    "occupation_code": "6-31-01-03",
                    "levels": [4, 5],
                    "starts_on": "2026-09-17",
                    "ends_on": "2026-09-18",
                    "filed_on": "2026-09-01",
                    "district_code": "00",
                    "title_specialties": [],
                }
            ]
        },
    )

    plan_id: int
    body_code: str
    occupation_code: str
    levels: list[int]
    starts_on: date
    ends_on: date
    filed_on: date
    district_code: str = Field(description="The filing place of the body (CR-1 place code).")
    title_specialties: list[str] = Field(
        default_factory=list,
        description=(
            "For a 贯通 batch: the professional-title specialties the body's 贯通 registration maps to this "
            "occupation and level (seed 002 七(一)); empty for an ordinary batch."
        ),
    )


# --- the filing application (seed 001 附件1, OF-1) and the accepting department's steps (OF-3, OF-4) ----------
# org-filing takes these bodies on its own routes and the gateway relays them unchanged, so this module is their
# one home: both services validate with the same rules, and the gateway's document shows the same schemas.

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Sha256Hex = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$", to_lower=True),
    Field(description="SHA-256 of the file: the file store is content-addressed."),
]
PlaceCode = Annotated[str, StringConstraints(pattern=r"^[0-4][0-9]$"), Field(description="区县代码 01–41")]
Phone = Annotated[str, StringConstraints(pattern=r"^[0-9+\-() ]{7,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
Level = Annotated[
    int, Field(strict=True, ge=1, le=5, description="等级代码 1–5（1 一级/高级技师 … 5 五级/初级工）")
]


def _distinct_sorted(levels: list[int]) -> list[int]:
    if len(set(levels)) != len(levels):
        raise ValueError("评价等级不能重复")
    return sorted(levels)


Levels = Annotated[
    list[Level],
    Field(
        min_length=1, max_length=5, description="等级代码 1–5, no repeats (1 一级/高级技师 … 5 五级/初级工)."
    ),
    AfterValidator(_distinct_sorted),
]
"""A level range as filed: 1–5, no repeats, kept sorted."""


class Strict(BaseModel):
    """A request body: an unknown member is a 422 naming it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class AttachmentRef(Strict):
    """A file referenced by the SHA-256 of its bytes; the bytes live in the content-addressed store."""

    model_config = ConfigDict(extra="forbid", title="AttachmentRefV1")

    sha256: Sha256Hex
    filename: Text
    size_bytes: int = Field(strict=True, ge=1, le=200_000_000)


class OrgNature(StrEnum):
    """机构性质 on the form: 企事业单位 / 院校 / 社会组织."""

    enterprise_institution = "enterprise_institution"
    school = "school"
    social_organization = "social_organization"


class NationalBase(StrEnum):
    """National bases judged as a whole, exempt from the three size thresholds (OF-2)."""

    public_training_base = "public_training_base"  # 国家级职业技能公共实训基地
    high_skill_training_base = "high_skill_training_base"  # 国家级高技能人才培训基地
    master_studio = "master_studio"  # 国家级技能大师工作室承建单位


class BasicInfo(Strict):
    """一、基本信息."""

    model_config = ConfigDict(extra="forbid", title="FilingBasicInfoV1")

    name: Text = Field(description="机构名称")
    address: Text = Field(description="地址（注册地址）")
    office_address: Text | None = Field(default=None, description="办公地址（回执用；不填同注册地址）")
    registering_authority: Text = Field(description="注册登记机构")
    nature: OrgNature
    credit_code: CreditCode = Field(description="统一社会信用代码 (GB 32100)")
    legal_representative: PersonName
    registered_capital_fen: int = Field(strict=True, ge=0, description="注册资金（分）")
    contact_person: Text
    contact_title: Text = Field(description="联系人职务")
    contact_phone: Phone
    contact_email: Email
    independent_legal_person: StrictBool = Field(description="具有独立法人资格（OF-2）")


class OccupationApplied(Strict):
    """二、拟开展评价的职业（工种）: one row."""

    model_config = ConfigDict(extra="forbid", title="FilingOccupationV1")

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
    """Workstations of one occupation at a site."""

    model_config = ConfigDict(extra="forbid", title="FilingWorkstationsV1")

    occupation_name: Text
    count: int = Field(strict=True, ge=1, description="工位数")


class Site(Strict):
    """三（一）场地情况."""

    model_config = ConfigDict(extra="forbid", title="FilingSiteV1")

    address: Text
    area_sqm: int = Field(strict=True, ge=1, description="场地面积（平方米）")
    classrooms: int = Field(strict=True, ge=0, description="教室（间）")
    workstations: list[Workstations] = Field(min_length=1)
    description: LongText | None = None
    ownership_proof: AttachmentRef | None = Field(default=None, description="权属证明材料")


class Equipment(Strict):
    """三（二）设施设备."""

    model_config = ConfigDict(extra="forbid", title="FilingEquipmentV1")

    name: Text
    brand: Text
    model: Text
    quantity: int = Field(strict=True, ge=1)
    owner: Text = Field(description="所有权归属")


class OutsiderMixin(Strict):
    """Someone from outside the body brings a signed pledge or cooperation agreement."""

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

    model_config = ConfigDict(extra="forbid", title="FilingStaffMemberV1")

    name: PersonName
    id_number: ResidentId
    title: Text = Field(description="职称/职务")
    education: Text
    duties: Text


class Expert(OutsiderMixin):
    """四（二）专家."""

    model_config = ConfigDict(extra="forbid", title="FilingExpertV1")

    name: PersonName
    id_number: ResidentId
    title: Text
    education: Text
    specialty: Text = Field(description="专业方向")


class Assessor(OutsiderMixin):
    """四（三）考评人员."""

    model_config = ConfigDict(extra="forbid", title="FilingAssessorV1")

    name: PersonName
    id_number: ResidentId
    assessor_certificate_no: Text = Field(description="考评员证书号")
    occupation: Text = Field(description="考评职业")
    title_or_level: Text = Field(description="职称/职务/技能等级")
    education: Text


class Supervisor(Strict):
    """四（四）内部督导人员."""

    model_config = ConfigDict(extra="forbid", title="FilingSupervisorV1")

    name: PersonName
    id_number: ResidentId
    employer: Text = Field(description="所在单位")
    title_or_level: Text
    education: Text


class Pledge(Strict):
    """六、诚信承诺: the legal representative signs that everything is true."""

    model_config = ConfigDict(extra="forbid", title="FilingPledgeV1")

    accepted: Literal[True] = Field(description="承诺申报材料真实有效")
    signatory: Text = Field(description="法定代表人")
    signed_on: IsoDate


class AttachmentKind(StrEnum):
    """work_plan 附件2 工作方案; site_assets 场地设备设施; credit_report 信用报告; scale_evidence 规模辅证 (these
    four are required); financial_statement; other."""

    work_plan = "work_plan"  # 附件2 职业技能等级认定工作方案
    site_assets = "site_assets"  # 场地设备设施等资产材料
    financial_statement = "financial_statement"
    credit_report = "credit_report"  # 信用报告
    scale_evidence = "scale_evidence"  # 培训评价规模数据辅证材料
    other = "other"


class KindedAttachment(AttachmentRef):
    """An attachment of the form, with what it is."""

    model_config = ConfigDict(extra="forbid", title="FilingAttachmentV1")

    kind: AttachmentKind


_ATTACHMENT = {"sha256": "0" * 64, "size_bytes": 1024}
_PERSON = {"name": "王五", "id_number": "500101198001010013"}
APPLICATION_FORM_EXAMPLE: dict[str, Any] = {
    "level_scope": "city",
    "basic": {
        "name": "重庆市某职业技能评价中心",
        "address": "重庆市渝北区春华大道99号",
        "registering_authority": "重庆市市场监督管理局",
        "nature": "enterprise_institution",
        "credit_code": "91500000MA5U8D6X6B",
        "legal_representative": "张三",
        "registered_capital_fen": 500_000_000,
        "contact_person": "李四",
        "contact_title": "办公室主任",
        "contact_phone": "023-88126902",
        "contact_email": "contact@example.cn",
        "independent_legal_person": True,
    },
    "occupations": [
        {
            "name": "电工",
            "work_type": "维修电工",
            "code": "6-31-01-03",
            "is_new": False,
            "start_date": "2015-03-01",
            "people_evaluated": 12000,
            "levels": [1, 2, 3, 4, 5],
        },
        {
            "name": "焊工",
            "code": "6-18-02-04",
            "is_new": False,
            "start_date": "2015-03-01",
            "people_evaluated": 12000,
            "levels": [1, 2, 3, 4, 5],
        },
    ],
    "sites": [
        {
            "address": "重庆市渝北区实训楼",
            "area_sqm": 2000,
            "classrooms": 10,
            "workstations": [{"occupation_name": "电工", "count": 40}],
        }
    ],
    "equipment": [
        {"name": "电工实训台", "brand": "某品牌", "model": "DG-1", "quantity": 40, "owner": "本单位"}
    ],
    "exam_systems": "计算机考务系统一套，视频监控全覆盖",
    "staff": [{**_PERSON, "title": "主任", "education": "本科", "duties": "考务"}],
    "experts": [
        {**_PERSON, "title": "高级工程师", "education": "硕士", "specialty": "电气", "in_house": True}
    ],
    "assessors": [
        {
            **_PERSON,
            "assessor_certificate_no": "KP-001",
            "occupation": "电工",
            "title_or_level": "高级考评员",
            "education": "本科",
            "in_house": False,
            "agreement": {**_ATTACHMENT, "filename": "协议.pdf"},
        }
    ],
    "supervisors": [{**_PERSON, "employer": "本单位", "title_or_level": "督导员", "education": "本科"}],
    "systems": "制度健全，参与教材编写与题库开发",
    "pledge": {"accepted": True, "signatory": "张三", "signed_on": "2026-12-01"},
    "attachments": [
        {**_ATTACHMENT, "kind": kind, "filename": f"{kind}.pdf"}
        for kind in ("work_plan", "site_assets", "credit_report", "scale_evidence")
    ],
}


class ApplicationForm(Strict):
    """The complete 附件1 form: what a submitted application must hold (OF-1). org-filing also checks it across
    sections (district for a district-level body, the four required attachments, no repeated occupation or
    person) and computes the OF-2 / CR-3 verdicts."""

    model_config = ConfigDict(
        extra="forbid", title="BodyApplicationV1", json_schema_extra={"examples": [APPLICATION_FORM_EXAMPLE]}
    )

    level_scope: Literal["city", "district"] = Field(description="全市 (levels 1–5) or 区县 (3–5, CR-3).")
    district_code: PlaceCode | None = Field(
        default=None,
        validation_alias=AliasChoices("district_code", "district"),
        description="区县级机构的受理区县代码（01–41）; none for a city-wide body. `district` is its deprecated "
        "name (one version).",
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


class EvaluationIn(Strict):
    """The accepting department's evaluation ('who accepts, evaluates', OF-3) with its OF-2 findings."""

    model_config = ConfigDict(
        extra="forbid",
        title="ApplicationEvaluationV1",
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
    sound_finances: StrictBool = Field(description="财务状况良好")
    good_credit: StrictBool = Field(description="信用良好")
    no_violation_record: StrictBool = Field(description="无违法违规记录")
    opinion: LongText = Field(description="评估意见")


class PublishIn(Strict):
    """The selection's publicity period (OF-3): from the selection on, and not over when recorded."""

    model_config = ConfigDict(
        extra="forbid",
        title="ApplicationPublicationV1",
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
    """Filing (OF-3, OF-4): the body gets its code and receipt; the receipt's validity and the opinion."""

    model_config = ConfigDict(
        extra="forbid",
        title="ApplicationFilingV1",
        json_schema_extra={"examples": [{"valid_from": "2026-09-10", "opinion": "同意备案"}]},
    )

    valid_from: IsoDate
    valid_to: IsoDate | None = Field(default=None, description="不填则为 3 年（OF-3 上限）")
    opinion: Text = Field(default="同意备案", description="备案管理部门意见")


class RejectIn(Strict):
    """Why the accepting department refuses the application."""

    model_config = ConfigDict(
        extra="forbid",
        title="ApplicationRejectionV1",
        json_schema_extra={"examples": [{"reason": "场地设施不符合评价要求"}]},
    )

    reason: LongText


class FilingScopeLine(BaseModel):
    """One filed occupation of a body: its 工种 (empty: any) and levels (CR-3)."""

    model_config = ConfigDict(extra="forbid", title="FilingScopeLineV1")

    occupation_code: str
    occupation_name: str
    work_types: list[str]
    levels: list[int]


class FilingBody(BaseModel):
    """A filed body's public record (``GET /v1/bodies/{code}``; seed 001 二(三) published for query): the facts
    the gateway and other services act on. No personal data."""

    model_config = ConfigDict(extra="forbid", title="FilingBodyV1")

    code: str = Field(description="13-character filing code (OF-4, CR-1 positions 1–13).")
    name: str = Field(description="Name exactly as filed (printed on certificates).")
    credit_code: str
    district_code: str = Field(
        description="The filing district (备案地): 00 the city centre, 01–41 a district."
    )
    district_name: str
    level_scope: str = Field(description="city (levels 1–5) or district (3–5), CR-3.")
    status: str = Field(
        description="active, suspended or cancelled (a merged body is cancelled with merged_into)."
    )
    registered_address: str
    office_address: str
    legal_representative: str
    valid_from: date
    valid_to: date
    filed_on: date
    extended: bool = Field(description="The validity was extended once (OF-6).")
    merged_into: str | None = None
    cancelled_on: date | None = None
    scope: list[FilingScopeLine]


class FilingPlanPerson(BaseModel):
    """A person named in a plan, ID number masked."""

    model_config = ConfigDict(extra="forbid", title="FilingPlanPersonV1")

    name: str
    id_number: str = Field(description="身份证号（脱敏）")
    role: str | None = None


class FilingPlan(BaseModel):
    """A filed batch plan (OF-5): what, when, where, how and who (seed 001 二(四)1)."""

    model_config = ConfigDict(extra="forbid", title="FilingPlanV1")

    id: int
    body_code: str
    body_status: str
    name: str
    is_guantong: bool
    occupation_code: str
    work_type: str | None
    levels: list[int]
    starts_on: date
    ends_on: date
    venue: str
    sessions: int
    method: str
    candidate_count: int
    candidates: list[FilingPlanPerson]
    assessors: list[FilingPlanPerson]
    supervisors: list[FilingPlanPerson]
    filed_on: date
    status: str = Field(description="filed (standing) or withdrawn.")
    created_at: datetime


# The public working-day calendar (org-filing ``/v1/calendar``), relayed by the gateway at ``/api/v1/calendar``.
class WorkingDaysOut(BaseModel):
    """P-1: a period of N working days that starts on ``start`` (the start day itself is not counted)."""

    model_config = ConfigDict(
        title="WorkingDayPeriod",
        json_schema_extra={
            "examples": [
                {
                    "rule": "P-1",
                    "start": "2025-09-30",
                    "n": 5,
                    "working_days": ["2025-10-09", "2025-10-10", "2025-10-11", "2025-10-13", "2025-10-14"],
                    "last_day": "2025-10-14",
                    "next_day": "2025-10-15",
                    "covered_years": [2025, 2026],
                }
            ]
        },
    )

    rule: str = Field(description="The rule that counts the period (P-1).")
    start: date
    n: int
    working_days: list[date] = Field(description="The N working days of the period, in order.")
    last_day: date = Field(description="The period's last day (the N-th working day after start).")
    next_day: date = Field(description="The first day after the period: when the next step may happen.")
    covered_years: list[int] = Field(
        description="Years the calendar holds (holidays and 调休); P-3 outside them."
    )


class DeadlineOut(BaseModel):
    """P-2: what "at least N working days before the event" means for one event day."""

    model_config = ConfigDict(
        title="WorkingDayDeadline",
        json_schema_extra={
            "examples": [
                {
                    "rule": "P-2",
                    "event_date": "2026-10-20",
                    "n": 10,
                    "latest_filing_date": "2026-09-30",
                    "filed_on": "2026-10-08",
                    "on_time": False,
                    "earliest_event_date": "2026-10-21",
                    "uncovered_years": [],
                    "covered_years": [2025, 2026],
                }
            ]
        },
    )

    rule: str = Field(description="The rule that counts the deadline (P-2).")
    event_date: date
    n: int
    latest_filing_date: date | None = Field(
        default=None,
        description="The last working day a filing for the event is on time (null only when ``filed_on`` is "
        "given and this day depends on a year listed in ``uncovered_years``).",
    )
    filed_on: date | None = Field(default=None, description="The filing day asked about, when given.")
    on_time: bool | None = Field(default=None, description="Whether a filing on ``filed_on`` is on time.")
    earliest_event_date: date | None = Field(
        default=None, description="The first event day a filing on ``filed_on`` allows."
    )
    uncovered_years: list[int] = Field(
        default_factory=list,
        description="Years a date left null here depends on, not yet in the calendar (P-3).",
    )
    covered_years: list[int] = Field(
        description="Years the calendar holds (holidays and 调休); P-3 outside them."
    )


# --- plans: the batch plan a body files (seed 001 二(四)1; OF-5 decides on time) ---


class PlanPerson(Strict):
    """Someone named in a plan: a candidate, an assessor or a supervisor."""

    model_config = ConfigDict(extra="forbid", title="PlanPersonV1")

    name: PersonName
    id_number: ResidentId
    role: Text | None = Field(default=None, description="e.g. 考评员、督导员、现场负责人")


class PlanFiling(Strict):
    """A batch plan as a body files it (seed 001 二(四)1): at least 10 working days before ``starts_on``."""

    model_config = ConfigDict(
        extra="forbid",
        title="PlanFilingV1",
        json_schema_extra={
            "examples": [
                {
                    "name": "2026年第三批电工职业技能等级认定",
                    "is_guantong": False,
                    "occupation_code": "6-31-01-03",
                    "work_type": "维修电工",
                    "levels": [4, 5],
                    "starts_on": "2026-09-17",
                    "ends_on": "2026-09-18",
                    "venue": "重庆市渝中区某实训楼三楼",
                    "sessions": 2,
                    "method": "理论知识考试 + 技能操作考核",
                    "candidates": [{"name": "张某某", "id_number": "500101198001010013"}],
                    "assessors": [{"name": "李某某", "id_number": "500101198001010021", "role": "考评员"}],
                    "supervisors": [{"name": "王某某", "id_number": "50010119800101003X", "role": "督导员"}],
                }
            ]
        },
    )

    name: Text = Field(description="计划名称（贯通计划须含“贯通”）")
    is_guantong: StrictBool = False
    occupation_code: OccupationCode
    work_type: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = None
    levels: Levels
    starts_on: IsoDate
    ends_on: IsoDate
    venue: Text = Field(description="评价地点")
    sessions: int = Field(strict=True, ge=1, le=1000, description="场次")
    method: LongText = Field(description="评价方式")
    candidates: list[PlanPerson] = Field(min_length=1, max_length=5000, description="参加评价人员")
    assessors: list[PlanPerson] = Field(min_length=1, max_length=500, description="考评人员")
    supervisors: list[PlanPerson] = Field(min_length=1, max_length=200, description="督导人员")

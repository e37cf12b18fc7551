"""What the certificate registry answers other services, and what it accepts from them (provider: registry).

- ``PUT /v1/issuers/{code}`` takes :class:`IssuerSync` (org-filing's outbox, service token) and answers
  :class:`IssuerRecord`;
- ``GET /v1/certificates/{number}/record`` answers :class:`CertificateRecord`, what subsidy-claims checks a claim
  against (CQ-4, SH-2, SH-7);
- ``GET /v1/certificates/{number}`` (the public look-up, CR-6) answers :class:`PublicCertificate`, and
  ``GET /v1/me/certificates`` a ``Page`` of them ("my things");
- ``GET /v1/certificates/{number}/document`` answers :class:`CertificateCredentialDocument` (its credential's
  subject is :class:`CertificateCredentialSubject`), ``GET /v1/credentials/jwks`` :class:`PublishedKeys` and
  ``GET /v1/signing-key`` :class:`SigningKeyInfo` (the gateway's verify page);
- ``POST /v1/batches`` takes :class:`BatchOpen` and answers :class:`CertificateBatch` (the gateway's batch
  workflow reads ``body_code`` from it);
- ``GET /v1/certificate-numbers/{number}`` answers :class:`CertificateNumberParts` (public decode, CR-1).

Every model forbids unknown members, so a renamed field on either side fails loudly (a 422 for input, a 502
``upstream_contract_mismatch`` for a consumer parsing an answer) instead of being dropped on the way.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from skills_shared.validators import IsoDate, OccupationCode

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
BODY_CODE_PATTERN = r"^[SY][0-9]{12}$"


def _clean(value: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise PydanticCustomError("control_character", "含有控制字符或不可见字符")
    if not text:
        raise PydanticCustomError("blank", "不能为空")
    return text


def _not_a_flag(value: Any) -> Any:
    """An identifier may still come as the digits of the deprecated ``plan_ref`` string, but never as a boolean."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "应为整数，不能是布尔值")
    return value


def _sane_date(value: date) -> date:
    if not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise PydanticCustomError("date_out_of_range", "日期应在2000-01-01至2099-12-31之间")
    return value


Name50 = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_clean)]
Name100 = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean)]
Name200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean)]
Reason = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_clean)]
SaneDate = Annotated[IsoDate, AfterValidator(_sane_date)]
"""A date given as ``YYYY-MM-DD`` only (never a number: issue 20 item 10), between 2000 and 2099."""
BodyCode = Annotated[
    str,
    Field(
        min_length=13, max_length=13, pattern=BODY_CODE_PATTERN, description="13-character body code (CR-1)."
    ),
]


# --- issuers (org-filing → registry) ----------------------------------------------------------------------


class IssuerStatus(StrEnum):
    """Lifecycle of an issuer as filed with the HR department (CR-2: cancelled and merged are final)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    MERGED = "merged"


class Jurisdiction(StrEnum):
    """City-wide bodies may evaluate levels 1–5; district-level bodies only 3–5 (CR-3)."""

    CITY = "city"
    DISTRICT = "district"


class IssuerScopeItem(BaseModel):
    """One filed occupation: its 工种 (empty when the occupation has none) and the levels filed (CR-3)."""

    model_config = ConfigDict(extra="forbid", title="IssuerScopeItemV1")

    occupation_code: OccupationCode
    occupation_name: Name100
    work_types: list[Name100] = Field(default_factory=list, max_length=100)
    levels: list[StrictInt] = Field(min_length=1, max_length=5)

    @field_validator("levels")
    @classmethod
    def _levels(cls, levels: list[int]) -> list[int]:
        if any(level < 1 or level > 5 for level in levels):
            raise ValueError("等级代码应为1–5")
        if len(set(levels)) != len(levels):
            raise ValueError("等级不能重复")
        return sorted(levels)


class IssuerSync(BaseModel):
    """The whole issuer state org-filing's outbox PUTs; a PUT replaces it, so replays and reordering converge."""

    model_config = ConfigDict(
        extra="forbid",
        title="IssuerSyncV1",
        json_schema_extra={
            "examples": [
                {
                    "name": "重庆市某职业技能评价中心",
                    "status": "active",
                    "scope": [
                        {
                            "occupation_code": "4-01-01-01",
                            "occupation_name": "电工",
                            "work_types": ["维修电工"],
                            "levels": [3, 4, 5],
                        }
                    ],
                    "level_scope": "district",
                    "valid_from": "2025-01-01",
                    "valid_to": "2027-12-31",
                }
            ]
        },
    )

    name: Name200 = Field(description="Name exactly as filed; printed on certificates (CR-5).")
    status: IssuerStatus
    scope: list[IssuerScopeItem] = Field(max_length=500)
    level_scope: Jurisdiction | None = Field(
        default=None,
        description="city: levels 1–5; district: 3–5 (CR-3). Default: city when the place is 00.",
    )
    valid_from: SaneDate
    valid_to: SaneDate
    merged_into: str | None = Field(default=None, min_length=13, max_length=13, pattern=BODY_CODE_PATTERN)

    @model_validator(mode="after")
    def _order(self) -> IssuerSync:
        if self.valid_from > self.valid_to:
            raise ValueError("备案有效期起始日不能晚于截止日")
        return self


class IssuerRecord(BaseModel):
    """An issuer as the registry keeps it (also once retired, CR-2)."""

    model_config = ConfigDict(extra="forbid", title="IssuerRecordV1")

    code: str
    category: str
    route: str
    province: str
    district_code: str = Field(description="Filing place code (CR-1 positions 6–7).")
    district_name: str = Field(description="Filing place name, e.g. 渝中区; empty outside Chongqing.")
    sequence: str
    name: str
    level_scope: Jurisdiction
    scope: list[IssuerScopeItem]
    valid_from: date
    valid_to: date
    status: IssuerStatus
    retired: bool = Field(description="Cancelled or merged: kept for look-up and tracing only (CR-2).")
    merged_into: str | None = None


# --- certificates -----------------------------------------------------------------------------------------


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class ObtainedBy(StrEnum):
    """How a certificate was obtained: subsidy rules depend on it (e.g. SH-7 excludes some)."""

    EVALUATION = "evaluation"
    DIRECT_RECOGNITION = "direct_recognition"
    COMPETITION = "competition"


class PublicCertificate(BaseModel):
    """CR-6 public answer (look-up, verify page, the holder's own list): the ID number masked."""

    model_config = ConfigDict(extra="forbid", title="PublicCertificateV1")

    number: str
    holder_name: str
    id_number_masked: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int
    level_name: str
    issue_date: date
    body_name: str
    status: CertificateStatus
    revoked_reason: str | None = None
    revoked_on: date | None = None


class CertificateRecord(BaseModel):
    """The full record a subsidy claim is checked against (CQ-4, SH-2, SH-7, SH-14); service and officer roles.

    The registry issues 职业技能等级证书 only, so ``kind`` is always ``skill_level``.
    """

    model_config = ConfigDict(extra="forbid", title="CertificateRecordV1")

    number: str
    kind: Literal["skill_level"] = "skill_level"
    holder_name: str = Field(description="The holder's name as printed on the certificate.")
    id_number: str = Field(description="The holder's resident ID number, unmasked.")
    occupation_code: str
    occupation_name: str
    work_type: str | None = Field(description="工种; null when the occupation has none.")
    level: int = Field(ge=1, le=5)
    issue_date: date
    body_code: str
    body_name: str
    obtained_by: ObtainedBy
    status: CertificateStatus
    revoked_reason: str | None = None
    revoked_on: date | None = None


class CertificateCredentialSubject(BaseModel):
    """What CR-5 prints, as the `credentialSubject` of the certificate's Verifiable Credential."""

    model_config = ConfigDict(extra="forbid", title="CertificateCredentialSubjectV1")

    number: str
    holder_name: str
    id_number: str
    occupation_code: str
    occupation_name: str
    work_type: str = Field(description='"——" when the occupation has no 工种 (附件4 注3).')
    level: int
    level_name: str
    issue_date: date
    body_code: str
    body_name: str
    filing_authority: str = Field(
        description="The HR-and-social-security office that filed the issuing body."
    )
    obtained_by: ObtainedBy
    query_address: str


class CertificateCredentialDocument(BaseModel):
    """The certificate as a W3C Verifiable Credential secured as a compact JWS (`vc+jwt`, EdDSA), the credential
    decoded for reading (the JWS is what is signed), and the certificate's live status."""

    model_config = ConfigDict(extra="forbid", title="CertificateCredentialDocumentV1")

    credential: str = Field(
        description="Compact JWS, header typ `vc+jwt`, alg `EdDSA`, kid of the signing key."
    )
    media_type: Literal["application/vc+jwt"] = "application/vc+jwt"
    key_id: str
    algorithm: Literal["EdDSA"] = "EdDSA"
    document: dict[str, Any] = Field(
        description="The Verifiable Credential (VC Data Model 2.0) the JWS carries."
    )
    status: CertificateStatus
    revoked_reason: str | None = None
    revoked_on: date | None = None


class SigningKeyInfo(BaseModel):
    """The key that signs now; every key that ever signed is in the JWKS at `jwks_url`."""

    model_config = ConfigDict(extra="forbid", title="SigningKeyInfoV1")

    key_id: str
    algorithm: Literal["EdDSA"] = "EdDSA"
    public_key: str = Field(description="base64url of the raw 32-byte Ed25519 public key.")
    public_key_pem: str
    jwks_url: str


class PublishedKey(BaseModel):
    """One RFC 8037 OKP key of the registry's JWKS."""

    model_config = ConfigDict(extra="forbid", title="PublishedKeyV1")

    kty: Literal["OKP"] = "OKP"
    crv: Literal["Ed25519"] = "Ed25519"
    x: str
    kid: str
    alg: Literal["EdDSA"] = "EdDSA"
    use: Literal["sig"] = "sig"


class PublishedKeys(BaseModel):
    """The JWKS of every key that has signed certificates, retired keys included."""

    model_config = ConfigDict(extra="forbid", title="PublishedKeysV1")

    keys: list[PublishedKey]


# --- batches (gateway workflow → registry) ----------------------------------------------------------------


class Method(StrEnum):
    """How a batch evaluates; it decides which subjects count and how a certificate was obtained."""

    EXAMINATION = "examination"  # 理论知识考试 + 技能操作考核 (+ 综合评审 for 技师/高级技师)
    ASSESSMENT = "assessment"  # 考核评价: skill operation by assessors
    PANEL_REVIEW = "panel_review"  # 综合评审
    DIRECT_RECOGNITION = "direct_recognition"  # 直接认定
    COMPETITION = "competition"  # 竞赛晋级


class BatchStatus(StrEnum):
    """draft → publicity → approved → issued (CR-4); results can be replaced only in draft."""

    DRAFT = "draft"
    PUBLICITY = "publicity"
    APPROVED = "approved"
    ISSUED = "issued"


class BatchOpen(BaseModel):
    """Open an evaluation batch under a filed plan (OF-5, checked with org-filing when the batch opens)."""

    model_config = ConfigDict(
        extra="forbid",
        title="BatchOpenV1",
        json_schema_extra={
            "examples": [
                {
                    "body_code": "S000050070001",
                    "plan_id": 12,
                    "occupation_code": "4-01-01-01",
                    "occupation_name": "电工",
                    "work_type": "维修电工",
                    "level": 4,
                    "evaluation_date": "2026-12-28",
                    "method": "examination",
                    "guantong": False,
                }
            ]
        },
    )

    body_code: BodyCode
    plan_id: Annotated[int, BeforeValidator(_not_a_flag)] = Field(
        ge=1,
        le=2_147_483_647,
        validation_alias=AliasChoices("plan_id", "plan_ref"),
        description="The evaluation plan filed with org-filing (OF-5). `plan_ref` is a deprecated alias.",
    )
    occupation_code: OccupationCode
    occupation_name: Name100
    work_type: Name100 | None = Field(default=None, description="工种; null when the occupation has none.")
    level: StrictInt = Field(ge=1, le=5)
    evaluation_date: SaneDate
    method: Method
    guantong: StrictBool = Field(default=False, description="贯通 batch (seed 002): scored as CR-8/CR-9 say.")


class CertificateBatch(BaseModel):
    """An evaluation batch as the registry keeps it."""

    model_config = ConfigDict(extra="forbid", title="CertificateBatchV1")

    id: uuid.UUID
    body_code: str
    district_code: str = Field(description="Filing place of the body (CR-1 place code).")
    plan_id: int
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int
    evaluation_date: date
    method: Method
    guantong: bool
    status: BatchStatus
    candidate_count: int
    passed_count: int
    publicity_starts: date | None = Field(
        description="First day of publicity (CR-4); objections and approval are decided from it."
    )
    publicity_ends: date | None = Field(
        description="Last day of publicity (P-1: the 5th working day after the start); approval from the day "
        "after. Null while the working-day calendar does not cover that day (P-3: a publicity started late in "
        "December ends in a year whose holidays are not yet published), never guessed; the publicity runs anyway."
    )
    approved_at: datetime | None


class TitleLevel(StrEnum):
    """Professional-technical title levels (职称级别) seed 002 二 names."""

    ASSISTANT = "assistant"  # 助理级
    INTERMEDIATE = "intermediate"  # 中级
    ASSOCIATE_SENIOR = "associate_senior"  # 副高级
    SENIOR = "senior"  # 正高级


class TitleHeld(BaseModel):
    """贯通: the applicant's professional-technical title and what the promotion routes ask (CR-9, seed 002 二)."""

    model_config = ConfigDict(extra="forbid", title="TitleHeldV1")

    level: TitleLevel = Field(
        description="职称级别: assistant 助理级, intermediate 中级, associate_senior 副高级, senior 正高级."
    )
    specialty: Name100 = Field(description="职称专业, e.g. 电气工程.")
    related_work_years: StrictInt = Field(
        ge=0, le=60, description="Full years of related or similar work (从事相关或相近工作累计工作年限)."
    )
    skill_level_held: StrictInt | None = Field(
        default=None,
        ge=1,
        le=5,
        description="Skill level already held in this occupation, if any (晋级评价).",
    )
    skill_level_years: StrictInt | None = Field(
        default=None, ge=0, le=60, description="Full years since that skill level was obtained."
    )
    front_line: StrictBool = Field(
        default=False, description="Works in front-line production skills (从事生产一线技能工作; 副高/正高)."
    )


class CandidateResult(BaseModel):
    """One result row. Types are checked here; the domain checks (checksum, duplicates, subjects) run on the
    whole upload at once so that a single 422 lists every bad row."""

    model_config = ConfigDict(extra="forbid", title="CandidateResultV1")

    name: str = Field(
        max_length=200,
        description="姓名，与身份证一致; checked on the whole upload with the suite's one name check "
        "(skills_shared.validators.validate_person_name), so that one 422 lists every bad row.",
    )
    id_number: str = Field(max_length=40)
    gender: str = Field(max_length=4, description="男 or 女; must agree with the ID number.")
    photo_ref: str | None = Field(default=None, max_length=400, description="Reference of the 2-inch photo.")
    scores: dict[str, StrictInt] = Field(
        default_factory=dict,
        max_length=3,
        description="One score per subject (theory, skill, comprehensive).",
    )
    panel: dict[str, list[StrictInt]] = Field(
        default_factory=dict,
        max_length=3,
        description="贯通 panel review: the three experts' scores per subject.",
    )
    title: TitleHeld | None = Field(default=None, description="贯通 only: the title held (CR-9).")


class ResultsUpload(BaseModel):
    """Up to 10,000 rows; all or nothing."""

    model_config = ConfigDict(
        extra="forbid",
        title="ResultsUploadV1",
        json_schema_extra={
            "examples": [
                {
                    "candidates": [
                        {
                            "name": "张三",
                            "id_number": "500106199003070013",
                            "gender": "男",
                            "photo_ref": "photos/1.jpg",
                            "scores": {"theory": 75, "skill": 80},
                        }
                    ]
                }
            ]
        },
    )

    candidates: list[CandidateResult] = Field(min_length=1, max_length=10_000)


class ResultsUploaded(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ResultsUploadedV1")

    batch_id: uuid.UUID
    candidate_count: int
    passed_count: int


class IssueOutcome(BaseModel):
    """Numbers handed out to a reviewed batch (CR-1, CR-4)."""

    model_config = ConfigDict(extra="forbid", title="IssueOutcomeV1")

    batch_id: uuid.UUID
    issued_count: int
    first_number: str
    last_number: str
    issue_date: date


# --- certificate numbers (public decode, CR-1) ------------------------------------------------------------


class CertificateNumberParts(BaseModel):
    """A well-formed 22-character certificate number, decoded part by part (CR-1, seed 001 附件5)."""

    model_config = ConfigDict(extra="forbid", title="CertificateNumberPartsV1")

    number: str
    category: str = Field(description="Position 1: S 社会培训评价组织, Y 用人单位.")
    category_name: str
    route: str = Field(description="Positions 2–5.")
    route_name: str = Field(description="Who assigned the route, e.g. 重庆市人力社保部门备案.")
    province_code: str = Field(description="Positions 6–7.")
    province_name: str
    district_code: str = Field(description="Positions 8–9: the filing place.")
    district_name: str
    body_sequence: str = Field(description="Positions 10–13.")
    body_code: str = Field(description="Positions 1–13.")
    year: int = Field(description="Positions 14–15 as a year of issue.")
    level_code: int = Field(description="Position 16.")
    level_name: str
    serial: str = Field(description="Positions 17–22.")


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """The first documented example of a request model (tests and docs reuse it)."""
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list)
    first = examples[0]
    assert isinstance(first, dict)
    return first

"""Plain facts a policy is evaluated over, each fact carrying where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from skills_shared.contracts.v1.subsidy import (
    CatalogueClass,
    CqIdentityCategory,
    EmployerTrade,
    Provenance,
    ShGroup,
)
from skills_shared.reference import CertificateKind

__all__ = [
    "CatalogueClass",
    "CertificateFacts",
    "CertificateKind",
    "ClaimFacts",
    "CqFacts",
    "CqIdentityCategory",
    "EmployerTrade",
    "Fact",
    "ObtainedVia",
    "PastSubsidy",
    "Provenance",
    "Sex",
    "ShFacts",
    "ShGroup",
    "SubsidyKind",
    "declared",
    "verified",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """A value with its provenance; ``source`` names the system that verified it."""

    value: T
    provenance: Provenance = Provenance.DECLARED
    source: str | None = None

    @property
    def verified(self) -> bool:
        return self.provenance is Provenance.VERIFIED


def declared(value: T) -> Fact[T]:
    return Fact(value, Provenance.DECLARED, None)


def verified(value: T, source: str) -> Fact[T]:
    return Fact(value, Provenance.VERIFIED, source)


class ObtainedVia(StrEnum):
    """How a certificate was obtained; SH-7 excludes all but evaluation."""

    EVALUATION = "evaluation"
    ENTERPRISE_DIRECT_RECOGNITION = "enterprise_direct_recognition"
    COMPETITION_PROMOTION = "competition_promotion"
    FOREIGN_MAPPING = "foreign_mapping"
    COMMENDATION = "commendation"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What the certificate record says; ``verified_by`` is None until the registry confirmed it."""

    number: str
    holder_id_number: str
    holder_name: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int | None
    kind: CertificateKind
    issue_date: date
    obtained_via: ObtainedVia = ObtainedVia.EVALUATION
    province_code: str | None = None
    verified_by: str | None = None

    @property
    def family_key(self) -> str:
        """The occupation family of CQ-6: an occupation and all its 工种."""
        return self.occupation_code

    @property
    def work_type_key(self) -> str:
        """The occupation (工种) of CQ-7 / SH-6; a certificate without 工种 is the occupation itself."""
        return f"{self.occupation_code}/{self.work_type or ''}"


class SubsidyKind(StrEnum):
    """Past payments that matter to the double-payment rules."""

    CQ_EVAL = "cq-eval"  # 职业技能评价补贴 (Chongqing)
    CQ_JIANDING = "cq-jianding"  # former 职业技能鉴定补贴 (CQ-8)
    SH_UPGRADE = "sh-upgrade"  # 职业技能提升补贴 (Shanghai)
    SH_TRAINING = "sh-training"  # 职业技能培训补贴 (Shanghai, counts for SH-13)


@dataclass(frozen=True, slots=True)
class PastSubsidy:
    """One subsidy already granted to the applicant, from our own records or a named source."""

    kind: SubsidyKind
    occupation_code: str
    work_type: str | None
    level: int | None
    year: int
    as_in_service: bool = False
    as_secondary_student: bool = False
    source: str = "subsidy-claims"

    @property
    def work_type_key(self) -> str:
        return f"{self.occupation_code}/{self.work_type or ''}"


@dataclass(frozen=True, slots=True)
class CqFacts:
    """Facts only the Chongqing evaluation subsidy asks for."""

    identity_category: Fact[CqIdentityCategory]
    district_code: str
    applied_amount_fen: int


@dataclass(frozen=True, slots=True)
class ShFacts:
    """Facts only the Shanghai skill-upgrade subsidy asks for; status is as on the certificate date."""

    group: Fact[ShGroup]
    hukou_shanghai: Fact[bool]
    catalogue_class: CatalogueClass | None
    hukou_district: str | None = None
    employed_in_shanghai_now: Fact[bool] = field(default_factory=lambda: declared(False))
    employment_start: Fact[date | None] = field(default_factory=lambda: declared(None))
    employer_insurance_district: str | None = None
    employer_district: str | None = None
    employer_trade: EmployerTrade | None = None
    post_occupation_code: Fact[str | None] = field(default_factory=lambda: declared(None))
    pension_and_medical_in_shanghai: Fact[bool] = field(default_factory=lambda: declared(False))
    insurance_district: str | None = None
    school_in_shanghai: bool = False
    school_district: str | None = None
    graduating_year_start: date | None = None
    graduating_year_end: date | None = None
    veteran_discharged_on: date | None = None
    civil_servant: Fact[bool] = field(default_factory=lambda: declared(False))
    public_institution_non_skill_post: Fact[bool] = field(default_factory=lambda: declared(False))
    counter_district: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """Everything one evaluation needs; ``applied_on`` is the Shanghai business date of the application."""

    applied_on: date
    birth_date: date
    sex: Sex
    certificate: CertificateFacts
    prior_subsidies: tuple[PastSubsidy, ...] = ()
    cq: CqFacts | None = None
    sh: ShFacts | None = None

"""Turn a stored draft (JSON facts with provenance) and a registry record into the policies' plain facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from skills_shared.validators import resident_id_birth_date, resident_id_gender
from subsidy_claims.policies.facts import (
    CatalogueClass,
    CertificateFacts,
    ClaimFacts,
    CqFacts,
    CqIdentityCategory,
    EmployerTrade,
    Fact,
    PastSubsidy,
    Provenance,
    Sex,
    ShFacts,
    ShGroup,
    SubsidyKind,
)


def _fact(raw: dict[str, Any] | None, convert: Any = None) -> Fact[Any]:
    if raw is None:
        return Fact(None)
    value = raw.get("value")
    if convert is not None and value is not None:
        value = convert(value)
    return Fact(value, Provenance(raw.get("provenance", "declared")), raw.get("source"))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def cq_facts(raw: dict[str, Any]) -> CqFacts:
    return CqFacts(
        identity_category=_fact(raw["identity_category"], CqIdentityCategory),
        district_code=raw.get("district_code") or raw["evaluation_district"],
        applied_amount_fen=int(raw["applied_amount_fen"]),
    )


def sh_facts(raw: dict[str, Any], catalogue_class: CatalogueClass | None) -> ShFacts:
    trade = raw.get("employer_trade")
    return ShFacts(
        group=_fact(raw["group"], ShGroup),
        hukou_shanghai=_fact(raw["hukou_shanghai"], bool),
        catalogue_class=catalogue_class,
        hukou_district=raw.get("hukou_district"),
        employed_in_shanghai_now=_fact(raw.get("employed_in_shanghai_now"), bool),
        employment_start=_fact(raw.get("employment_start"), date.fromisoformat),
        employer_insurance_district=raw.get("employer_insurance_district"),
        employer_district=raw.get("employer_district"),
        employer_trade=EmployerTrade(trade) if trade else None,
        post_occupation_code=_fact(raw.get("post_occupation_code")),
        pension_and_medical_in_shanghai=_fact(raw.get("pension_and_medical_in_shanghai"), bool),
        insurance_district=raw.get("insurance_district"),
        school_in_shanghai=bool(raw.get("school_in_shanghai")),
        school_district=raw.get("school_district"),
        graduating_year_start=_date(raw.get("graduating_year_start")),
        graduating_year_end=_date(raw.get("graduating_year_end")),
        veteran_discharged_on=_date(raw.get("veteran_discharged_on")),
        civil_servant=_fact(raw.get("civil_servant"), bool),
        public_institution_non_skill_post=_fact(raw.get("public_institution_non_skill_post"), bool),
        counter_district=raw.get("counter_district"),
    )


def declared_past(raw: list[dict[str, Any]]) -> list[PastSubsidy]:
    return [
        PastSubsidy(
            kind=SubsidyKind(p["kind"]),
            occupation_code=p["occupation_code"],
            work_type=p.get("work_type"),
            level=p.get("level"),
            year=int(p["year"]),
            as_in_service=bool(p.get("as_in_service")),
            as_secondary_student=bool(p.get("as_secondary_student")),
            source="declared",
        )
        for p in raw
    ]


def claim_facts(
    *,
    applied_on: date,
    applicant_id: str,
    stored: dict[str, Any],
    certificate: CertificateFacts,
    prior: list[PastSubsidy],
    catalogue_class: CatalogueClass | None,
) -> ClaimFacts:
    cq = stored.get("cq")
    sh = stored.get("sh")
    return ClaimFacts(
        applied_on=applied_on,
        birth_date=resident_id_birth_date(applicant_id),
        sex=Sex.MALE if resident_id_gender(applicant_id) == "M" else Sex.FEMALE,
        certificate=certificate,
        prior_subsidies=tuple(prior + declared_past(stored.get("declared_past_subsidies", []))),
        cq=cq_facts(cq) if cq else None,
        sh=sh_facts(sh, catalogue_class) if sh else None,
    )

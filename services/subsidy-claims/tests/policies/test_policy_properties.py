"""Hypothesis properties that must hold for any facts, not just the table rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_claims.policies import cq_eval, rules, sh_upgrade
from subsidy_claims.policies.calendar_months import add_months, age_on
from subsidy_claims.policies.decision import Outcome, RuleVerdict
from subsidy_claims.policies.facts import (
    CatalogueClass,
    CertificateFacts,
    CertificateKind,
    ClaimFacts,
    CqFacts,
    CqIdentityCategory,
    ObtainedVia,
    PastSubsidy,
    Sex,
    ShFacts,
    ShGroup,
    SubsidyKind,
    declared,
    verified,
)
from subsidy_claims.policies.tables import SH3_AMOUNTS_FEN, level_key

levels = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2029, 12, 31))
occupations = st.sampled_from(["4-01-02-03", "4-10-01-05", "4-03-02-07", "6-02-06-07"])
districts = st.one_of(st.none(), st.sampled_from(["310101", "310115", "310151", "999999"]))


@st.composite
def certificates(draw: st.DrawFn) -> CertificateFacts:
    level = draw(levels)
    return CertificateFacts(
        number="S000050050001253000001",
        holder_id_number="11010519491231002X",
        holder_name="王五",
        occupation_code=draw(occupations),
        occupation_name="x",
        work_type=draw(st.sampled_from([None, "甲", "乙"])),
        level=level,
        kind=CertificateKind.SPECIAL_ABILITY
        if level is None
        else draw(st.sampled_from([CertificateKind.VOCATIONAL_QUALIFICATION, CertificateKind.SKILL_LEVEL])),
        issue_date=draw(days),
        obtained_via=draw(st.sampled_from(list(ObtainedVia))),
        province_code=draw(st.sampled_from(["50", "31", None])),
        verified_by=draw(st.sampled_from([None, "certificate-registry"])),
    )


@st.composite
def past(draw: st.DrawFn) -> PastSubsidy:
    return PastSubsidy(
        kind=draw(st.sampled_from(list(SubsidyKind))),
        occupation_code=draw(occupations),
        work_type=draw(st.sampled_from([None, "甲", "乙"])),
        level=draw(levels),
        year=draw(st.integers(2024, 2029)),
        as_in_service=draw(st.booleans()),
        as_secondary_student=draw(st.booleans()),
    )


def fact(value: object) -> st.SearchStrategy[object]:
    return st.sampled_from([declared(value), verified(value, "source")])


@st.composite
def claim_facts(draw: st.DrawFn) -> ClaimFacts:
    cert = draw(certificates())
    sh = ShFacts(
        group=draw(st.sampled_from(list(ShGroup)).flatmap(fact)),  # type: ignore[arg-type]
        hukou_shanghai=draw(st.booleans().flatmap(fact)),  # type: ignore[arg-type]
        catalogue_class=draw(st.one_of(st.none(), st.sampled_from(list(CatalogueClass)))),
        hukou_district=draw(districts),
        employed_in_shanghai_now=draw(st.booleans().flatmap(fact)),  # type: ignore[arg-type]
        employment_start=draw(st.one_of(st.none(), days).flatmap(fact)),  # type: ignore[arg-type]
        employer_insurance_district=draw(districts),
        employer_district=draw(districts),
        post_occupation_code=draw(st.one_of(st.none(), occupations).flatmap(fact)),  # type: ignore[arg-type]
        school_in_shanghai=draw(st.booleans()),
        school_district=draw(districts),
        graduating_year_start=draw(st.one_of(st.none(), days)),
        graduating_year_end=draw(st.one_of(st.none(), days)),
        veteran_discharged_on=draw(st.one_of(st.none(), days)),
        insurance_district=draw(districts),
        counter_district=draw(districts),
    )
    cq = CqFacts(
        identity_category=draw(st.sampled_from(list(CqIdentityCategory)).flatmap(fact)),  # type: ignore[arg-type]
        district_code=draw(st.sampled_from(["00", "01", "05", "41", "42"])),
        applied_amount_fen=draw(st.integers(1, 10_000_00)),
    )
    return ClaimFacts(
        applied_on=draw(days),
        birth_date=draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2012, 1, 1))),
        sex=draw(st.sampled_from(list(Sex))),
        certificate=cert,
        prior_subsidies=tuple(draw(st.lists(past(), max_size=4))),
        cq=cq,
        sh=sh,
    )


@settings(max_examples=80, deadline=None)
@given(claim_facts())
def test_sh_amount_is_table_times_rate_and_split_one_to_one(facts: ClaimFacts) -> None:
    """SH-3 × SH-4 always gives whole fen from the table, and SH-12 splits it without losing a fen."""
    record = sh_upgrade.evaluate(facts)
    assert [r.rule for r in record.results] == [f"SH-{n}" for n in range(1, 15)]
    if record.amount is not None:
        assert facts.sh is not None and facts.sh.catalogue_class is not None
        table = SH3_AMOUNTS_FEN[(facts.sh.catalogue_class, level_key(facts.certificate.level))]
        assert record.amount.table_amount_fen == table
        assert record.amount.rate_percent in (80, 100, 120)
        assert record.amount.amount_fen * 100 == table * record.amount.rate_percent
        assert record.funding is not None
        assert record.funding.city_fen + record.funding.district_fen == record.amount.amount_fen
        assert 0 <= record.funding.city_fen - record.funding.district_fen <= 1


@settings(max_examples=60, deadline=None)
@given(claim_facts())
def test_outcome_follows_verdicts(facts: ClaimFacts) -> None:
    """The outcome is ineligible exactly when some rule failed, for both policies."""
    for record in (sh_upgrade.evaluate(facts), cq_eval.evaluate(facts)):
        verdicts = {r.verdict for r in record.results}
        assert (record.outcome is Outcome.INELIGIBLE) == (RuleVerdict.FAIL in verdicts)
        if RuleVerdict.FAIL not in verdicts:
            assert (record.outcome is Outcome.NEEDS_MATERIAL) == (RuleVerdict.NEEDS_MATERIAL in verdicts)


@settings(max_examples=50, deadline=None)
@given(claim_facts(), st.integers(1, 5), st.integers(1, 5))
def test_same_or_lower_level_never_again(facts: ClaimFacts, paid_level: int, new_level: int) -> None:
    """CQ-7 and SH-6: after a payment at level p, level n fails exactly when n is p or lower (code ≥ p)."""
    cert = replace(facts.certificate, level=new_level, kind=CertificateKind.SKILL_LEVEL)
    for kind, policy, rule in (
        (SubsidyKind.CQ_EVAL, cq_eval.evaluate, "CQ-7"),
        (SubsidyKind.SH_UPGRADE, sh_upgrade.evaluate, "SH-6"),
    ):
        paid = PastSubsidy(kind, cert.occupation_code, cert.work_type, paid_level, 2025)
        record = policy(replace(facts, certificate=cert, prior_subsidies=(paid,)))
        assert (record.verdict_of(rule) is RuleVerdict.FAIL) == (new_level >= paid_level)


@settings(deadline=None)
@given(days, st.integers(0, 40))
def test_add_months_stays_in_the_target_month(start: date, months: int) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end + timedelta(days=1)).day == 1


@settings(deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2010, 1, 1)), days, st.integers(0, 70))
def test_age_grows_by_one_on_each_birthday(birth: date, on: date, years: int) -> None:
    """SH-1 working age: age never drops, grows at most one a day, and k years after birth it is k."""
    assert age_on(birth, birth) == 0
    assert age_on(birth, on + timedelta(days=1)) - age_on(birth, on) in (0, 1)
    if (birth.month, birth.day) != (2, 29):
        assert age_on(birth, add_months(birth, 12 * years)) == years
        assert age_on(birth, add_months(birth, 12 * years) - timedelta(days=1)) == years - 1


@settings(max_examples=30, deadline=None)
@given(claim_facts())
def test_registry_picks_version_by_certificate_date(facts: ClaimFacts) -> None:
    version = rules.version_for("sh-upgrade", facts.certificate.issue_date)
    assert version.version == sh_upgrade.POLICY_VERSION
    assert rules.evaluate("sh-upgrade", facts) == sh_upgrade.evaluate(facts)
    assert rules.evaluate("cq-eval", facts) == cq_eval.evaluate(facts)

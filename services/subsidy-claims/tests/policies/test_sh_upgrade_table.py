"""Table test for policy sh-upgrade: every case comes from 沪人社规〔2025〕7号 and cites its rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from subsidy_fact_edits import Edit, both, cert, facts, prior, sh

from subsidy_claims.policies import sh_upgrade
from subsidy_claims.policies.decision import Outcome, RuleVerdict
from subsidy_claims.policies.facts import (
    CatalogueClass,
    CertificateFacts,
    CertificateKind,
    ClaimFacts,
    EmployerTrade,
    ObtainedVia,
    PastSubsidy,
    Sex,
    ShFacts,
    ShGroup,
    SubsidyKind,
    declared,
    verified,
)

OCC = "4-01-02-03"
ISSUED = date(2025, 6, 1)
SRC = "sh-hrss"


def base() -> ClaimFacts:
    """A verified Shanghai-hukou flexible worker with an A-class 三级 certificate: 3250 yuan × 100%."""
    return ClaimFacts(
        applied_on=date(2025, 8, 1),
        birth_date=date(1990, 3, 7),
        sex=Sex.MALE,
        certificate=CertificateFacts(
            number="S000031010001253000001",
            holder_id_number="11010519491231002X",
            holder_name="李四",
            occupation_code=OCC,
            occupation_name="电子商务师",
            work_type=None,
            level=3,
            kind=CertificateKind.SKILL_LEVEL,
            issue_date=ISSUED,
            province_code="31",
            verified_by="certificate-registry",
        ),
        sh=ShFacts(
            group=verified(ShGroup.FLEXIBLE, SRC),
            hukou_shanghai=verified(True, "hukou-register"),
            catalogue_class=CatalogueClass.A,
            hukou_district="310115",
            insurance_district="310104",
        ),
    )


Mod = Edit


def group(g: ShGroup, hukou: bool = True) -> Mod:
    return sh(group=verified(g, SRC), hukou_shanghai=verified(hukou, "hukou-register"))


def employed(start: date = date(2024, 1, 1)) -> Mod:
    return sh(
        employed_in_shanghai_now=verified(True, "social-insurance"),
        employment_start=verified(start, SRC),
        employer_insurance_district="310106",
    )


def in_service(start: date = date(2024, 1, 1), applied: date = date(2025, 12, 1), hukou: bool = True) -> Mod:
    return both(group(ShGroup.IN_SERVICE, hukou), employed(start), facts(applied_on=applied))


def student(kind: ShGroup, level: int | None = 4, in_shanghai: bool = True) -> Mod:
    return both(
        group(kind),
        cert(level=level, kind=CertificateKind.SKILL_LEVEL if level else CertificateKind.SPECIAL_ABILITY),
        sh(
            school_in_shanghai=in_shanghai,
            school_district="310110",
            graduating_year_start=date(2024, 9, 1),
            graduating_year_end=date(2025, 8, 31),
        ),
    )


def elder(
    start: date = date(2025, 3, 1),
    applied: date = date(2025, 12, 1),
    trade: EmployerTrade = EmployerTrade.ELDER_CARE,
    occupation: str = "4-10-01-05",
    post_verified: bool = True,
) -> Mod:
    post = verified(occupation, "上海市养老护理员信息管理系统") if post_verified else declared(occupation)
    return both(
        group(ShGroup.ELDER_DOMESTIC, hukou=False),
        cert(occupation_code=occupation),
        sh(
            employer_trade=trade,
            post_occupation_code=post,
            employed_in_shanghai_now=verified(True, SRC),
            employment_start=verified(start, SRC),
            employer_district="310112",
        ),
        facts(applied_on=applied),
    )


def sh_paid(
    level: int | None = 3,
    year: int = 2025,
    work_type: str | None = None,
    in_service: bool = False,
    secondary: bool = False,
    kind: SubsidyKind = SubsidyKind.SH_UPGRADE,
    occupation: str = OCC,
) -> PastSubsidy:
    return PastSubsidy(
        kind, occupation, work_type, level, year, as_in_service=in_service, as_secondary_student=secondary
    )


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    mod: Mod
    verdict: RuleVerdict
    amount_fen: int | None = None


def yuan(n: int) -> int:
    return n * 100


SH3_CELLS = [
    (CatalogueClass.A, 5, 1950),
    (CatalogueClass.A, 4, 2600),
    (CatalogueClass.A, 3, 3250),
    (CatalogueClass.A, 2, 3900),
    (CatalogueClass.A, 1, 4550),
    (CatalogueClass.A, None, 1000),
    (CatalogueClass.B, 5, 1500),
    (CatalogueClass.B, 4, 2000),
    (CatalogueClass.B, 3, 2700),
    (CatalogueClass.B, 2, 3200),
    (CatalogueClass.B, 1, 3700),
    (CatalogueClass.B, None, 800),
    (CatalogueClass.C, 5, 800),
    (CatalogueClass.C, 4, 800),
    (CatalogueClass.C, 3, 1500),
    (CatalogueClass.C, 2, 1500),
    (CatalogueClass.C, 1, 1500),
    (CatalogueClass.C, None, 500),
]

CASES = [
    # SH-3: every cell of the amount table (flexible worker, 100%)
    *[
        Case(
            "SH-3",
            f"{cls.value} class level {lvl or 'none'} = {amt} yuan",
            both(
                sh(catalogue_class=cls),
                cert(level=lvl, kind=CertificateKind.SKILL_LEVEL if lvl else CertificateKind.SPECIAL_ABILITY),
            ),
            RuleVerdict.PASS,
            yuan(amt),
        )
        for cls, lvl, amt in SH3_CELLS
    ],
    # SH-4: rates
    Case(
        "SH-4",
        "in-service, 6 months since certificate to the day → 80%",
        in_service(applied=date(2025, 12, 1)),
        RuleVerdict.PASS,
        yuan(2600),
    ),
    Case(
        "SH-4",
        "in-service, one day short of 6 months",
        in_service(applied=date(2025, 11, 30)),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-4",
        "in-service, employed only after the certificate",
        in_service(start=date(2025, 6, 2)),
        RuleVerdict.FAIL,
    ),
    Case("SH-4", "flexible → 100%", lambda f: f, RuleVerdict.PASS, yuan(3250)),
    Case(
        "SH-4",
        "college graduating-year student, 中级 → 80%",
        student(ShGroup.COLLEGE_STUDENT, 4),
        RuleVerdict.PASS,
        yuan(2080),
    ),
    Case(
        "SH-4", "college student, 初级 is below 中级", student(ShGroup.COLLEGE_STUDENT, 5), RuleVerdict.FAIL
    ),
    Case(
        "SH-4",
        "college student, no-level certificate",
        student(ShGroup.COLLEGE_STUDENT, None),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-4",
        "college student employed in Shanghai when applying → 100%",
        both(student(ShGroup.COLLEGE_STUDENT, 4), employed()),
        RuleVerdict.PASS,
        yuan(2600),
    ),
    Case(
        "SH-4",
        "secondary student, 初级 → 80%",
        student(ShGroup.SECONDARY_STUDENT, 5),
        RuleVerdict.PASS,
        yuan(1560),
    ),
    Case(
        "SH-4",
        "secondary student, only once",
        both(
            student(ShGroup.SECONDARY_STUDENT, 5),
            prior(sh_paid(level=4, occupation="4-02-01-01", secondary=True)),
        ),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-4",
        "secondary student employed when applying → 100%",
        both(student(ShGroup.SECONDARY_STUDENT, 5), employed()),
        RuleVerdict.PASS,
        yuan(1950),
    ),
    Case(
        "SH-4",
        "student certificate outside the graduating year",
        both(
            student(ShGroup.COLLEGE_STUDENT, 4),
            cert(issue_date=date(2025, 9, 1)),
            facts(applied_on=date(2025, 10, 1)),
        ),
        RuleVerdict.FAIL,
    ),
    Case("SH-4", "Shanghai-hukou disabled → 100%", group(ShGroup.DISABLED), RuleVerdict.PASS, yuan(3250)),
    Case("SH-4", "difficulty person → 100%", group(ShGroup.DIFFICULTY), RuleVerdict.PASS, yuan(3250)),
    Case(
        "SH-4",
        "veteran discharged exactly 5 years before the certificate → 100%",
        both(group(ShGroup.VETERAN), sh(veteran_discharged_on=date(2020, 6, 1))),
        RuleVerdict.PASS,
        yuan(3250),
    ),
    Case(
        "SH-4",
        "veteran discharged 5 years and a day before",
        both(group(ShGroup.VETERAN), sh(veteran_discharged_on=date(2020, 5, 31))),
        RuleVerdict.FAIL,
    ),
    Case("SH-4", "unemployed → 100%", group(ShGroup.UNEMPLOYED), RuleVerdict.PASS, yuan(3250)),
    Case(
        "SH-4",
        "unemployed, employed in Shanghai when applying → 120%",
        both(group(ShGroup.UNEMPLOYED), employed()),
        RuleVerdict.PASS,
        yuan(3900),
    ),
    Case(
        "SH-4",
        "协保 employed when applying → 120%",
        both(group(ShGroup.XIEBAO), employed()),
        RuleVerdict.PASS,
        yuan(3900),
    ),
    Case(
        "SH-4",
        "former rural surplus labour → 100%",
        group(ShGroup.RURAL_SURPLUS),
        RuleVerdict.PASS,
        yuan(3250),
    ),
    Case("SH-4", "unregistered → 100%", group(ShGroup.UNREGISTERED), RuleVerdict.PASS, yuan(3250)),
    Case("SH-4", "non-Shanghai-hukou disabled", group(ShGroup.DISABLED, hukou=False), RuleVerdict.FAIL),
    # SH-1: who
    Case(
        "SH-1",
        "non-Shanghai hukou in-service → as in-service",
        in_service(hukou=False),
        RuleVerdict.PASS,
        yuan(2600),
    ),
    Case(
        "SH-1",
        "non-Shanghai flexible with Shanghai pension + medical",
        both(group(ShGroup.FLEXIBLE, hukou=False), sh(pension_and_medical_in_shanghai=verified(True, SRC))),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-1",
        "non-Shanghai flexible without Shanghai insurance",
        group(ShGroup.FLEXIBLE, hukou=False),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-1",
        "non-Shanghai student of a Shanghai school",
        both(student(ShGroup.COLLEGE_STUDENT, 4), sh(hukou_shanghai=verified(False, "hukou-register"))),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-1",
        "student of a school outside Shanghai",
        student(ShGroup.COLLEGE_STUDENT, 4, in_shanghai=False),
        RuleVerdict.FAIL,
    ),
    Case("SH-1", "non-Shanghai unemployed", group(ShGroup.UNEMPLOYED, hukou=False), RuleVerdict.FAIL),
    Case(
        "SH-1", "15 years old on the certificate date", facts(birth_date=date(2009, 6, 2)), RuleVerdict.FAIL
    ),
    Case("SH-1", "16 on the certificate date", facts(birth_date=date(2009, 6, 1)), RuleVerdict.PASS),
    Case("SH-1", "man of 59", facts(birth_date=date(1965, 6, 2)), RuleVerdict.PASS),
    Case("SH-1", "man turned 60", facts(birth_date=date(1965, 6, 1)), RuleVerdict.FAIL),
    Case("SH-1", "woman of 54", facts(birth_date=date(1970, 6, 2), sex=Sex.FEMALE), RuleVerdict.PASS),
    Case("SH-1", "woman turned 55", facts(birth_date=date(1970, 6, 1), sex=Sex.FEMALE), RuleVerdict.FAIL),
    Case(
        "SH-1",
        "SH-8 woman of 59 (relaxed to 60)",
        both(elder(), facts(birth_date=date(1966, 1, 1), sex=Sex.FEMALE)),
        RuleVerdict.PASS,
    ),
    Case("SH-1", "hukou only declared", sh(hukou_shanghai=declared(True)), RuleVerdict.NEEDS_MATERIAL),
    # SH-2: catalogue and queryable certificate
    Case("SH-2", "not in the catalogue", sh(catalogue_class=None), RuleVerdict.FAIL),
    Case(
        "SH-2",
        "certificate not found in the query system",
        cert(verified_by=None),
        RuleVerdict.NEEDS_MATERIAL,
    ),
    # SH-5: skill–post match (附件)
    *[
        Case(
            "SH-5",
            f"post-match {code} in the matching post",
            both(cert(occupation_code=code), employed(), sh(post_occupation_code=verified(code, SRC))),
            RuleVerdict.PASS,
        )
        for code in ("4-09-10-05", "4-03-02-08", "6-02-06-07")
    ],
    Case(
        "SH-5",
        "post-match, post only declared",
        both(cert(occupation_code="4-03-02-07"), employed(), sh(post_occupation_code=declared("4-03-02-07"))),
        RuleVerdict.NEEDS_MATERIAL,
    ),
    Case(
        "SH-5", "post-match, not employed when applying", cert(occupation_code="4-10-03-03"), RuleVerdict.FAIL
    ),
    Case(
        "SH-5",
        "post-match, employed in another post",
        both(
            cert(occupation_code="4-10-03-01"),
            employed(),
            sh(post_occupation_code=verified("4-03-02-02", SRC)),
        ),
        RuleVerdict.FAIL,
    ),
    Case("SH-5", "not a post-match occupation", lambda f: f, RuleVerdict.NOT_APPLICABLE),
    # SH-6: same occupation, same level once; never that level or below again
    Case("SH-6", "same level again", prior(sh_paid(level=3, year=2024)), RuleVerdict.FAIL),
    Case(
        "SH-6",
        "lower level after higher",
        both(cert(level=4), prior(sh_paid(level=3, year=2024))),
        RuleVerdict.FAIL,
    ),
    Case("SH-6", "higher level after lower", prior(sh_paid(level=4, year=2024)), RuleVerdict.PASS),
    Case(
        "SH-6",
        "another 工种",
        both(cert(work_type="甲"), prior(sh_paid(level=3, year=2024, work_type="乙"))),
        RuleVerdict.PASS,
    ),
    # SH-7: exclusions
    Case(
        "SH-7",
        "enterprise direct recognition",
        cert(obtained_via=ObtainedVia.ENTERPRISE_DIRECT_RECOGNITION),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-7",
        "competition promotion",
        cert(obtained_via=ObtainedVia.COMPETITION_PROMOTION),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-7",
        "foreign certificate mapping",
        cert(obtained_via=ObtainedVia.FOREIGN_MAPPING),
        RuleVerdict.FAIL,
    ),
    Case("SH-7", "commendation", cert(obtained_via=ObtainedVia.COMMENDATION), RuleVerdict.FAIL),
    Case("SH-7", "civil servant", sh(civil_servant=verified(True, SRC)), RuleVerdict.FAIL),
    Case(
        "SH-7",
        "public institution, non-skill post",
        sh(public_institution_non_skill_post=verified(True, SRC)),
        RuleVerdict.FAIL,
    ),
    Case("SH-7", "evaluated normally", lambda f: f, RuleVerdict.PASS),
    # SH-8: elderly care / domestic service
    Case(
        "SH-8",
        "elder carer, in post before the certificate, verified → as in-service 80%",
        elder(),
        RuleVerdict.PASS,
        yuan(2600),
    ),
    Case(
        "SH-8",
        "domestic worker starting exactly 12 months after the certificate",
        elder(
            start=date(2026, 6, 1),
            applied=date(2026, 12, 1),
            trade=EmployerTrade.DOMESTIC_SERVICE,
            occupation="4-10-01-06",
        ),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-8",
        "starting 12 months and a day after the certificate",
        elder(start=date(2026, 6, 2), applied=date(2026, 12, 2)),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-8",
        "one day short of 6 continuous months",
        elder(start=date(2025, 7, 1), applied=date(2025, 12, 31)),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-8",
        "6 continuous months to the day",
        elder(start=date(2025, 7, 1), applied=date(2026, 1, 1)),
        RuleVerdict.PASS,
    ),
    Case("SH-8", "employer of another trade", elder(trade=EmployerTrade.DOMESTIC_SERVICE), RuleVerdict.FAIL),
    Case(
        "SH-8", "not an elder-care or domestic certificate", elder(occupation="4-01-02-03"), RuleVerdict.FAIL
    ),
    Case(
        "SH-8",
        "post status not yet verified by the 民政 system",
        elder(post_verified=False),
        RuleVerdict.NEEDS_MATERIAL,
    ),
    Case("SH-8", "ordinary applicant", lambda f: f, RuleVerdict.NOT_APPLICABLE),
    # SH-9: windows
    Case("SH-9", "12 months to the day", facts(applied_on=date(2026, 6, 1)), RuleVerdict.PASS),
    Case("SH-9", "12 months and a day", facts(applied_on=date(2026, 6, 2)), RuleVerdict.FAIL),
    Case(
        "SH-9",
        "student: 24 months to the day",
        both(student(ShGroup.COLLEGE_STUDENT, 4), facts(applied_on=date(2027, 6, 1))),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-9",
        "student: 24 months and a day",
        both(student(ShGroup.COLLEGE_STUDENT, 4), facts(applied_on=date(2027, 6, 2))),
        RuleVerdict.FAIL,
    ),
    Case("SH-9", "SH-8 worker: 24 months to the day", elder(applied=date(2027, 6, 1)), RuleVerdict.PASS),
    Case("SH-9", "SH-8 worker: 24 months and a day", elder(applied=date(2027, 6, 2)), RuleVerdict.FAIL),
    Case(
        "SH-9",
        "29 Feb certificate: window ends 28 Feb",
        both(cert(issue_date=date(2028, 2, 29)), facts(applied_on=date(2029, 2, 28))),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-9", "applying before the certificate date", facts(applied_on=date(2025, 5, 31)), RuleVerdict.FAIL
    ),
    # SH-10: who reviews
    Case(
        "SH-10",
        "no district can be determined",
        sh(insurance_district=None, hukou_district=None),
        RuleVerdict.FAIL,
    ),
    Case("SH-10", "unknown district code", sh(insurance_district="999999"), RuleVerdict.FAIL),
    # SH-11, SH-12
    Case("SH-11", "publicity after approval", lambda f: f, RuleVerdict.NOT_APPLICABLE),
    Case("SH-12", "funded 1:1", lambda f: f, RuleVerdict.PASS),
    Case("SH-12", "no amount, nothing to split", sh(catalogue_class=None), RuleVerdict.NOT_APPLICABLE),
    # SH-13: yearly caps
    Case("SH-13", "two this year", prior(sh_paid(occupation="a"), sh_paid(occupation="b")), RuleVerdict.PASS),
    Case(
        "SH-13",
        "three this year (training counts)",
        prior(
            sh_paid(occupation="a"),
            sh_paid(occupation="b"),
            sh_paid(kind=SubsidyKind.SH_TRAINING, occupation="c"),
        ),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-13",
        "three last year",
        prior(
            sh_paid(occupation="a", year=2024),
            sh_paid(occupation="b", year=2024),
            sh_paid(occupation="c", year=2024),
        ),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-13",
        "in-service, already once as in-service this year",
        both(in_service(), prior(sh_paid(occupation="a", in_service=True))),
        RuleVerdict.FAIL,
    ),
    Case(
        "SH-13",
        "flexible, once as in-service this year",
        prior(sh_paid(occupation="a", in_service=True)),
        RuleVerdict.PASS,
    ),
    # SH-14: validity
    Case(
        "SH-14",
        "issued 2025-04-30 → old rules",
        both(cert(issue_date=date(2025, 4, 30)), facts(applied_on=date(2025, 5, 10))),
        RuleVerdict.FAIL,
    ),
    Case("SH-14", "issued 2025-05-01", cert(issue_date=date(2025, 5, 1)), RuleVerdict.PASS),
    Case(
        "SH-14",
        "issued 2028-04-30",
        both(cert(issue_date=date(2028, 4, 30)), facts(applied_on=date(2028, 5, 2))),
        RuleVerdict.PASS,
    ),
    Case(
        "SH-14",
        "issued 2028-05-01",
        both(cert(issue_date=date(2028, 5, 1)), facts(applied_on=date(2028, 5, 2))),
        RuleVerdict.FAIL,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}:{c.name}" for c in CASES])
def test_sh_rule(case: Case) -> None:
    record = sh_upgrade.evaluate(case.mod(base()))
    assert record.verdict_of(case.rule) is case.verdict, record.as_dict()
    result = next(r for r in record.results if r.rule == case.rule)
    assert result.clause == sh_upgrade.CLAUSES[case.rule]
    if case.amount_fen is not None:
        assert record.amount is not None
        assert record.amount.amount_fen == case.amount_fen
        assert record.outcome is Outcome.ELIGIBLE, record.as_dict()
    if case.verdict is RuleVerdict.FAIL:
        assert record.outcome is Outcome.INELIGIBLE


@pytest.mark.parametrize(
    ("name", "mod", "district"),
    [
        ("SH-10 in-service → employer's social-insurance district", in_service(), "310106"),
        ("SH-10 student → school district", student(ShGroup.COLLEGE_STUDENT), "310110"),
        ("SH-10 flexible → insurance district", lambda f: f, "310104"),
        ("SH-10 flexible without insurance district → hukou district", sh(insurance_district=None), "310115"),
        ("SH-10 SH-8 worker → employer district", elder(), "310112"),
        ("SH-10 unemployed → hukou district", group(ShGroup.UNEMPLOYED), "310115"),
        ("SH-10 at a counter → accepting district", sh(counter_district="310151"), "310151"),
    ],
)
def test_sh10_routing_and_sh12_split(name: str, mod: Mod, district: str) -> None:
    record = sh_upgrade.evaluate(mod(base()))
    assert record.district_code == district
    assert record.funding is not None and record.amount is not None
    assert record.funding.district_code == district
    assert record.funding.city_fen == record.funding.district_fen == record.amount.amount_fen // 2


def test_amount_working_reads_table_times_rate() -> None:
    record = sh_upgrade.evaluate(in_service()(base()))
    assert record.amount is not None
    assert record.amount.working == "3250元 × 80% = 2600元"
    assert (record.amount.table_amount_fen, record.amount.rate_percent) == (325_000, 80)

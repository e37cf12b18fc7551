"""Table test for policy cq-eval: every case comes from 渝人社办〔2025〕84号 and cites its rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from subsidy_fact_edits import Edit, both, cert, cq, facts, prior

from subsidy_claims.policies import cq_eval
from subsidy_claims.policies.decision import Outcome, RuleVerdict
from subsidy_claims.policies.facts import (
    CertificateFacts,
    CertificateKind,
    ClaimFacts,
    CqFacts,
    CqIdentityCategory,
    PastSubsidy,
    Sex,
    SubsidyKind,
    declared,
    verified,
)
from subsidy_claims.policies.tables import NO_LEVEL, CqAmountTable

OCC = "4-01-02-03"


def base() -> ClaimFacts:
    return ClaimFacts(
        applied_on=date(2025, 8, 1),
        birth_date=date(1990, 3, 7),
        sex=Sex.MALE,
        certificate=CertificateFacts(
            number="S000050050001253000001",
            holder_id_number="11010519491231002X",
            holder_name="张三",
            occupation_code=OCC,
            occupation_name="电子商务师",
            work_type=None,
            level=3,
            kind=CertificateKind.SKILL_LEVEL,
            issue_date=date(2025, 7, 1),
            province_code="50",
            verified_by="certificate-registry",
        ),
        cq=CqFacts(
            identity_category=verified(CqIdentityCategory.RURAL_MIGRANT, "rural-labour-register"),
            district_code="05",
            applied_amount_fen=150_000,
        ),
    )


Mod = Edit


def paid(occupation: str = OCC, work_type: str | None = None, level: int | None = 3) -> PastSubsidy:
    return PastSubsidy(SubsidyKind.CQ_EVAL, occupation, work_type, level, 2025)


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    mod: Mod
    verdict: RuleVerdict


CASES = [
    # CQ-1: on or after 2024-05-09, in Chongqing, one of the three certificate kinds
    Case("CQ-1", "issued the day before 2024-05-09", cert(issue_date=date(2024, 5, 8)), RuleVerdict.FAIL),
    Case(
        "CQ-1",
        "issued on 2024-05-09",
        both(cert(issue_date=date(2024, 5, 9)), facts(applied_on=date(2025, 1, 1))),
        RuleVerdict.PASS,
    ),
    Case("CQ-1", "issued 2024-05-10", cert(issue_date=date(2024, 5, 10)), RuleVerdict.PASS),
    Case("CQ-1", "certificate from Shanghai (province 31)", cert(province_code="31"), RuleVerdict.FAIL),
    Case("CQ-1", "province unknown", cert(province_code=None), RuleVerdict.FAIL),
    Case(
        "CQ-1",
        "skill-type qualification certificate",
        cert(kind=CertificateKind.VOCATIONAL_QUALIFICATION),
        RuleVerdict.PASS,
    ),
    Case(
        "CQ-1",
        "special ability certificate",
        cert(kind=CertificateKind.SPECIAL_ABILITY, level=None),
        RuleVerdict.PASS,
    ),
    # CQ-2: one of six identity categories; declared needs supporting material
    *[
        Case(
            "CQ-2",
            f"category {c.value} verified",
            cq(identity_category=verified(c, "hrss-records")),
            RuleVerdict.PASS,
        )
        for c in CqIdentityCategory
    ],
    Case(
        "CQ-2",
        "graduate category only declared",
        cq(identity_category=declared(CqIdentityCategory.GRADUATE)),
        RuleVerdict.NEEDS_MATERIAL,
    ),
    Case(
        "CQ-2",
        "unemployed category only declared",
        cq(identity_category=declared(CqIdentityCategory.REGISTERED_UNEMPLOYED)),
        RuleVerdict.NEEDS_MATERIAL,
    ),
    # CQ-3: the district where the evaluation took place reviews
    Case("CQ-3", "district 01", cq(district_code="01"), RuleVerdict.PASS),
    Case("CQ-3", "district 41", cq(district_code="41"), RuleVerdict.PASS),
    Case("CQ-3", "district 42 does not exist", cq(district_code="42"), RuleVerdict.FAIL),
    Case("CQ-3", "00 is the city, not a district", cq(district_code="00"), RuleVerdict.FAIL),
    # CQ-4: compare with the certificate record
    Case(
        "CQ-4",
        "certificate checked against the registry",
        cert(verified_by="certificate-registry"),
        RuleVerdict.PASS,
    ),
    Case("CQ-4", "certificate not yet checked", cert(verified_by=None), RuleVerdict.NEEDS_MATERIAL),
    # CQ-5: publicity comes after approval
    Case("CQ-5", "publicity does not decide eligibility", lambda f: f, RuleVerdict.NOT_APPLICABLE),
    # CQ-6: one 工种 per occupation family
    Case(
        "CQ-6",
        "paid for another 工种 of the same occupation",
        both(cert(work_type="甲"), prior(paid(work_type="乙"))),
        RuleVerdict.FAIL,
    ),
    Case(
        "CQ-6",
        "paid for the occupation itself, now a 工种 of it",
        both(cert(work_type="甲"), prior(paid(work_type=None))),
        RuleVerdict.FAIL,
    ),
    Case("CQ-6", "paid for another occupation", prior(paid(occupation="4-02-01-01")), RuleVerdict.PASS),
    Case(
        "CQ-6",
        "a Shanghai subsidy does not count",
        both(cert(work_type="甲"), prior(PastSubsidy(SubsidyKind.SH_UPGRADE, OCC, "乙", 3, 2025))),
        RuleVerdict.PASS,
    ),
    # CQ-7: same 工种, same or lower level: not again; same special-ability project: not again
    Case("CQ-7", "same level again", prior(paid(level=3)), RuleVerdict.FAIL),
    Case(
        "CQ-7", "lower level after a higher one", both(cert(level=4), prior(paid(level=3))), RuleVerdict.FAIL
    ),
    Case(
        "CQ-7", "higher level after a lower one", both(cert(level=2), prior(paid(level=3))), RuleVerdict.PASS
    ),
    Case("CQ-7", "五级 then 四级", both(cert(level=4), prior(paid(level=5))), RuleVerdict.PASS),
    Case("CQ-7", "高级技师 twice", both(cert(level=1), prior(paid(level=1))), RuleVerdict.FAIL),
    Case(
        "CQ-7",
        "same special-ability project again",
        both(cert(kind=CertificateKind.SPECIAL_ABILITY, level=None), prior(paid(level=None))),
        RuleVerdict.FAIL,
    ),
    Case(
        "CQ-7",
        "another special-ability project",
        both(
            cert(kind=CertificateKind.SPECIAL_ABILITY, level=None),
            prior(paid(occupation="Z-00-00-01", level=None)),
        ),
        RuleVerdict.PASS,
    ),
    # CQ-8: former 职业技能鉴定补贴
    Case(
        "CQ-8",
        "received the former 鉴定补贴 for this occupation",
        prior(PastSubsidy(SubsidyKind.CQ_JIANDING, OCC, None, 4, 2019)),
        RuleVerdict.FAIL,
    ),
    Case(
        "CQ-8",
        "鉴定补贴 for another occupation",
        prior(PastSubsidy(SubsidyKind.CQ_JIANDING, "4-02-01-01", None, 4, 2019)),
        RuleVerdict.PASS,
    ),
    # CQ-9: certificates 2024-05-09 … 2025-06-06 must be claimed by 2025-11-30
    Case(
        "CQ-9",
        "first day of window, claimed 2025-11-30",
        both(cert(issue_date=date(2024, 5, 9)), facts(applied_on=date(2025, 11, 30))),
        RuleVerdict.PASS,
    ),
    Case(
        "CQ-9",
        "first day of window, claimed 2025-12-01",
        both(cert(issue_date=date(2024, 5, 9)), facts(applied_on=date(2025, 12, 1))),
        RuleVerdict.FAIL,
    ),
    Case(
        "CQ-9",
        "last day of window, claimed 2025-11-30",
        both(cert(issue_date=date(2025, 6, 6)), facts(applied_on=date(2025, 11, 30))),
        RuleVerdict.PASS,
    ),
    Case(
        "CQ-9",
        "last day of window, claimed 2025-12-01",
        both(cert(issue_date=date(2025, 6, 6)), facts(applied_on=date(2025, 12, 1))),
        RuleVerdict.FAIL,
    ),
    Case(
        "CQ-9",
        "issued 2025-06-07, outside the window",
        both(cert(issue_date=date(2025, 6, 7)), facts(applied_on=date(2025, 12, 1))),
        RuleVerdict.NOT_APPLICABLE,
    ),
    Case("CQ-9", "issued before the window", cert(issue_date=date(2024, 5, 8)), RuleVerdict.NOT_APPLICABLE),
    # CQ-10: amount from the operator's table, else the amount applied for
    Case("CQ-10", "no table: the amount applied for", lambda f: f, RuleVerdict.PASS),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}:{c.name}" for c in CASES])
def test_cq_rule(case: Case) -> None:
    record = cq_eval.evaluate(case.mod(base()))
    assert record.verdict_of(case.rule) is case.verdict
    result = next(r for r in record.results if r.rule == case.rule)
    assert result.clause == cq_eval.CLAUSES[case.rule]
    if case.verdict is RuleVerdict.FAIL:
        assert record.outcome is Outcome.INELIGIBLE
        assert case.rule in record.failed_rules()


def test_base_case_is_eligible() -> None:
    record = cq_eval.evaluate(base())
    assert record.outcome is Outcome.ELIGIBLE
    assert record.district_code == "05"
    assert [r.rule for r in record.results] == [f"CQ-{n}" for n in range(1, 11)]


TABLE = CqAmountTable(
    version="渝人社发〔2024〕13号-test",
    amounts_fen={
        (CertificateKind.SKILL_LEVEL, 3): 120_000,
        (CertificateKind.SKILL_LEVEL, 5): 50_000,
        (CertificateKind.SPECIAL_ABILITY, NO_LEVEL): 30_000,
    },
)


@pytest.mark.parametrize(
    ("name", "mod", "table", "amount", "key"),
    [
        ("CQ-10 no table → applied amount", lambda f: f, None, 150_000, "applied"),
        ("CQ-10 table, level 3", lambda f: f, TABLE, 120_000, "渝人社发〔2024〕13号-test:skill_level:3"),
        ("CQ-10 table, level 5", cert(level=5), TABLE, 50_000, "渝人社发〔2024〕13号-test:skill_level:5"),
        (
            "CQ-10 table without the kind → applied amount",
            cert(kind=CertificateKind.VOCATIONAL_QUALIFICATION),
            TABLE,
            150_000,
            "applied",
        ),
        (
            "CQ-10 table, special ability",
            cert(kind=CertificateKind.SPECIAL_ABILITY, level=None),
            TABLE,
            30_000,
            "渝人社发〔2024〕13号-test:special_ability:0",
        ),
    ],
)
def test_cq10_amount(name: str, mod: Mod, table: CqAmountTable | None, amount: int, key: str) -> None:
    record = cq_eval.evaluate(mod(base()), table)
    assert record.amount is not None
    assert record.amount.amount_fen == amount
    assert record.amount.table_key == key
    assert record.amount.rate_percent == 100
    assert "× 100% =" in record.amount.working

"""Report policy evaluations per second in one process (a benchmark: it prints figures, it asserts nothing).

Run: .venv/bin/python services/subsidy-claims/bench/policy_eval.py
"""

from __future__ import annotations

import time
from datetime import date

from subsidy_claims.policies import rules
from subsidy_claims.policies.facts import (
    CatalogueClass,
    CertificateFacts,
    CertificateKind,
    ClaimFacts,
    CqFacts,
    CqIdentityCategory,
    PastSubsidy,
    Sex,
    ShFacts,
    ShGroup,
    SubsidyKind,
    verified,
)


def sample() -> ClaimFacts:
    return ClaimFacts(
        applied_on=date(2025, 12, 1),
        birth_date=date(1990, 3, 7),
        sex=Sex.FEMALE,
        certificate=CertificateFacts(
            number="S000050050001253000001",
            holder_id_number="11010519491231002X",
            holder_name="张三",
            occupation_code="4-01-02-03",
            occupation_name="电子商务师",
            work_type=None,
            level=3,
            kind=CertificateKind.SKILL_LEVEL,
            issue_date=date(2025, 7, 1),
            province_code="50",
            verified_by="certificate-registry",
        ),
        prior_subsidies=(PastSubsidy(SubsidyKind.SH_TRAINING, "4-02-01-01", None, 4, 2025),),
        cq=CqFacts(verified(CqIdentityCategory.RURAL_MIGRANT, "x"), "05", 150_000),
        sh=ShFacts(
            group=verified(ShGroup.FLEXIBLE, "x"),
            hukou_shanghai=verified(True, "x"),
            catalogue_class=CatalogueClass.A,
            hukou_district="310115",
        ),
    )


def main(seconds: float = 2.0) -> None:
    facts = sample()
    for policy in ("cq-eval", "sh-upgrade"):
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for _ in range(1000):
                rules.evaluate(policy, facts)
            n += 1000
        elapsed = time.perf_counter() - start
        print(f"{policy}: {n / elapsed:,.0f} evaluations/s")


if __name__ == "__main__":
    main()

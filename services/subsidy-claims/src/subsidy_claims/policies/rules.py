"""The policy registry: each policy's versions with effective dates, and one entry point to evaluate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from subsidy_claims.policies import cq_eval, sh_upgrade
from subsidy_claims.policies.decision import DecisionRecord
from subsidy_claims.policies.facts import ClaimFacts
from subsidy_claims.policies.tables import CqAmountTable


class UnknownPolicyError(LookupError):
    """No policy by that ID, or no version of it in force on that date."""


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version of a policy; ``effective_to`` None means still in force."""

    policy: str
    version: str
    document: str
    effective_from: date
    effective_to: date | None
    evaluate: Callable[[ClaimFacts, CqAmountTable | None], DecisionRecord]

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def _sh(facts: ClaimFacts, _table: CqAmountTable | None) -> DecisionRecord:
    return sh_upgrade.evaluate(facts)


POLICIES: dict[str, tuple[PolicyVersion, ...]] = {
    cq_eval.POLICY_ID: (
        PolicyVersion(
            cq_eval.POLICY_ID,
            cq_eval.POLICY_VERSION,
            cq_eval.DOCUMENT,
            cq_eval.CQ1_FIRST_DAY,
            None,
            cq_eval.evaluate,
        ),
    ),
    sh_upgrade.POLICY_ID: (
        PolicyVersion(
            sh_upgrade.POLICY_ID,
            sh_upgrade.POLICY_VERSION,
            sh_upgrade.DOCUMENT,
            sh_upgrade.SH14_FIRST_DAY,
            sh_upgrade.SH14_LAST_DAY,
            _sh,
        ),
    ),
}


def version_for(policy: str, certificate_date: date) -> PolicyVersion:
    """The version whose effective period covers the certificate date; else the newest, whose own validity
    rule (CQ-1, SH-14) then explains the rejection instead of a bare 'no policy'."""
    versions = POLICIES.get(policy)
    if not versions:
        raise UnknownPolicyError(policy)
    if len(versions) == 1:
        return versions[0]
    for version in versions:
        if version.in_force_on(certificate_date):
            return version
    return versions[-1]


def evaluate(policy: str, facts: ClaimFacts, cq_table: CqAmountTable | None = None) -> DecisionRecord:
    version = version_for(policy, facts.certificate.issue_date)
    return version.evaluate(facts, cq_table)

"""The decision record: every rule's verdict with its ID and clause, and the amount with its working."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple


class RuleVerdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    NEEDS_MATERIAL = "needs_material"
    NOT_APPLICABLE = "not_applicable"


class Outcome(StrEnum):
    """The whole record's result: any fail → ineligible; else any needs_material → needs material."""

    ELIGIBLE = "eligible"
    NEEDS_MATERIAL = "needs_material"
    INELIGIBLE = "ineligible"


class RuleResult(NamedTuple):
    """One rule's verdict; a NamedTuple because thousands are built per second and it stays immutable."""

    rule: str
    clause: str
    verdict: RuleVerdict
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "verdict": self.verdict.value,
            "reason": self.reason,
        }


class AmountWorking(NamedTuple):
    """How the amount was reached: table amount × rate = result, all in fen."""

    rule: str
    table_key: str
    table_amount_fen: int
    rate_percent: int
    amount_fen: int
    working: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "table_key": self.table_key,
            "table_amount_fen": self.table_amount_fen,
            "rate_percent": self.rate_percent,
            "amount_fen": self.amount_fen,
            "working": self.working,
        }


class FundingSplit(NamedTuple):
    """SH-12: the city and the district share an amount 1:1."""

    rule: str
    city_fen: int
    district_fen: int
    district_code: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "city_fen": self.city_fen,
            "district_fen": self.district_fen,
            "district_code": self.district_code,
        }


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    policy: str
    policy_version: str
    evaluated_on: date
    results: tuple[RuleResult, ...]
    amount: AmountWorking | None
    district_code: str | None
    funding: FundingSplit | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def outcome(self) -> Outcome:
        verdicts = {r.verdict for r in self.results}
        if RuleVerdict.FAIL in verdicts:
            return Outcome.INELIGIBLE
        if RuleVerdict.NEEDS_MATERIAL in verdicts:
            return Outcome.NEEDS_MATERIAL
        return Outcome.ELIGIBLE

    def verdict_of(self, rule: str) -> RuleVerdict:
        for result in self.results:
            if result.rule == rule:
                return result.verdict
        raise KeyError(rule)

    def failed_rules(self) -> list[str]:
        return [r.rule for r in self.results if r.verdict is RuleVerdict.FAIL]

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "policy_version": self.policy_version,
            "evaluated_on": self.evaluated_on.isoformat(),
            "outcome": self.outcome.value,
            "results": [r.as_dict() for r in self.results],
            "amount": self.amount.as_dict() if self.amount else None,
            "district_code": self.district_code,
            "funding": self.funding.as_dict() if self.funding else None,
            "notes": list(self.notes),
        }


def fen_to_yuan_text(fen: int) -> str:
    """Render fen as yuan for the human-readable working (never used for arithmetic)."""
    yuan, rest = divmod(fen, 100)
    return f"{yuan}元" if rest == 0 else f"{yuan}.{rest:02d}元"


def apply_rate(table_amount_fen: int, rate_percent: int) -> int:
    """table × rate in whole fen; the policies' tables and rates always divide evenly, so this is exact."""
    amount, remainder = divmod(table_amount_fen * rate_percent, 100)
    if remainder:
        raise ValueError("rate does not give a whole fen amount")
    return amount

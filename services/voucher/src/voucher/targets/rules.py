"""V-8: per-district usage against the 附件1 targets, and the city's totals against its goals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

RULE_TARGETS = "V-8"

# Seed 004 一: "全市全年发放职业培训券30万张以上，使用职业培训券12万张以上".
CITY_ISSUE_GOAL = 300_000
CITY_USE_GOAL = 120_000


@dataclass(frozen=True, slots=True)
class Counts:
    issued: int = 0
    claimed: int = 0
    used: int = 0


@dataclass(frozen=True, slots=True)
class DistrictProgress:
    code: str
    name: str
    target_used: int
    issued: int
    claimed: int
    used: int
    used_percent: float  # of the district's target; a ratio for display, never money
    target_met: bool


@dataclass(frozen=True, slots=True)
class Dashboard:
    districts: list[DistrictProgress]
    issued: int
    claimed: int
    used: int
    issue_goal: int
    use_goal: int
    target_used_total: int
    issue_goal_met: bool
    use_goal_met: bool


def percent(numerator: int, denominator: int) -> float:
    """Share in percent with one decimal; a zero target counts as met."""
    if denominator <= 0:
        return 100.0
    return round(100.0 * numerator / denominator, 1)


def build_dashboard(
    targets: Mapping[str, tuple[str, int]],
    counts: Mapping[str, Counts],
    issue_goal: int = CITY_ISSUE_GOAL,
    use_goal: int = CITY_USE_GOAL,
) -> Dashboard:
    """V-8: one row per target district (in code order), city totals over every counted district.

    `targets` maps district code → (name, usage target); `counts` maps district code → counts. Counts for a
    district outside the targets table (e.g. the city itself, 00) still add to the city totals.
    """
    rows = []
    for code in sorted(targets):
        name, target = targets[code]
        c = counts.get(code, Counts())
        rows.append(
            DistrictProgress(
                code=code,
                name=name,
                target_used=target,
                issued=c.issued,
                claimed=c.claimed,
                used=c.used,
                used_percent=percent(c.used, target),
                target_met=c.used >= target,
            )
        )
    issued = sum(c.issued for c in counts.values())
    claimed = sum(c.claimed for c in counts.values())
    used = sum(c.used for c in counts.values())
    return Dashboard(
        districts=rows,
        issued=issued,
        claimed=claimed,
        used=used,
        issue_goal=issue_goal,
        use_goal=use_goal,
        target_used_total=sum(t for _, t in targets.values()),
        issue_goal_met=issued >= issue_goal,
        use_goal_met=used >= use_goal,
    )

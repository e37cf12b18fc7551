"""Pure rules of 贯通 evaluation bodies (OF-8): registration completeness and quota progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from skills_shared.refusals import Verdict

OF_8 = "OF-8"
MIN_EXPERTS = 3
#: 贯通 leads to 高级工 (3), 技师 (2) or 高级技师 (1) only (seed 002 二).
GUANTONG_LEVELS = frozenset({1, 2, 3})
TECHNICIAN_LEVELS = frozenset({1, 2})


@dataclass(frozen=True, slots=True)
class MappingFacts:
    occupation_name: str
    level: int
    title_specialties: tuple[str, ...]


def registration_verdicts(mappings: Sequence[MappingFacts], expert_ids: Sequence[str]) -> list[Verdict]:
    """OF-8: at least one occupation ↔ title-specialty row, each with specialties; ≥ 3 distinct experts."""
    out: list[Verdict] = []
    distinct = len(set(expert_ids))
    out.append(
        Verdict(
            OF_8,
            "min_experts",
            "pass" if distinct >= MIN_EXPERTS else "fail",
            f"评审专家 {distinct} 人，不少于 {MIN_EXPERTS} 人",
        )
    )
    if distinct != len(expert_ids):
        out.append(Verdict(OF_8, "distinct_experts", "fail", "评审专家身份证号重复"))
    if not mappings:
        out.append(Verdict(OF_8, "mapping", "fail", "未填报职业（工种）与专业技术职称专业对应关系"))
    else:
        bad = [m for m in mappings if m.level not in GUANTONG_LEVELS or not m.title_specialties]
        out.append(
            Verdict(
                OF_8,
                "mapping",
                "fail" if bad else "pass",
                ("对应关系不完整或等级不在高级工及以上：" + "、".join(m.occupation_name for m in bad))
                if bad
                else "职业（工种）与职称专业对应关系完整",
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class QuotaProgress:
    """Issued versus the yearly guidance quota: 高级工及以上 in all, and 技师/高级技师 among them."""

    quota_total: int
    quota_technician: int
    issued_total: int
    issued_technician: int

    @property
    def remaining_total(self) -> int:
        return max(self.quota_total - self.issued_total, 0)

    @property
    def remaining_technician(self) -> int:
        return max(self.quota_technician - self.issued_technician, 0)

    @property
    def percent_total(self) -> int:
        """Whole percent of the quota reached, rounded down (integer arithmetic, never float)."""
        return 0 if self.quota_total == 0 else self.issued_total * 100 // self.quota_total

    @property
    def percent_technician(self) -> int:
        return 0 if self.quota_technician == 0 else self.issued_technician * 100 // self.quota_technician


def quota_verdict(quota_total: int, quota_technician: int) -> Verdict:
    """The technician share is part of the total, so it cannot exceed it (seed 002 2023 plan: 2000 ⊇ 1500)."""
    ok = 0 <= quota_technician <= quota_total
    return Verdict(
        OF_8, "quota_shape", "pass" if ok else "fail", "技师高级技师人次包含在高级工及以上人次之内"
    )

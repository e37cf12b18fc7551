"""CR-3, a body's scope, in one place for the whole suite: the levels a kind of body may reach and the filed
occupations, 工种 and levels every plan, batch and application is held to. Its one error code is ``outside_scope``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from skills_shared.refusals import Refusal

CR_3 = "CR-3"
OUTSIDE_SCOPE = "outside_scope"
"""The one error code of CR-3 in the suite."""

LEVEL_ZH = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}

ALLOWED_LEVELS: dict[str, frozenset[int]] = {
    "city": frozenset({1, 2, 3, 4, 5}),
    "district": frozenset({3, 4, 5}),
}
"""CR-3: city-wide bodies may evaluate levels 1–5, district-level bodies only 3–5 (seed 001 一(二)3)."""

REACH_ZH = {"city": "一至五级", "district": "三至五级"}


def beyond_reach(level_scope: str, levels: Iterable[int]) -> list[int]:
    """CR-3: the levels a body of this kind (city-wide or district-level) may not evaluate, sorted."""
    return sorted(set(levels) - ALLOWED_LEVELS[level_scope])


@dataclass(frozen=True, slots=True)
class ScopeLine:
    """One filed occupation of a body with its levels and 工种 (empty: any 工种 of the occupation)."""

    occupation_code: str
    occupation_name: str
    levels: frozenset[int]
    work_types: frozenset[str] = frozenset()


def scope_line(scope: Sequence[ScopeLine], occupation_code: str) -> ScopeLine | None:
    """The filed line of an occupation, if the body filed it."""
    return next((s for s in scope if s.occupation_code == occupation_code), None)


def in_scope(
    scope: Sequence[ScopeLine],
    occupation_code: str,
    levels: Iterable[int],
    work_type: str | None,
    *,
    fields: Mapping[str, Sequence[str | int]],
) -> Refusal | None:
    """CR-3 (seed 001 二(四), 三(二)): the occupation, its 工种 (when the scope names some) and every level are
    inside the body's filed scope. The one CR-3 check of the suite; its code is ``outside_scope``."""
    line = scope_line(scope, occupation_code)
    filed = ", ".join(f"{s.occupation_name}（{s.occupation_code}）" for s in scope) or "（无）"
    if line is None:
        return Refusal(
            CR_3,
            OUTSIDE_SCOPE,
            f"职业 {occupation_code} 不在机构备案范围内（备案职业：{filed}）；请先申请变更备案范围",
            field=fields["occupation_code"],
            extra={"filed_occupations": [s.occupation_code for s in scope]},
        )
    wanted = sorted(set(levels))
    extra_levels = [lv for lv in wanted if lv not in line.levels]
    if not wanted or extra_levels:
        names = "、".join(LEVEL_ZH.get(lv, str(lv)) for lv in extra_levels) or "（空）"
        allowed = "、".join(LEVEL_ZH.get(lv, str(lv)) for lv in sorted(line.levels))
        return Refusal(
            CR_3,
            OUTSIDE_SCOPE,
            f"等级 {names} 不在 {line.occupation_name} 的备案等级（{allowed}）内",
            field=fields["levels"],
            extra={"filed_levels": sorted(line.levels)},
        )
    if work_type is not None and line.work_types and work_type not in line.work_types:
        return Refusal(
            CR_3,
            OUTSIDE_SCOPE,
            f"工种 {work_type} 不在 {line.occupation_name} 的备案工种（{'、'.join(sorted(line.work_types))}）内",
            field=fields["work_type"],
            extra={"filed_work_types": sorted(line.work_types)},
        )
    return None

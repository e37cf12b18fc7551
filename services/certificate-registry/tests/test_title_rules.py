"""CR-9 (seed 002 二, 七(三)) as tables: which level a title allows in 贯通, and one title level declared once."""

from __future__ import annotations

from typing import Any

import pytest

from certificate_registry.batches.titles import (
    Declaration,
    allowed_levels,
    declaration_conflict,
    title_problem,
)
from skills_shared.contracts.v1.registry import TitleHeld, TitleLevel


def title(level: str, **kw: Any) -> TitleHeld:
    return TitleHeld.model_validate({"specialty": "电气工程", "related_work_years": 0, "level": level, **kw})


@pytest.mark.parametrize(
    ("held", "levels"),
    [
        (title("assistant"), {3}),  # 二(一) 助理级 → 三级/高级工
        (title("intermediate"), {2}),  # 二(一) 中级 → 二级/技师
        (title("associate_senior"), {1}),  # 二(一) 副高级 → 一级/高级技师
        (title("senior"), set()),  # 正高级 only through 二(四)
        (title("senior", front_line=True), {1}),  # 二(四) front-line → 高级技师 directly
        # 二(二): 助理级 holding 高级工 for 1 year with 4 years of related work → 技师
        (title("assistant", skill_level_held=3, skill_level_years=1, related_work_years=4), {2, 3}),
        (title("assistant", skill_level_held=3, skill_level_years=0, related_work_years=9), {3}),
        (title("assistant", skill_level_held=3, skill_level_years=5, related_work_years=3), {3}),
        (title("assistant", skill_level_held=4, skill_level_years=5, related_work_years=9), {3}),
        # 二(三): 中级 holding 技师 for 1 year with 4 years of related work → 高级技师
        (title("intermediate", skill_level_held=2, skill_level_years=1, related_work_years=4), {1, 2}),
        (title("intermediate", skill_level_held=3, skill_level_years=3, related_work_years=8), {2}),
    ],
)
def test_levels_a_title_allows(held: TitleHeld, levels: set[int]) -> None:
    assert allowed_levels(held) == levels


def test_refusals_say_how_the_title_would_be_accepted() -> None:
    reason = title_problem(title("assistant"), 2, guantong=True)
    assert reason is not None and "二级/技师" in reason and "满1年" in reason and "满4年" in reason
    assert title_problem(title("assistant"), 3, guantong=True) is None
    assert title_problem(None, 3, guantong=True) is not None
    assert title_problem(title("assistant"), 3, guantong=False) == "非贯通批次不填写职称"
    assert title_problem(None, 4, guantong=False) is None
    assert title_problem(title("assistant"), 3, guantong=True, specialties=["电气工程"]) is None
    outside = title_problem(
        title("assistant", specialty="机械工程"), 3, guantong=True, specialties=["电气工程"]
    )
    assert outside is not None and "电气工程" in outside


HERE = Declaration("S000050070001", "6-31-01-03", "维修电工", 3)


@pytest.mark.parametrize(
    ("earlier", "conflict"),
    [
        (HERE, False),  # the same declaration again (a retake, a replaced upload)
        (Declaration("S000050000001", "6-31-01-03", "维修电工", 3), True),  # another body
        (Declaration("S000050070001", "6-18-02-04", None, 3), True),  # another occupation
        (Declaration("S000050070001", "6-31-01-03", "电工", 3), True),  # another 工种
        (Declaration("S000050070001", "6-31-01-03", "维修电工", 2), True),  # another level
    ],
)
def test_one_title_level_is_declared_once(earlier: Declaration, conflict: bool) -> None:
    reason = declaration_conflict(TitleLevel.ASSISTANT, earlier, HERE)
    assert (reason is not None) is conflict
    if reason is not None:
        assert earlier.body_code in reason and "不得在不同评价机构重复申报" in reason

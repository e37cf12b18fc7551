"""CR-9 (seed 002 二, 七(三)): which skill level a professional-technical title allows in a 贯通 evaluation, and
the rule that one title level is declared for one occupation's level at one body only.

Pure: the upload checks every row with :func:`title_problem`; the registry's ``title_declarations`` table holds
the once-only rule suite-wide (see ``batches/repository.py``), and :func:`declaration_conflict` words its refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from skills_shared.contracts.v1.registry import TitleHeld, TitleLevel
from skills_shared.reference import SkillLevel

PROMOTION_YEARS_HELD = 1
PROMOTION_RELATED_YEARS = 4

TITLE_ZH = {
    TitleLevel.ASSISTANT: "助理级",
    TitleLevel.INTERMEDIATE: "中级",
    TitleLevel.ASSOCIATE_SENIOR: "副高级",
    TitleLevel.SENIOR: "正高级",
}
DIRECT_LEVEL = {
    TitleLevel.ASSISTANT: 3,
    TitleLevel.INTERMEDIATE: 2,
    TitleLevel.ASSOCIATE_SENIOR: 1,
}
"""二(一): 助理级、中级、副高级 → 三级/高级工、二级/技师、一级/高级技师."""
PROMOTION = {TitleLevel.ASSISTANT: (3, 2), TitleLevel.INTERMEDIATE: (2, 1)}
"""二(二)(三): title → (skill level held for ≥ 1 year, level it may be promoted to) with ≥ 4 years related work."""


def _promoted(title: TitleHeld, held: int) -> bool:
    return (
        title.skill_level_held is not None
        and title.skill_level_held <= held
        and (title.skill_level_years or 0) >= PROMOTION_YEARS_HELD
        and title.related_work_years >= PROMOTION_RELATED_YEARS
    )


def allowed_levels(title: TitleHeld) -> frozenset[int]:
    """The skill levels this title may apply for in a 贯通 evaluation (CR-9)."""
    allowed: set[int] = set()
    if title.level in DIRECT_LEVEL:
        allowed.add(DIRECT_LEVEL[title.level])
    if title.level in PROMOTION:
        held, target = PROMOTION[title.level]
        if _promoted(title, held):
            allowed.add(target)
    if title.level is TitleLevel.SENIOR and title.front_line:
        allowed.add(1)  # 二(四): 正高级 in front-line production skills → 高级技师 directly
    return frozenset(allowed)


def _what_would_do(title: TitleHeld) -> str:
    """How this title could be accepted, in the seed's words."""
    zh = TITLE_ZH[title.level]
    if title.level is TitleLevel.ASSISTANT:
        return (
            f"{zh}职称可申报三级/高级工；取得高级工满{PROMOTION_YEARS_HELD}年且相关工作累计满"
            f"{PROMOTION_RELATED_YEARS}年的，可申报二级/技师"
        )
    if title.level is TitleLevel.INTERMEDIATE:
        return (
            f"{zh}职称可申报二级/技师；取得技师满{PROMOTION_YEARS_HELD}年且相关工作累计满"
            f"{PROMOTION_RELATED_YEARS}年的，可申报一级/高级技师"
        )
    if title.level is TitleLevel.ASSOCIATE_SENIOR:
        return f"{zh}职称可申报一级/高级技师"
    return f"{zh}职称从事生产一线技能工作的，可直接申报一级/高级技师"


def title_problem(
    title: TitleHeld | None, level: int, guantong: bool, specialties: Sequence[str] = ()
) -> str | None:
    """The Chinese reason a row's title does not allow the batch's level (CR-9), or None.

    ``specialties`` are the title specialties the body's 贯通 registration maps to the batch's occupation and
    level (OF-8, seed 002 七(一)); when org-filing names some, the title's specialty must be one of them.
    """
    if not guantong:
        return "非贯通批次不填写职称" if title is not None else None
    if title is None:
        return "贯通评价须填写申报人的职称（级别、专业、相关工作年限）"
    if level not in allowed_levels(title):
        return f"不能申报{SkillLevel(level).zh}：{_what_would_do(title)}"
    if specialties and title.specialty not in specialties:
        return (
            f"职称专业“{title.specialty}”不在本机构贯通评价报备的对应专业（{'、'.join(specialties)}）内，"
            "请按报备的职业与职称专业对应关系申报"
        )
    return None


@dataclass(frozen=True, slots=True)
class Declaration:
    """One person's declaration of one title level: where, in which occupation and at which level (七(三))."""

    body_code: str
    occupation_code: str
    work_type: str | None
    level: int

    def same_place(self, other: Declaration) -> bool:
        return self == other


def declaration_conflict(title: TitleLevel, earlier: Declaration, wanted: Declaration) -> str | None:
    """七(三): "同一个职称级别只能申报一个相关或相近职业（工种）相对应等级，不得在不同评价机构重复申报或者换职业
    （工种）申报". A second declaration of the same title level elsewhere is refused; the same one again (a retake
    at the same body, occupation and level) is not."""
    if earlier.same_place(wanted):
        return None
    where = f"{earlier.body_code}机构的{earlier.occupation_code}"
    if earlier.work_type:
        where += f"（{earlier.work_type}）"
    return (
        f"该申报人已以{TITLE_ZH[title]}职称在{where}申报{SkillLevel(earlier.level).zh}，"
        "同一职称级别只能申报一个职业（工种）相对应等级，不得在不同评价机构重复申报或者换职业（工种）申报"
    )

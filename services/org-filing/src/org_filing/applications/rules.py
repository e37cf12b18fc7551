"""Pure rules of an application: eligibility (OF-2), level scope (CR-3) and the review state machine (OF-3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from org_filing.bodies.scope import CR_3, beyond_reach
from skills_shared.contracts.v1.org_filing import NationalBase
from skills_shared.refusals import Refusal, Verdict
from skills_shared.transitions import StateMachine

OF_1 = "OF-1"
OF_2 = "OF-2"
OF_3 = "OF-3"

LevelScope = Literal["city", "district"]

CITY_MIN_YEARS = 6
CITY_MIN_TOTAL = 20_000
CITY_MIN_PER_OCCUPATION = 8_000

CITY_PLACE = "00"
CHONGQING_DIVISION_PREFIX = "50"


@dataclass(frozen=True, slots=True)
class OccupationExperience:
    """One occupation applied for, as far as eligibility needs it."""

    code: str
    name: str
    is_new: bool
    start_date: date
    people_evaluated: int
    levels: frozenset[int]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Size thresholds: fixed for city-wide bodies, set by each district for its own (OF-2)."""

    min_years: int
    min_total: int
    min_per_occupation: int


CITY_THRESHOLDS = Thresholds(CITY_MIN_YEARS, CITY_MIN_TOTAL, CITY_MIN_PER_OCCUPATION)


@dataclass(frozen=True, slots=True)
class EligibilityInput:
    """What the application (and, once recorded, the officer's findings) says about the body."""

    level_scope: LevelScope
    credit_code: str
    independent_legal_person: bool
    occupations: Sequence[OccupationExperience]
    on_date: date
    national_base: NationalBase | None = None
    district_thresholds: Thresholds | None = None
    sound_finances: bool | None = None
    good_credit: bool | None = None
    no_violation_record: bool | None = None


def full_years_between(start: date, end: date) -> int:
    """Whole years from start to end, counted by anniversaries (29 Feb anniversaries fall on 28 Feb)."""
    years = end.year - start.year
    try:
        anniversary = start.replace(year=end.year)
    except ValueError:
        anniversary = date(end.year, 2, 28)
    if end < anniversary:
        years -= 1
    return years


def _finding(check: str, value: bool | None, ok: str, bad: str) -> Verdict:
    if value is None:
        return Verdict(OF_2, check, "undetermined", "待受理部门评估")
    return Verdict(OF_2, check, "pass" if value else "fail", ok if value else bad)


def registered_in_chongqing(credit_code: str) -> bool:
    """GB 32100 positions 3–8 carry the registering authority's division code; Chongqing's start with 50."""
    return credit_code[2:4] == CHONGQING_DIVISION_PREFIX


def size_verdicts(inp: EligibilityInput) -> list[Verdict]:
    """The three size thresholds of OF-2, or their exemption for national bases."""
    checks = ("min_years", "min_total", "min_per_occupation")
    if inp.national_base is not None:
        return [Verdict(OF_2, c, "exempt", "国家级基地综合评估，不受此条件限制") for c in checks]
    if inp.level_scope == "city":
        t: Thresholds | None = CITY_THRESHOLDS
    else:
        t = inp.district_thresholds
    if t is None:
        return [Verdict(OF_2, c, "undetermined", "该区县尚未设定此条件") for c in checks]
    out: list[Verdict] = []
    if inp.occupations:
        earliest = min(o.start_date for o in inp.occupations)
        years = full_years_between(earliest, inp.on_date)
    else:
        years = 0
    out.append(
        Verdict(
            OF_2,
            "min_years",
            "pass" if years >= t.min_years else "fail",
            f"培训评价经历 {years} 年，要求不少于 {t.min_years} 年",
        )
    )
    total = sum(o.people_evaluated for o in inp.occupations)
    out.append(
        Verdict(
            OF_2,
            "min_total",
            "pass" if total >= t.min_total else "fail",
            f"累计培训评价 {total} 人次，要求不少于 {t.min_total} 人次",
        )
    )
    short = [o for o in inp.occupations if not o.is_new and o.people_evaluated < t.min_per_occupation]
    if short:
        names = "、".join(f"{o.name}（{o.people_evaluated} 人次）" for o in short)
        out.append(
            Verdict(
                OF_2,
                "min_per_occupation",
                "fail",
                f"单个职业培训评价总量不足 {t.min_per_occupation} 人次：{names}",
            )
        )
    else:
        out.append(
            Verdict(
                OF_2,
                "min_per_occupation",
                "pass",
                f"每个非新职业培训评价总量不少于 {t.min_per_occupation} 人次（新职业不要求）",
            )
        )
    return out


def scope_verdict(level_scope: LevelScope, occupations: Sequence[OccupationExperience]) -> Verdict:
    """CR-3: the levels applied for must fit the body's reach (city 1–5, district 3–5)."""
    bad = [o for o in occupations if not o.levels or beyond_reach(level_scope, o.levels)]
    if not occupations:
        return Verdict(CR_3, "level_scope", "fail", "未填报拟开展评价的职业（工种）")
    if bad:
        names = "、".join(o.name for o in bad)
        reach = "一至五级" if level_scope == "city" else "三至五级"
        return Verdict(CR_3, "level_scope", "fail", f"评价等级超出范围（仅可 {reach}）：{names}")
    return Verdict(CR_3, "level_scope", "pass", "评价等级在允许范围内")


def eligibility(inp: EligibilityInput) -> list[Verdict]:
    """Every OF-2 / CR-3 verdict, each with its rule ID — never stops at the first failure."""
    verdicts = [
        Verdict(
            OF_2,
            "registered_in_chongqing",
            "pass" if registered_in_chongqing(inp.credit_code) else "fail",
            "在我市依法登记"
            if registered_in_chongqing(inp.credit_code)
            else "统一社会信用代码显示非重庆登记",
        ),
        Verdict(
            OF_2,
            "independent_legal_person",
            "pass" if inp.independent_legal_person else "fail",
            "具有独立法人资格" if inp.independent_legal_person else "不具有独立法人资格",
        ),
        _finding("sound_finances", inp.sound_finances, "财务制度规范", "财务制度不规范"),
        _finding("good_credit", inp.good_credit, "社会信用良好", "社会信用不良"),
        _finding("no_violation_record", inp.no_violation_record, "无不良行为记录", "有违法违规或失信记录"),
    ]
    verdicts.extend(size_verdicts(inp))
    verdicts.append(scope_verdict(inp.level_scope, inp.occupations))
    return verdicts


def accepting_place(level_scope: LevelScope, district: str | None) -> str:
    """'Who accepts, evaluates' (OF-3): the city centre (place 00) for city-wide bodies, else the district."""
    if level_scope == "city":
        return CITY_PLACE
    if district is None or district == CITY_PLACE:
        raise ValueError("a district-level body needs its district code")
    return district


class ApplicationStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    evaluated = "evaluated"
    published = "published"
    filed = "filed"
    rejected = "rejected"
    withdrawn = "withdrawn"


APPLICATION_MACHINE: StateMachine[ApplicationStatus] = StateMachine(
    "申报",
    moves={
        "edit": (frozenset({ApplicationStatus.draft}), ApplicationStatus.draft),
        "submit": (frozenset({ApplicationStatus.draft}), ApplicationStatus.submitted),
        "withdraw": (
            frozenset({ApplicationStatus.draft, ApplicationStatus.submitted}),
            ApplicationStatus.withdrawn,
        ),
        "evaluate": (frozenset({ApplicationStatus.submitted}), ApplicationStatus.evaluated),
        "reject": (
            frozenset({ApplicationStatus.submitted, ApplicationStatus.evaluated}),
            ApplicationStatus.rejected,
        ),
        "publish": (frozenset({ApplicationStatus.evaluated}), ApplicationStatus.published),
        "file": (frozenset({ApplicationStatus.published}), ApplicationStatus.filed),
    },
    actions_zh={
        "edit": "修改",
        "submit": "提交",
        "withdraw": "撤回",
        "evaluate": "评估",
        "reject": "不予遴选",
        "publish": "公示",
        "file": "备案",
    },
    rule=OF_3,
    states_zh={
        "draft": "草稿",
        "submitted": "已提交",
        "evaluated": "已评估",
        "published": "公示中",
        "filed": "已备案",
        "rejected": "未遴选",
        "withdrawn": "已撤回",
    },
)
"""OF-3: apply → accept and evaluate → publish the selection → file; a refused move is a 409 naming the state."""


def selection_publicity(
    publicity_from: date, publicity_to: date, *, selected_on: date, today: date
) -> list[Refusal]:
    """OF-3 (seed 001 二(二) "择优遴选并公示"): the selection is published after it is made, and the period
    recorded is one the public can still see — it cannot start before the selection nor be over already.

    The seed sets no length for this publicity, so any period of at least one day that has not ended is accepted.
    """
    out: list[Refusal] = []
    if publicity_from < selected_on:
        out.append(
            Refusal(
                OF_3,
                "publicity_before_selection",
                f"遴选结果须在遴选后公示：公示开始日期不得早于评估遴选日期 {selected_on.isoformat()}",
                field=("body", "publicity_from"),
                extra={"earliest_publicity_from": selected_on.isoformat()},
            )
        )
    if publicity_to < today:
        out.append(
            Refusal(
                OF_3,
                "publicity_already_over",
                f"所录公示期已于 {publicity_to.isoformat()} 结束，公众无从知悉；请录入今日（{today.isoformat()}）"
                "或之后结束的公示期",
                field=("body", "publicity_to"),
                extra={"earliest_publicity_to": today.isoformat()},
            )
        )
    return out

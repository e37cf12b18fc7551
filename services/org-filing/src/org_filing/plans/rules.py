"""Pure rules of an evaluation batch plan (OF-5): filed in time, inside the body's scope and validity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from org_filing.verdicts import Verdict

OF_5 = "OF-5"
CR_3 = "CR-3"
MIN_WORKING_DAYS_AHEAD = 10
GUANTONG_MARK = "贯通"


@dataclass(frozen=True, slots=True)
class BodyScopeView:
    """What a plan is checked against: the body's status, validity and filed (occupation → levels, work types)."""

    status: str
    valid_from: date
    valid_to: date
    levels_by_occupation: Mapping[str, frozenset[int]]
    work_types_by_occupation: Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class PlanFacts:
    name: str
    is_guantong: bool
    occupation_code: str
    work_type: str | None
    levels: frozenset[int]
    starts_on: date
    ends_on: date


def timeliness_verdict(in_time: bool, latest_filing_date: date, earliest_evaluation_date: date) -> Verdict:
    """OF-5 / P-2: filed at least 10 working days before the evaluation starts.

    `in_time` comes from skills_shared.workdays.filed_in_time; the two dates are what a refusal tells the body:
    the last day it could have filed for this date, and the first evaluation date a filing today allows.
    """
    if in_time:
        return Verdict(
            OF_5, "filed_in_time", "pass", f"已提前 10 个工作日报备（最迟 {latest_filing_date.isoformat()}）"
        )
    return Verdict(
        OF_5,
        "filed_in_time",
        "fail",
        f"评价计划须提前 10 个工作日报备：该批次最迟应于 {latest_filing_date.isoformat()} 报备；"
        f"今日报备，最早可安排在 {earliest_evaluation_date.isoformat()} 评价",
    )


def plan_verdicts(plan: PlanFacts, body: BodyScopeView) -> list[Verdict]:
    """Everything about a plan except timing: status, validity, scope (CR-3) and the 贯通 name (OF-5)."""
    out: list[Verdict] = []
    out.append(
        Verdict(
            OF_5,
            "body_active",
            "pass" if body.status == "active" else "fail",
            "评价机构备案有效"
            if body.status == "active"
            else f"评价机构当前状态为 {body.status}，不得开展评价",
        )
    )
    if plan.ends_on < plan.starts_on:
        out.append(Verdict(OF_5, "dates", "fail", "评价结束日期早于开始日期"))
    inside = body.valid_from <= plan.starts_on and plan.ends_on <= body.valid_to
    out.append(
        Verdict(
            OF_5,
            "within_validity",
            "pass" if inside else "fail",
            f"备案有效期 {body.valid_from.isoformat()} 至 {body.valid_to.isoformat()}",
        )
    )
    filed_levels = body.levels_by_occupation.get(plan.occupation_code)
    if filed_levels is None:
        out.append(
            Verdict(CR_3, "occupation_in_scope", "fail", f"职业 {plan.occupation_code} 不在备案范围内")
        )
    else:
        out.append(Verdict(CR_3, "occupation_in_scope", "pass", f"职业 {plan.occupation_code} 在备案范围内"))
        extra = sorted(plan.levels - filed_levels)
        if not plan.levels or extra:
            out.append(
                Verdict(
                    CR_3,
                    "levels_in_scope",
                    "fail",
                    f"等级 {extra or '（空）'} 不在备案等级范围 {sorted(filed_levels)} 内",
                )
            )
        else:
            out.append(Verdict(CR_3, "levels_in_scope", "pass", "等级在备案范围内"))
        work_types = body.work_types_by_occupation.get(plan.occupation_code, frozenset())
        if plan.work_type is not None and work_types and plan.work_type not in work_types:
            out.append(Verdict(CR_3, "work_type_in_scope", "fail", f"工种 {plan.work_type} 不在备案范围内"))
    has_mark = GUANTONG_MARK in plan.name
    if plan.is_guantong:
        out.append(
            Verdict(
                OF_5,
                "guantong_name",
                "pass" if has_mark else "fail",
                "计划名称标注“贯通”" if has_mark else "贯通评价计划名称须标注“贯通”字样",
            )
        )
    return out

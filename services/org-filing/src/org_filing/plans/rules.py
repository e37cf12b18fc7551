"""Pure rules of evaluation batch plans (OF-5) and of the batches opened under them, one function per rule.

The same functions judge a plan when a body files it and a batch when the registry opens it
(``POST /v1/plans/{id}/batch-check``), so the 10-working-day lead (OF-5, P-2), the body's standing (OF-6, CR-2),
its filed scope (CR-3) and its 贯通 registration (OF-8) each have one home in the suite. Each function returns
``None`` when its rule holds and a :class:`~skills_shared.refusals.Refusal` naming the rule, a stable code, the
request field and what would be accepted when it does not; ``org_filing.combine.combined`` makes one answer of
several.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from org_filing.bodies.scope import LEVEL_ZH, ScopeLine, in_scope, scope_line
from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine
from skills_shared.workdays import (
    CalendarNotCovered,
    earliest_event_date,
    filed_in_time,
    latest_filing_date,
)

OF_3 = "OF-3"
OF_5 = "OF-5"
OF_6 = "OF-6"
OF_8 = "OF-8"
P_3 = "P-3"

PLAN_LEAD_WORKING_DAYS = 10
"""OF-5 (seed 001 二(四)1 "提前 10 个工作日…报备"; seed 002 六(一)): counted by P-2."""

GUANTONG_MARK = "贯通"
GUANTONG_ROUTES = frozenset({"贯通", "guantong"})
"""Values of a batch's ``route`` that mean a 贯通 evaluation (seed 002)."""


class PlanStatus(StrEnum):
    filed = "filed"
    withdrawn = "withdrawn"


PLAN_MACHINE: StateMachine[PlanStatus] = StateMachine(
    "评价计划",
    moves={"withdraw": (frozenset({PlanStatus.filed}), PlanStatus.withdrawn)},
    actions_zh={"withdraw": "撤回"},
    rule=OF_5,
    states_zh={"filed": "已报备", "withdrawn": "已撤回"},
)
"""A filed plan stands until the body withdraws it; a withdrawn plan opens no batch."""


@dataclass(frozen=True, slots=True)
class GuantongLine:
    """One occupation ↔ title-specialty row of a body's 贯通 registration (seed 002 附件1 二)."""

    occupation_name: str
    occupation_code: str | None
    work_type: str | None
    level: int
    title_specialties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BodyView:
    """What a plan or batch is judged against: the body's status, validity, scope and 贯通 registration."""

    code: str
    status: str
    valid_from: date
    valid_to: date
    scope: tuple[ScopeLine, ...]
    guantong: tuple[GuantongLine, ...] | None = None
    """The body's 贯通 registration rows; None when the body is not registered as a 贯通 body."""


@dataclass(frozen=True, slots=True)
class PlanView:
    """A filed plan as a batch is judged against it."""

    id: int
    body_code: str
    status: str
    is_guantong: bool
    occupation_code: str
    work_type: str | None
    levels: frozenset[int]
    starts_on: date
    ends_on: date
    filed_on: date


@dataclass(frozen=True, slots=True)
class BatchView:
    """The batch the registry is about to open."""

    body_code: str
    occupation_code: str
    work_type: str | None
    level: int
    evaluation_date: date
    is_guantong: bool


def is_guantong_route(route: str | None) -> bool:
    """A batch's route names a 贯通 evaluation."""
    return route is not None and route.strip().lower() in GUANTONG_ROUTES


# --- OF-5 / P-2: timing ---------------------------------------------------------------------------------


def plan_timing(filed_on: date, evaluation_day: date, *, field: Sequence[str | int]) -> Refusal | None:
    """OF-5 / P-2: filed at least 10 working days before the evaluation (filing day + 10 working days ≤ it).

    Reads only the days the answer depends on (P-3 otherwise); a refusal carries ``latest_filing_date`` (the
    last day a filing for this evaluation day is on time) and ``earliest_evaluation_date`` (the first day a
    filing made on ``filed_on`` allows) as fields, and says both in Chinese.
    """
    try:
        if filed_in_time(filed_on, evaluation_day, PLAN_LEAD_WORKING_DAYS):
            return None
        latest = latest_filing_date(evaluation_day, PLAN_LEAD_WORKING_DAYS)
    except CalendarNotCovered as exc:
        return exc.refusal(field=field)
    try:
        earliest: date | None = earliest_event_date(filed_on, PLAN_LEAD_WORKING_DAYS)
    except CalendarNotCovered as exc:
        earliest, later = None, exc.year
    detail = (
        f"评价计划须在评价实施 {PLAN_LEAD_WORKING_DAYS} 个工作日前报备：{evaluation_day.isoformat()} 的评价"
        f"最迟应于 {latest.isoformat()} 报备；"
    )
    if earliest is not None:
        detail += f"{filed_on.isoformat()} 报备的计划，最早可安排在 {earliest.isoformat()} 评价"
    else:
        detail += f"{filed_on.isoformat()} 报备的计划最早评价日期须待 {later} 年工作日历发布后确定"
    return Refusal(
        OF_5,
        "plan_filed_late",
        detail,
        field=field,
        extra={
            "latest_filing_date": latest.isoformat(),
            "earliest_evaluation_date": earliest.isoformat() if earliest else None,
        },
    )


def plan_dates(starts_on: date, ends_on: date) -> Refusal | None:
    """OF-5: a plan ends on or after the day it starts."""
    if ends_on >= starts_on:
        return None
    return Refusal(
        OF_5,
        "plan_dates",
        "评价结束日期早于开始日期，请将结束日期改为开始日期当日或之后",
        field=("body", "ends_on"),
    )


def guantong_name(name: str, is_guantong: bool) -> Refusal | None:
    """OF-5 (seed 002 六(一)): a 贯通 plan carries "贯通" in its name."""
    if not is_guantong or GUANTONG_MARK in name:
        return None
    return Refusal(
        OF_5,
        "guantong_name_missing",
        "贯通评价计划名称须标注“贯通”字样，请在计划名称中加上",
        field=("body", "name"),
    )


def within_validity(
    body: BodyView,
    first: date,
    last: date,
    *,
    field: Sequence[str | int],
    last_field: Sequence[str | int] | None = None,
) -> Refusal | None:
    """OF-3: a body evaluates only while its filing receipt is valid (``last_field`` names the end when it is
    the end that falls outside)."""
    if body.valid_from <= first and last <= body.valid_to:
        return None
    if first >= body.valid_from and last_field is not None:
        field = last_field
    return Refusal(
        OF_3,
        "outside_validity",
        f"评价日期须在备案有效期 {body.valid_from.isoformat()} 至 {body.valid_to.isoformat()} 内",
        field=field,
        extra={"valid_from": body.valid_from.isoformat(), "valid_to": body.valid_to.isoformat()},
    )


# --- OF-6 / CR-2: the body is active --------------------------------------------------------------------

STATUS_ZH = {"active": "备案有效", "suspended": "暂停", "cancelled": "已注销"}


def body_active(body: BodyView, *, field: Sequence[str | int]) -> Refusal | None:
    """OF-6, CR-2: a suspended or cancelled body organises no evaluation (until reinstated, for a suspension)."""
    if body.status == "active":
        return None
    state = STATUS_ZH.get(body.status, body.status)
    when = "恢复后方可组织评价" if body.status == "suspended" else "已注销的机构不能再组织评价"
    return Refusal(
        OF_6,
        "body_not_active",
        f"评价机构 {body.code} 当前状态为“{state}”，{when}",
        field=field,
        extra={"body_status": body.status},
    )


# --- OF-8: 贯通 only by registered bodies, inside the registration --------------------------------------


def guantong_lines_for(body: BodyView, occupation_code: str) -> list[GuantongLine]:
    """The registration rows for an occupation: by code when the row names one, else by the filed name."""
    filed = scope_line(body.scope, occupation_code)
    name = filed.occupation_name if filed is not None else None
    return [
        g
        for g in body.guantong or ()
        if g.occupation_code == occupation_code or (g.occupation_code is None and g.occupation_name == name)
    ]


def guantong_registered(
    body: BodyView,
    occupation_code: str,
    levels: Iterable[int],
    work_type: str | None,
    *,
    fields: Mapping[str, Sequence[str | int]],
) -> Refusal | None:
    """OF-8 (seed 002 四(一) "经报备作为贯通评价工作主体", 七(二)): only a registered 贯通 body runs 贯通
    evaluation, and only in the occupations (工种) and levels of its registration."""
    if body.guantong is None:
        return Refusal(
            OF_8,
            "guantong_not_registered",
            f"评价机构 {body.code} 未报备为贯通评价机构，不能开展贯通评价；请先向备案地人力社保部门报备（附件1）",
            field=fields["is_guantong"],
        )
    lines = [
        g
        for g in guantong_lines_for(body, occupation_code)
        if work_type is None or g.work_type is None or g.work_type == work_type
    ]
    registered = {g.level for g in lines}
    missing = sorted(set(levels) - registered)
    if lines and not missing:
        return None
    occupations = "、".join(sorted({g.occupation_name for g in body.guantong})) or "（无）"
    if not lines:
        detail = f"职业（工种）{occupation_code} 不在本机构贯通评价报备范围内（报备职业：{occupations}）"
        field = fields["occupation_code"]
    else:
        detail = (
            f"等级 {'、'.join(LEVEL_ZH.get(lv, str(lv)) for lv in missing)} 不在本机构该职业的贯通报备等级"
            f"（{'、'.join(LEVEL_ZH.get(lv, str(lv)) for lv in sorted(registered))}）内"
        )
        field = fields["levels"]
    return Refusal(
        OF_8,
        "outside_guantong_registration",
        detail + "；请先变更贯通评价机构报备",
        field=field,
        extra={"registered_levels": sorted(registered)},
    )


def guantong_specialties(
    body: BodyView, occupation_code: str, level: int, work_type: str | None
) -> list[str]:
    """The title specialties a 贯通 batch of this occupation and level admits (seed 002 七(一))."""
    found: set[str] = set()
    for g in guantong_lines_for(body, occupation_code):
        if g.level == level and (work_type is None or g.work_type is None or g.work_type == work_type):
            found.update(g.title_specialties)
    return sorted(found)


# --- a batch under a plan -------------------------------------------------------------------------------

BATCH_FIELDS: Mapping[str, Sequence[str | int]] = {
    "plan_id": ("path", "plan_id"),
    "body_code": ("body", "body_code"),
    "occupation_code": ("body", "occupation_code"),
    "work_type": ("body", "work_type"),
    "levels": ("body", "level"),
    "evaluation_date": ("body", "evaluation_date"),
    "is_guantong": ("body", "route"),
}


def plan_of_body(plan: PlanView, batch: BatchView) -> Refusal | None:
    """OF-5: a body opens batches only under its own plans (CR-3: no body evaluates for another)."""
    if plan.body_code == batch.body_code:
        return None
    return Refusal(
        OF_5,
        "forbidden_body",
        "该评价计划不属于本机构，请使用本机构报备的评价计划",
        field=BATCH_FIELDS["plan_id"],
        status=403,
    )


def plan_standing(plan: PlanView) -> Refusal | None:
    """OF-5: a withdrawn plan opens no batch."""
    if plan.status == PlanStatus.filed:
        return None
    return Refusal(
        OF_5,
        "plan_not_standing",
        f"评价计划 {plan.id} 已撤回，请重新报备评价计划",
        field=BATCH_FIELDS["plan_id"],
        extra={"plan_status": plan.status},
    )


def plan_covers(plan: PlanView, batch: BatchView) -> list[Refusal]:
    """OF-5: the batch is one the plan announced: its occupation, 工种, level, date and route."""
    out: list[Refusal] = []
    if plan.occupation_code != batch.occupation_code:
        out.append(
            Refusal(
                OF_5,
                "plan_occupation_mismatch",
                f"批次职业 {batch.occupation_code} 与评价计划的职业 {plan.occupation_code} 不一致",
                field=BATCH_FIELDS["occupation_code"],
            )
        )
    if plan.work_type is not None and batch.work_type != plan.work_type:
        out.append(
            Refusal(
                OF_5,
                "plan_work_type_mismatch",
                f"批次工种与评价计划的工种“{plan.work_type}”不一致",
                field=BATCH_FIELDS["work_type"],
            )
        )
    if batch.level not in plan.levels:
        levels = "、".join(LEVEL_ZH.get(lv, str(lv)) for lv in sorted(plan.levels))
        out.append(
            Refusal(
                OF_5,
                "plan_level_mismatch",
                f"等级 {LEVEL_ZH.get(batch.level, batch.level)} 不在评价计划的等级（{levels}）内",
                field=BATCH_FIELDS["levels"],
            )
        )
    if not plan.starts_on <= batch.evaluation_date <= plan.ends_on:
        out.append(
            Refusal(
                OF_5,
                "outside_plan_dates",
                f"评价日期须在评价计划的 {plan.starts_on.isoformat()} 至 {plan.ends_on.isoformat()} 之间",
                field=BATCH_FIELDS["evaluation_date"],
                extra={"starts_on": plan.starts_on.isoformat(), "ends_on": plan.ends_on.isoformat()},
            )
        )
    if plan.is_guantong != batch.is_guantong:
        detail = (
            "贯通评价批次须在名称标注“贯通”的贯通评价计划下开展"
            if batch.is_guantong
            else "贯通评价计划下只能开展贯通评价批次"
        )
        out.append(Refusal(OF_5, "plan_route_mismatch", detail, field=BATCH_FIELDS["is_guantong"]))
    return out


def batch_refusals(plan: PlanView, body: BodyView, batch: BatchView) -> list[Refusal]:
    """Every reason the batch may not open under the plan (empty: it may). A foreign plan stops the check."""
    foreign = plan_of_body(plan, batch)
    if foreign is not None:
        return [foreign]
    found: list[Refusal | None] = [plan_standing(plan), *plan_covers(plan, batch)]
    found.append(plan_timing(plan.filed_on, batch.evaluation_date, field=BATCH_FIELDS["evaluation_date"]))
    found.append(body_active(body, field=BATCH_FIELDS["body_code"]))
    found.append(
        within_validity(
            body, batch.evaluation_date, batch.evaluation_date, field=BATCH_FIELDS["evaluation_date"]
        )
    )
    levels = (batch.level,)
    found.append(in_scope(body.scope, batch.occupation_code, levels, batch.work_type, fields=BATCH_FIELDS))
    if batch.is_guantong:
        found.append(
            guantong_registered(body, batch.occupation_code, levels, batch.work_type, fields=BATCH_FIELDS)
        )
    return [r for r in found if r is not None]

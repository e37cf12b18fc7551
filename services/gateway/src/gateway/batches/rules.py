"""Pure checks before a batch may be opened in the registry: the plan (OF-5) and the body (CR-2, CR-3, OF-6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from skills_shared.problems import FieldError, Problem
from skills_shared.workdays import CalendarNotCovered, filed_in_time

RULE_PLAN = "OF-5"
RULE_SCOPE = "CR-3"
RULE_ACTIVE = "OF-6"
RULE_CALENDAR = "P-3"
PLAN_LEAD_WORKING_DAYS = 10
"""OF-5: a plan is filed at least 10 working days before the evaluation runs (P-2 counting)."""

ACTIVE = "active"
WITHDRAWN_PLAN_STATUSES = frozenset({"withdrawn", "cancelled", "rejected"})


@dataclass(frozen=True, slots=True)
class ScopeLine:
    """One filed occupation of a body with its levels and 工种 (empty: any 工种 of the occupation)."""

    occupation_code: str
    levels: frozenset[int]
    work_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class BodyFacts:
    """What org-filing says of the body."""

    code: str
    status: str
    scope: tuple[ScopeLine, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What org-filing says of the plan."""

    id: int
    body_code: str
    status: str
    occupation_code: str
    levels: frozenset[int]
    starts_on: date
    ends_on: date
    filed_on: date
    work_type: str | None = None


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """The batch a body wants to open."""

    body_code: str
    occupation_code: str
    level: int
    evaluation_date: date
    work_type: str | None = None


@dataclass
class Refusal:
    """Why a batch may not be opened: the rule, a stable code, the field, Chinese words."""

    rule: str
    code: str
    loc: list[str | int]
    msg: str
    status: int = 409
    extra: dict[str, str] = field(default_factory=dict)


def in_scope(body: BodyFacts, occupation_code: str, level: int, work_type: str | None) -> bool:
    """CR-3: the occupation (and 工种, when the scope names some) and level are inside the filed scope."""
    for line in body.scope:
        if line.occupation_code != occupation_code or level not in line.levels:
            continue
        if work_type is None or not line.work_types or work_type in line.work_types:
            return True
    return False


def plan_refusals(plan: PlanFacts, batch: BatchRequest) -> list[Refusal]:
    """OF-5: the plan is the body's, still standing, covers this batch, and was filed in time."""
    out: list[Refusal] = []
    if plan.body_code != batch.body_code:
        out.append(Refusal(RULE_PLAN, "forbidden_body", ["body", "plan_id"], "该评价计划不属于本机构", 403))
        return out
    if plan.status in WITHDRAWN_PLAN_STATUSES:
        out.append(Refusal(RULE_PLAN, "plan_not_standing", ["body", "plan_id"], "该评价计划已撤回或失效"))
    if plan.occupation_code != batch.occupation_code:
        out.append(
            Refusal(
                RULE_PLAN, "plan_occupation_mismatch", ["body", "occupation_code"], "职业与备案计划不一致"
            )
        )
    if batch.level not in plan.levels:
        out.append(Refusal(RULE_PLAN, "plan_level_mismatch", ["body", "level"], "等级不在备案计划内"))
    if not plan.starts_on <= batch.evaluation_date <= plan.ends_on:
        out.append(
            Refusal(
                RULE_PLAN,
                "outside_plan_dates",
                ["body", "evaluation_date"],
                "评价日期不在备案计划的时间范围内",
            )
        )
    try:
        on_time = filed_in_time(plan.filed_on, batch.evaluation_date, PLAN_LEAD_WORKING_DAYS)
    except CalendarNotCovered as exc:
        out.append(Refusal(RULE_CALENDAR, "calendar_not_covered", ["body", "evaluation_date"], str(exc), 422))
        return out
    if not on_time:
        out.append(
            Refusal(
                RULE_PLAN,
                "plan_filed_late",
                ["body", "plan_id"],
                f"评价计划须在评价实施 {PLAN_LEAD_WORKING_DAYS} 个工作日前备案",
            )
        )
    return out


def body_refusals(body: BodyFacts, batch: BatchRequest) -> list[Refusal]:
    """The body is active (not suspended, not cancelled: OF-6, CR-2) and the batch is inside its scope (CR-3)."""
    out: list[Refusal] = []
    if body.status != ACTIVE:
        out.append(
            Refusal(
                RULE_ACTIVE,
                "body_not_active",
                ["body", "body_code"],
                f"评价机构当前状态为“{body.status}”，不能组织评价",
            )
        )
    if not in_scope(body, batch.occupation_code, batch.level, batch.work_type):
        out.append(
            Refusal(
                RULE_SCOPE,
                "outside_scope",
                ["body", "occupation_code"],
                "职业（工种）或等级不在机构备案范围内",
            )
        )
    return out


def gate(plan: PlanFacts, body: BodyFacts, batch: BatchRequest) -> None:
    """Raise one problem listing every refusal; its status and rule are those of the first."""
    refusals = plan_refusals(plan, batch) + body_refusals(body, batch)
    if not refusals:
        return
    first = refusals[0]
    raise Problem(
        first.status,
        first.code,
        "；".join(r.msg for r in refusals),
        title="Batch refused",
        rule=first.rule,
        errors=[FieldError(loc=r.loc, msg=r.msg, type=r.code) for r in refusals],
    )

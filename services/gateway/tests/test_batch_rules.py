"""OF-5 / CR-3 / OF-6 checks before a batch is opened in the registry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.batches.rules import (
    BatchRequest,
    BodyFacts,
    PlanFacts,
    ScopeLine,
    body_refusals,
    gate,
    in_scope,
    plan_refusals,
)
from skills_shared.problems import Problem
from skills_shared.workdays import add_working_days

BODY = "S000050050001"
EVALUATION = date(2026, 10, 20)
PLAN = PlanFacts(
    id=7,
    body_code=BODY,
    status="filed",
    occupation_code="4-01-02-01",
    levels=frozenset({3, 4}),
    starts_on=date(2026, 10, 19),
    ends_on=date(2026, 10, 23),
    filed_on=date(2026, 9, 30),
)
ACTIVE_BODY = BodyFacts(
    code=BODY, status="active", scope=(ScopeLine("4-01-02-01", frozenset({3, 4, 5}), frozenset()),)
)
BATCH = BatchRequest(body_code=BODY, occupation_code="4-01-02-01", level=3, evaluation_date=EVALUATION)


def codes(refusals: list) -> list[str]:  # type: ignore[type-arg]
    return [r.code for r in refusals]


@pytest.mark.parametrize(
    ("plan", "batch", "expected"),
    [
        (PLAN, BATCH, []),
        # P-2 worked example: an evaluation on 2026-10-20 is on time if filed on or before 2026-09-30.
        (replace(PLAN, filed_on=date(2026, 10, 8)), BATCH, ["plan_filed_late"]),
        (replace(PLAN, filed_on=date(2026, 10, 1)), BATCH, []),  # holiday after the deadline still in time
        (replace(PLAN, body_code="S000050060002"), BATCH, ["forbidden_body"]),
        (replace(PLAN, status="withdrawn"), BATCH, ["plan_not_standing"]),
        (PLAN, replace(BATCH, occupation_code="6-02-01-01"), ["plan_occupation_mismatch"]),
        (PLAN, replace(BATCH, level=2), ["plan_level_mismatch"]),
        (PLAN, replace(BATCH, evaluation_date=date(2026, 10, 26)), ["outside_plan_dates"]),
    ],
)
def test_plan_refusals_table(plan: PlanFacts, batch: BatchRequest, expected: list[str]) -> None:
    assert codes(plan_refusals(plan, batch)) == expected


def test_uncovered_calendar_year_is_a_clear_422() -> None:
    far = date(2099, 6, 1)
    refusals = plan_refusals(
        replace(PLAN, starts_on=far, ends_on=far, filed_on=date(2099, 1, 5)),
        replace(BATCH, evaluation_date=far),
    )
    assert [(r.code, r.rule, r.status) for r in refusals] == [("calendar_not_covered", "P-3", 422)]


@pytest.mark.parametrize(
    ("body", "batch", "expected"),
    [
        (ACTIVE_BODY, BATCH, []),
        (replace(ACTIVE_BODY, status="suspended"), BATCH, ["body_not_active"]),
        (replace(ACTIVE_BODY, status="cancelled"), BATCH, ["body_not_active"]),
        (ACTIVE_BODY, replace(BATCH, level=2), ["outside_scope"]),
        (ACTIVE_BODY, replace(BATCH, occupation_code="6-02-01-01"), ["outside_scope"]),
        (
            replace(ACTIVE_BODY, status="suspended"),
            replace(BATCH, level=1),
            ["body_not_active", "outside_scope"],
        ),
    ],
)
def test_body_refusals_table(body: BodyFacts, batch: BatchRequest, expected: list[str]) -> None:
    assert codes(body_refusals(body, batch)) == expected


@pytest.mark.parametrize(
    ("work_types", "asked", "inside"),
    [
        (frozenset(), None, True),
        (frozenset(), "热菜", True),
        (frozenset({"热菜"}), "热菜", True),
        (frozenset({"热菜"}), "面点", False),
        (frozenset({"热菜"}), None, True),
    ],
)
def test_work_type_scope(work_types: frozenset[str], asked: str | None, inside: bool) -> None:
    body = BodyFacts(BODY, "active", (ScopeLine("4-01-02-01", frozenset({3}), work_types),))
    assert in_scope(body, "4-01-02-01", 3, asked) is inside


def test_gate_raises_one_problem_listing_every_refusal() -> None:
    with pytest.raises(Problem) as caught:
        gate(replace(PLAN, filed_on=date(2026, 10, 12)), replace(ACTIVE_BODY, status="suspended"), BATCH)
    problem = caught.value
    assert (problem.status, problem.code, problem.rule) == (409, "plan_filed_late", "OF-5")
    assert [e.type for e in problem.errors] == ["plan_filed_late", "body_not_active"]


def test_gate_other_body_is_forbidden() -> None:
    with pytest.raises(Problem) as caught:
        gate(replace(PLAN, body_code="S000050060002"), ACTIVE_BODY, BATCH)
    assert caught.value.status == 403


@given(lead=st.integers(min_value=0, max_value=30))
def test_on_time_exactly_when_ten_working_days_fit(lead: int) -> None:
    """Property (OF-5, P-2): filed ``lead`` calendar days ahead is on time iff 10 working days fit before."""
    filed = EVALUATION - timedelta(days=lead)
    plan = replace(PLAN, filed_on=filed)
    late = "plan_filed_late" in codes(plan_refusals(plan, BATCH))
    assert late is (add_working_days(filed, 10) > EVALUATION)

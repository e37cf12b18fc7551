"""OF-5 plan rules and CR-3 scope."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_filing.plans.rules import BodyScopeView, PlanFacts, plan_verdicts, timeliness_verdict

BODY = BodyScopeView(
    status="active",
    valid_from=date(2026, 1, 1),
    valid_to=date(2028, 12, 31),
    levels_by_occupation={"6-31-01-03": frozenset({3, 4, 5})},
    work_types_by_occupation={"6-31-01-03": frozenset({"维修电工"})},
)


def plan(**kw):
    base = dict(
        name="2026年第一批",
        is_guantong=False,
        occupation_code="6-31-01-03",
        work_type=None,
        levels=frozenset({4, 5}),
        starts_on=date(2026, 10, 20),
        ends_on=date(2026, 10, 21),
    )
    base.update(kw)
    return PlanFacts(**base)


def outcomes(p, body=BODY):
    return {(v.rule, v.check): v.outcome for v in plan_verdicts(p, body)}


def test_plan_in_scope_passes():
    assert all(o == "pass" for o in outcomes(plan()).values())


@pytest.mark.parametrize(
    ("kw", "failing"),
    [
        ({"occupation_code": "4-01-01-01"}, ("CR-3", "occupation_in_scope")),
        ({"levels": frozenset({2, 3})}, ("CR-3", "levels_in_scope")),
        ({"levels": frozenset()}, ("CR-3", "levels_in_scope")),
        ({"work_type": "高压电工"}, ("CR-3", "work_type_in_scope")),
        ({"starts_on": date(2025, 12, 31)}, ("OF-5", "within_validity")),
        ({"ends_on": date(2029, 1, 1)}, ("OF-5", "within_validity")),
        ({"is_guantong": True}, ("OF-5", "guantong_name")),
    ],
)
def test_plan_refusals(kw, failing):
    got = outcomes(plan(**kw))
    assert got[failing] == "fail"


def test_guantong_plan_with_the_mark_passes():
    assert outcomes(plan(is_guantong=True, name="2026年贯通评价第一批"))[("OF-5", "guantong_name")] == "pass"


def test_suspended_body_cannot_plan():
    body = BodyScopeView(
        "suspended", BODY.valid_from, BODY.valid_to, BODY.levels_by_occupation, BODY.work_types_by_occupation
    )
    assert outcomes(plan(), body)[("OF-5", "body_active")] == "fail"


def test_timeliness_names_both_dates():
    ok = timeliness_verdict(True, date(2026, 9, 30), date(2026, 10, 20))
    assert ok.outcome == "pass"
    late = timeliness_verdict(False, date(2026, 9, 30), date(2026, 10, 22))
    assert late.outcome == "fail" and late.rule == "OF-5"
    assert "2026-09-30" in late.detail and "2026-10-22" in late.detail


@given(st.frozensets(st.integers(min_value=1, max_value=5), min_size=1))
def test_levels_property(levels):
    got = outcomes(plan(levels=levels))[("CR-3", "levels_in_scope")]
    assert (got == "pass") == (levels <= {3, 4, 5})

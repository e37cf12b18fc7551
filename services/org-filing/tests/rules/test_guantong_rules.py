"""OF-8 贯通 registration and quota progress; the 2023 plan data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_filing.guantong.plan_2023 import PLAN_2023, TECHNICIAN_2023, TOTAL_2023
from org_filing.guantong.rules import MappingFacts, QuotaProgress, quota_verdict, registration_verdicts

M = [MappingFacts("电工", 2, ("电气工程",))]


@pytest.mark.parametrize(
    ("mappings", "experts", "failing"),
    [
        (M, ["a", "b", "c"], set()),
        (M, ["a", "b"], {"min_experts"}),
        (M, ["a", "a", "b", "c"], {"distinct_experts"}),
        (M, ["a", "a", "b"], {"min_experts", "distinct_experts"}),
        ([], ["a", "b", "c"], {"mapping"}),
        ([MappingFacts("电工", 4, ("电气",))], ["a", "b", "c"], {"mapping"}),
        ([MappingFacts("电工", 3, ())], ["a", "b", "c"], {"mapping"}),
    ],
)
def test_registration(mappings, experts, failing):
    vs = registration_verdicts(mappings, experts)
    assert {v.check for v in vs if v.failed} == failing
    assert {v.rule for v in vs} == {"OF-8"}


def test_plan_2023_matches_the_seed_totals():
    assert len(PLAN_2023) == 51
    assert [r[0] for r in PLAN_2023] == list(range(1, 52))
    assert sum(r[2] for r in PLAN_2023) == TOTAL_2023 == 2000
    assert sum(r[3] for r in PLAN_2023) == TECHNICIAN_2023 == 1500
    assert all(quota_verdict(r[2], r[3]).outcome == "pass" for r in PLAN_2023)
    assert PLAN_2023[41] == (42, "重庆市金质职业培训学校", 10, 0)


@pytest.mark.parametrize(
    ("total", "tech", "outcome"), [(10, 5, "pass"), (10, 10, "pass"), (10, 11, "fail"), (0, -1, "fail")]
)
def test_quota_shape(total, tech, outcome):
    assert quota_verdict(total, tech).outcome == outcome


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 800), st.integers(0, 800))
def test_progress_property(qt, qk, it, ik):
    p = QuotaProgress(qt, qk, it, ik)
    assert p.remaining_total == max(qt - it, 0)
    assert p.percent_total >= 0 and (qt == 0 or p.percent_total == it * 100 // qt)
    assert isinstance(p.percent_technician, int)


def test_progress_example():
    p = QuotaProgress(130, 120, 65, 30)
    assert (p.percent_total, p.percent_technician, p.remaining_total, p.remaining_technician) == (
        50,
        25,
        65,
        90,
    )

"""OF-2 / CR-3 eligibility and the OF-3 application state machine, as pure rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_filing.applications.rules import (
    APPLICATION_MACHINE,
    ApplicationStatus,
    EligibilityInput,
    NationalBase,
    OccupationExperience,
    Thresholds,
    accepting_place,
    eligibility,
    full_years_between,
    scope_verdict,
)
from skills_shared.transitions import IllegalTransition

CQ_CODE = "91500000MA5U3X5K1T"  # division 500000: registered in Chongqing
SH_CODE = "91310000MA1FL0QW4X"
TODAY = date(2026, 11, 20)


def occ(people: int, *, new: bool = False, start: date = date(2018, 1, 1), levels=(3, 4, 5), name="电工"):
    return OccupationExperience("6-31-01-03", name, new, start, people, frozenset(levels))


def verdicts_by_check(inp: EligibilityInput) -> dict[str, str]:
    return {v.check: v.outcome for v in eligibility(inp)}


def city(*occupations: OccupationExperience, **kw) -> EligibilityInput:
    base = dict(
        level_scope="city",
        credit_code=CQ_CODE,
        independent_legal_person=True,
        occupations=list(occupations),
        on_date=TODAY,
    )
    base.update(kw)
    return EligibilityInput(**base)


@pytest.mark.parametrize(
    ("occupations", "expected"),
    [
        # 8 years, 2 × 10,000: every threshold met
        (
            [occ(10_000), occ(10_000, name="焊工")],
            {"min_years": "pass", "min_total": "pass", "min_per_occupation": "pass"},
        ),
        # total 19,999 fails, single ones ok
        ([occ(10_000), occ(9_999, name="焊工")], {"min_total": "fail", "min_per_occupation": "pass"}),
        # one occupation under 8,000
        ([occ(15_000), occ(7_999, name="焊工")], {"min_total": "pass", "min_per_occupation": "fail"}),
        # a new occupation is exempt from the 8,000
        ([occ(20_000), occ(10, new=True, name="新职业")], {"min_per_occupation": "pass"}),
        # exactly 6 years to the day passes, one day short fails
        ([occ(20_000, start=date(2020, 11, 20))], {"min_years": "pass"}),
        ([occ(20_000, start=date(2020, 11, 21))], {"min_years": "fail"}),
        # years are counted from the earliest occupation
        (
            [occ(10_000, start=date(2024, 1, 1)), occ(10_000, start=date(2019, 1, 1), name="焊工")],
            {"min_years": "pass"},
        ),
    ],
)
def test_city_thresholds(occupations, expected):
    got = verdicts_by_check(city(*occupations))
    for check, outcome in expected.items():
        assert got[check] == outcome, (check, got)


@pytest.mark.parametrize("base", list(NationalBase))
def test_national_bases_are_exempt_from_the_three_size_thresholds(base):
    got = verdicts_by_check(city(occ(1, start=date(2026, 1, 1)), national_base=base))
    assert got["min_years"] == got["min_total"] == got["min_per_occupation"] == "exempt"
    assert got["registered_in_chongqing"] == "pass"


def test_national_base_is_not_exempt_from_scope_or_registration():
    got = verdicts_by_check(
        city(occ(1, levels=(1, 2)), national_base=NationalBase.master_studio, credit_code=SH_CODE)
    )
    assert got["registered_in_chongqing"] == "fail"


def test_district_thresholds_come_from_the_district():
    t = Thresholds(min_years=2, min_total=500, min_per_occupation=100)
    inp = city(occ(600, start=date(2024, 1, 1)), level_scope="district", district_thresholds=t)
    got = verdicts_by_check(inp)
    assert got["min_years"] == "pass" and got["min_total"] == "pass" and got["min_per_occupation"] == "pass"
    strict = Thresholds(min_years=5, min_total=700, min_per_occupation=700)
    got = verdicts_by_check(
        city(occ(600, start=date(2024, 1, 1)), level_scope="district", district_thresholds=strict)
    )
    assert got["min_years"] == got["min_total"] == got["min_per_occupation"] == "fail"


def test_district_without_thresholds_leaves_them_to_the_officer():
    got = verdicts_by_check(city(occ(1), level_scope="district"))
    assert got["min_years"] == got["min_total"] == got["min_per_occupation"] == "undetermined"


def test_every_verdict_names_its_rule_and_nothing_stops_early():
    vs = eligibility(
        city(
            occ(1, levels=(1,)),
            credit_code=SH_CODE,
            independent_legal_person=False,
            level_scope="district",
            district_thresholds=Thresholds(10, 10, 10),
        )
    )
    assert {v.rule for v in vs} == {"OF-2", "CR-3"}
    failed = {v.check for v in vs if v.failed}
    assert failed == {
        "registered_in_chongqing",
        "independent_legal_person",
        "min_years",
        "min_total",
        "min_per_occupation",
        "level_scope",
    }


@pytest.mark.parametrize(
    ("finding", "value", "outcome"),
    [
        ("sound_finances", None, "undetermined"),
        ("good_credit", True, "pass"),
        ("no_violation_record", False, "fail"),
    ],
)
def test_officer_findings(finding, value, outcome):
    assert verdicts_by_check(city(occ(20_000), **{finding: value}))[finding] == outcome


@pytest.mark.parametrize(
    ("scope", "levels", "outcome"),
    [
        ("city", (1, 2, 3, 4, 5), "pass"),
        ("city", (1,), "pass"),
        ("district", (3, 4, 5), "pass"),
        ("district", (2, 3), "fail"),
        ("district", (1,), "fail"),
        ("city", (), "fail"),
        ("city", (0,), "fail"),
        ("city", (6,), "fail"),
    ],
)
def test_cr3_level_scope(scope, levels, outcome):
    v = scope_verdict(scope, [occ(1, levels=levels)])
    assert (v.rule, v.outcome) == ("CR-3", outcome)


def test_no_occupations_is_out_of_scope():
    assert scope_verdict("city", []).outcome == "fail"


@given(st.sets(st.integers(min_value=0, max_value=7), min_size=1), st.sampled_from(["city", "district"]))
def test_scope_property(levels, scope):
    allowed = {1, 2, 3, 4, 5} if scope == "city" else {3, 4, 5}
    v = scope_verdict(scope, [occ(1, levels=levels)])
    assert (v.outcome == "pass") == (levels <= allowed)


@given(st.lists(st.integers(min_value=0, max_value=30_000), min_size=1, max_size=6))
def test_city_size_property(counts):
    occs = [occ(c, name=f"职业{i}") for i, c in enumerate(counts)]
    got = verdicts_by_check(city(*occs))
    assert (got["min_total"] == "pass") == (sum(counts) >= 20_000)
    assert (got["min_per_occupation"] == "pass") == all(c >= 8_000 for c in counts)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
)
def test_full_years_property(a, b):
    start, end = min(a, b), max(a, b)
    y = full_years_between(start, end)
    assert y >= 0
    assert (
        start.replace(year=start.year + y, day=min(start.day, 28) if start.month == 2 else start.day) <= end
    )


def test_accepting_place():
    assert accepting_place("city", None) == "00"
    assert accepting_place("city", "05") == "00"
    assert accepting_place("district", "05") == "05"
    with pytest.raises(ValueError):
        accepting_place("district", None)


LEGAL = {
    ("draft", "edit"),
    ("draft", "submit"),
    ("draft", "withdraw"),
    ("submitted", "withdraw"),
    ("submitted", "evaluate"),
    ("submitted", "reject"),
    ("evaluated", "reject"),
    ("evaluated", "publish"),
    ("published", "file"),
}


@pytest.mark.parametrize("state", list(ApplicationStatus))
@pytest.mark.parametrize("action", list(APPLICATION_MACHINE.moves))
def test_application_state_machine_is_exactly_the_table(state, action):
    if (state.value, action) in LEGAL:
        assert APPLICATION_MACHINE.next(state, action) in ApplicationStatus
    else:
        with pytest.raises(IllegalTransition) as e:
            APPLICATION_MACHINE.next(state, action)
        assert e.value.current == state.value


def test_filing_path():
    s = ApplicationStatus.draft
    for action, want in [
        ("submit", "submitted"),
        ("evaluate", "evaluated"),
        ("publish", "published"),
        ("file", "filed"),
    ]:
        s = APPLICATION_MACHINE.next(s, action)
        assert s == want

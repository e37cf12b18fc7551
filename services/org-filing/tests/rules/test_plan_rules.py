"""Plan and batch rules, one table per rule: OF-5 timing and coverage, OF-3, OF-6, CR-3, OF-8."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_filing.bodies.scope import in_scope
from org_filing.combine import combined
from org_filing.plans.rules import (
    BATCH_FIELDS,
    BatchView,
    BodyView,
    GuantongLine,
    PlanView,
    ScopeLine,
    batch_refusals,
    body_active,
    guantong_name,
    guantong_registered,
    guantong_specialties,
    is_guantong_route,
    plan_covers,
    plan_dates,
    plan_timing,
    within_validity,
)

FIELDS = {
    "occupation_code": ("body", "occupation_code"),
    "levels": ("body", "levels"),
    "work_type": ("body", "work_type"),
    "is_guantong": ("body", "is_guantong"),
}
BODY = BodyView(
    code="S000050000001",
    status="active",
    valid_from=date(2026, 1, 1),
    valid_to=date(2028, 12, 31),
    scope=(ScopeLine("6-31-01-03", "电工", frozenset({3, 4, 5}), frozenset({"维修电工"})),),
)
GUANTONG = replace(
    BODY,
    guantong=(
        GuantongLine("电工", None, None, 3, ("电气工程",)),
        GuantongLine("电工", "6-31-01-03", "维修电工", 2, ("自动化",)),
    ),
)
PLAN = PlanView(
    id=1,
    body_code=BODY.code,
    status="filed",
    is_guantong=False,
    occupation_code="6-31-01-03",
    work_type=None,
    levels=frozenset({4, 5}),
    starts_on=date(2026, 10, 20),
    ends_on=date(2026, 10, 21),
    filed_on=date(2026, 9, 30),
)
BATCH = BatchView(BODY.code, "6-31-01-03", "维修电工", 4, date(2026, 10, 20), False)


# --- OF-5 / P-2 timing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "evaluation", "code", "latest", "earliest"),
    [
        (date(2026, 9, 30), date(2026, 10, 20), None, None, None),  # the DOMAIN.md P-2 example
        (date(2026, 10, 8), date(2026, 10, 20), "plan_filed_late", "2026-09-30", "2026-10-21"),
        (date(2026, 12, 7), date(2027, 1, 15), None, None, None),  # December for January (issue 16 item 1)
        (date(2026, 12, 28), date(2027, 2, 1), "calendar_not_covered", None, None),  # needs 2027 days
        (date(2026, 12, 28), date(2026, 12, 31), "plan_filed_late", "2026-12-17", None),  # earliest in 2027
    ],
)
def test_plan_timing(
    filed_on: date, evaluation: date, code: str | None, latest: str | None, earliest: str | None
) -> None:
    r = plan_timing(filed_on, evaluation, field=("body", "starts_on"))
    assert (r.code if r else None) == code
    if r is not None and code == "plan_filed_late":
        assert r.rule == "OF-5" and r.status == 422
        assert r.extra["latest_filing_date"] == latest and r.extra["earliest_evaluation_date"] == earliest
        assert latest in r.detail
    if r is not None and code == "calendar_not_covered":
        assert r.rule == "P-3" and r.extra["year"] == 2027


# --- the plan itself ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "ends", "ok"),
    [(date(2026, 10, 20), date(2026, 10, 20), True), (date(2026, 10, 20), date(2026, 10, 19), False)],
)
def test_plan_dates(starts: date, ends: date, ok: bool) -> None:
    assert (plan_dates(starts, ends) is None) is ok


@pytest.mark.parametrize(
    ("name", "is_guantong", "ok"),
    [("2026年第一批", False, True), ("2026年第一批", True, False), ("2026年贯通评价第一批", True, True)],
)
def test_guantong_name(name: str, is_guantong: bool, ok: bool) -> None:
    r = guantong_name(name, is_guantong)
    assert (r is None) is ok
    if r is not None:
        assert (r.rule, r.code) == ("OF-5", "guantong_name_missing")


@pytest.mark.parametrize(
    ("first", "last", "ok"),
    [
        (date(2026, 1, 1), date(2028, 12, 31), True),
        (date(2025, 12, 31), date(2026, 1, 2), False),
        (date(2028, 12, 30), date(2029, 1, 1), False),
    ],
)
def test_within_validity(first: date, last: date, ok: bool) -> None:
    r = within_validity(BODY, first, last, field=("body", "starts_on"), last_field=("body", "ends_on"))
    assert (r is None) is ok
    if r is not None:
        assert (r.rule, r.code, r.extra["valid_to"]) == ("OF-3", "outside_validity", "2028-12-31")
        assert r.errors[0].loc == ["body", "starts_on" if first < BODY.valid_from else "ends_on"]


@pytest.mark.parametrize(("status", "ok"), [("active", True), ("suspended", False), ("cancelled", False)])
def test_body_active(status: str, ok: bool) -> None:
    r = body_active(replace(BODY, status=status), field=("path", "code"))
    assert (r is None) is ok
    if r is not None:
        assert (r.rule, r.code, r.extra["body_status"]) == ("OF-6", "body_not_active", status)


# --- CR-3 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occupation", "levels", "work_type", "field"),
    [
        ("6-31-01-03", {4, 5}, None, None),
        ("6-31-01-03", {3}, "维修电工", None),
        ("4-01-01-01", {4}, None, "occupation_code"),
        ("6-31-01-03", {2, 3}, None, "levels"),
        ("6-31-01-03", set(), None, "levels"),
        ("6-31-01-03", {4}, "高压电工", "work_type"),
    ],
)
def test_in_scope(occupation: str, levels: set[int], work_type: str | None, field: str | None) -> None:
    r = in_scope(BODY.scope, occupation, levels, work_type, fields=FIELDS)
    if field is None:
        assert r is None
    else:
        assert r is not None and (r.rule, r.code) == ("CR-3", "outside_scope")
        assert r.errors[0].loc == list(FIELDS[field])


@given(st.frozensets(st.integers(min_value=1, max_value=5), min_size=1))
def test_in_scope_levels_property(levels: frozenset[int]) -> None:
    assert (in_scope(BODY.scope, "6-31-01-03", levels, None, fields=FIELDS) is None) == (levels <= {3, 4, 5})


# --- OF-8 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "occupation", "levels", "work_type", "code"),
    [
        (BODY, "6-31-01-03", {3}, None, "guantong_not_registered"),
        (GUANTONG, "6-31-01-03", {3}, None, None),  # matched by the filed occupation's name
        (GUANTONG, "6-31-01-03", {2, 3}, "维修电工", None),  # matched by code and 工种
        (GUANTONG, "6-31-01-03", {2}, "高压电工", "outside_guantong_registration"),
        (GUANTONG, "6-31-01-03", {1}, None, "outside_guantong_registration"),
        (GUANTONG, "6-18-02-04", {3}, None, "outside_guantong_registration"),
    ],
)
def test_guantong_registered(
    body: BodyView, occupation: str, levels: set[int], work_type: str | None, code: str | None
) -> None:
    r = guantong_registered(body, occupation, levels, work_type, fields=FIELDS)
    assert (r.code if r else None) == code
    if r is not None:
        assert r.rule == "OF-8"


def test_guantong_specialties_are_those_of_the_level() -> None:
    assert guantong_specialties(GUANTONG, "6-31-01-03", 3, "维修电工") == ["电气工程"]
    assert guantong_specialties(GUANTONG, "6-31-01-03", 2, "维修电工") == ["自动化"]
    assert guantong_specialties(GUANTONG, "6-18-02-04", 3, None) == []


@pytest.mark.parametrize(
    ("route", "yes"),
    [(None, False), ("贯通", True), ("guantong", True), ("GUANTONG ", True), ("常规", False)],
)
def test_guantong_route(route: str | None, yes: bool) -> None:
    assert is_guantong_route(route) is yes


# --- a batch under a plan -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch", "codes"),
    [
        (BATCH, []),
        (replace(BATCH, occupation_code="6-18-02-04"), ["plan_occupation_mismatch"]),
        (replace(BATCH, level=3), ["plan_level_mismatch"]),
        (replace(BATCH, evaluation_date=date(2026, 10, 22)), ["outside_plan_dates"]),
        (replace(BATCH, is_guantong=True), ["plan_route_mismatch"]),
    ],
)
def test_plan_covers(batch: BatchView, codes: list[str]) -> None:
    assert [r.code for r in plan_covers(PLAN, batch)] == codes


def test_plan_covers_a_named_work_type_only() -> None:
    plan = replace(PLAN, work_type="维修电工")
    assert [r.code for r in plan_covers(plan, replace(BATCH, work_type="高压电工"))] == [
        "plan_work_type_mismatch"
    ]


@pytest.mark.parametrize(
    ("plan", "body", "batch", "first"),
    [
        (PLAN, BODY, BATCH, None),
        (PLAN, BODY, replace(BATCH, body_code="S000050000002"), "forbidden_body"),
        (replace(PLAN, status="withdrawn"), BODY, BATCH, "plan_not_standing"),
        (replace(PLAN, filed_on=date(2026, 10, 8)), BODY, BATCH, "plan_filed_late"),
        (PLAN, replace(BODY, status="suspended"), BATCH, "body_not_active"),
        (PLAN, replace(BODY, valid_to=date(2026, 10, 19)), BATCH, "outside_validity"),
        (replace(PLAN, levels=frozenset({2})), BODY, replace(BATCH, level=2), "outside_scope"),
        (
            replace(PLAN, is_guantong=True, levels=frozenset({3})),
            BODY,
            replace(BATCH, level=3, is_guantong=True),
            "guantong_not_registered",
        ),
        (
            replace(PLAN, is_guantong=True, levels=frozenset({3})),
            GUANTONG,
            replace(BATCH, level=3, is_guantong=True),
            None,
        ),
    ],
)
def test_batch_refusals(plan: PlanView, body: BodyView, batch: BatchView, first: str | None) -> None:
    found = batch_refusals(plan, body, batch)
    assert (found[0].code if found else None) == first


def test_a_foreign_plan_stops_the_check_with_403() -> None:
    found = batch_refusals(replace(PLAN, status="withdrawn"), BODY, replace(BATCH, body_code="S000050000002"))
    assert [(r.code, r.status) for r in found] == [("forbidden_body", 403)]


def test_combined_keeps_every_reason_and_the_timing_dates() -> None:
    found = batch_refusals(
        replace(PLAN, filed_on=date(2026, 10, 8)), replace(BODY, status="suspended"), replace(BATCH, level=3)
    )
    one = combined(found)
    assert (one.rule, one.code) == ("OF-5", "plan_level_mismatch")
    assert [e.type for e in one.errors] == ["plan_level_mismatch", "plan_filed_late", "body_not_active"]
    assert one.extra["latest_filing_date"] == "2026-09-30" and one.extra["body_status"] == "suspended"
    assert [r["rule"] for r in one.extra["refusals"]] == ["OF-5", "OF-5", "OF-6"]
    assert one.errors[0].loc == list(BATCH_FIELDS["levels"])


def test_a_refused_move_names_the_state_in_chinese() -> None:
    from org_filing.plans.rules import PLAN_MACHINE
    from skills_shared.transitions import IllegalTransition

    with pytest.raises(IllegalTransition) as exc:
        PLAN_MACHINE.next("withdrawn", "withdraw")
    assert "已撤回" in exc.value.detail and exc.value.extra["current_state"] == "withdrawn"

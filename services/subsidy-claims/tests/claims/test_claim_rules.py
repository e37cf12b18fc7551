"""Pure rules of a claim's life: every state × action, deadlines in working days (P-1), payout channels."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from skills_shared.refusals import Refusal
from skills_shared.testing import library_calendars_only
from skills_shared.transitions import IllegalTransition
from skills_shared.workdays import (
    CalendarNotCovered,
    covered_years,
    load_calendar_file,
)
from subsidy_claims.claims import rules
from subsidy_claims.claims.rules import Action, ClaimStatus, PayoutAccounts

S = ClaimStatus
ALLOWED = {
    (S.DRAFT, Action.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Action.START_REVIEW): S.UNDER_REVIEW,
    (S.RESUBMITTED, Action.START_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, Action.REQUEST_MATERIAL): S.MATERIAL_REQUESTED,
    (S.MATERIAL_REQUESTED, Action.RESUBMIT): S.RESUBMITTED,
    (S.UNDER_REVIEW, Action.APPROVE): S.APPROVED,
    (S.UNDER_REVIEW, Action.REJECT): S.REJECTED,
    (S.IN_PUBLICITY, Action.REJECT): S.REJECTED,
    (S.APPROVED, Action.PUBLISH): S.IN_PUBLICITY,
    (S.IN_PUBLICITY, Action.OBJECT): S.IN_PUBLICITY,
    (S.IN_PUBLICITY, Action.CONFIRM): S.CONFIRMED,
    (S.CONFIRMED, Action.INSTRUCT_PAYMENT): S.PAYMENT_INSTRUCTED,
    (S.PAYMENT_INSTRUCTED, Action.RECORD_PAID): S.PAID,
    (S.PAYMENT_INSTRUCTED, Action.RECORD_FAILED): S.PAYMENT_FAILED,
    (S.PAYMENT_FAILED, Action.RETRY_PAYMENT): S.PAYMENT_INSTRUCTED,
    (S.PAID, Action.CLAW_BACK): S.CLAWED_BACK,
}


@pytest.mark.parametrize("status", list(ClaimStatus))
@pytest.mark.parametrize("action", list(Action))
def test_every_state_and_action(status: ClaimStatus, action: Action) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransition) as caught:
            rules.next_status(status, action)
        assert caught.value.status == 409 and caught.value.code == "illegal_state"
        assert caught.value.current == status.value and caught.value.action == action.value
    else:
        assert rules.next_status(status, action) is expected


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (date(2025, 9, 30), date(2025, 10, 21)),  # P-1 example: 国庆 Oct 1–8 off, Sat Oct 11 a make-up day
        (date(2026, 6, 15), date(2026, 6, 30)),  # 端午 Fri 19 June 2026
        (
            date(2026, 6, 13),
            date(2026, 6, 29),
        ),  # received on a Saturday: the clock starts the next working day
    ],
)
def test_cq4_review_deadline_in_working_days(submitted: date, due: date) -> None:
    assert rules.review_due_on(submitted) == due
    assert not rules.is_overdue(S.SUBMITTED, due, due)
    assert rules.is_overdue(S.SUBMITTED, due, date.fromordinal(due.toordinal() + 1))
    assert not rules.is_overdue(S.MATERIAL_REQUESTED, due, date.fromordinal(due.toordinal() + 1))


def test_cq5_publicity_end_follows_p1() -> None:
    assert rules.publicity_ends_on(date(2025, 9, 30)) == date(2025, 10, 14)


@pytest.mark.parametrize(
    ("today", "object_ok", "confirm_ok"),
    [
        (date(2025, 9, 30), True, False),  # the start day
        (date(2025, 10, 8), True, False),  # 国庆 off
        (date(2025, 10, 14), True, False),  # the 5th working day (Sat 11 Oct a make-up day)
        (date(2025, 10, 15), False, True),
    ],
)
def test_cq5_objection_and_confirmation_follow_p1(today: date, object_ok: bool, confirm_ok: bool) -> None:
    start = date(2025, 9, 30)
    for check, ok in (
        (lambda: rules.check_may_object(start, today, "CQ-5"), object_ok),
        (lambda: rules.check_may_confirm(start, today, "CQ-5", "in_publicity"), confirm_ok),
    ):
        if ok:
            check()
            continue
        with pytest.raises(Refusal) as refused:
            check()
        assert (refused.value.rule, refused.value.status) == ("CQ-5", 409)
        assert refused.value.extra["publicity_ends_on"] == "2025-10-14"
    if not confirm_ok:
        with pytest.raises(Refusal) as refused:
            rules.check_may_confirm(start, today, "CQ-5", "in_publicity")
        assert (
            refused.value.code == "publicity_not_over"
            and refused.value.extra["earliest_date"] == "2025-10-15"
        )


DECEMBER_START = date(2026, 12, 28)
"""A Monday: its 5 working days run into 2027 (29, 30, 31 December and two days of January)."""


@pytest.fixture
def no_operator_calendar() -> Iterator[None]:
    """Only the library's years (and what a test loads itself) count, before and after the test."""
    with library_calendars_only():
        yield


def calendar_2027(tmp_path: Path) -> Path:
    """An operator file for 2027 with New Year's Day off; SYNTHETIC, for this test only."""
    path = tmp_path / "calendar-2027.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}), encoding="utf-8")
    return path


@pytest.mark.skipif(2027 in covered_years(), reason="the installed chinesecalendar covers 2027 now")
@pytest.mark.usefixtures("no_operator_calendar")
def test_a_publicity_started_on_28_december_runs_without_a_2027_calendar() -> None:
    assert rules.publicity_known_end(DECEMBER_START) is None  # shown as unknown, never guessed
    assert rules.publicity_end_shown(DECEMBER_START, None) is None
    for day in (DECEMBER_START, date(2026, 12, 30), date(2026, 12, 31)):
        rules.check_may_object(DECEMBER_START, day, "CQ-5")  # reads December days only
    with pytest.raises(Refusal) as refused:
        rules.check_may_confirm(DECEMBER_START, date(2026, 12, 30), "SH-11", "in_publicity")
    assert (refused.value.rule, refused.value.code, refused.value.status) == (
        "SH-11",
        "publicity_not_over",
        409,
    )
    assert refused.value.extra == {
        "current_state": "in_publicity",
        "publicity_ends_on": None,
        "earliest_date": None,
    }
    assert "2027年工作日历" in refused.value.detail
    # In January the answer depends on 1 January 2027: P-3, never a guess.
    for check in (
        lambda: rules.check_may_confirm(DECEMBER_START, date(2027, 1, 6), "CQ-5", "in_publicity"),
        lambda: rules.check_may_object(DECEMBER_START, date(2027, 1, 4), "CQ-5"),
    ):
        with pytest.raises(CalendarNotCovered) as uncovered:
            check()
        assert uncovered.value.year == 2027
        problem = uncovered.value.refusal()
        assert (problem.rule, problem.code, problem.status) == ("P-3", "calendar_not_covered", 409)
        assert problem.extra["year"] == 2027


@pytest.mark.usefixtures("no_operator_calendar")
@pytest.mark.parametrize(
    ("today", "object_ok", "confirm_ok"),
    [
        (date(2026, 12, 30), True, False),
        (date(2027, 1, 1), True, False),  # a holiday in the loaded file
        (date(2027, 1, 5), True, False),  # 29, 30, 31 Dec, 4 and 5 Jan: the 5th working day
        (date(2027, 1, 6), False, True),
    ],
)
def test_a_december_publicity_with_a_2027_calendar_ends_on_its_5th_working_day(
    tmp_path: Path, today: date, object_ok: bool, confirm_ok: bool
) -> None:
    load_calendar_file(calendar_2027(tmp_path))
    assert rules.publicity_known_end(DECEMBER_START) == date(2027, 1, 5)
    assert rules.publicity_end_shown(DECEMBER_START, None) == date(2027, 1, 5)
    if object_ok:
        rules.check_may_object(DECEMBER_START, today, "CQ-5")
    else:
        with pytest.raises(Refusal) as over:
            rules.check_may_object(DECEMBER_START, today, "CQ-5")
        assert (over.value.code, over.value.extra["publicity_ends_on"]) == ("publicity_over", "2027-01-05")
    if confirm_ok:
        rules.check_may_confirm(DECEMBER_START, today, "CQ-5", "in_publicity")
    else:
        with pytest.raises(Refusal) as early:
            rules.check_may_confirm(DECEMBER_START, today, "CQ-5", "in_publicity")
        assert (early.value.rule, early.value.extra["earliest_date"]) == ("CQ-5", "2027-01-06")
        assert "2027-01-06起方可确认" in early.value.detail


def test_uncovered_year_gives_no_guessed_deadline() -> None:
    with pytest.raises(CalendarNotCovered):
        rules.review_due_on(date(2031, 12, 25))
    assert rules.safe_review_due_on(date(2031, 12, 25)) is None


@pytest.mark.parametrize(
    ("accounts", "first", "after_failure"),
    [
        (PayoutAccounts("SSC1", True, "6222000011112222"), "social_security_card", "bank_account"),
        (PayoutAccounts("SSC1", False, "6222000011112222"), "bank_account", None),
        (PayoutAccounts(None, False, "6222000011112222"), "bank_account", None),
        (PayoutAccounts("SSC1", True, None), "social_security_card", None),
    ],
)
def test_cq5_card_with_financial_function_first_then_the_other_account(
    accounts: PayoutAccounts, first: str, after_failure: str | None
) -> None:
    assert rules.first_channel(accounts, "CQ-5") == first
    if after_failure is None:
        with pytest.raises(Refusal) as caught:
            rules.retry_channel(accounts, first, "CQ-5")
        assert (caught.value.status, caught.value.code, caught.value.rule) == (
            409,
            "no_other_account",
            "CQ-5",
        )
    else:
        assert rules.retry_channel(accounts, first, "CQ-5") == after_failure


def test_no_account_at_all() -> None:
    with pytest.raises(Refusal) as caught:
        rules.first_channel(PayoutAccounts("SSC1", False, None), "SH-11")
    assert (caught.value.status, caught.value.code, caught.value.rule) == (409, "no_payout_account", "SH-11")

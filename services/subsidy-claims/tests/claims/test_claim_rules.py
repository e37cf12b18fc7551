"""Pure rules of a claim's life: every state × action, deadlines in working days (P-1), payout channels."""

from __future__ import annotations

from datetime import date

import pytest

from skills_shared.refusals import Refusal
from skills_shared.transitions import IllegalTransition
from skills_shared.workdays import CalendarNotCovered
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

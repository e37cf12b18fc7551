"""Pure rules of a claim's life: the state machine, deadlines in working days, payment channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from skills_shared.workdays import CalendarNotCovered, add_working_days, period_end

REVIEW_WORKING_DAYS = 10  # CQ-4
PUBLICITY_WORKING_DAYS = 5  # CQ-5 (SH-11 names no length; the same 5 working days are used)


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MATERIAL_REQUESTED = "material_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_PUBLICITY = "in_publicity"
    CONFIRMED = "confirmed"
    PAYMENT_INSTRUCTED = "payment_instructed"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    CLAWED_BACK = "clawed_back"


class Action(StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    REQUEST_MATERIAL = "request_material"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    OBJECT = "object"
    CONFIRM = "confirm"
    INSTRUCT_PAYMENT = "instruct_payment"
    RECORD_PAID = "record_paid"
    RECORD_FAILED = "record_failed"
    RETRY_PAYMENT = "retry_payment"
    CLAW_BACK = "claw_back"


S = ClaimStatus
TRANSITIONS: dict[Action, tuple[frozenset[ClaimStatus], ClaimStatus]] = {
    Action.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    Action.START_REVIEW: (frozenset({S.SUBMITTED, S.RESUBMITTED}), S.UNDER_REVIEW),
    Action.REQUEST_MATERIAL: (frozenset({S.UNDER_REVIEW}), S.MATERIAL_REQUESTED),
    Action.RESUBMIT: (frozenset({S.MATERIAL_REQUESTED}), S.RESUBMITTED),
    Action.APPROVE: (frozenset({S.UNDER_REVIEW}), S.APPROVED),
    # A reviewer rejects during review; an upheld objection rejects during publicity.
    Action.REJECT: (frozenset({S.UNDER_REVIEW, S.IN_PUBLICITY}), S.REJECTED),
    Action.PUBLISH: (frozenset({S.APPROVED}), S.IN_PUBLICITY),
    Action.OBJECT: (frozenset({S.IN_PUBLICITY}), S.IN_PUBLICITY),
    Action.CONFIRM: (frozenset({S.IN_PUBLICITY}), S.CONFIRMED),
    Action.INSTRUCT_PAYMENT: (frozenset({S.CONFIRMED}), S.PAYMENT_INSTRUCTED),
    Action.RECORD_PAID: (frozenset({S.PAYMENT_INSTRUCTED}), S.PAID),
    Action.RECORD_FAILED: (frozenset({S.PAYMENT_INSTRUCTED}), S.PAYMENT_FAILED),
    Action.RETRY_PAYMENT: (frozenset({S.PAYMENT_FAILED}), S.PAYMENT_INSTRUCTED),
    Action.CLAW_BACK: (frozenset({S.PAID}), S.CLAWED_BACK),
}

# Statuses in which a claim holds its entitlement (the double-payment guards count it). A rejected claim
# releases it; a clawed-back claim keeps it (Decision: re-granting after 追回 is not automatic).
HOLDING = frozenset(set(ClaimStatus) - {S.DRAFT, S.REJECTED})
AWAITING_DECISION = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.RESUBMITTED})
"""Statuses during which the CQ-4 review clock runs (material_requested stops it: the applicant has the ball)."""


class IllegalTransitionError(Exception):
    """The claim is not in a state that allows the action; the API answers 409 naming the current state."""

    def __init__(self, action: Action, current: ClaimStatus) -> None:
        super().__init__(f"{action.value} not allowed in {current.value}")
        self.action = action
        self.current = current


def next_status(current: ClaimStatus, action: Action) -> ClaimStatus:
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise IllegalTransitionError(action, current)
    return target


def review_due_on(submitted_on: date) -> date:
    """CQ-4: decided within 10 working days of receipt (P-1: the receipt day is not counted)."""
    return add_working_days(submitted_on, REVIEW_WORKING_DAYS)


def safe_review_due_on(submitted_on: date) -> date | None:
    """The CQ-4 deadline, or None when the calendar does not yet cover it (P-3: no guess; shown as unknown)."""
    try:
        return review_due_on(submitted_on)
    except CalendarNotCovered:
        return None


def publicity_ends_on(started_on: date) -> date:
    """CQ-5 / P-1: the last day of ≥ 5 working days of publicity; confirmation is possible from the next day."""
    return period_end(started_on, PUBLICITY_WORKING_DAYS)


def is_overdue(status: ClaimStatus, due: date | None, today: date) -> bool:
    return status in AWAITING_DECISION and due is not None and today > due


@dataclass(frozen=True, slots=True)
class PayoutAccounts:
    """CQ-5 / SH-11: social-security card (if its financial function is open) first, else own bank account."""

    card_number: str | None
    card_financial_enabled: bool
    bank_account: str | None

    def channels(self) -> list[str]:
        out: list[str] = []
        if self.card_number and self.card_financial_enabled:
            out.append("social_security_card")
        if self.bank_account:
            out.append("bank_account")
        return out


class NoPayoutAccountError(Exception):
    """No account left to pay into."""


def first_channel(accounts: PayoutAccounts) -> str:
    channels = accounts.channels()
    if not channels:
        raise NoPayoutAccountError
    return channels[0]


def retry_channel(accounts: PayoutAccounts, failed: str) -> str:
    """After a failed payment, the other account (card ↔ bank); never the one that just failed."""
    for channel in accounts.channels():
        if channel != failed:
            return channel
    raise NoPayoutAccountError

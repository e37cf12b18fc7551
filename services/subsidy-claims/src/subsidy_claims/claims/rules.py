"""Pure rules of a claim's life: the state machine, deadlines in working days, payment channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from skills_shared.contracts.v1.subsidy import ClaimStatus
from skills_shared.refusals import Refusal
from skills_shared.transitions import IllegalTransition, StateMachine
from skills_shared.workdays import (
    CalendarNotCovered,
    add_working_days,
    period_end,
    period_not_over,
    period_over,
    within_period,
)

__all__ = [
    "AWAITING_DECISION",
    "CLAIM_LIFE",
    "HOLDING",
    "Action",
    "ClaimStatus",
    "PayoutAccounts",
    "check_may_confirm",
    "check_may_object",
    "first_channel",
    "is_overdue",
    "next_status",
    "publicity_end_shown",
    "publicity_ends_on",
    "publicity_known_end",
    "refuse_move",
    "retry_channel",
    "review_deadline",
    "review_due_on",
    "safe_review_due_on",
]

REVIEW_WORKING_DAYS = 10  # CQ-4
PUBLICITY_WORKING_DAYS = 5  # CQ-5 (SH-11 names no length; the same 5 working days are used)


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
TRANSITIONS: dict[str, tuple[frozenset[ClaimStatus], ClaimStatus]] = {
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


ACTIONS_ZH = {
    Action.SUBMIT: "提交",
    Action.START_REVIEW: "开始审核",
    Action.REQUEST_MATERIAL: "要求补充材料",
    Action.RESUBMIT: "补充材料后重新提交",
    Action.APPROVE: "审核通过",
    Action.REJECT: "驳回",
    Action.PUBLISH: "公示",
    Action.OBJECT: "提出异议",
    Action.CONFIRM: "确认",
    Action.INSTRUCT_PAYMENT: "发起支付",
    Action.RECORD_PAID: "登记支付成功",
    Action.RECORD_FAILED: "登记支付失败",
    Action.RETRY_PAYMENT: "重新支付",
    Action.CLAW_BACK: "追回",
}

CLAIM_LIFE: StateMachine[ClaimStatus] = StateMachine(
    entity_zh="补贴申请",
    moves=TRANSITIONS,
    actions_zh={str(k): v for k, v in ACTIONS_ZH.items()},
    states_zh={
        ClaimStatus.DRAFT: "草稿",
        ClaimStatus.SUBMITTED: "已提交",
        ClaimStatus.UNDER_REVIEW: "审核中",
        ClaimStatus.MATERIAL_REQUESTED: "待补正材料",
        ClaimStatus.RESUBMITTED: "已补正",
        ClaimStatus.APPROVED: "审核通过",
        ClaimStatus.REJECTED: "不予通过",
        ClaimStatus.IN_PUBLICITY: "公示中",
        ClaimStatus.CONFIRMED: "已确认",
        ClaimStatus.PAYMENT_INSTRUCTED: "支付中",
        ClaimStatus.PAID: "已支付",
        ClaimStatus.PAYMENT_FAILED: "支付失败",
        ClaimStatus.CLAWED_BACK: "已追回",
    },
)
"""The claim's life (CQ-4 review, CQ-5 / SH-11 publicity and payment); ``next`` is the only way a status moves."""


def next_status(current: ClaimStatus | str, action: Action) -> ClaimStatus:
    """The status ``action`` leads to, or a 409 ``illegal_state`` naming the current status and the action."""
    return CLAIM_LIFE.next(current, action)


def refuse_move(current: ClaimStatus | str, action: Action) -> IllegalTransition:
    """The 409 of the state machine for a move a route narrows further than the table (e.g. a reviewer may not
    reject during publicity: only an upheld objection does)."""
    return CLAIM_LIFE.refusal(current, action)


def review_due_on(submitted_on: date) -> date:
    """CQ-4: decided within 10 working days of receipt (P-1: the receipt day is not counted)."""
    return add_working_days(submitted_on, REVIEW_WORKING_DAYS)


def safe_review_due_on(submitted_on: date) -> date | None:
    """The CQ-4 deadline, or None when the calendar does not yet cover it (P-3: no guess; shown as unknown)."""
    try:
        return review_due_on(submitted_on)
    except CalendarNotCovered:
        return None


def review_deadline(started_on: date | None, recorded: date | None) -> date | None:
    """CQ-4's deadline as known today: the recorded one, else computed from the clock's start day when the
    calendar now covers it (a claim submitted in late December gets its deadline once next year is loaded)."""
    if recorded is not None or started_on is None:
        return recorded
    return safe_review_due_on(started_on)


def publicity_ends_on(started_on: date) -> date:
    """CQ-5 / P-1: the last day of ≥ 5 working days of publicity; confirmation is possible from the next day.

    Reads every day up to that end: raises CalendarNotCovered when one of them is in an uncovered year. No
    decision uses it (see :func:`check_may_object`, :func:`check_may_confirm`); answers show
    :func:`publicity_known_end`.
    """
    return period_end(started_on, PUBLICITY_WORKING_DAYS)


def publicity_known_end(started_on: date) -> date | None:
    """The CQ-5 / SH-11 publicity's last day as answers show it, or None while the calendar does not cover it.

    A publicity started on 28 December runs into January: its end is unknown until the next year's working-day
    calendar is published, yet the publicity itself, and every objection lodged in December, needs none of those
    days (P-3 refuses only a day an answer depends on). So the end is shown when known and null otherwise, never
    guessed; it becomes known without any write once the calendar covers that year.
    """
    try:
        return publicity_ends_on(started_on)
    except CalendarNotCovered:
        return None


def publicity_end_shown(started_on: date | None, recorded: date | None) -> date | None:
    """The publicity's last day for answers and the posted list: the recorded one, else computed from the start
    day when the calendar now covers it, else None (see :func:`publicity_known_end`)."""
    if recorded is not None or started_on is None:
        return recorded
    return publicity_known_end(started_on)


def check_may_object(started_on: date, today: date, rule: str) -> None:
    """CQ-5 / SH-11 with P-1: objections are taken from the first day of publicity to the end of its 5th working
    day after that.

    Decided by :func:`~skills_shared.workdays.within_period`, which reads only the days between the start and
    ``today``: an objection on 30 December to a publicity started on 28 December is answered from December alone.
    Raises CalendarNotCovered when ``today`` is past an uncovered day that may be one of the five; the refusal
    (409 ``publicity_over``) carries ``publicity_ends_on``, which is then always known.
    """
    if within_period(started_on, PUBLICITY_WORKING_DAYS, today):
        return
    ends = publicity_ends_on(started_on)  # the period ended before today: every day up to its end was read
    raise Refusal(
        rule,
        "publicity_over",
        f"公示期已于{ends.isoformat()}结束，不再受理异议",
        status=409,
        extra={"publicity_ends_on": ends.isoformat()},
    )


def check_may_confirm(started_on: date, today: date, rule: str, current_state: str) -> None:
    """CQ-5 / SH-11 with P-1: the unit head confirms only once publicity is over, i.e. from the day after its
    last day.

    Decided by :func:`~skills_shared.workdays.period_over` (reads the days before ``today`` only). The refusal
    (409 ``publicity_not_over``) says from which day confirmation is accepted (``earliest_date``, the day after
    ``publicity_ends_on``) when the calendar covers the end, and that it awaits the next year's calendar
    otherwise (both null). Raises CalendarNotCovered when the answer needs an uncovered day (confirming in
    January a publicity started in late December, before that year is loaded).
    """
    if period_over(started_on, PUBLICITY_WORKING_DAYS, today):
        return
    wait = period_not_over(started_on, PUBLICITY_WORKING_DAYS, "公示期", "确认")
    raise Refusal(
        rule,
        "publicity_not_over",
        wait.detail,
        status=409,
        extra={
            "current_state": current_state,
            "publicity_ends_on": wait.ends.isoformat() if wait.ends else None,
            "earliest_date": wait.earliest.isoformat() if wait.earliest else None,
        },
    )


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


def first_channel(accounts: PayoutAccounts, rule: str) -> str:
    """The account a payment goes to first (CQ-5 / SH-11), or a 409 saying which account would make it payable."""
    channels = accounts.channels()
    if not channels:
        raise Refusal(
            rule,
            "no_payout_account",
            "没有可用的收款账户：须有已开通金融功能的社会保障卡或本人银行账户",
            status=409,
        )
    return channels[0]


def retry_channel(accounts: PayoutAccounts, failed: str, rule: str) -> str:
    """After a failed payment, the other account (card ↔ bank); never the one that just failed."""
    for channel in accounts.channels():
        if channel != failed:
            return channel
    raise Refusal(
        rule,
        "no_other_account",
        "没有另一个可用的收款账户：上次支付失败的账户不再使用，须补充另一个收款账户",
        status=409,
    )

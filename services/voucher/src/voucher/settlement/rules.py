"""V-2: after training, the institution claims; the district's audited amount — not the face value — is paid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine
from voucher.vouchers.rules import VOUCHER_MACHINE, VoucherStatus

RULE_SETTLE = "V-2"
MAX_VOUCHERS_PER_CLAIM = 5000


class SettlementStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


SETTLEMENT_MACHINE: StateMachine[SettlementStatus] = StateMachine(
    entity_zh="结算申请",
    states_zh={"submitted": "已提交", "approved": "审核通过", "rejected": "已驳回"},
    moves={
        "approve": (frozenset({SettlementStatus.SUBMITTED}), SettlementStatus.APPROVED),
        "reject": (frozenset({SettlementStatus.SUBMITTED}), SettlementStatus.REJECTED),
    },
    actions_zh={"approve": "审核通过", "reject": "驳回"},
    rule=RULE_SETTLE,
)
"""V-2: the district decides a claim once; approved and rejected are final."""


@dataclass(frozen=True, slots=True)
class SettleableVoucher:
    id: int
    status: VoucherStatus
    institution_code: str | None
    face_value_fen: int
    in_settlement: bool


def check_settlement_items(
    institution_code: str, requested_ids: Sequence[int], found: Sequence[SettleableVoucher]
) -> int:
    """V-2: only vouchers this institution redeemed and whose training was completed may be claimed, once.

    Returns the reference amount: the sum of the face values (the district audits against it).
    """
    if not requested_ids:
        raise Refusal(
            RULE_SETTLE,
            "voucher_ids_empty",
            "请至少选择一张已完成培训的培训券。",
            field=("body", "voucher_ids"),
        )
    if len(requested_ids) > MAX_VOUCHERS_PER_CLAIM:
        raise Refusal(
            RULE_SETTLE,
            "too_many_vouchers",
            f"一次结算申请最多包含{MAX_VOUCHERS_PER_CLAIM}张培训券。",
            field=("body", "voucher_ids"),
        )
    by_id = {v.id: v for v in found}
    total = 0
    for vid in requested_ids:
        v = by_id.get(vid)
        if v is None or v.institution_code != institution_code:
            raise Refusal(
                RULE_SETTLE,
                "voucher_not_redeemed_here",
                f"培训券{vid}不是本机构核销的培训券。",
                field=("body", "voucher_ids"),
            )
        if v.in_settlement or v.status is VoucherStatus.SETTLED:
            raise Refusal(
                RULE_SETTLE,
                "voucher_already_in_settlement",
                f"培训券{vid}已申请过结算。",
                field=("body", "voucher_ids"),
                status=409,
            )
        if not VOUCHER_MACHINE.allows(v.status, "settle"):
            raise Refusal(
                RULE_SETTLE,
                "training_not_completed",
                f"培训券{vid}对应的培训尚未完成，不能申请补贴。",
                field=("body", "voucher_ids"),
                status=409,
            )
        total += v.face_value_fen
    return total


def check_decision(
    status: SettlementStatus,
    approve: bool,
    approved_amount_fen: int | None,
    claimed_amount_fen: int,
    reason: str | None,
) -> int:
    """V-2: the district approves an amount between 0 and what was claimed, or rejects with a reason.

    Returns the payable amount (0 when rejected).
    """
    SETTLEMENT_MACHINE.next(status, "approve" if approve else "reject")
    if not approve:
        if not reason or not reason.strip():
            raise Refusal(
                RULE_SETTLE, "reason_required", "驳回结算申请须说明理由。", field=("body", "reason")
            )
        return 0
    if approved_amount_fen is None:
        raise Refusal(
            RULE_SETTLE,
            "approved_amount_required",
            "请填写审核金额（单位：分）。",
            field=("body", "approved_amount_fen"),
        )
    if approved_amount_fen < 0 or approved_amount_fen > claimed_amount_fen:
        raise Refusal(
            RULE_SETTLE,
            "approved_amount_out_of_range",
            f"审核金额须在0至申请金额{claimed_amount_fen}分之间。",
            field=("body", "approved_amount_fen"),
        )
    if approved_amount_fen != claimed_amount_fen and not (reason and reason.strip()):
        raise Refusal(
            RULE_SETTLE, "reason_required", "审核金额与申请金额不一致时须说明理由。", field=("body", "reason")
        )
    return approved_amount_fen


def check_claimed_amount(claimed_amount_fen: int | None, reference_fen: int) -> int:
    """V-2: the institution may claim up to the face values' total; by default it claims exactly that."""
    if claimed_amount_fen is None:
        return reference_fen
    if claimed_amount_fen <= 0 or claimed_amount_fen > reference_fen:
        raise Refusal(
            RULE_SETTLE,
            "claimed_amount_out_of_range",
            f"申请金额须大于0且不超过培训券面值合计{reference_fen}分。",
            field=("body", "claimed_amount_fen"),
        )
    return claimed_amount_fen

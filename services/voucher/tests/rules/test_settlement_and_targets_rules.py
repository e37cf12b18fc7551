"""V-2 settlement amounts and V-8 target dashboards."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_shared.reference import CQ_DISTRICTS, VOUCHER_DISTRICT_TARGETS
from skills_shared.refusals import Refusal
from voucher.settlement.rules import (
    SettleableVoucher,
    SettlementStatus,
    check_claimed_amount,
    check_decision,
    check_settlement_items,
)
from voucher.targets.rules import CITY_ISSUE_GOAL, CITY_USE_GOAL, Counts, build_dashboard, percent
from voucher.vouchers.rules import VoucherStatus

INST = "5000001"


def v(
    id_: int, status: VoucherStatus = VoucherStatus.COMPLETED, inst: str = INST, busy: bool = False
) -> SettleableVoucher:
    return SettleableVoucher(id_, status, inst, 10_000 * id_, busy)


def test_reference_amount_is_sum_of_face_values() -> None:
    assert check_settlement_items(INST, [1, 2], [v(1), v(2)]) == 30_000


@pytest.mark.parametrize(
    ("ids", "found", "code"),
    [
        ([], [], "voucher_ids_empty"),
        ([1], [], "voucher_not_redeemed_here"),
        ([1], [v(1, inst="5000002")], "voucher_not_redeemed_here"),
        ([1], [v(1, busy=True)], "voucher_already_in_settlement"),
        ([1], [v(1, VoucherStatus.SETTLED)], "voucher_already_in_settlement"),
        ([1], [v(1, VoucherStatus.REDEEMED)], "training_not_completed"),
        ([1], [v(1, VoucherStatus.LAPSED)], "training_not_completed"),
    ],
)
def test_settlement_items_refused(ids: list[int], found: list[SettleableVoucher], code: str) -> None:
    with pytest.raises(Refusal) as err:
        check_settlement_items(INST, ids, found)
    assert err.value.code == code and err.value.rule == "V-2"


def test_claimed_amount() -> None:
    assert check_claimed_amount(None, 30_000) == 30_000
    assert check_claimed_amount(25_000, 30_000) == 25_000
    for bad in (0, -5, 30_001):
        with pytest.raises(Refusal):
            check_claimed_amount(bad, 30_000)


@pytest.mark.parametrize(
    ("approve", "amount", "reason", "result"),
    [
        (True, 30_000, None, 30_000),
        (True, 20_000, "课时不足", 20_000),
        (True, 0, "材料不全", 0),
        (False, None, "不符合条件", 0),
        (True, 20_000, None, "reason_required"),
        (True, 30_001, "x", "approved_amount_out_of_range"),
        (True, -1, "x", "approved_amount_out_of_range"),
        (True, None, None, "approved_amount_required"),
        (False, None, " ", "reason_required"),
    ],
)
def test_decision(approve: bool, amount: int | None, reason: str | None, result: int | str) -> None:
    if isinstance(result, int):
        assert check_decision(SettlementStatus.SUBMITTED, approve, amount, 30_000, reason) == result
    else:
        with pytest.raises(Refusal) as err:
            check_decision(SettlementStatus.SUBMITTED, approve, amount, 30_000, reason)
        assert err.value.code == result


@pytest.mark.parametrize("status", [SettlementStatus.APPROVED, SettlementStatus.REJECTED])
def test_decided_once(status: SettlementStatus) -> None:
    with pytest.raises(Refusal) as err:
        check_decision(status, True, 1, 30_000, None)
    assert err.value.code == "illegal_state"


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=-10, max_value=10**9 + 10))
def test_payable_never_exceeds_claim(claimed: int, approved: int) -> None:
    try:
        paid = check_decision(SettlementStatus.SUBMITTED, True, approved, claimed, "审核")
    except Refusal:
        assert approved < 0 or approved > claimed
        return
    assert paid == approved and 0 <= paid <= claimed


def _targets() -> dict[str, tuple[str, int]]:
    return {code: (CQ_DISTRICTS[code], n) for code, n in VOUCHER_DISTRICT_TARGETS.items()}


def test_dashboard_against_seed_targets() -> None:
    dash = build_dashboard(
        _targets(), {"01": Counts(10, 8, 7000), "17": Counts(5, 5, 100), "00": Counts(3, 0, 0)}
    )
    assert len(dash.districts) == 41
    assert dash.target_used_total == 120_000 == CITY_USE_GOAL
    assert dash.issue_goal == CITY_ISSUE_GOAL == 300_000
    wanzhou = dash.districts[0]
    assert (wanzhou.code, wanzhou.name, wanzhou.target_used, wanzhou.target_met) == (
        "01",
        "万州区",
        7000,
        True,
    )
    nanchuan = next(d for d in dash.districts if d.code == "17")
    assert nanchuan.used_percent == 20.0 and not nanchuan.target_met
    assert (dash.issued, dash.claimed, dash.used) == (18, 13, 7100)
    assert not dash.issue_goal_met and not dash.use_goal_met


@given(
    st.dictionaries(st.sampled_from(sorted(VOUCHER_DISTRICT_TARGETS)), st.integers(0, 10_000), max_size=41)
)
def test_dashboard_totals_add_up(used: dict[str, int]) -> None:
    dash = build_dashboard(_targets(), {k: Counts(n, n, n) for k, n in used.items()})
    assert dash.used == sum(d.used for d in dash.districts) == sum(used.values())
    assert all(d.target_met == (d.used >= d.target_used) for d in dash.districts)


def test_percent() -> None:
    assert percent(1, 3) == 33.3
    assert percent(5, 0) == 100.0

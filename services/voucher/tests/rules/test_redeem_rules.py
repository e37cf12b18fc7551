"""V-5: signed QR tokens, redeemability and the yearly cap."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_shared.refusals import Refusal
from voucher.redeem.rules import (
    MAX_USES_PER_YEAR,
    ClassState,
    VoucherState,
    check_class_accepts,
    check_voucher_redeemable,
    check_yearly_cap,
    holder_digest,
    sign_token,
    verify_token,
)
from voucher.vouchers.rules import VoucherStatus

KEY = b"k" * 32
HOLDER = "11010519491231002X"


def test_token_round_trip_names_voucher_and_holder() -> None:
    token = sign_token(KEY, 42, HOLDER, now_s=1_000, ttl_s=120)
    claims = verify_token(KEY, token, now_s=1_120)
    assert claims.voucher_id == 42
    assert claims.holder_digest == holder_digest(KEY, HOLDER)
    assert HOLDER not in token  # the QR never prints the ID number


def test_token_expires() -> None:
    token = sign_token(KEY, 42, HOLDER, now_s=1_000, ttl_s=120)
    with pytest.raises(Refusal) as err:
        verify_token(KEY, token, now_s=1_121)
    assert err.value.code == "qr_token_expired" and err.value.rule == "V-5"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("VQ1.42.", "VQ1.43."),
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "garbage",
        lambda t: t + ".x",
        lambda t: "VQ2" + t[3:],
    ],
)
def test_tampered_token_is_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    token = sign_token(KEY, 42, HOLDER, now_s=1_000)
    with pytest.raises(Refusal) as err:
        verify_token(KEY, mangle(token), now_s=1_000)
    assert err.value.code == "qr_token_invalid"


def test_token_from_another_key_is_refused() -> None:
    token = sign_token(b"other" * 8, 42, HOLDER, now_s=1_000)
    with pytest.raises(Refusal):
        verify_token(KEY, token, now_s=1_000)


@given(st.integers(min_value=1, max_value=2**62), st.integers(min_value=0, max_value=2**40))
def test_any_voucher_id_round_trips(voucher_id: int, now: int) -> None:
    assert verify_token(KEY, sign_token(KEY, voucher_id, HOLDER, now), now).voucher_id == voucher_id


TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("status", "valid_until", "code"),
    [
        (VoucherStatus.CLAIMED, date(2026, 11, 30), None),
        (VoucherStatus.CLAIMED, date(2026, 6, 1), None),
        (VoucherStatus.CLAIMED, date(2026, 5, 31), "voucher_expired"),
        (VoucherStatus.REDEEMED, date(2026, 11, 30), "voucher_already_used"),
        (VoucherStatus.COMPLETED, date(2026, 11, 30), "voucher_already_used"),
        (VoucherStatus.SETTLED, date(2026, 11, 30), "voucher_already_used"),
        (VoucherStatus.LAPSED, date(2026, 11, 30), "voucher_lapsed"),
    ],
)
def test_redeemable(status: VoucherStatus, valid_until: date, code: str | None) -> None:
    state = VoucherState(status, valid_until, "employment_skills")
    if code is None:
        check_voucher_redeemable(state, TODAY)
    else:
        with pytest.raises(Refusal) as err:
            check_voucher_redeemable(state, TODAY)
        assert err.value.code == code


@pytest.mark.parametrize(
    ("klass", "code"),
    [
        (ClassState("5000001", "employment_skills", date(2026, 7, 1)), None),
        (ClassState("5000002", "employment_skills", date(2026, 7, 1)), "class_not_found"),
        (ClassState("5000001", "entrepreneurship", date(2026, 7, 1)), "class_type_mismatch"),
        (ClassState("5000001", "employment_skills", date(2026, 5, 31)), "class_ended"),
    ],
)
def test_class_accepts(klass: ClassState, code: str | None) -> None:
    voucher = VoucherState(VoucherStatus.CLAIMED, date(2026, 11, 30), "employment_skills")
    if code is None:
        check_class_accepts(voucher, klass, "5000001", TODAY)
    else:
        with pytest.raises(Refusal) as err:
            check_class_accepts(voucher, klass, "5000001", TODAY)
        assert err.value.code == code


@given(st.integers(min_value=0, max_value=10))
def test_yearly_cap_is_three(uses: int) -> None:
    if uses < MAX_USES_PER_YEAR:
        check_yearly_cap(uses)
    else:
        with pytest.raises(Refusal) as err:
            check_yearly_cap(uses)
        assert err.value.code == "yearly_use_limit_reached" and err.value.rule == "V-5"
    assert MAX_USES_PER_YEAR == 3

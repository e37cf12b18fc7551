"""V-6: institution status (a state machine), the designated admin, the wording of a refused redeem, phones."""

from __future__ import annotations

import pytest

from skills_shared.contracts.v1.voucher import InstitutionStatus
from skills_shared.refusals import Refusal
from skills_shared.transitions import IllegalTransition
from voucher.institutions.rules import (
    REDEEM_REFUSED,
    check_institution_active,
    check_is_designated_admin,
    is_valid_phone,
    next_status,
    redeem_refusal,
)

S = InstitutionStatus


@pytest.mark.parametrize(
    "phone", ["13800138000", "19912345678", "023-88126902", "02388126902", "88126902", "023-6512345-801"]
)
def test_valid_phones(phone: str) -> None:
    assert is_valid_phone(phone)


@pytest.mark.parametrize(
    "phone", ["", "12800138000", "1380013800", "abc", "023 8812 6902", "１３８００１３８０００"]
)
def test_invalid_phones(phone: str) -> None:
    assert not is_valid_phone(phone)


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        (S.ACTIVE, S.ACTIVE, True),
        (S.ACTIVE, S.SUSPENDED, True),
        (S.ACTIVE, S.CLOSED, True),
        (S.SUSPENDED, S.ACTIVE, True),
        (S.SUSPENDED, S.CLOSED, True),
        (S.SUSPENDED, S.SUSPENDED, True),
        (S.CLOSED, S.ACTIVE, False),
        (S.CLOSED, S.SUSPENDED, False),
        (S.CLOSED, S.CLOSED, True),
    ],
)
def test_status_changes(current: InstitutionStatus, target: InstitutionStatus, ok: bool) -> None:
    if ok:
        assert next_status(current, target) is target
    else:
        with pytest.raises(IllegalTransition) as err:
            next_status(current, target)
        assert err.value.rule == "V-6" and err.value.status == 409 and err.value.code == "illegal_state"
        assert err.value.extra["current_state"] == current.value


@pytest.mark.parametrize("status", list(InstitutionStatus))
def test_only_active_institutions_open_classes(status: InstitutionStatus) -> None:
    if status is S.ACTIVE:
        check_institution_active(status)
    else:
        with pytest.raises(Refusal) as err:
            check_institution_active(status)
        assert err.value.code == "institution_not_active" and err.value.rule == "V-6"


def test_designated_admin() -> None:
    check_is_designated_admin("11010519491231002X", "11010519491231002X")
    with pytest.raises(Refusal) as err:
        check_is_designated_admin("someone-else", "11010519491231002X")
    assert err.value.status == 403


@pytest.mark.parametrize(
    ("institution_status", "has_permission", "reason"),
    [
        (None, False, "institution_not_registered"),
        ("suspended", True, "institution_not_active"),
        ("closed", False, "institution_not_active"),
        ("active", False, "staff_not_permitted"),
    ],
)
def test_a_refused_redeem_has_one_code_whatever_the_reason(
    institution_status: str | None, has_permission: bool, reason: str
) -> None:
    refusal = redeem_refusal("5000001", institution_status, has_permission)
    assert (refusal.status, refusal.code, refusal.rule) == (403, REDEEM_REFUSED, "V-6")
    assert refusal.code == "redeem_permission_missing"
    assert refusal.extra["reason"] == reason
    assert "后" in refusal.detail  # it says what would make the scan pass

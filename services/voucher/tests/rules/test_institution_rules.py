"""V-6: institution status, the designated admin, redeem permission, phone numbers."""

from __future__ import annotations

import pytest

from voucher.errors import RuleViolation
from voucher.institutions.rules import (
    InstitutionStatus,
    check_institution_active,
    check_is_designated_admin,
    check_may_redeem,
    check_status_change,
    is_valid_phone,
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
        (S.CLOSED, S.ACTIVE, False),
        (S.CLOSED, S.SUSPENDED, False),
        (S.CLOSED, S.CLOSED, True),
    ],
)
def test_status_changes(current: InstitutionStatus, target: InstitutionStatus, ok: bool) -> None:
    if ok:
        check_status_change(current, target)
    else:
        with pytest.raises(RuleViolation) as err:
            check_status_change(current, target)
        assert err.value.rule == "V-6"


@pytest.mark.parametrize("status", list(InstitutionStatus))
def test_only_active_institutions_redeem(status: InstitutionStatus) -> None:
    if status is S.ACTIVE:
        check_institution_active(status)
    else:
        with pytest.raises(RuleViolation) as err:
            check_institution_active(status)
        assert err.value.code == "institution_not_active"


def test_designated_admin_and_permission() -> None:
    check_is_designated_admin("11010519491231002X", "11010519491231002X")
    with pytest.raises(RuleViolation) as err:
        check_is_designated_admin("someone-else", "11010519491231002X")
    assert err.value.status == 403
    check_may_redeem(True)
    with pytest.raises(RuleViolation) as err:
        check_may_redeem(False)
    assert err.value.code == "redeem_permission_missing"

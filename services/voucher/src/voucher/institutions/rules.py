"""V-6: training institutions — who may redeem, and whether an institution may take vouchers at all."""

from __future__ import annotations

import re
from enum import StrEnum

from voucher.errors import RuleViolation

RULE_INSTITUTION = "V-6"

# 附件2 asks for "手机或座机号码": an 11-digit mobile number, or a landline with an optional area code
# (023 for Chongqing) and an optional extension.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")


class InstitutionStatus(StrEnum):
    """Only an active institution may redeem vouchers or open classes."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


# Which status moves an officer may make. A closed institution stays closed: its code stays on record
# for tracing, and a re-opening is a new registration.
_TRANSITIONS: dict[InstitutionStatus, frozenset[InstitutionStatus]] = {
    InstitutionStatus.ACTIVE: frozenset({InstitutionStatus.SUSPENDED, InstitutionStatus.CLOSED}),
    InstitutionStatus.SUSPENDED: frozenset({InstitutionStatus.ACTIVE, InstitutionStatus.CLOSED}),
    InstitutionStatus.CLOSED: frozenset(),
}


def is_valid_phone(phone: str) -> bool:
    """V-6 附件2 机构电话: mobile or landline."""
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))


def check_status_change(current: InstitutionStatus, target: InstitutionStatus) -> None:
    """V-6: an officer suspends, re-activates or closes an institution; closed is final."""
    if current == target:
        return
    if target not in _TRANSITIONS[current]:
        raise RuleViolation(
            409,
            "institution_status_change_not_allowed",
            f"培训机构状态不能从“{current.value}”变更为“{target.value}”。",
            RULE_INSTITUTION,
            "status",
        )


def check_institution_active(status: InstitutionStatus) -> None:
    """V-6: vouchers are redeemed only at an institution that is currently active."""
    if status != InstitutionStatus.ACTIVE:
        raise RuleViolation(
            409,
            "institution_not_active",
            "该培训机构当前不可核销培训券（机构状态非正常）。",
            RULE_INSTITUTION,
        )


def check_is_designated_admin(principal_subject: str, admin_id_number: str) -> None:
    """V-6: each institution has exactly one 专员 who manages who may redeem.

    An `institution_admin` token scoped to the institution is not enough on its own: its subject must be
    the registered 专员's ID number, so a change of 专员 (reported to the district) takes effect at once.
    """
    if principal_subject != admin_id_number:
        raise RuleViolation(
            403,
            "not_institution_designated_admin",
            "只有本机构登记的培训券专员可以管理核券人员权限。",
            RULE_INSTITUTION,
        )


def check_may_redeem(has_permission: bool) -> None:
    """V-6: only staff the 专员 has granted redeem permission may scan vouchers."""
    if not has_permission:
        raise RuleViolation(
            403,
            "redeem_permission_missing",
            "您没有本机构的培训券核销权限，请联系机构专员授权。",
            RULE_INSTITUTION,
        )

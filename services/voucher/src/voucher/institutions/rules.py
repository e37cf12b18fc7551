"""V-6: training institutions — their standing, the designated 专员, and the phone format of 附件2.

Whether a scan may redeem (V-6: the institution is registered and active, and the scanning staff member was
granted redeem permission by its 专员) is decided in one place only: the guarded redeem statement in
``voucher.redeem.repository``, which takes that decision in the same statement that flips the voucher, so no
withdrawal or suspension can slip between a check and the flip. :func:`redeem_refusal` only words the refusal
for the answer; it decides nothing.
"""

from __future__ import annotations

import re

from skills_shared.contracts.v1.voucher import InstitutionStatus
from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine

RULE_INSTITUTION = "V-6"
REDEEM_REFUSED = "redeem_permission_missing"
"""The one code of a refused V-6 redeem permission, whatever the reason (see :func:`redeem_refusal`)."""

# 附件2 asks for "手机或座机号码": an 11-digit mobile number, or a landline with an optional area code
# (023 for Chongqing) and an optional extension.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")

_STATUS_ZH = {
    InstitutionStatus.ACTIVE: "正常",
    InstitutionStatus.SUSPENDED: "暂停",
    InstitutionStatus.CLOSED: "关闭",
}

# Which status moves an officer may make. A closed institution stays closed: its code stays on record for
# tracing, and a re-opening is a new registration.
INSTITUTION_MACHINE: StateMachine[InstitutionStatus] = StateMachine(
    entity_zh="培训机构",
    states_zh={"active": "正常", "suspended": "暂停", "closed": "已关闭"},
    moves={
        "activate": (frozenset({InstitutionStatus.SUSPENDED}), InstitutionStatus.ACTIVE),
        "suspend": (frozenset({InstitutionStatus.ACTIVE}), InstitutionStatus.SUSPENDED),
        "close": (
            frozenset({InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED}),
            InstitutionStatus.CLOSED,
        ),
    },
    actions_zh={"activate": "恢复为正常", "suspend": "暂停", "close": "关闭"},
    rule=RULE_INSTITUTION,
)
_ACTION_TO = {
    InstitutionStatus.ACTIVE: "activate",
    InstitutionStatus.SUSPENDED: "suspend",
    InstitutionStatus.CLOSED: "close",
}


def status_zh(status: InstitutionStatus | str) -> str:
    """The status as an office reads it."""
    return _STATUS_ZH.get(InstitutionStatus(status), str(status))


def is_valid_phone(phone: str) -> bool:
    """V-6 附件2 机构电话: mobile or landline."""
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))


def next_status(current: InstitutionStatus, target: InstitutionStatus) -> InstitutionStatus:
    """V-6: an officer suspends, re-activates or closes an institution; closed is final; same status is a no-op."""
    if current == target:
        return current
    return INSTITUTION_MACHINE.next(current, _ACTION_TO[target])


def check_institution_active(status: InstitutionStatus) -> None:
    """V-6: only an active institution opens classes (the redeem decides its own standing in SQL)."""
    if status != InstitutionStatus.ACTIVE:
        raise Refusal(
            RULE_INSTITUTION,
            "institution_not_active",
            f"该培训机构当前状态为“{status_zh(status)}”，不能开设培训班；请联系所在区县恢复为正常状态后再开设。",
            status=409,
            extra={"institution_status": status.value},
        )


def check_is_designated_admin(principal_subject: str, admin_id_number: str) -> None:
    """V-6: each institution has exactly one 专员 who manages who may redeem.

    An `institution_admin` token scoped to the institution is not enough on its own: its subject must be
    the registered 专员's ID number, so a change of 专员 (reported to the district) takes effect at once.
    """
    if principal_subject != admin_id_number:
        raise Refusal(
            RULE_INSTITUTION,
            "not_institution_designated_admin",
            "只有本机构登记的培训券专员可以管理核券人员权限。",
            status=403,
        )


def redeem_refusal(institution_code: str, institution_status: str | None, has_permission: bool) -> Refusal:
    """The answer to a scan the redeem statement did not permit (V-6), with why and what would make it pass.

    One code (``redeem_permission_missing``, 403, rule V-6) for every reason; ``reason`` tells them apart for a
    program: ``institution_not_registered``, ``institution_not_active`` or ``staff_not_permitted``.
    """
    if institution_status is None:
        reason = "institution_not_registered"
        detail = f"机构编码{institution_code}未登记为培训券定点培训机构，不能核销培训券；所在区县登记该机构后即可核销。"
    elif institution_status != InstitutionStatus.ACTIVE:
        reason = "institution_not_active"
        detail = (
            f"本机构当前状态为“{status_zh(institution_status)}”，不能核销培训券；"
            "所在区县将机构恢复为正常状态后即可核销。"
        )
    else:
        reason = "staff_not_permitted"
        detail = "您没有本机构的培训券核销权限，请联系机构专员授权后再扫码核销。"
    return Refusal(
        RULE_INSTITUTION,
        REDEEM_REFUSED,
        detail,
        status=403,
        title="Redeem not permitted",
        extra={
            "reason": reason,
            "institution_code": institution_code,
            "institution_status": institution_status,
            "staff_permitted": has_permission,
        },
    )

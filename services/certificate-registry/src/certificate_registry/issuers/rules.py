"""Pure rules about evaluation bodies (issuers): their 13-character code and the retirement of their code.

CR-1 gives the code layout; CR-2 retires cancelled and merged codes for ever. What a body may evaluate (CR-3
scope) is org-filing's data and org-filing's check, asked when a batch opens (``plans/check.py``); the registry
keeps the filed scope only to print and show it. Nothing here touches a database or a request.
"""

from __future__ import annotations

from skills_shared import certnumber
from skills_shared.certnumber import BodyCode
from skills_shared.contracts.v1.registry import IssuerStatus, Jurisdiction
from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine

__all__ = ["IssuerStatus", "Jurisdiction"]

RULE_CODE_LAYOUT = "CR-1"
RULE_RETIRED_CODES = "CR-2"

CITY_PLACE_CODE = "00"

RETIRED_STATUSES = frozenset({IssuerStatus.CANCELLED, IssuerStatus.MERGED})
_LIVE = frozenset({IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED})

ISSUERS: StateMachine[IssuerStatus] = StateMachine(
    "评价机构",
    moves={
        "active": (_LIVE, IssuerStatus.ACTIVE),
        "suspended": (_LIVE, IssuerStatus.SUSPENDED),
        "cancelled": (_LIVE | {IssuerStatus.CANCELLED}, IssuerStatus.CANCELLED),
        "merged": (_LIVE | {IssuerStatus.MERGED}, IssuerStatus.MERGED),
    },
    actions_zh={"active": "恢复为有效", "suspended": "暂停", "cancelled": "取消", "merged": "合并"},
    rule=RULE_RETIRED_CODES,
    states_zh={
        "active": "有效",
        "suspended": "暂停",
        "cancelled": "已取消（废置）",
        "merged": "已合并（废置）",
    },
)
"""An issuer's status as org-filing reports it, moved by the status it reports. CR-2: a cancelled or merged code
is retired for ever; it never becomes active or suspended again, nor moves between the two retired states."""

STATUS_ZH = {
    IssuerStatus.ACTIVE: "有效",
    IssuerStatus.SUSPENDED: "暂停",
    IssuerStatus.CANCELLED: "取消",
    IssuerStatus.MERGED: "合并",
}


def parse_body_code(raw: str) -> BodyCode:
    """CR-1 positions 1–13, through the shared codec; raises CertificateNumberError naming the position."""
    return certnumber.parse_body_code(raw)


def default_jurisdiction(body: BodyCode) -> Jurisdiction:
    """Decision: a body filed at place 00 (重庆市) is city-wide, any other place is district-level."""
    return Jurisdiction.CITY if body.place == CITY_PLACE_CODE else Jurisdiction.DISTRICT


def check_retired_unchanged(current: IssuerStatus, changed: bool) -> None:
    """CR-2: the record of a retired code is final — kept for look-up and tracing, never edited."""
    if current in RETIRED_STATUSES and changed:
        raise Refusal(
            RULE_RETIRED_CODES,
            "issuer_retired",
            f"机构代码已{STATUS_ZH[current]}，进入废置库，记录不得恢复或变更",
            status=409,
            extra={"current_state": current.value},
        )

"""Pure rules of body filing through the gateway: which status moves exist and who may make them."""

from __future__ import annotations

from enum import StrEnum

from skills_shared.auth import Principal, Role

RULE_SUPERVISION = "OF-6"
RULE_CANCELLATION = "OF-7"


class ReviewStep(StrEnum):
    """The accepting department's steps on an application (OF-3): evaluate, refuse, publish, file (OF-4)."""

    EVALUATION = "evaluation"
    REJECTION = "rejection"
    PUBLICATION = "publication"
    FILING = "filing"


class StatusMove(StrEnum):
    """The status changes of a filed body that org-filing offers (OF-6 supervision, OF-7/CR-2 cancellation)."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    CANCEL = "cancel"
    EXTEND = "extend"


MOVE_RULE = {
    StatusMove.SUSPEND: RULE_SUPERVISION,
    StatusMove.REINSTATE: RULE_SUPERVISION,
    StatusMove.EXTEND: RULE_SUPERVISION,
    StatusMove.CANCEL: RULE_CANCELLATION,
}

NEEDS_REASON = frozenset({StatusMove.SUSPEND, StatusMove.REINSTATE, StatusMove.CANCEL})
"""org-filing takes a reason for these moves; an extension has none (three clean years speak for themselves)."""


def require_officer_of_place(principal: Principal, place_code: str) -> None:
    """A district officer moves only bodies filed in their district; a city officer moves all (OF-6)."""
    if principal.role is Role.CITY_OFFICER:
        return
    principal.require_district(place_code)

"""Pure rules about evaluation bodies (issuers): their 13-character code, status moves and scope.

CR-1 gives the code layout, CR-2 retires cancelled and merged codes for ever, CR-3 bounds what a body may
evaluate. Nothing here touches a database or a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from skills_shared import certnumber
from skills_shared.certnumber import BodyCode

RULE_CODE_LAYOUT = "CR-1"
RULE_RETIRED_CODES = "CR-2"
RULE_SCOPE = "CR-3"

CITY_PLACE_CODE = "00"
ALL_LEVELS = frozenset({1, 2, 3, 4, 5})
DISTRICT_LEVELS = frozenset({3, 4, 5})


class IssuerStatus(StrEnum):
    """Lifecycle of an issuer as filed with the HR department."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    MERGED = "merged"


RETIRED_STATUSES = frozenset({IssuerStatus.CANCELLED, IssuerStatus.MERGED})


class Jurisdiction(StrEnum):
    """City-wide bodies may evaluate levels 1–5; district-level bodies only 3–5 (CR-3)."""

    CITY = "city"
    DISTRICT = "district"


def parse_body_code(raw: str) -> BodyCode:
    """CR-1 positions 1–13, through the shared codec; raises CertificateNumberError naming the position."""
    return certnumber.parse_body_code(raw)


def default_jurisdiction(body: BodyCode) -> Jurisdiction:
    """Decision: a body filed at place 00 (重庆市) is city-wide, any other place is district-level."""
    return Jurisdiction.CITY if body.place == CITY_PLACE_CODE else Jurisdiction.DISTRICT


def allowed_levels(jurisdiction: Jurisdiction) -> frozenset[int]:
    """CR-3: district-level bodies evaluate only levels 3–5."""
    return ALL_LEVELS if jurisdiction is Jurisdiction.CITY else DISTRICT_LEVELS


def scope_levels_outside_jurisdiction(jurisdiction: Jurisdiction, levels: Iterable[int]) -> list[int]:
    """The filed levels a body of this jurisdiction may not hold (CR-3); empty when all are fine."""
    allowed = allowed_levels(jurisdiction)
    return sorted({level for level in levels if level not in allowed})


@dataclass(frozen=True, slots=True)
class StatusMove:
    """Outcome of checking a status change: allowed, or refused with the reason and rule."""

    allowed: bool
    reason: str | None = None
    rule: str | None = None


def check_status_move(current: IssuerStatus | None, new: IssuerStatus) -> StatusMove:
    """CR-2: a cancelled or merged code is retired for ever; it never becomes active or suspended again.

    Moving between the two retired states is also refused: the record of how a body ended is final.
    """
    if current is None or current is new:
        return StatusMove(True)
    if current in RETIRED_STATUSES:
        return StatusMove(
            False, f"机构代码已{_STATUS_ZH[current]}，进入废置库，不得恢复或变更", RULE_RETIRED_CODES
        )
    return StatusMove(True)


_STATUS_ZH = {
    IssuerStatus.ACTIVE: "有效",
    IssuerStatus.SUSPENDED: "暂停",
    IssuerStatus.CANCELLED: "取消",
    IssuerStatus.MERGED: "合并",
}


@dataclass(frozen=True, slots=True)
class ScopeEntry:
    """One filed occupation of a body with its work types (工种) and levels."""

    occupation_code: str
    occupation_name: str
    work_types: tuple[str, ...]
    levels: frozenset[int]


@dataclass(frozen=True, slots=True)
class IssuerFacts:
    """What the batch rules need to know about an issuer."""

    code: str
    status: IssuerStatus
    jurisdiction: Jurisdiction
    valid_from: date
    valid_to: date
    scope: tuple[ScopeEntry, ...]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an issuer may not evaluate something, with the field it concerns and the rule."""

    field: str
    reason: str
    rule: str
    code: str


def check_may_evaluate(
    issuer: IssuerFacts, *, occupation_code: str, work_type: str | None, level: int, on: date
) -> list[Refusal]:
    """CR-3 (with CR-2 and the filing's validity): may this body evaluate this occupation/level on this date?

    Every reason is returned, not only the first, so a caller can name each bad field at once.
    """
    refusals: list[Refusal] = []
    if issuer.status is not IssuerStatus.ACTIVE:
        refusals.append(
            Refusal(
                "body_code",
                f"评价机构状态为{_STATUS_ZH[issuer.status]}，不得开展评价",
                RULE_RETIRED_CODES if issuer.status in RETIRED_STATUSES else RULE_SCOPE,
                "issuer_not_active",
            )
        )
    if not (issuer.valid_from <= on <= issuer.valid_to):
        refusals.append(
            Refusal(
                "evaluation_date",
                f"评价日期{on.isoformat()}不在备案有效期{issuer.valid_from.isoformat()}至"
                f"{issuer.valid_to.isoformat()}内",
                RULE_SCOPE,
                "issuer_out_of_validity",
            )
        )
    entry = next((e for e in issuer.scope if e.occupation_code == occupation_code), None)
    if entry is None:
        refusals.append(
            Refusal(
                "occupation_code",
                f"职业{occupation_code}不在机构备案范围内",
                RULE_SCOPE,
                "occupation_out_of_scope",
            )
        )
    else:
        if work_type is not None and entry.work_types and work_type not in entry.work_types:
            refusals.append(
                Refusal(
                    "work_type", f"工种“{work_type}”不在机构备案范围内", RULE_SCOPE, "work_type_out_of_scope"
                )
            )
        if level not in entry.levels:
            refusals.append(
                Refusal("level", f"等级{level}不在该职业备案等级范围内", RULE_SCOPE, "level_out_of_scope")
            )
    if level not in allowed_levels(issuer.jurisdiction):
        refusals.append(
            Refusal("level", "区县级评价机构只能评价三级至五级", RULE_SCOPE, "level_out_of_jurisdiction")
        )
    return refusals

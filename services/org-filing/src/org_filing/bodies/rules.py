"""Pure rules of a filed body: its code (OF-4, CR-2), validity (OF-3), status moves and the extension (OF-6)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from skills_shared import certnumber
from skills_shared.reference import CQ_PROVINCE_CODE
from skills_shared.refusals import Verdict
from skills_shared.transitions import StateMachine

OF_3 = "OF-3"
OF_4 = "OF-4"
OF_6 = "OF-6"
OF_7 = "OF-7"
CR_2 = "CR-2"

CATEGORY = "S"  # 社会培训评价组织
ROUTE_CHONGQING = "0000"  # filed with the Chongqing HR department
MAX_SEQUENCE = 9999
VALIDITY_YEARS = 3
EXTENSION_YEARS = 3
#: Decision: an extension may be granted in the last 90 days of validity, once the clean record is near complete.
EXTENSION_WINDOW_DAYS = 90


class SequenceExhausted(Exception):
    """The place has given out 0001–9999: no free sequence is left (OF-4)."""


def format_body_code(place: str, sequence: int) -> str:
    """The 13-character body code: S + route 0000 + province 50 + place + sequence (seed 001 附件5).

    Built by the shared CR-1 code, so a filing can only produce what a certificate number accepts; a bad place
    or sequence raises its CertificateNumberError (a ValueError).
    """
    return certnumber.body_code(CATEGORY, ROUTE_CHONGQING, CQ_PROVINCE_CODE, place, sequence)


def parse_body_code(code: str) -> certnumber.BodyCode:
    """Split a body code into its parts; CertificateNumberError (a ValueError) when it is not one."""
    return certnumber.parse_body_code(code)


def next_free_sequence(counter_next: int, taken: Collection[int]) -> int:
    """OF-4/CR-2: the first sequence from the counter on that no body — live or retired — ever held.

    The counter only moves forward, so a retired sequence is behind it; `taken` guards data loaded from
    elsewhere (e.g. codes assigned before this system) so that none of them is ever handed out again.
    """
    seq = max(counter_next, 1)
    while seq in taken:
        seq += 1
    if seq > MAX_SEQUENCE:
        raise SequenceExhausted
    return seq


def add_years(d: date, years: int) -> date:
    """Same day `years` later; 29 Feb becomes 28 Feb."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def max_valid_to(valid_from: date, years: int = VALIDITY_YEARS) -> date:
    """Last day of a validity of at most `years` years starting on valid_from (inclusive of both ends)."""
    return add_years(valid_from, years) - timedelta(days=1)


def validity_verdict(valid_from: date, valid_to: date) -> Verdict:
    """OF-3: the receipt's validity runs at most 3 years."""
    limit = max_valid_to(valid_from)
    if valid_to < valid_from:
        return Verdict(OF_3, "validity", "fail", "备案有效期截止日早于起始日")
    if valid_to > limit:
        return Verdict(OF_3, "validity", "fail", f"备案有效期不超过 3 年，最迟至 {limit.isoformat()}")
    return Verdict(OF_3, "validity", "pass", f"备案有效期 {valid_from.isoformat()} 至 {valid_to.isoformat()}")


class BodyStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    cancelled = "cancelled"


BODY_MACHINE: StateMachine[BodyStatus] = StateMachine(
    "评价机构",
    moves={
        "suspend": (frozenset({BodyStatus.active}), BodyStatus.suspended),
        "reinstate": (frozenset({BodyStatus.suspended}), BodyStatus.active),
        "cancel": (frozenset({BodyStatus.active, BodyStatus.suspended}), BodyStatus.cancelled),
        "merge": (frozenset({BodyStatus.active, BodyStatus.suspended}), BodyStatus.cancelled),
        "extend": (frozenset({BodyStatus.active}), BodyStatus.active),
        "change_scope": (frozenset({BodyStatus.active, BodyStatus.suspended}), BodyStatus.active),
    },
    actions_zh={
        "suspend": "暂停",
        "reinstate": "恢复",
        "cancel": "注销",
        "merge": "合并",
        "extend": "延期",
        "change_scope": "变更范围",
    },
    rule=OF_6,
    states_zh={"active": "备案有效", "suspended": "暂停", "cancelled": "已注销"},
)
"""OF-6 / OF-7: a cancelled (or merged) body never moves again (CR-2)."""


def next_body_status(current: BodyStatus | str, action: str) -> BodyStatus:
    """The status an action leads to; a 409 ``illegal_state`` when the current one forbids it. A scope change
    keeps a suspended body suspended."""
    target = BODY_MACHINE.next(current, action)
    return BodyStatus(current) if action == "change_scope" else target


@dataclass(frozen=True, slots=True)
class ExtensionInput:
    filed_on: date
    valid_to: date
    today: date
    complaints_since_filing: int
    violations_since_filing: int
    already_extended: bool


def extension_verdicts(inp: ExtensionInput) -> list[Verdict]:
    """OF-6: three years from filing with no complaint and no violation → validity extended by 3 years.

    Decision: the seed says "3 年内无举报投诉" — any complaint received counts, whatever its outcome; the
    extension is granted once, from 90 days before expiry until the last valid day.
    """
    window_opens = inp.valid_to - timedelta(days=EXTENSION_WINDOW_DAYS)
    out = [
        Verdict(
            OF_6,
            "no_complaints",
            "pass" if inp.complaints_since_filing == 0 else "fail",
            f"备案以来举报投诉 {inp.complaints_since_filing} 件",
        ),
        Verdict(
            OF_6,
            "no_violations",
            "pass" if inp.violations_since_filing == 0 else "fail",
            f"备案以来违规行为 {inp.violations_since_filing} 次",
        ),
        Verdict(
            OF_6,
            "not_extended_before",
            "fail" if inp.already_extended else "pass",
            "已延长过一次有效期" if inp.already_extended else "未延长过有效期",
        ),
    ]
    if inp.today < window_opens:
        out.append(
            Verdict(OF_6, "window", "fail", f"有效期届满前 90 日内方可延期，最早 {window_opens.isoformat()}")
        )
    elif inp.today > inp.valid_to:
        out.append(Verdict(OF_6, "window", "fail", f"备案有效期已于 {inp.valid_to.isoformat()} 届满"))
    else:
        out.append(Verdict(OF_6, "window", "pass", "在延期办理期内"))
    return out


def extended_valid_to(valid_to: date) -> date:
    """OF-6: the validity runs 3 more years from the day after its current end."""
    return max_valid_to(valid_to + timedelta(days=1), EXTENSION_YEARS)

"""Pure rules for certificates: who gets a number, how serials are handed out, how a public look-up matches,
and when a certificate may be revoked.

CR-1 (serials per body, year, level; never past 999999), CR-4 (only reviewed, passing, unheld candidates),
CR-6 (public query with the ID number masked), CR-7 (nothing is deleted; revocation is a status).
"""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from certificate_registry.batches.rules import Method
from skills_shared.contracts.v1.registry import CertificateStatus, ObtainedBy
from skills_shared.transitions import StateMachine

__all__ = ["CertificateStatus", "ObtainedBy"]

RULE_CODE_LAYOUT = "CR-1"
RULE_PUBLICITY = "CR-4"
RULE_PUBLIC_QUERY = "CR-6"
RULE_RETENTION = "CR-7"

MAX_SERIAL = 999_999


class HoldStatus(StrEnum):
    """An objection during publicity holds a candidate until it is resolved (CR-4)."""

    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


def obtained_by(method: Method) -> ObtainedBy:
    if method is Method.DIRECT_RECOGNITION:
        return ObtainedBy.DIRECT_RECOGNITION
    if method is Method.COMPETITION:
        return ObtainedBy.COMPETITION
    return ObtainedBy.EVALUATION


@dataclass(frozen=True, slots=True)
class CandidateState:
    passed: bool
    holds: tuple[HoldStatus, ...]
    issued: bool


def is_eligible(candidate: CandidateState) -> bool:
    """CR-4: a number goes only to a passing candidate with no pending or upheld objection, once."""
    if candidate.issued or not candidate.passed:
        return False
    return all(hold is HoldStatus.DISMISSED for hold in candidate.holds)


@dataclass(frozen=True, slots=True)
class SerialExhausted(Exception):
    """CR-1: a (body, year, level) has no serials left; this is never a wrap-around."""

    last_serial: int
    wanted: int

    def __str__(self) -> str:
        left = MAX_SERIAL - self.last_serial
        return f"证书序列码已用至{self.last_serial:06d}，剩余{left}个，无法再发放{self.wanted}个"


def allocate_serials(last_serial: int, count: int) -> range:
    """The next `count` serials after `last_serial`, gapless; raises SerialExhausted past 999999 (CR-1)."""
    if count < 0 or last_serial < 0:
        raise ValueError("count and last_serial must be non-negative")
    if last_serial + count > MAX_SERIAL:
        raise SerialExhausted(last_serial, count)
    return range(last_serial + 1, last_serial + count + 1)


def normalise_id_number(id_number: str) -> str:
    return id_number.strip().upper()


def lookup_matches(*, stored_name: str, stored_id: str, name: str | None, id_number: str | None) -> bool:
    """CR-6: a public look-up must name the holder or give the ID number; comparison is constant-time so that
    a wrong name and an unknown number cannot be told apart by timing either."""
    if name is not None:
        given = unicodedata.normalize("NFC", name).strip().encode()
        return hmac.compare_digest(given, unicodedata.normalize("NFC", stored_name).strip().encode())
    if id_number is not None:
        return hmac.compare_digest(normalise_id_number(id_number).encode(), stored_id.encode())
    return False


CERTIFICATES: StateMachine[CertificateStatus] = StateMachine(
    "证书",
    moves={"revoke": (frozenset({CertificateStatus.VALID}), CertificateStatus.REVOKED)},
    actions_zh={"revoke": "再次撤销"},
    rule=RULE_RETENTION,
    states_zh={"valid": "有效", "revoked": "已撤销"},
)
"""CR-7: revocation is a status change, never a deletion; a revoked certificate cannot be revoked again."""


def serials_are_gapless(serials: Iterable[int]) -> bool:
    """True when the serials are exactly 1..n with no duplicate (used to check a (body, year, level))."""
    ordered = sorted(serials)
    return ordered == list(range(1, len(ordered) + 1))

"""V-5: the holder's short-lived signed QR token, and what must hold for a scan to redeem a voucher."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from skills_shared.refusals import Refusal
from voucher.vouchers.rules import VOUCHER_MACHINE, VoucherStatus

RULE_USE = "V-5"
RULE_CLAIM = "V-4"
RULE_FACE_VALUE = "V-2"

# V-5: "2021年，每人用券不超过3次".
MAX_USES_PER_YEAR = 3
TOKEN_PREFIX = "VQ1"  # noqa: S105 - a format tag, not a secret
DEFAULT_TOKEN_TTL_S = 120


@dataclass(frozen=True, slots=True)
class QrClaims:
    """What a scanned token says: which voucher, whose, and until when (Unix seconds)."""

    voucher_id: int
    holder_digest: str
    expires_at: int


def holder_digest(key: bytes, holder_id: str) -> str:
    """A keyed digest of the holder's ID number: the QR names the holder without printing the number."""
    return hmac.new(key, b"holder:" + holder_id.encode(), hashlib.sha256).hexdigest()[:20]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest()[:20])


def sign_token(
    key: bytes, voucher_id: int, holder_id: str, now_s: int, ttl_s: int = DEFAULT_TOKEN_TTL_S
) -> str:
    """Build the QR text `VQ1.<voucher>.<holder digest>.<expiry>.<HMAC-SHA256>` — short enough for a dense QR."""
    body = f"{TOKEN_PREFIX}.{voucher_id}.{holder_digest(key, holder_id)}.{now_s + ttl_s}"
    return f"{body}.{_signature(key, body)}"


def bad_token() -> Refusal:
    return Refusal(
        RULE_USE, "qr_token_invalid", "培训券二维码无效，请让学员刷新后重新出示。", field=("body", "token")
    )


def verify_token(key: bytes, token: str, now_s: int) -> QrClaims:
    """V-5: accept only an untampered token that has not expired (the holder's app refreshes it)."""
    parts = token.strip().split(".")
    if len(parts) != 5 or parts[0] != TOKEN_PREFIX:
        raise bad_token()
    body = ".".join(parts[:4])
    if not hmac.compare_digest(_signature(key, body), parts[4]):
        raise bad_token()
    try:
        voucher_id = int(parts[1])
        expires_at = int(parts[3])
    except ValueError as exc:  # signed but malformed: only a key holder could make it; still refuse
        raise bad_token() from exc
    if now_s > expires_at:
        raise Refusal(
            RULE_USE,
            "qr_token_expired",
            "培训券二维码已过期，请让学员刷新后重新出示。",
            field=("body", "token"),
        )
    return QrClaims(voucher_id, parts[2], expires_at)


@dataclass(frozen=True, slots=True)
class VoucherState:
    """The voucher as the redeem check sees it."""

    status: VoucherStatus
    valid_until: date
    type_code: str


@dataclass(frozen=True, slots=True)
class ClassState:
    institution_code: str
    project_type: str
    ends_on: date


def check_voucher_redeemable(voucher: VoucherState, today: date) -> None:
    """V-4/V-5: a voucher is redeemed once, while valid; lapsed or used ones are refused with the reason."""
    if voucher.status is VoucherStatus.LAPSED:
        raise Refusal(RULE_CLAIM, "voucher_lapsed", "该培训券已失效，不能核销。", status=409)
    if not VOUCHER_MACHINE.allows(voucher.status, "redeem"):
        raise Refusal(RULE_USE, "voucher_already_used", "该培训券已核销，不能重复使用。", status=409)
    if today > voucher.valid_until:
        raise Refusal(
            RULE_CLAIM,
            "voucher_expired",
            f"该培训券有效期至{voucher.valid_until.isoformat()}，已过期失效。",
            status=409,
        )


def check_class_accepts(voucher: VoucherState, klass: ClassState, institution_code: str, today: date) -> None:
    """V-2/V-5: the voucher is redeemed for a class of the scanning institution, of the voucher's project type."""
    if klass.institution_code != institution_code:
        raise Refusal(
            RULE_USE, "class_not_found", "本机构不存在该培训班。", field=("body", "class_id"), status=404
        )
    if klass.project_type != voucher.type_code:
        raise Refusal(
            RULE_FACE_VALUE,
            "class_type_mismatch",
            "该培训券的培训项目与所报培训班的项目不一致。",
            field=("body", "class_id"),
            status=409,
        )
    if today > klass.ends_on:
        raise Refusal(
            RULE_USE, "class_ended", "该培训班已结束，不能报名核销。", field=("body", "class_id"), status=409
        )


def check_yearly_cap(uses_so_far: int) -> None:
    """V-5: at most three redemptions per person per year."""
    if uses_so_far >= MAX_USES_PER_YEAR:
        raise Refusal(
            RULE_USE,
            "yearly_use_limit_reached",
            f"本年度已使用培训券{MAX_USES_PER_YEAR}次，达到每人每年用券上限。",
            status=409,
        )

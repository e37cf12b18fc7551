"""V-1…V-4: project types, yearly and supplementary issues, claiming, validity and what counts as used."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from skills_shared.contracts.v1.voucher import LapseReason as LapseReason
from skills_shared.contracts.v1.voucher import VoucherStatus as VoucherStatus
from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine

RULE_TYPES = "V-1"
RULE_FACE_VALUE = "V-2"
RULE_ISSUE = "V-3"
RULE_CLAIM = "V-4"

# V-4: a year's vouchers are valid until 30 November of that year.
VALID_UNTIL_MONTH = 11
VALID_UNTIL_DAY = 30


class CampaignKind(StrEnum):
    """V-3: one yearly issue, plus supplementary issues when needed."""

    ANNUAL = "annual"
    SUPPLEMENTARY = "supplementary"


# V-4: "领券后未启用或未按规定完成补贴性培训的，职业培训券失效，不纳入用券统计" — a lapsed voucher is never
# counted as used, even if it had been scanned.
USED_STATUSES: frozenset[VoucherStatus] = frozenset(
    {VoucherStatus.REDEEMED, VoucherStatus.COMPLETED, VoucherStatus.SETTLED}
)


VOUCHER_MACHINE: StateMachine[VoucherStatus] = StateMachine(
    entity_zh="培训券",
    states_zh={
        "claimed": "已领取",
        "redeemed": "已使用",
        "completed": "已结业",
        "settled": "已结算",
        "lapsed": "已失效",
    },
    moves={
        "redeem": (frozenset({VoucherStatus.CLAIMED}), VoucherStatus.REDEEMED),
        "complete": (frozenset({VoucherStatus.REDEEMED}), VoucherStatus.COMPLETED),
        "record_not_completed": (frozenset({VoucherStatus.REDEEMED}), VoucherStatus.LAPSED),
        "settle": (frozenset({VoucherStatus.COMPLETED}), VoucherStatus.SETTLED),
        "lapse": (frozenset({VoucherStatus.CLAIMED, VoucherStatus.REDEEMED}), VoucherStatus.LAPSED),
    },
    actions_zh={
        "redeem": "核销",
        "complete": "记录为完成培训",
        "record_not_completed": "记录为未完成培训",
        "settle": "结算",
        "lapse": "作失效处理",
    },
    rule=RULE_CLAIM,
)
"""V-4/V-5: the life of a voucher. The guarded SQL updates (redeem, lapse, settle) move only rows in a source
state of this table; every Python decision about a voucher's status asks this table."""


def is_counted_as_used(status: VoucherStatus) -> bool:
    """V-4: redeemed, completed and settled vouchers count as used; claimed and lapsed ones do not."""
    return status in USED_STATUSES


def year_end_validity(year: int) -> date:
    """V-4: the last day a voucher of `year` may be used."""
    return date(year, VALID_UNTIL_MONTH, VALID_UNTIL_DAY)


def open_campaign_year(today: date) -> int:
    """V-4: the year whose yearly campaign can still be issued and claimed on `today`.

    A year's campaign closes after 30 November; from 1 December the one that can still run is next year's
    (prepared in December, valid to its own 30 November). Set-up scripts that run on the real date — demos,
    benchmarks, end-to-end tests against real processes — open this year's campaign, not the calendar year's.
    """
    return today.year if today <= year_end_validity(today.year) else today.year + 1


def campaign_valid_until(year: int, requested: date | None) -> date:
    """V-4: a campaign runs until 30 November of its year; an earlier end may be set, never a later one."""
    limit = year_end_validity(year)
    if requested is None:
        return limit
    if requested.year != year or requested > limit:
        raise Refusal(
            RULE_CLAIM,
            "valid_until_beyond_limit",
            f"{year}年度培训券有效期最晚至{limit.isoformat()}。",
            field=("body", "valid_until"),
        )
    return requested


def check_campaign_kind(kind: CampaignKind, annual_exists: bool) -> None:
    """V-3: one yearly issue per year; supplementary issues follow the yearly one."""
    if kind is CampaignKind.ANNUAL and annual_exists:
        raise Refusal(
            RULE_ISSUE,
            "annual_campaign_exists",
            "该年度的培训券已一次性发放，请使用补发。",
            field=("body", "kind"),
            status=409,
        )
    if kind is CampaignKind.SUPPLEMENTARY and not annual_exists:
        raise Refusal(
            RULE_ISSUE,
            "annual_campaign_missing",
            "该年度尚未进行一次性发放，不能补发。",
            field=("body", "kind"),
            status=409,
        )


def check_campaign_open(valid_until: date, today: date) -> None:
    """V-4: nothing is issued or claimed once the campaign's validity has passed."""
    if today > valid_until:
        raise Refusal(
            RULE_CLAIM, "campaign_expired", f"培训券有效期已于{valid_until.isoformat()}截止。", status=409
        )


def check_campaign_opens(year: int, valid_until: date, today: date, *, valid_until_given: bool) -> None:
    """V-3/V-4: a campaign whose validity has already ended is not opened (it could never issue or be claimed).

    The refusal says when it would be accepted: a campaign of ``year`` could be opened until its validity's last
    day (``last_opening_date``); today the city can open ``open_year``'s campaign, or — when ``year``'s 30
    November is still ahead — the same year with a validity from today to then.
    """
    if valid_until >= today:
        return
    limit = year_end_validity(year)
    open_year = open_campaign_year(today)
    if limit >= today:
        hint = f"请将有效期设为{today.isoformat()}至{limit.isoformat()}之间的日期"
        field = "valid_until"
    else:
        hint = f"现在可开设{open_year}年度的批次（有效期至{year_end_validity(open_year).isoformat()}）"
        field = "valid_until" if valid_until_given else "year"
    raise Refusal(
        RULE_CLAIM,
        "campaign_expired",
        f"{year}年度批次的有效期至{valid_until.isoformat()}，已早于今天（{today.isoformat()}），"
        f"开设后既不能发放也不能领取，最晚可在{valid_until.isoformat()}开设；{hint}。",
        field=("body", field),
        extra={
            "valid_until": valid_until.isoformat(),
            "last_opening_date": valid_until.isoformat(),
            "open_year": open_year,
            "earliest_valid_until": today.isoformat() if limit >= today else None,
            "latest_valid_until": limit.isoformat() if limit >= today else None,
        },
    )


@dataclass(frozen=True, slots=True)
class VoucherTypeInfo:
    code: str
    active: bool
    face_value_fen: int | None


def types_to_claim(
    requested: Collection[str] | None,
    types: Mapping[str, VoucherTypeInfo],
    already_claimed: Collection[str],
) -> list[str]:
    """V-4: which types a claim takes.

    `requested=None` means "all types at once": every active, priced type not yet claimed this year.
    An explicit list must name known, active, priced types, none already claimed this year — otherwise the
    whole claim is refused, so that a citizen never gets half of what they asked for without being told.
    """
    claimed = set(already_claimed)
    if requested is None:
        chosen = sorted(
            code
            for code, t in types.items()
            if t.active and t.face_value_fen is not None and code not in claimed
        )
        if not chosen:
            raise Refusal(
                RULE_CLAIM,
                "nothing_to_claim",
                "本年度可领取的培训券均已领取。",
                field=("body", "types"),
                status=409,
            )
        return chosen
    if not requested:
        raise Refusal(RULE_CLAIM, "types_empty", "请至少选择一种培训券。", field=("body", "types"))
    seen: set[str] = set()
    for code in requested:
        seen.add(code)
        info = types.get(code)
        if info is None or not info.active:
            raise Refusal(
                RULE_TYPES,
                "unknown_voucher_type",
                f"不存在可领取的培训券类型“{code}”。",
                field=("body", "types"),
            )
        if info.face_value_fen is None:
            raise Refusal(
                RULE_FACE_VALUE,
                "voucher_type_not_priced",
                f"培训券类型“{code}”尚未设定面值，暂不可领取。",
                field=("body", "types"),
                status=409,
            )
        if code in claimed:
            raise Refusal(
                RULE_CLAIM,
                "voucher_type_already_claimed",
                f"本年度已领取过“{code}”类培训券，同一类型每人每年限领一次。",
                field=("body", "types"),
                status=409,
            )
    return sorted(seen)


def check_face_value(face_value_fen: int) -> None:
    """V-2: a face value is a positive amount in fen (the reference amount for the institution's subsidy)."""
    if face_value_fen <= 0:
        raise Refusal(
            RULE_FACE_VALUE,
            "face_value_not_positive",
            "培训券面值必须大于0（单位：分）。",
            field=("body", "face_value_fen"),
        )


def lapse_reason(
    status: VoucherStatus,
    valid_until: date,
    class_ends_on: date | None,
    today: date,
) -> LapseReason | None:
    """V-4: whether a voucher lapses as of `today`, and why.

    - claimed but never scanned, and the validity has passed → lapses as not used;
    - scanned, the class has ended, and completion was never recorded → lapses as training not completed
      (a class still running after 30 November keeps its trainees' vouchers until it ends);
    - completed, settled or already lapsed vouchers never change.
    """
    if status is VoucherStatus.CLAIMED and today > valid_until:
        return LapseReason.NOT_USED
    if status is VoucherStatus.REDEEMED and class_ends_on is not None and today > class_ends_on:
        return LapseReason.TRAINING_NOT_COMPLETED
    return None


def count_used(statuses: Iterable[VoucherStatus]) -> int:
    """V-4: how many of these vouchers count as used in the statistics."""
    return sum(1 for s in statuses if is_counted_as_used(s))

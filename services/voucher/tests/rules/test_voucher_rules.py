"""V-1…V-4: campaigns, claims, validity and what counts as used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_shared.refusals import Refusal
from voucher.vouchers.rules import (
    CampaignKind,
    LapseReason,
    VoucherStatus,
    VoucherTypeInfo,
    campaign_valid_until,
    check_campaign_kind,
    check_campaign_open,
    check_campaign_opens,
    check_face_value,
    count_used,
    is_counted_as_used,
    lapse_reason,
    open_campaign_year,
    types_to_claim,
    year_end_validity,
)

TYPES = {
    "a": VoucherTypeInfo("a", True, 50_000),
    "b": VoucherTypeInfo("b", True, 80_000),
    "c": VoucherTypeInfo("c", True, None),
    "d": VoucherTypeInfo("d", False, 10_000),
}


def test_validity_is_30_november() -> None:
    assert year_end_validity(2026) == date(2026, 11, 30)
    assert campaign_valid_until(2026, None) == date(2026, 11, 30)
    assert campaign_valid_until(2026, date(2026, 10, 1)) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 1, 1), 2026),
        (date(2026, 11, 30), 2026),  # the last day of the 2026 campaign
        (date(2026, 12, 1), 2027),  # the day after: only next year's campaign can still run
        (date(2026, 12, 31), 2027),
    ],
)
def test_open_campaign_year_turns_after_30_november(today: date, year: int) -> None:
    assert open_campaign_year(today) == year
    assert today <= year_end_validity(open_campaign_year(today))


@pytest.mark.parametrize("requested", [date(2026, 12, 1), date(2027, 1, 1), date(2025, 11, 30)])
def test_validity_cannot_pass_30_november_or_leave_its_year(requested: date) -> None:
    with pytest.raises(Refusal) as err:
        campaign_valid_until(2026, requested)
    assert err.value.rule == "V-4" and err.value.field == ("body", "valid_until")


@pytest.mark.parametrize(
    ("kind", "annual_exists", "code"),
    [
        (CampaignKind.ANNUAL, False, None),
        (CampaignKind.ANNUAL, True, "annual_campaign_exists"),
        (CampaignKind.SUPPLEMENTARY, True, None),
        (CampaignKind.SUPPLEMENTARY, False, "annual_campaign_missing"),
    ],
)
def test_one_annual_issue_then_supplements(kind: CampaignKind, annual_exists: bool, code: str | None) -> None:
    if code is None:
        check_campaign_kind(kind, annual_exists)
    else:
        with pytest.raises(Refusal) as err:
            check_campaign_kind(kind, annual_exists)
        assert err.value.code == code and err.value.rule == "V-3"


def test_campaign_open_until_its_last_day() -> None:
    check_campaign_open(date(2026, 11, 30), date(2026, 11, 30))
    with pytest.raises(Refusal) as err:
        check_campaign_open(date(2026, 11, 30), date(2026, 12, 1))
    assert err.value.code == "campaign_expired"


def test_claim_all_takes_every_priced_active_unclaimed_type() -> None:
    assert types_to_claim(None, TYPES, []) == ["a", "b"]
    assert types_to_claim(None, TYPES, ["a"]) == ["b"]
    with pytest.raises(Refusal) as err:
        types_to_claim(None, TYPES, ["a", "b"])
    assert err.value.code == "nothing_to_claim"


@pytest.mark.parametrize(
    ("requested", "claimed", "code"),
    [
        (["a"], [], None),
        (["a", "b"], [], None),
        ([], [], "types_empty"),
        (["x"], [], "unknown_voucher_type"),
        (["d"], [], "unknown_voucher_type"),
        (["c"], [], "voucher_type_not_priced"),
        (["a", "b"], ["b"], "voucher_type_already_claimed"),
    ],
)
def test_claim_explicit_types(requested: list[str], claimed: list[str], code: str | None) -> None:
    if code is None:
        assert types_to_claim(requested, TYPES, claimed) == sorted(requested)
    else:
        with pytest.raises(Refusal) as err:
            types_to_claim(requested, TYPES, claimed)
        assert err.value.code == code


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True),
)
def test_claim_all_never_repeats_a_claimed_type(claimed: list[str]) -> None:
    try:
        chosen = types_to_claim(None, TYPES, claimed)
    except Refusal as exc:
        assert exc.code == "nothing_to_claim"
        assert {"a", "b"} <= set(claimed)
        return
    assert not set(chosen) & set(claimed)
    assert set(chosen) | (set(claimed) & {"a", "b"}) == {"a", "b"}


@pytest.mark.parametrize("value", [0, -1])
def test_face_value_must_be_positive(value: int) -> None:
    with pytest.raises(Refusal) as err:
        check_face_value(value)
    assert err.value.rule == "V-2"
    check_face_value(1)


def test_counted_as_used() -> None:
    assert {s for s in VoucherStatus if is_counted_as_used(s)} == {
        VoucherStatus.REDEEMED,
        VoucherStatus.COMPLETED,
        VoucherStatus.SETTLED,
    }
    assert count_used([VoucherStatus.LAPSED, VoucherStatus.CLAIMED, VoucherStatus.REDEEMED]) == 1


VALID = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("status", "class_end", "today", "expected"),
    [
        (VoucherStatus.CLAIMED, None, date(2026, 11, 30), None),
        (VoucherStatus.CLAIMED, None, date(2026, 12, 1), LapseReason.NOT_USED),
        (VoucherStatus.REDEEMED, date(2026, 12, 20), date(2026, 12, 1), None),
        (VoucherStatus.REDEEMED, date(2026, 12, 20), date(2026, 12, 20), None),
        (VoucherStatus.REDEEMED, date(2026, 12, 20), date(2026, 12, 21), LapseReason.TRAINING_NOT_COMPLETED),
        (VoucherStatus.REDEEMED, date(2026, 6, 1), date(2026, 6, 2), LapseReason.TRAINING_NOT_COMPLETED),
        (VoucherStatus.COMPLETED, date(2026, 6, 1), date(2027, 1, 1), None),
        (VoucherStatus.SETTLED, date(2026, 6, 1), date(2027, 1, 1), None),
        (VoucherStatus.LAPSED, None, date(2027, 1, 1), None),
    ],
)
def test_lapse(
    status: VoucherStatus, class_end: date | None, today: date, expected: LapseReason | None
) -> None:
    assert lapse_reason(status, VALID, class_end, today) == expected


@given(st.sampled_from(list(VoucherStatus)), st.integers(min_value=-400, max_value=400))
def test_a_lapsed_voucher_is_never_counted_as_used(status: VoucherStatus, offset: int) -> None:
    today = VALID + timedelta(days=offset)
    reason = lapse_reason(status, VALID, VALID, today)
    if reason is not None:
        assert status in (VoucherStatus.CLAIMED, VoucherStatus.REDEEMED)
        assert today > VALID
        assert not is_counted_as_used(VoucherStatus.LAPSED)


@pytest.mark.parametrize(
    ("year", "valid_until", "given", "today", "field", "open_year", "latest"),
    [
        # issue 16 item 12: the 2026 campaign opened on 7 December 2026 has ended → open 2027's instead
        (2026, date(2026, 11, 30), False, date(2026, 12, 7), "year", 2027, None),
        (2025, date(2025, 11, 30), False, date(2026, 6, 1), "year", 2026, None),
        # an explicit validity already over while the year's 30 November is ahead → a later validity passes
        (2026, date(2026, 5, 31), True, date(2026, 6, 1), "valid_until", 2026, date(2026, 11, 30)),
        (2026, date(2026, 10, 31), True, date(2026, 12, 1), "valid_until", 2027, None),
    ],
)
def test_an_ended_campaign_is_not_opened(
    year: int,
    valid_until: date,
    given: bool,
    today: date,
    field: str,
    open_year: int,
    latest: date | None,
) -> None:
    with pytest.raises(Refusal) as err:
        check_campaign_opens(year, valid_until, today, valid_until_given=given)
    refusal = err.value
    assert (refusal.status, refusal.code, refusal.rule) == (422, "campaign_expired", "V-4")
    assert refusal.field == ("body", field)
    assert refusal.extra["last_opening_date"] == valid_until.isoformat()
    assert refusal.extra["open_year"] == open_year
    assert refusal.extra["latest_valid_until"] == (latest.isoformat() if latest else None)
    assert str(open_year) in refusal.detail or (latest is not None and latest.isoformat() in refusal.detail)


@pytest.mark.parametrize(
    ("year", "valid_until", "today"),
    [
        (2026, date(2026, 11, 30), date(2026, 11, 30)),  # the last day still opens (and still issues)
        (2026, date(2026, 11, 30), date(2026, 1, 1)),
        (2027, date(2027, 11, 30), date(2026, 12, 7)),  # next year's campaign prepared in December
        (2026, date(2026, 6, 1), date(2026, 6, 1)),
    ],
)
def test_a_campaign_still_valid_opens(year: int, valid_until: date, today: date) -> None:
    check_campaign_opens(year, valid_until, today, valid_until_given=True)


@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2099, 12, 31)))
def test_the_open_year_named_by_the_refusal_would_be_accepted(today: date) -> None:
    """Whatever the day, the campaign the refusal points to opens that day."""
    open_year = open_campaign_year(today)
    check_campaign_opens(open_year, year_end_validity(open_year), today, valid_until_given=False)

"""Money in integer fen: parsing yuan, formatting, percentage rates, the Fen pydantic type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from skills_shared.money import MAX_FEN, Fen, apply_rate_percent, fen_to_yuan_str, yuan_to_fen
from skills_shared.validators import InvalidValue


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("1950", 195_000),
        ("1950.00", 195_000),
        ("19.5", 1_950),
        ("0.01", 1),
        (" 3250.50 ", 325_050),
        ("0", 0),
        (4550, 455_000),
        (Decimal("0.01"), 1),
        (Decimal("1.500"), 150),
        (Decimal("2700"), 270_000),
    ],
)
def test_yuan_to_fen(value: str | int | Decimal, fen: int) -> None:
    assert yuan_to_fen(value) == fen


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (19.5, "amount_float"),
        (True, "amount_float"),
        ("1.005", "amount_precision"),
        (Decimal("1.005"), "amount_precision"),
        ("1,950.00", "amount_format"),
        ("1e3", "amount_format"),
        ("", "amount_format"),
        (".5", "amount_format"),
        ("1950.", "amount_format"),
        ("１９５０", "amount_format"),
        (Decimal("NaN"), "amount_format"),
        (Decimal("Infinity"), "amount_format"),
        ("-1", "amount_negative"),
        (-1, "amount_negative"),
        ("99999999999999999999", "amount_too_large"),
    ],
)
def test_yuan_to_fen_rejects(value: object, code: str) -> None:
    with pytest.raises(InvalidValue) as info:
        yuan_to_fen(value)  # type: ignore[arg-type]
    assert info.value.code == code
    assert info.value.reason  # a Chinese reason for the user


def test_negative_only_when_allowed() -> None:
    assert yuan_to_fen("-0.50", allow_negative=True) == -50


@pytest.mark.parametrize(("fen", "text"), [(195_000, "1950.00"), (1, "0.01"), (0, "0.00"), (-50, "-0.50")])
def test_fen_to_yuan_str(fen: int, text: str) -> None:
    assert fen_to_yuan_str(fen) == text


def test_fen_to_yuan_str_refuses_float() -> None:
    with pytest.raises(TypeError):
        fen_to_yuan_str(1.0)  # type: ignore[arg-type]


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_round_trip(fen: int) -> None:
    assert yuan_to_fen(fen_to_yuan_str(fen)) == fen


@pytest.mark.parametrize(
    ("fen", "percent", "result"),
    [
        (195_000, 80, 156_000),  # SH-4: 80 % of 1950 yuan
        (195_000, 120, 234_000),
        (195_000, 100, 195_000),
        (1, 50, 1),  # half a fen rounds up
        (3, 50, 2),  # 1.5 → 2
        (1, 49, 0),
        (5, 10, 1),  # 0.5 → 1
        (0, 80, 0),
    ],
)
def test_apply_rate_percent_round_half_up(fen: int, percent: int, result: int) -> None:
    assert apply_rate_percent(fen, percent) == result


@settings(deadline=None)
@given(st.integers(0, 10**12), st.integers(0, 200))
def test_apply_rate_is_exact_integer_arithmetic(fen: int, percent: int) -> None:
    # ROUND_HALF_UP for non-negative values, in pure integers.
    assert apply_rate_percent(fen, percent) == (fen * percent * 2 + 100) // 200


def test_apply_rate_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        apply_rate_percent(100, -1)
    with pytest.raises(TypeError):
        apply_rate_percent(1.5, 80)  # type: ignore[arg-type]


def test_fen_type() -> None:
    adapter = TypeAdapter(Fen)
    assert adapter.validate_python(195_000) == 195_000
    for bad in (-1, 1.5, "12.5", None):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)
    schema = adapter.json_schema()
    assert schema["type"] == "integer"
    assert schema["minimum"] == 0


def test_largest_amount_fits_a_bigint_column() -> None:
    whole_yuan = MAX_FEN // 100
    assert yuan_to_fen(str(whole_yuan)) == whole_yuan * 100
    with pytest.raises(InvalidValue):
        yuan_to_fen(whole_yuan + 1)

"""Money as integer fen (分), never float: parsing yuan, formatting, and percentage rates."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

from skills_shared.validators import InvalidValue

__all__ = ["MAX_FEN", "Fen", "apply_rate_percent", "fen_to_yuan_str", "yuan_to_fen"]

# The largest amount yuan_to_fen accepts: PostgreSQL bigint, the column type fen are stored in.
MAX_FEN = 9_223_372_036_854_775_807

Fen = Annotated[int, Field(ge=0, description="金额（分，整数）", examples=[195000])]

_YUAN_RE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?")


def yuan_to_fen(value: str | int | Decimal, *, allow_negative: bool = False) -> int:
    """Convert a yuan amount to integer fen: "1950" → 195000, "19.5" → 1950, Decimal("0.01") → 1.

    Floats are refused (0.1 + 0.2 is not 0.3 in binary), as are more than two decimal places, exponents,
    thousands separators and NaN; a negative amount only with ``allow_negative`` (corrections, refunds).
    """
    if isinstance(value, (bool, float)):
        raise InvalidValue("amount_float", "金额不能使用浮点数，请使用字符串或Decimal")
    if isinstance(value, int):
        fen = value * 100
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue("amount_format", "金额不是有效数字")
        scaled = value.scaleb(2)
        if scaled != scaled.to_integral_value():
            raise InvalidValue("amount_precision", "金额最多保留两位小数（精确到分）")
        fen = int(scaled)
    elif isinstance(value, str):
        m = _YUAN_RE.fullmatch(value.strip())
        if m is None:
            if re.fullmatch(r"-?[0-9]+\.[0-9]{3,}", value.strip()):
                raise InvalidValue("amount_precision", "金额最多保留两位小数（精确到分）")
            raise InvalidValue("amount_format", "金额格式应为“1950”或“1950.00”")
        sign, whole, frac = m.groups()
        fen = int(whole) * 100 + int((frac or "").ljust(2, "0"))
        if sign:
            fen = -fen
    else:
        raise InvalidValue("amount_type", "金额必须是字符串、整数或Decimal")
    if fen < 0 and not allow_negative:
        raise InvalidValue("amount_negative", "金额不能为负数")
    if abs(fen) > MAX_FEN:
        raise InvalidValue("amount_too_large", "金额超出允许范围")
    return fen


def fen_to_yuan_str(fen: int) -> str:
    """Format fen as yuan with exactly two decimals: 195000 → "1950.00", -50 → "-0.50"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an int")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def apply_rate_percent(fen: int, percent: int) -> int:
    """``fen × percent / 100`` rounded ROUND_HALF_UP to a whole fen (e.g. SH-4's 80 %, 100 %, 120 % rates).

    Half a fen rounds away from zero, the usual rule for payments; with whole-yuan bases and whole-percent
    rates the result is exact anyway.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an int")
    if isinstance(percent, bool) or not isinstance(percent, int) or percent < 0:
        raise ValueError("percent must be a non-negative int")
    return int((Decimal(fen) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

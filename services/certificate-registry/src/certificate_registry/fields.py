"""Reusable pydantic field types: plain text without control characters, dates inside a sane range."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def _clean(value: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise PydanticCustomError("control_character", "含有控制字符或不可见字符")
    if not text:
        raise PydanticCustomError("blank", "不能为空")
    return text


def _sane_date(value: date) -> date:
    if not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise PydanticCustomError("date_out_of_range", "日期应在2000-01-01至2099-12-31之间")
    return value


Name50 = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_clean)]
Name100 = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean)]
Name200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean)]
Reason = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_clean)]
SaneDate = Annotated[date, AfterValidator(_sane_date)]

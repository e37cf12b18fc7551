"""Field types shared by this service's request and answer models.

Every money, count, identifier, flag and date a client sends is strict (issue 20 item 10): ``true`` is not 1 fen,
``"150000"`` is not a number, ``0`` is not a date. Integers, numbers and booleans use pydantic's strict mode;
dates are ``skills_shared.validators.IsoDate`` (a ``YYYY-MM-DD`` string only), personal names ``PersonName``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from skills_shared.reference import CQ_DISTRICTS


def _district(value: str) -> str:
    if value not in CQ_DISTRICTS:
        raise PydanticCustomError(
            "district_code_unknown", "区县编码{code}不在重庆市区县编码表（01–41）中", {"code": value}
        )
    return value


DistrictCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{2}$"),
    AfterValidator(_district),
    Field(description="区县编码（重庆市备案地代码表 01–41）", examples=["04"]),
]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Latitude = Annotated[
    float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False, description="纬度（WGS-84）")
]
Longitude = Annotated[
    float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False, description="经度（WGS-84）")
]
Fen = Annotated[int, Field(strict=True, ge=0, le=10**12, description="金额，单位：分（整数）")]
PositiveFen = Annotated[int, Field(strict=True, gt=0, le=10**12, description="金额，单位：分（整数，大于0）")]
RowId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1, description="记录编号")]
Year = Annotated[int, Field(strict=True, ge=2021, le=2100, description="年度")]
Flag = Annotated[bool, Field(strict=True)]

"""Field types shared by this service's schemas."""

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
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="纬度（WGS-84）")]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="经度（WGS-84）")]
Fen = Annotated[int, Field(ge=0, le=10**12, description="金额，单位：分")]

"""FastAPI dependencies of org-filing: who may call a route (roles; object checks live in ``access.py``), and the
deprecated query names of the district kept for one version."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from org_filing.common_schemas import PlaceCode
from skills_shared.auth import Principal, Role, require

Applicant = Annotated[Principal, Depends(require(Role.ORG_ADMIN))]
"""An applying organisation's administrator (its ``body`` claim is its credit code until filed)."""
BodyStaff = Annotated[Principal, Depends(require(Role.ORG_ADMIN, Role.ORG_STAFF))]
Officer = Annotated[Principal, Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER))]
City = Annotated[Principal, Depends(require(Role.CITY_OFFICER))]
Service = Annotated[Principal, Depends(require(Role.SERVICE))]
Supervisor = Annotated[Principal, Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR))]
ApplicationReader = Annotated[
    Principal,
    Depends(require(Role.ORG_ADMIN, Role.ORG_STAFF, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.SERVICE)),
]
BodyRecordReader = Annotated[
    Principal,
    Depends(
        require(
            Role.ORG_ADMIN,
            Role.ORG_STAFF,
            Role.DISTRICT_OFFICER,
            Role.CITY_OFFICER,
            Role.SERVICE,
            Role.INSPECTOR,
        )
    ),
]
"""Receipts and plans: the body itself, officers (object-checked by place), inspectors and services."""
ViolationReader = Annotated[
    Principal,
    Depends(
        require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR, Role.ORG_ADMIN, Role.ORG_STAFF)
    ),
]
QuotaReporter = Annotated[Principal, Depends(require(Role.SERVICE, Role.CITY_OFFICER))]
GuantongReader = Annotated[
    Principal, Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.SERVICE, Role.INSPECTOR))
]


async def district_filter(
    district_code: Annotated[
        PlaceCode | None, Query(description="Only this filing district (00 the city, 01–41 the districts).")
    ] = None,
    place: Annotated[
        PlaceCode | None, Query(deprecated=True, description="Deprecated name of `district_code`.")
    ] = None,
) -> str | None:
    """``?district_code=`` with its deprecated name ``?place=`` (one version)."""
    return district_code or place


DistrictFilter = Annotated[str | None, Depends(district_filter)]

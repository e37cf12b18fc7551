"""Routes of institutions, sites and redeem permissions (V-6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from voucher.access import InstitutionAdmin, InstitutionViewers, Officer, OfficerOrAdmin
from voucher.institutions.schemas import (
    InstitutionCreate,
    InstitutionOut,
    InstitutionUpdate,
    RedeemerGrants,
    RedeemerGrantsOut,
    RedeemerOut,
    SiteIn,
    SiteOut,
    StaffSubject,
)
from voucher.institutions.service import InstitutionService

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])

CodePath = Annotated[str, Path(pattern=r"^[0-9]{7}$", description="培训机构7位编码")]
DistrictFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{2}$",
        description="只列出该区县（01–41）的机构；区县经办人员只能查看本区县，可不填",
    ),
]


@router.post(
    "",
    response_model=InstitutionOut,
    status_code=201,
    operation_id="institutions.register",
    summary="Register a training institution (附件2), with its 专员 and training sites",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_institution(
    data: InstitutionCreate, session: SessionDep, idem: IdempotencyDep, principal: Principal = Officer
) -> Response:
    return await idem.run(lambda: InstitutionService(session).create(principal, data), status_code=201)


@router.get(
    "",
    response_model=Page[InstitutionOut],
    operation_id="institutions.list",
    summary="List institutions by code (a district officer sees their own district)",
    responses=problem_responses(401, 403, 422),
)
async def list_institutions(
    session: SessionDep,
    page: PageDep,
    district_code: DistrictFilter = None,
    principal: Principal = Depends(
        require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR, Role.SERVICE)
    ),
) -> Page[InstitutionOut]:
    return await InstitutionService(session).search(principal, district_code, page)


@router.get(
    "/{code}",
    response_model=InstitutionOut,
    operation_id="institutions.get",
    summary="One institution (its staff, officers of its district, the city office, inspectors)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_institution(
    code: CodePath, session: SessionDep, principal: Principal = InstitutionViewers
) -> InstitutionOut:
    return await InstitutionService(session).get(principal, code)


@router.patch(
    "/{code}",
    response_model=InstitutionOut,
    operation_id="institutions.update",
    summary="Change contact data, status or the 专员 (officers of its district)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_institution(
    code: CodePath, data: InstitutionUpdate, session: SessionDep, principal: Principal = Officer
) -> InstitutionOut:
    return await InstitutionService(session).update(principal, code, data)


@router.post(
    "/{code}/sites",
    response_model=SiteOut,
    status_code=201,
    operation_id="sites.add",
    summary="Add a training site (the 专员, or an officer of its district)",
    responses=problem_responses(401, 403, 404, 422),
)
async def add_site(
    code: CodePath,
    data: SiteIn,
    session: SessionDep,
    idem: IdempotencyDep,
    principal: Principal = OfficerOrAdmin,
) -> Response:
    return await idem.run(
        lambda: InstitutionService(session).add_site(principal, code, data), status_code=201
    )


@router.get(
    "/{code}/redeemers",
    response_model=Page[RedeemerOut],
    operation_id="redeemers.list",
    summary="Staff allowed to redeem vouchers at this institution, in the order they were granted",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_redeemers(
    code: CodePath, session: SessionDep, page: PageDep, principal: Principal = InstitutionViewers
) -> Page[RedeemerOut]:
    return await InstitutionService(session).redeemers(principal, code, page)


@router.post(
    "/{code}/redeemers",
    response_model=RedeemerGrantsOut,
    operation_id="redeemers.grant_many",
    summary="V-6: the 专员 grants redeem permission to several staff members at once (safe to repeat)",
    responses=problem_responses(401, 403, 404, 422),
)
async def grant_redeemers(
    code: CodePath, data: RedeemerGrants, session: SessionDep, principal: Principal = InstitutionAdmin
) -> RedeemerGrantsOut:
    """Granting is idempotent by nature: a staff member granted twice stays granted once."""
    return await InstitutionService(session).grant_many(principal, code, data)


@router.put(
    "/{code}/redeemers/{staff_subject}",
    response_model=RedeemerOut,
    operation_id="redeemers.grant",
    summary="V-6: the 专员 grants redeem permission to a staff member (idempotent PUT)",
    responses={
        **problem_responses(401, 403, 404, 422),
        201: {"model": RedeemerOut, "description": "Granted now."},
    },
)
async def grant_redeemer(
    code: CodePath,
    staff_subject: Annotated[StaffSubject, Path()],
    session: SessionDep,
    response: Response,
    principal: Principal = InstitutionAdmin,
) -> RedeemerOut:
    out, created = await InstitutionService(session).grant(principal, code, staff_subject)
    response.status_code = 201 if created else 200
    return out


@router.delete(
    "/{code}/redeemers/{staff_subject}",
    status_code=204,
    operation_id="redeemers.withdraw",
    summary="V-6: the 专员 withdraws a staff member's redeem permission",
    responses=problem_responses(401, 403, 404, 422),
)
async def withdraw_redeemer(
    code: CodePath,
    staff_subject: Annotated[StaffSubject, Path()],
    session: SessionDep,
    principal: Principal = InstitutionAdmin,
) -> Response:
    await InstitutionService(session).withdraw(principal, code, staff_subject)
    return Response(status_code=204)

"""Routes of supervision (OF-6): complaints, 双随机 inspections and their published results, violations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from org_filing.bodies.models import Body
from org_filing.supervision.models import Complaint, Violation
from org_filing.supervision.schemas import (
    ComplaintActionIn,
    ComplaintIn,
    ComplaintOut,
    DrawIn,
    InspectionOut,
    ResultIn,
    ViolationIn,
    ViolationOut,
)
from org_filing.supervision.service import SupervisionService
from skills_shared.auth import CurrentPrincipal, OptionalPrincipal, Principal, Role, require
from skills_shared.clock import TodayDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["supervision"])

Officer = Annotated[Principal, Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER))]
Supervisor = Annotated[Principal, Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR))]
ViolationReader = Annotated[
    Principal,
    Depends(
        require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR, Role.ORG_ADMIN, Role.ORG_STAFF)
    ),
]


def complaint_out(c: Complaint, b: Body) -> ComplaintOut:
    return ComplaintOut(
        id=c.id,
        body_code=b.code,
        complainant_name=c.complainant_name,
        content=c.content,
        received_on=c.received_on,
        status=c.status,
        handling_note=c.handling_note,
        handled_by=c.handled_by,
        created_at=c.created_at,
    )


def violation_out(v: Violation, code: str) -> ViolationOut:
    return ViolationOut(
        id=v.id,
        body_code=code,
        found_on=v.found_on,
        description=v.description,
        source=v.source,
        action=v.action,
        recorded_by=v.recorded_by,
    )


@router.post(
    "/bodies/{code}/complaints",
    response_model=ComplaintOut,
    status_code=201,
    summary="Lodge a complaint about a body (anyone signed in)",
    responses=problem_responses(401, 404, 409, 422),
)
async def lodge_complaint(
    today: TodayDep,
    code: str,
    body: ComplaintIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    idem: IdempotencyDep,
) -> Response:
    async def call() -> ComplaintOut:
        c, b = await SupervisionService(session).complain(principal, code, body, today=today)
        return complaint_out(c, b)

    return await idem.run(call, status_code=201)


@router.get(
    "/complaints",
    response_model=list[ComplaintOut],
    summary="Complaints about bodies of the officer's place",
    responses=problem_responses(401, 403, 422),
)
async def list_complaints(
    session: SessionDep, principal: Officer, body: str | None = None
) -> list[ComplaintOut]:
    return [complaint_out(c, b) for c, b in await SupervisionService(session).complaints(principal, body)]


@router.post(
    "/complaints/{cid}/handling",
    response_model=ComplaintOut,
    summary="Handle a complaint",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def handle_complaint(
    cid: int, body: ComplaintActionIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> ComplaintOut:
        c, b = await SupervisionService(session).handle(principal, cid, body.action, body.note)
        return complaint_out(c, b)

    return await idem.run(call)


@router.post(
    "/inspections",
    response_model=InspectionOut,
    status_code=201,
    summary="双随机 draw from a published seed: random bodies of the place, random inspectors",
    responses=problem_responses(401, 403, 409, 422),
)
async def draw_inspection(
    today: TodayDep, body: DrawIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> InspectionOut:
        svc = SupervisionService(session)
        row = await svc.draw(principal, body, today=today)
        return await svc.inspection(principal, row.id)

    return await idem.run(call, status_code=201)


@router.get(
    "/inspections",
    response_model=list[InspectionOut],
    summary="Published inspection results (一公开, public)",
)
async def published_inspections(session: SessionDep) -> list[InspectionOut]:
    return await SupervisionService(session).published()


@router.get(
    "/inspections/{iid}",
    response_model=InspectionOut,
    summary="One inspection: public once published, officers and inspectors before",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_inspection(iid: int, session: SessionDep, principal: OptionalPrincipal) -> InspectionOut:
    return await SupervisionService(session).inspection(principal, iid)


@router.put(
    "/inspections/{iid}/results/{code}",
    response_model=InspectionOut,
    summary="Record the result for one drawn body (its drawn inspectors or the place's officer)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_result(
    today: TodayDep, iid: int, code: str, body: ResultIn, session: SessionDep, principal: Supervisor
) -> InspectionOut:
    svc = SupervisionService(session)
    await svc.record_result(principal, iid, code, body, today=today)
    return await svc.inspection(principal, iid)


@router.post(
    "/inspections/{iid}/publication",
    response_model=InspectionOut,
    summary="Publish the results (一公开)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def publish_inspection(
    iid: int, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> InspectionOut:
        return await SupervisionService(session).publish(principal, iid)

    return await idem.run(call)


@router.post(
    "/bodies/{code}/violations",
    response_model=ViolationOut,
    status_code=201,
    summary="Record a violation; suspension or cancellation move the body too",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_violation(
    today: TodayDep,
    code: str,
    body: ViolationIn,
    session: SessionDep,
    principal: Supervisor,
    idem: IdempotencyDep,
) -> Response:
    async def call() -> ViolationOut:
        v = await SupervisionService(session).violation(principal, code, body, today=today)
        return violation_out(v, code)

    return await idem.run(call, status_code=201)


@router.get(
    "/bodies/{code}/violations",
    response_model=list[ViolationOut],
    summary="A body's violations",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_violations(code: str, session: SessionDep, principal: ViolationReader) -> list[ViolationOut]:
    body, rows = await SupervisionService(session).violations(principal, code)
    return [violation_out(v, body.code) for v in rows]

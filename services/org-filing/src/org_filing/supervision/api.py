"""Routes of supervision (OF-6): complaints, 双随机 inspections and their published results, violations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from org_filing.bodies.models import Body
from org_filing.deps import DistrictFilter, Officer, Supervisor, ViolationReader
from org_filing.supervision.models import Complaint, Violation
from org_filing.supervision.rules import ComplaintStatus
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
from skills_shared.auth import CurrentPrincipal, OptionalPrincipal
from skills_shared.clock import TodayDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["supervision"])


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
    operation_id="complaints.lodge",
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
    operation_id="complaints.list",
    response_model=Page[ComplaintOut],
    summary="Complaints about bodies of the officer's place",
    responses=problem_responses(401, 403, 422),
)
async def list_complaints(
    session: SessionDep,
    principal: Officer,
    page: PageDep,
    body_code: Annotated[str | None, Query(description="Only complaints about this body.")] = None,
    status: Annotated[ComplaintStatus | None, Query(description="Only complaints in this state.")] = None,
    body: Annotated[str | None, Query(deprecated=True, description="Deprecated name of `body_code`.")] = None,
) -> Page[ComplaintOut]:
    rows, total = await SupervisionService(session).complaints(principal, body_code or body, status, page)
    return page.wrap([complaint_out(c, b) for c, b in rows], total)


@router.post(
    "/complaints/{cid}/handling",
    operation_id="complaints.handle",
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
    operation_id="inspections.draw",
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
    operation_id="inspections.list",
    response_model=Page[InspectionOut],
    summary="Published inspection results (一公开, public)",
    responses=problem_responses(422),
)
async def published_inspections(
    session: SessionDep, page: PageDep, district_code: DistrictFilter
) -> Page[InspectionOut]:
    return await SupervisionService(session).published(district_code, page)


@router.get(
    "/inspections/{iid}",
    operation_id="inspections.get",
    response_model=InspectionOut,
    summary="One inspection: public once published, officers and inspectors before",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_inspection(iid: int, session: SessionDep, principal: OptionalPrincipal) -> InspectionOut:
    return await SupervisionService(session).inspection(principal, iid)


@router.put(
    "/inspections/{iid}/results/{code}",
    operation_id="inspections.record_result",
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
    operation_id="inspections.publish",
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
    operation_id="violations.record",
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
    operation_id="violations.list",
    response_model=Page[ViolationOut],
    summary="A body's violations",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_violations(
    code: str, session: SessionDep, principal: ViolationReader, page: PageDep
) -> Page[ViolationOut]:
    body, rows, total = await SupervisionService(session).violations(principal, code, page)
    return page.wrap([violation_out(v, body.code) for v in rows], total)

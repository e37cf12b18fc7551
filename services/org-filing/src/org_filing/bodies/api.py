"""Routes of filed bodies: public look-up, the receipt (JSON and PDF), and the officers' moves on a body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from org_filing.bodies.receipt_pdf import render_receipt
from org_filing.bodies.repository import BodyRepository
from org_filing.bodies.rules import BodyStatus
from org_filing.bodies.schemas import (
    BodyOut,
    MergeIn,
    ReasonIn,
    ReceiptOut,
    RetiredOut,
    ScopeChangeIn,
)
from org_filing.bodies.service import BodyService, NewBody
from org_filing.deps import BodyRecordReader, DistrictFilter, Officer
from skills_shared.clock import TodayDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["bodies"])

ReceiptReader = BodyRecordReader


@router.get(
    "/bodies",
    operation_id="bodies.list",
    response_model=Page[BodyOut],
    summary="Filed bodies (public, as published for query)",
    responses=problem_responses(422),
)
async def list_bodies(
    session: SessionDep,
    page: PageDep,
    district_code: DistrictFilter,
    status: Annotated[BodyStatus | None, Query(description="Only bodies in this state.")] = None,
) -> Page[BodyOut]:
    svc = BodyService(session)
    items, total = await svc.repo.page(
        places={district_code} if district_code else None, status=status, limit=page.limit, offset=page.offset
    )
    return page.wrap([await svc.out(b) for b in items], total)


@router.get(
    "/bodies/{code}",
    operation_id="bodies.get",
    response_model=BodyOut,
    summary="One body with its scope and status (public)",
    responses=problem_responses(404, 422),
)
async def get_body(code: str, session: SessionDep) -> BodyOut:
    svc = BodyService(session)
    return await svc.out(await svc.get(code))


@router.get(
    "/bodies/{code}/receipt",
    operation_id="bodies.receipt",
    response_model=ReceiptOut,
    summary="Filing receipt (附件3) as JSON",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_receipt(code: str, session: SessionDep, principal: ReceiptReader) -> ReceiptOut:
    return await BodyService(session).receipt(principal, code)


@router.get(
    "/bodies/{code}/receipt.pdf",
    operation_id="bodies.receipt_pdf",
    summary="Filing receipt (附件3) as PDF",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_receipt_pdf(code: str, session: SessionDep, principal: ReceiptReader) -> Response:
    receipt = await BodyService(session).receipt(principal, code)
    return Response(
        render_receipt(receipt),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receipt-{code}.pdf"'},
    )


@router.post(
    "/bodies/{code}/suspension",
    operation_id="bodies.suspend",
    response_model=BodyOut,
    summary="Suspend a body (OF-6)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def suspend_body(
    code: str, body: ReasonIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> BodyOut:
        svc = BodyService(session)
        return await svc.out(await svc.suspend(principal, code, body.reason))

    return await idem.run(call)


@router.post(
    "/bodies/{code}/reinstatement",
    operation_id="bodies.reinstate",
    response_model=BodyOut,
    summary="Lift a suspension",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reinstate_body(
    code: str, body: ReasonIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> BodyOut:
        svc = BodyService(session)
        return await svc.out(await svc.reinstate(principal, code, body.reason))

    return await idem.run(call)


@router.post(
    "/bodies/{code}/cancellation",
    operation_id="bodies.cancel",
    response_model=BodyOut,
    summary="Cancel a body; its code goes to the retired pool (OF-7, CR-2)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel_body(
    today: TodayDep, code: str, body: ReasonIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> BodyOut:
        svc = BodyService(session)
        return await svc.out(await svc.cancel(principal, code, body.reason, today=today))

    return await idem.run(call)


@router.post(
    "/bodies/{code}/extension",
    operation_id="bodies.extend",
    response_model=BodyOut,
    summary="Extend validity by 3 years after three clean years (OF-6)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def extend_body(
    today: TodayDep, code: str, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> BodyOut:
        svc = BodyService(session)
        return await svc.out(await svc.extend(principal, code, today=today))

    return await idem.run(call)


@router.put(
    "/bodies/{code}/scope",
    operation_id="bodies.change_scope",
    response_model=BodyOut,
    summary="Change the filed scope (CR-3)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def change_scope(code: str, body: ScopeChangeIn, session: SessionDep, principal: Officer) -> BodyOut:
    svc = BodyService(session)
    return await svc.out(await svc.change_scope(principal, code, body.scope))


@router.post(
    "/bodies/mergers",
    operation_id="bodies.merge",
    response_model=BodyOut,
    status_code=201,
    summary="Merge bodies: a new body with a new code; the merged ones are cancelled (OF-7, CR-2)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def merge_bodies(
    today: TodayDep, body: MergeIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> BodyOut:
        svc = BodyService(session)
        new = NewBody(
            place=body.district_code,
            level_scope=body.level_scope,
            name=body.name,
            credit_code=body.credit_code,
            registered_address=body.registered_address,
            office_address=body.office_address,
            legal_representative=body.legal_representative,
            scope=body.scope,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            opinion=body.opinion,
        )
        return await svc.out(await svc.merge(principal, body.merged_codes, new, today=today))

    return await idem.run(call, status_code=201)


@router.get(
    "/retired-codes",
    operation_id="retired_codes.list",
    response_model=Page[RetiredOut],
    summary="The retired-code pool (废置库, CR-2), public",
    responses=problem_responses(422),
)
async def retired_codes(
    session: SessionDep, page: PageDep, district_code: DistrictFilter
) -> Page[RetiredOut]:
    rows, total = await BodyRepository(session).retired_page(district_code, page)
    return page.wrap(
        [
            RetiredOut(
                code=r.code,
                district_code=r.place_code,
                sequence=r.sequence,
                retired_on=r.retired_on,
                reason=r.reason,
                body_name=name,
            )
            for r, name in rows
        ],
        total,
    )

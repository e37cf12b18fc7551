"""Routes of evaluation batches: body staff open and upload, publicity is public, officers approve."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from certificate_registry.batches.results_sheet import RESULTS_SHEET
from certificate_registry.batches.schemas import (
    BatchOpen,
    CertificateBatch,
    ObjectionIn,
    ObjectionOut,
    PublicityOut,
    ResolutionIn,
    ResultsUpload,
    ResultsUploaded,
)
from certificate_registry.batches.service import BatchService
from certificate_registry.deps import PlanCheckerDep, body_staff, officers, viewers
from skills_shared.auth import CurrentPrincipal, Principal
from skills_shared.clock import TodayDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import ReadSessionDep, SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from skills_shared.spreadsheet_routes import XLSX_FILE, sheet_upload, template_response

router = APIRouter(tags=["batches"])


@router.post(
    "/v1/batches",
    response_model=CertificateBatch,
    status_code=201,
    operation_id="batches.open",
    summary="Open an evaluation batch under a plan org-filing clears (OF-5, CR-3, OF-6, OF-8; CR-9 methods)",
    responses=problem_responses(401, 403, 404, 409, 422, 502, 503),
)
async def open_batch(
    session: SessionDep,
    idem: IdempotencyDep,
    payload: BatchOpen,
    plans: PlanCheckerDep,
    principal: Principal = Depends(body_staff),
) -> Response:
    return await idem.run(lambda: BatchService(session).open(principal, payload, plans), status_code=201)


@router.get(
    "/v1/batches/{batch_id}",
    response_model=CertificateBatch,
    operation_id="batches.get",
    summary="One batch (body staff, officers)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_batch(
    session: ReadSessionDep, batch_id: uuid.UUID, principal: Principal = Depends(viewers)
) -> CertificateBatch:
    return await BatchService(session).get(principal, batch_id)


@sheet_upload(
    router,
    "PUT",
    "/v1/batches/{batch_id}/results",
    RESULTS_SHEET,
    response_model=ResultsUploaded,
    operation_id="batches.upload_results",
    summary="Upload (or replace, while in draft and after the evaluation) up to 10,000 results; all-or-nothing; "
    "JSON, or the .xlsx template filled in",
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
)
async def upload_results(
    session: SessionDep,
    batch_id: uuid.UUID,
    payload: ResultsUpload,
    today: TodayDep,
    principal: Principal = Depends(body_staff),
) -> ResultsUploaded:
    return await BatchService(session).upload(principal, batch_id, payload, today)


@router.get(
    "/v1/templates/evaluation-results.xlsx",
    response_class=Response,
    operation_id="templates.evaluation_results",
    summary="The .xlsx template of a batch's evaluation results, with its instructions",
    responses={200: {"content": XLSX_FILE}, **problem_responses(401, 403)},
)
async def results_template(_: Principal = Depends(body_staff)) -> Response:
    return template_response(RESULTS_SHEET, "评价结果模板.xlsx")


@router.post(
    "/v1/batches/{batch_id}/publicity",
    response_model=CertificateBatch,
    operation_id="batches.publicise",
    summary="Start publicity today, after the evaluation; it ends after 5 working days (CR-4, P-1)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def start_publicity(
    session: SessionDep,
    idem: IdempotencyDep,
    batch_id: uuid.UUID,
    today: TodayDep,
    principal: Principal = Depends(body_staff),
) -> Response:
    return await idem.run(lambda: BatchService(session).start_publicity(principal, batch_id, today))


@router.get(
    "/v1/batches/{batch_id}/publicity",
    response_model=PublicityOut,
    operation_id="batches.publicity",
    summary="The public 公示 list (ID numbers masked)",
    responses=problem_responses(404, 422),
)
async def publicity_list(session: ReadSessionDep, batch_id: uuid.UUID) -> PublicityOut:
    return await BatchService(session).publicity(batch_id)


@router.post(
    "/v1/batches/{batch_id}/objections",
    response_model=ObjectionOut,
    status_code=201,
    operation_id="objections.lodge",
    summary="Lodge an objection against a candidate during publicity; it holds the candidate (CR-4)",
    responses=problem_responses(401, 404, 409, 422),
)
async def lodge_objection(
    session: SessionDep,
    idem: IdempotencyDep,
    batch_id: uuid.UUID,
    payload: ObjectionIn,
    today: TodayDep,
    principal: CurrentPrincipal,
) -> Response:
    return await idem.run(
        lambda: BatchService(session).lodge_objection(principal, batch_id, payload, today), status_code=201
    )


@router.get(
    "/v1/batches/{batch_id}/objections",
    response_model=Page[ObjectionOut],
    operation_id="objections.list",
    summary="Objections lodged against the batch's candidates, oldest first (body staff, officers)",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_objections(
    session: ReadSessionDep, batch_id: uuid.UUID, page: PageDep, principal: Principal = Depends(viewers)
) -> Page[ObjectionOut]:
    items, total = await BatchService(session).list_objections(
        principal, batch_id, offset=page.offset, limit=page.limit
    )
    return page.wrap(items, total)


@router.post(
    "/v1/objections/{objection_id}/resolution",
    response_model=ObjectionOut,
    operation_id="objections.resolve",
    summary="Resolve an objection: upheld excludes the candidate, dismissed releases them (officers)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def resolve_objection(
    session: SessionDep,
    idem: IdempotencyDep,
    objection_id: int,
    payload: ResolutionIn,
    principal: Principal = Depends(officers),
) -> Response:
    return await idem.run(lambda: BatchService(session).resolve_objection(principal, objection_id, payload))


@router.post(
    "/v1/batches/{batch_id}/approval",
    response_model=CertificateBatch,
    operation_id="batches.approve",
    summary="Approve after publicity has ended (district officer of the body's place, or city officer; CR-4)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve_batch(
    session: SessionDep,
    idem: IdempotencyDep,
    batch_id: uuid.UUID,
    today: TodayDep,
    principal: Principal = Depends(officers),
) -> Response:
    return await idem.run(lambda: BatchService(session).approve(principal, batch_id, today))

"""Routes of evaluation batches: body staff create and upload, publicity is public, officers approve."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from certificate_registry.batches.schemas import (
    BatchCreate,
    BatchOut,
    ObjectionIn,
    ObjectionOut,
    PublicityOut,
    ResolutionIn,
    ResultsUpload,
    UploadOut,
)
from certificate_registry.batches.service import BatchService
from certificate_registry.clock import Today
from skills_shared.auth import CurrentPrincipal, Principal, Role, require
from skills_shared.db import ReadSessionDep, SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(tags=["batches"])

body_staff = require(Role.ORG_STAFF, Role.ORG_ADMIN)
officers = require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER)
viewers = require(
    Role.ORG_STAFF, Role.ORG_ADMIN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR, Role.SERVICE
)


@router.post(
    "/v1/batches",
    response_model=BatchOut,
    status_code=201,
    summary="Create an evaluation batch (body staff; CR-3 scope, CR-9 贯通 levels)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_batch(
    session: SessionDep,
    idem: IdempotencyDep,
    payload: BatchCreate,
    principal: Principal = Depends(body_staff),
) -> Response:
    return await idem.run(lambda: BatchService(session).create(principal, payload), status_code=201)


@router.get(
    "/v1/batches/{batch_id}",
    response_model=BatchOut,
    summary="One batch (body staff, officers)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_batch(
    session: ReadSessionDep, batch_id: uuid.UUID, principal: Principal = Depends(viewers)
) -> BatchOut:
    return await BatchService(session).get(principal, batch_id)


@router.put(
    "/v1/batches/{batch_id}/results",
    response_model=UploadOut,
    summary="Upload (or replace, while in draft) the results of up to 10,000 candidates; all-or-nothing",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
async def upload_results(
    session: SessionDep,
    batch_id: uuid.UUID,
    payload: ResultsUpload,
    principal: Principal = Depends(body_staff),
) -> UploadOut:
    return await BatchService(session).upload(principal, batch_id, payload)


@router.post(
    "/v1/batches/{batch_id}/publicity",
    response_model=BatchOut,
    summary="Start publicity today; it ends after 5 working days (CR-4, P-1)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def start_publicity(
    session: SessionDep,
    idem: IdempotencyDep,
    batch_id: uuid.UUID,
    today: Today,
    principal: Principal = Depends(body_staff),
) -> Response:
    return await idem.run(lambda: BatchService(session).start_publicity(principal, batch_id, today))


@router.get(
    "/v1/batches/{batch_id}/publicity",
    response_model=PublicityOut,
    summary="The public 公示 list (ID numbers masked)",
    responses=problem_responses(404, 422),
)
async def publicity_list(session: ReadSessionDep, batch_id: uuid.UUID) -> PublicityOut:
    return await BatchService(session).publicity(batch_id)


@router.post(
    "/v1/batches/{batch_id}/objections",
    response_model=ObjectionOut,
    status_code=201,
    summary="Lodge an objection against a candidate during publicity; it holds the candidate (CR-4)",
    responses=problem_responses(401, 404, 409, 422),
)
async def lodge_objection(
    session: SessionDep,
    idem: IdempotencyDep,
    batch_id: uuid.UUID,
    payload: ObjectionIn,
    today: Today,
    principal: CurrentPrincipal,
) -> Response:
    return await idem.run(
        lambda: BatchService(session).lodge_objection(principal, batch_id, payload, today), status_code=201
    )


@router.get(
    "/v1/batches/{batch_id}/objections",
    response_model=list[ObjectionOut],
    summary="Objections lodged against the batch's candidates (body staff, officers)",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_objections(
    session: ReadSessionDep, batch_id: uuid.UUID, principal: Principal = Depends(viewers)
) -> list[ObjectionOut]:
    return await BatchService(session).list_objections(principal, batch_id)


@router.post(
    "/v1/objections/{objection_id}/resolution",
    response_model=ObjectionOut,
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
    response_model=BatchOut,
    summary="Approve after publicity has ended (district officer of the body's place, or city officer; CR-4)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve_batch(
    session: SessionDep,
    idem: IdempotencyDep,
    batch_id: uuid.UUID,
    today: Today,
    principal: Principal = Depends(officers),
) -> Response:
    return await idem.run(lambda: BatchService(session).approve(principal, batch_id, today))

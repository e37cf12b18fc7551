"""Thin HTTP routes of the claim life; every rule lives in service.py and rules.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from skills_shared.auth import CurrentPrincipal, Principal, Role, require
from skills_shared.db import SessionDep
from skills_shared.db.lean import LeanTxDep
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep, RequiredLeanIdempotencyDep
from skills_shared.problems import problem_responses
from skills_shared.validators import ResidentId
from subsidy_claims.claims.schemas import (
    ApproveIn,
    ClaimCreate,
    ClaimOut,
    ObjectionIn,
    ObjectionResolveIn,
    PastSubsidyIn,
    PaymentResultIn,
    QueueItem,
    ReasonIn,
    ResubmitIn,
    VerifyFactIn,
)
from subsidy_claims.claims.service import ClaimService
from subsidy_claims.claims.submit import submit_claim
from subsidy_claims.deps import RegistryDep, TodayDep

router = APIRouter(prefix="/v1", tags=["claims"])

Applicants = Depends(require(Role.CITIZEN, Role.DISTRICT_OFFICER, Role.SERVICE))
Officers = Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER))
Readers = Depends(
    require(Role.CITIZEN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR, Role.SERVICE)
)
ClaimId = Annotated[uuid.UUID, "claim id"]

MOVE_ERRORS = problem_responses(401, 403, 404, 409, 422)


async def service(session: SessionDep, principal: CurrentPrincipal, today: TodayDep) -> ClaimService:
    return ClaimService(session, principal, today)


Svc = Annotated[ClaimService, Depends(service)]


@router.post(
    "/claims",
    status_code=201,
    response_model=ClaimOut,
    summary="Create a draft claim (facts declared by the applicant, or verified by a named source)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_claim(
    body: ClaimCreate, svc: Svc, idem: IdempotencyDep, _: Principal = Applicants
) -> Response:
    return await idem.run(lambda: svc.create_draft(body), status_code=201)


@router.get(
    "/claims/mine",
    response_model=list[ClaimOut],
    summary="The caller's own claims (citizen)",
    responses=problem_responses(401, 403),
)
async def my_claims(svc: Svc, _: Principal = Readers) -> list[ClaimOut]:
    return await svc.mine()


@router.get(
    "/claims/queue",
    response_model=list[QueueItem],
    summary="Review queue of a district, earliest CQ-4 deadline first; overdue=true lists only overdue claims",
    responses=problem_responses(401, 403, 422),
)
async def queue(
    svc: Svc,
    district: Annotated[str | None, Query(pattern=r"^([0-9]{2}|3101[0-9]{2})$")] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    _: Principal = Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR)),
) -> list[QueueItem]:
    return await svc.queue(district, overdue, limit)


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimOut,
    summary="One claim with its decision record",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_claim(claim_id: uuid.UUID, svc: Svc, _: Principal = Readers) -> ClaimOut:
    return await svc.get(claim_id)


@router.post(
    "/claims/{claim_id}/submit",
    response_model=ClaimOut,
    summary="Submit: certificate checked in the registry, policy evaluated, entitlement taken (Idempotency-Key)",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def submit(
    claim_id: uuid.UUID,
    tx: LeanTxDep,
    today: TodayDep,
    registry: RegistryDep,
    idem: RequiredLeanIdempotencyDep,
    principal: Principal = Applicants,
) -> Response:
    # The hot path: a lean unit of work (plain asyncpg, no session), every rule as on the other routes.
    return await idem.run(lambda: submit_claim(tx, principal, today, registry, claim_id))


@router.post(
    "/claims/{claim_id}/start-review",
    response_model=ClaimOut,
    summary="Reviewer takes the claim (CQ-4)",
    responses=MOVE_ERRORS,
)
async def start_review(claim_id: uuid.UUID, svc: Svc, _: Principal = Officers) -> ClaimOut:
    return await svc.start_review(claim_id)


@router.post(
    "/claims/{claim_id}/verify-fact",
    response_model=ClaimOut,
    summary="Reviewer marks a declared fact verified from a named source; provenance-dependent rules re-run",
    responses=MOVE_ERRORS,
)
async def verify_fact(claim_id: uuid.UUID, body: VerifyFactIn, svc: Svc, _: Principal = Officers) -> ClaimOut:
    return await svc.verify_fact(claim_id, body.fact, body.source)


@router.post(
    "/claims/{claim_id}/request-material",
    response_model=ClaimOut,
    summary="Ask the applicant for supporting material (CQ-4)",
    responses=MOVE_ERRORS,
)
async def request_material(
    claim_id: uuid.UUID, body: ReasonIn, svc: Svc, _: Principal = Officers
) -> ClaimOut:
    return await svc.request_material(claim_id, body.reason)


@router.post(
    "/claims/{claim_id}/resubmit",
    response_model=ClaimOut,
    summary="Applicant provides the material",
    responses=MOVE_ERRORS,
)
async def resubmit(claim_id: uuid.UUID, body: ResubmitIn, svc: Svc, _: Principal = Applicants) -> ClaimOut:
    return await svc.resubmit(claim_id, body.material)


@router.post(
    "/claims/{claim_id}/approve",
    response_model=ClaimOut,
    summary="Approve (Idempotency-Key); cq-eval without an amount table needs the approved amount",
    responses=MOVE_ERRORS,
)
async def approve(
    claim_id: uuid.UUID, body: ApproveIn, svc: Svc, idem: RequiredIdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.approve(claim_id, body))


@router.post(
    "/claims/{claim_id}/reject",
    response_model=ClaimOut,
    summary="Reject with a reason (CQ-4)",
    responses=MOVE_ERRORS,
)
async def reject(claim_id: uuid.UUID, body: ReasonIn, svc: Svc, _: Principal = Officers) -> ClaimOut:
    return await svc.reject(claim_id, body.reason)


@router.post(
    "/claims/{claim_id}/publish",
    response_model=ClaimOut,
    summary="Start publicity of ≥ 5 working days (CQ-5, SH-11)",
    responses=problem_responses(401, 403, 404, 409, 503),
)
async def publish(claim_id: uuid.UUID, svc: Svc, _: Principal = Officers) -> ClaimOut:
    return await svc.publish(claim_id)


@router.post(
    "/claims/{claim_id}/objections",
    response_model=ClaimOut,
    status_code=201,
    summary="Lodge an objection during publicity",
    responses=problem_responses(401, 404, 409, 422),
)
async def object_to(claim_id: uuid.UUID, body: ObjectionIn, svc: Svc) -> ClaimOut:
    return await svc.object(claim_id, body.reason)


@router.post(
    "/claims/{claim_id}/objections/{objection_id}/resolve",
    response_model=ClaimOut,
    summary="Uphold (claim rejected) or dismiss an objection",
    responses=MOVE_ERRORS,
)
async def resolve_objection(
    claim_id: uuid.UUID, objection_id: int, body: ObjectionResolveIn, svc: Svc, _: Principal = Officers
) -> ClaimOut:
    return await svc.resolve_objection(claim_id, objection_id, body.resolution, body.note)


@router.post(
    "/claims/{claim_id}/confirm",
    response_model=ClaimOut,
    summary="Unit head confirms after publicity without open objection (CQ-5; Idempotency-Key)",
    responses=MOVE_ERRORS,
)
async def confirm(
    claim_id: uuid.UUID, svc: Svc, idem: RequiredIdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.confirm(claim_id))


@router.post(
    "/claims/{claim_id}/instruct-payment",
    response_model=ClaimOut,
    summary="Instruct payment: social-security card with financial function, else bank account",
    responses=MOVE_ERRORS,
)
async def instruct_payment(
    claim_id: uuid.UUID, svc: Svc, idem: IdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.instruct_payment(claim_id))


@router.post(
    "/claims/{claim_id}/payment-result",
    response_model=ClaimOut,
    summary="Record the bank's answer: paid or failed (Idempotency-Key)",
    responses=MOVE_ERRORS,
)
async def payment_result(
    claim_id: uuid.UUID,
    body: PaymentResultIn,
    svc: Svc,
    idem: RequiredIdempotencyDep,
    _: Principal = Depends(require(Role.SERVICE, Role.CITY_OFFICER)),
) -> Response:
    return await idem.run(lambda: svc.record_payment(claim_id, body))


@router.post(
    "/claims/{claim_id}/retry-payment",
    response_model=ClaimOut,
    summary="After a failed payment, instruct again to the other account",
    responses=MOVE_ERRORS,
)
async def retry_payment(
    claim_id: uuid.UUID, svc: Svc, idem: IdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.retry_payment(claim_id))


@router.post(
    "/claims/{claim_id}/claw-back",
    response_model=ClaimOut,
    summary="Claw back (追回) a paid subsidy",
    responses=MOVE_ERRORS,
)
async def claw_back(claim_id: uuid.UUID, body: ReasonIn, svc: Svc, _: Principal = Officers) -> ClaimOut:
    return await svc.claw_back(claim_id, body.reason)


class PastSubsidiesIn(BaseModel):
    applicant_id_number: ResidentId
    source: Annotated[str, Field(min_length=1, max_length=100)]
    subsidies: Annotated[list[PastSubsidyIn], Field(min_length=1, max_length=100)]


class Recorded(BaseModel):
    recorded: int


@router.post(
    "/past-subsidies",
    response_model=Recorded,
    status_code=201,
    summary="Record subsidies paid elsewhere (former 鉴定补贴 for CQ-8, training subsidies for SH-13)",
    responses=problem_responses(401, 403, 422),
)
async def record_past(
    body: PastSubsidiesIn,
    svc: Svc,
    idem: IdempotencyDep,
    _: Principal = Depends(require(Role.CITY_OFFICER, Role.SERVICE)),
) -> Response:
    async def call() -> Recorded:
        return Recorded(
            recorded=await svc.record_past_subsidies(body.applicant_id_number, body.subsidies, body.source)
        )

    return await idem.run(call, status_code=201)

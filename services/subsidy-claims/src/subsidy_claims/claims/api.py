"""Thin HTTP routes of the claim life; every rule lives in service.py and rules.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from skills_shared.auth import CurrentPrincipal, Principal, Role, require
from skills_shared.clock import ClockDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.db.lean import LeanTxDep
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep, RequiredLeanIdempotencyDep
from skills_shared.problems import problem_responses
from subsidy_claims.claims.schemas import (
    BankPaymentResult,
    ClaimApproval,
    ClaimDraft,
    ClaimRejection,
    ClawBackOrder,
    FactVerification,
    MaterialRequest,
    MaterialResponse,
    ObjectionRuling,
    PastSubsidiesRecorded,
    PastSubsidyReport,
    PublicityObjection,
    ReviewQueueItem,
    SubsidyClaim,
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

MOVE_ERRORS = problem_responses(401, 403, 404, 409, 422)
DISTRICT_PATTERN = r"^([0-9]{2}|3101[0-9]{2})$"


async def service(session: SessionDep, principal: CurrentPrincipal, today: TodayDep) -> ClaimService:
    return ClaimService(session, principal, today)


Svc = Annotated[ClaimService, Depends(service)]


async def district_filter(
    district_code: Annotated[
        str | None,
        Query(
            pattern=DISTRICT_PATTERN,
            description="Only this district (重庆 01–41, 上海 3101xx); a district officer sees only their own.",
        ),
    ] = None,
    district: Annotated[
        str | None,
        Query(pattern=DISTRICT_PATTERN, deprecated=True, description="Deprecated alias of `district_code`."),
    ] = None,
) -> str | None:
    """``?district_code=`` (or the deprecated ``?district=``) of a list."""
    return district_code if district_code is not None else district


DistrictFilter = Annotated[str | None, Depends(district_filter)]


@router.post(
    "/claims",
    status_code=201,
    response_model=SubsidyClaim,
    operation_id="claims.create",
    summary="Create a draft claim (facts declared by the applicant, or verified by a named source)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_claim(
    body: ClaimDraft, svc: Svc, idem: IdempotencyDep, _: Principal = Applicants
) -> Response:
    return await idem.run(lambda: svc.create_draft(body), status_code=201)


@router.get(
    "/claims/mine",
    response_model=Page[SubsidyClaim],
    operation_id="claims.mine",
    summary="The caller's own claims (citizen), oldest first",
    responses=problem_responses(401, 403, 422),
)
async def my_claims(svc: Svc, page: PageDep, _: Principal = Readers) -> Page[SubsidyClaim]:
    return await svc.mine(page)


@router.get(
    "/claims/queue",
    response_model=Page[ReviewQueueItem],
    operation_id="claims.queue",
    summary="Review queue of a district, earliest CQ-4 deadline first; overdue=true lists only overdue claims",
    responses=problem_responses(401, 403, 422),
)
async def queue(
    svc: Svc,
    page: PageDep,
    district_code: DistrictFilter,
    overdue: Annotated[
        bool, Query(description="Only claims past their CQ-4 review deadline and still awaiting a decision.")
    ] = False,
    _: Principal = Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR)),
) -> Page[ReviewQueueItem]:
    return await svc.queue(district_code, overdue, page)


@router.get(
    "/claims/{claim_id}",
    response_model=SubsidyClaim,
    operation_id="claims.get",
    summary="One claim with its decision record",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_claim(claim_id: uuid.UUID, svc: Svc, _: Principal = Readers) -> SubsidyClaim:
    return await svc.get(claim_id)


@router.post(
    "/claims/{claim_id}/submit",
    response_model=SubsidyClaim,
    operation_id="claims.submit",
    summary="Submit: certificate checked in the registry, policy evaluated, entitlement taken (Idempotency-Key)",
    responses=problem_responses(401, 403, 404, 409, 422, 502, 503),
)
async def submit(
    claim_id: uuid.UUID,
    tx: LeanTxDep,
    clock: ClockDep,
    registry: RegistryDep,
    idem: RequiredLeanIdempotencyDep,
    principal: Principal = Applicants,
) -> Response:
    # The hot path: a lean unit of work (plain asyncpg, no session), every rule as on the other routes.
    return await idem.run(lambda: submit_claim(tx, principal, clock, registry, claim_id))


@router.post(
    "/claims/{claim_id}/start-review",
    response_model=SubsidyClaim,
    operation_id="claims.start_review",
    summary="Reviewer takes the claim (CQ-4)",
    responses=MOVE_ERRORS,
)
async def start_review(claim_id: uuid.UUID, svc: Svc, _: Principal = Officers) -> SubsidyClaim:
    return await svc.start_review(claim_id)


@router.post(
    "/claims/{claim_id}/verify-fact",
    response_model=SubsidyClaim,
    operation_id="claims.verify_fact",
    summary="Reviewer marks a declared fact verified from a named source; provenance-dependent rules re-run",
    responses=MOVE_ERRORS,
)
async def verify_fact(
    claim_id: uuid.UUID, body: FactVerification, svc: Svc, _: Principal = Officers
) -> SubsidyClaim:
    return await svc.verify_fact(claim_id, body.fact, body.source)


@router.post(
    "/claims/{claim_id}/request-material",
    response_model=SubsidyClaim,
    operation_id="claims.request_material",
    summary="Ask the applicant for supporting material (CQ-4)",
    responses=MOVE_ERRORS,
)
async def request_material(
    claim_id: uuid.UUID, body: MaterialRequest, svc: Svc, _: Principal = Officers
) -> SubsidyClaim:
    return await svc.request_material(claim_id, body.reason)


@router.post(
    "/claims/{claim_id}/resubmit",
    response_model=SubsidyClaim,
    operation_id="claims.resubmit",
    summary="Applicant provides the material",
    responses=MOVE_ERRORS,
)
async def resubmit(
    claim_id: uuid.UUID, body: MaterialResponse, svc: Svc, _: Principal = Applicants
) -> SubsidyClaim:
    return await svc.resubmit(claim_id, body.material)


@router.post(
    "/claims/{claim_id}/approve",
    response_model=SubsidyClaim,
    operation_id="claims.approve",
    summary="Approve (Idempotency-Key); cq-eval without an amount table needs the approved amount (and a reason "
    "when it is less than computed)",
    responses=MOVE_ERRORS,
)
async def approve(
    claim_id: uuid.UUID, body: ClaimApproval, svc: Svc, idem: RequiredIdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.approve(claim_id, body))


@router.post(
    "/claims/{claim_id}/reject",
    response_model=SubsidyClaim,
    operation_id="claims.reject",
    summary="Reject with a reason (CQ-4)",
    responses=MOVE_ERRORS,
)
async def reject(
    claim_id: uuid.UUID, body: ClaimRejection, svc: Svc, _: Principal = Officers
) -> SubsidyClaim:
    return await svc.reject(claim_id, body.reason)


@router.post(
    "/claims/{claim_id}/publish",
    response_model=SubsidyClaim,
    operation_id="claims.publish",
    summary="Start publicity of ≥ 5 working days (CQ-5, SH-11)",
    responses=problem_responses(401, 403, 404, 409, 503),
)
async def publish(claim_id: uuid.UUID, svc: Svc, _: Principal = Officers) -> SubsidyClaim:
    return await svc.publish(claim_id)


@router.post(
    "/claims/{claim_id}/objections",
    response_model=SubsidyClaim,
    status_code=201,
    operation_id="claims.object",
    summary="Lodge an objection during publicity",
    responses=problem_responses(401, 404, 409, 422),
)
async def object_to(
    claim_id: uuid.UUID, body: PublicityObjection, svc: Svc, _: CurrentPrincipal
) -> SubsidyClaim:
    return await svc.object(claim_id, body.reason)


@router.post(
    "/claims/{claim_id}/objections/{objection_id}/resolve",
    response_model=SubsidyClaim,
    operation_id="claims.resolve_objection",
    summary="Uphold (claim rejected) or dismiss an objection",
    responses=MOVE_ERRORS,
)
async def resolve_objection(
    claim_id: uuid.UUID, objection_id: int, body: ObjectionRuling, svc: Svc, _: Principal = Officers
) -> SubsidyClaim:
    return await svc.resolve_objection(claim_id, objection_id, body.resolution, body.note)


@router.post(
    "/claims/{claim_id}/confirm",
    response_model=SubsidyClaim,
    operation_id="claims.confirm",
    summary="Unit head confirms after publicity without open objection (CQ-5; Idempotency-Key)",
    responses=MOVE_ERRORS,
)
async def confirm(
    claim_id: uuid.UUID, svc: Svc, idem: RequiredIdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.confirm(claim_id))


@router.post(
    "/claims/{claim_id}/instruct-payment",
    response_model=SubsidyClaim,
    operation_id="claims.instruct_payment",
    summary="Instruct payment: social-security card with financial function, else bank account",
    responses=MOVE_ERRORS,
)
async def instruct_payment(
    claim_id: uuid.UUID, svc: Svc, idem: IdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.instruct_payment(claim_id))


@router.post(
    "/claims/{claim_id}/payment-result",
    response_model=SubsidyClaim,
    operation_id="claims.record_payment",
    summary="Record the bank's answer: paid or failed (Idempotency-Key)",
    responses=MOVE_ERRORS,
)
async def payment_result(
    claim_id: uuid.UUID,
    body: BankPaymentResult,
    svc: Svc,
    idem: RequiredIdempotencyDep,
    _: Principal = Depends(require(Role.SERVICE, Role.CITY_OFFICER)),
) -> Response:
    return await idem.run(lambda: svc.record_payment(claim_id, body))


@router.post(
    "/claims/{claim_id}/retry-payment",
    response_model=SubsidyClaim,
    operation_id="claims.retry_payment",
    summary="After a failed payment, instruct again to the other account",
    responses=MOVE_ERRORS,
)
async def retry_payment(
    claim_id: uuid.UUID, svc: Svc, idem: IdempotencyDep, _: Principal = Officers
) -> Response:
    return await idem.run(lambda: svc.retry_payment(claim_id))


@router.post(
    "/claims/{claim_id}/claw-back",
    response_model=SubsidyClaim,
    operation_id="claims.claw_back",
    summary="Claw back (追回) a paid subsidy",
    responses=MOVE_ERRORS,
)
async def claw_back(
    claim_id: uuid.UUID, body: ClawBackOrder, svc: Svc, _: Principal = Officers
) -> SubsidyClaim:
    return await svc.claw_back(claim_id, body.reason)


@router.post(
    "/past-subsidies",
    response_model=PastSubsidiesRecorded,
    status_code=201,
    operation_id="past_subsidies.record",
    summary="Record subsidies paid elsewhere (former 鉴定补贴 for CQ-8, training subsidies for SH-13)",
    responses=problem_responses(401, 403, 422),
)
async def record_past(
    body: PastSubsidyReport,
    svc: Svc,
    idem: IdempotencyDep,
    _: Principal = Depends(require(Role.CITY_OFFICER, Role.SERVICE)),
) -> Response:
    async def call() -> PastSubsidiesRecorded:
        return PastSubsidiesRecorded(
            recorded=await svc.record_past_subsidies(body.applicant_id_number, body.subsidies, body.source)
        )

    return await idem.run(call, status_code=201)

"""Routes of applications: the applicant's draft and submission, the accepting department's review and filing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from org_filing.access import require_place_officer
from org_filing.applications.repository import ApplicationRepository
from org_filing.applications.rules import ApplicationStatus
from org_filing.applications.schemas import (
    ApplicationDraft,
    ApplicationOut,
    EvaluationIn,
    FileIn,
    PublishIn,
    RejectIn,
    ThresholdsIn,
    ThresholdsOut,
)
from org_filing.applications.service import ApplicationService, to_out
from org_filing.common_schemas import PlaceCode
from org_filing.deps import Applicant, ApplicationReader, Officer
from skills_shared.audit import record
from skills_shared.clock import ClockDep, TodayDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import not_found, problem_responses

router = APIRouter(prefix="/v1", tags=["applications"])


@router.post(
    "/applications",
    operation_id="applications.create",
    response_model=ApplicationOut,
    status_code=201,
    summary="Start an application (draft); any section given is validated in full",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_application(
    draft: ApplicationDraft, session: SessionDep, principal: Applicant, idem: IdempotencyDep
) -> Response:
    async def call() -> ApplicationOut:
        return to_out(await ApplicationService(session).create(principal, draft))

    return await idem.run(call, status_code=201)


@router.patch(
    "/applications/{app_id}",
    operation_id="applications.update",
    response_model=ApplicationOut,
    summary="Complete a draft: the sections sent replace the saved ones",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def patch_application(
    app_id: int, draft: ApplicationDraft, session: SessionDep, principal: Applicant
) -> ApplicationOut:
    return to_out(await ApplicationService(session).patch(principal, app_id, draft))


@router.post(
    "/applications/{app_id}/submit",
    operation_id="applications.submit",
    response_model=ApplicationOut,
    summary="Submit: the whole 附件1 form is checked (OF-1) and every OF-2/CR-3 verdict computed",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_application(
    clock: ClockDep, app_id: int, session: SessionDep, principal: Applicant, idem: IdempotencyDep
) -> Response:
    async def call() -> ApplicationOut:
        return to_out(await ApplicationService(session).submit(principal, app_id, now=clock.now()))

    return await idem.run(call)


@router.post(
    "/applications/{app_id}/withdraw",
    operation_id="applications.withdraw",
    response_model=ApplicationOut,
    summary="Withdraw a draft or a submitted application",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def withdraw_application(
    app_id: int, session: SessionDep, principal: Applicant, idem: IdempotencyDep
) -> Response:
    async def call() -> ApplicationOut:
        return to_out(await ApplicationService(session).withdraw(principal, app_id))

    return await idem.run(call)


@router.get(
    "/applications",
    operation_id="applications.list",
    response_model=Page[ApplicationOut],
    summary="Applications the caller may see: its own (applicant) or those its place accepts (officer)",
    responses=problem_responses(401, 403, 422),
)
async def list_applications(
    session: SessionDep,
    principal: ApplicationReader,
    page: PageDep,
    status: Annotated[
        ApplicationStatus | None, Query(description="Only applications in this state (draft, submitted, …).")
    ] = None,
) -> Page[ApplicationOut]:
    items, total = await ApplicationService(session).page(
        principal, status=status, limit=page.limit, offset=page.offset
    )
    return page.wrap([to_out(a) for a in items], total)


@router.get(
    "/applications/{app_id}",
    operation_id="applications.get",
    response_model=ApplicationOut,
    summary="One application (ID numbers masked)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_application(app_id: int, session: SessionDep, principal: ApplicationReader) -> ApplicationOut:
    return to_out(await ApplicationService(session).get(principal, app_id))


@router.post(
    "/applications/{app_id}/evaluation",
    operation_id="applications.evaluate",
    response_model=ApplicationOut,
    summary="Record the accepting department's evaluation (OF-2 findings; selected or not)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def evaluate_application(
    today: TodayDep,
    app_id: int,
    body: EvaluationIn,
    session: SessionDep,
    principal: Officer,
    idem: IdempotencyDep,
) -> Response:
    async def call() -> ApplicationOut:
        return to_out(await ApplicationService(session).evaluate(principal, app_id, body, today=today))

    return await idem.run(call)


@router.post(
    "/applications/{app_id}/rejection",
    operation_id="applications.reject",
    response_model=ApplicationOut,
    summary="Refuse a submitted or evaluated application, with the reason",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reject_application(
    app_id: int, body: RejectIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> ApplicationOut:
        return to_out(await ApplicationService(session).reject(principal, app_id, body.reason))

    return await idem.run(call)


@router.post(
    "/applications/{app_id}/publication",
    operation_id="applications.publish",
    response_model=ApplicationOut,
    summary="Publish the selection (公示) for the period given",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def publish_application(
    today: TodayDep,
    app_id: int,
    body: PublishIn,
    session: SessionDep,
    principal: Officer,
    idem: IdempotencyDep,
) -> Response:
    async def call() -> ApplicationOut:
        return to_out(await ApplicationService(session).publish(principal, app_id, body, today=today))

    return await idem.run(call)


@router.post(
    "/applications/{app_id}/filing",
    operation_id="applications.file",
    response_model=ApplicationOut,
    status_code=201,
    summary="File the body: next free code of the place (OF-4), receipt valid ≤ 3 years (OF-3)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def file_application(
    today: TodayDep, app_id: int, body: FileIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> ApplicationOut:
        app, code = await ApplicationService(session).file(principal, app_id, body, today=today)
        return to_out(app, code)

    return await idem.run(call, status_code=201)


@router.put(
    "/districts/{district_code}/thresholds",
    operation_id="thresholds.set",
    response_model=ThresholdsOut,
    tags=["eligibility"],
    summary="Set a district's OF-2 thresholds for its district-level bodies",
    responses=problem_responses(401, 403, 422),
)
async def put_thresholds(
    district_code: PlaceCode, body: ThresholdsIn, session: SessionDep, principal: Officer
) -> ThresholdsOut:
    require_place_officer(principal, district_code)
    repo = ApplicationRepository(session)
    before = await repo.thresholds(district_code)
    await repo.put_thresholds(
        district_code, body.min_years, body.min_total, body.min_per_occupation, principal.sub
    )
    await record(
        session,
        actor=principal,
        action="thresholds.set",
        entity_type="district_thresholds",
        entity_id=district_code,
        before=None
        if before is None
        else {
            "min_years": before.min_years,
            "min_total": before.min_total,
            "min_per_occupation": before.min_per_occupation,
        },
        after=body.model_dump(),
    )
    return ThresholdsOut(district_code=district_code, **body.model_dump())


@router.get(
    "/districts/{district_code}/thresholds",
    operation_id="thresholds.get",
    response_model=ThresholdsOut,
    tags=["eligibility"],
    summary="A district's OF-2 thresholds (public: applicants need to know them)",
    responses=problem_responses(404, 422),
)
async def get_thresholds(district_code: PlaceCode, session: SessionDep) -> ThresholdsOut:
    row = await ApplicationRepository(session).thresholds(district_code)
    if row is None:
        raise not_found("thresholds_not_set", f"区县 {district_code} 尚未设定申报条件")
    return ThresholdsOut(
        district_code=district_code,
        min_years=row.min_years,
        min_total=row.min_total,
        min_per_occupation=row.min_per_occupation,
    )

"""Routes of classes, check-ins (V-7) and completion."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from skills_shared.auth import Principal
from skills_shared.clock import ClockDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from voucher.access import Citizen, ClassViewers, InstitutionPeople
from voucher.deps import SettingsDep
from voucher.training.schemas import CheckInOut, CheckInRequest, ClassCreate, ClassOut, CompletionRequest
from voucher.training.service import TrainingService
from voucher.vouchers.schemas import VoucherOut

router = APIRouter(tags=["training"])
ClassId = Annotated[int, Path(ge=1, le=2**63 - 1, description="培训班编号")]


@router.post(
    "/v1/institutions/{code}/classes",
    response_model=ClassOut,
    status_code=201,
    operation_id="classes.open",
    summary="Open a class at some of the institution's sites (institution staff)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_class(
    code: Annotated[str, Path(pattern=r"^[0-9]{7}$", description="培训机构7位编码")],
    data: ClassCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
    principal: Principal = InstitutionPeople,
) -> Response:
    service = TrainingService(session, clock, settings.check_in_radius_m)
    return await idem.run(lambda: service.create_class(principal, code, data), status_code=201)


@router.get(
    "/v1/classes/{class_id}",
    response_model=ClassOut,
    operation_id="classes.get",
    summary="One class with its sites",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_class(
    class_id: ClassId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: Principal = ClassViewers,
) -> ClassOut:
    return await TrainingService(session, clock, settings.check_in_radius_m).get_class(principal, class_id)


@router.post(
    "/v1/classes/{class_id}/check-ins",
    response_model=CheckInOut,
    status_code=201,
    operation_id="classes.check_in",
    summary="V-7: the trainee checks in, accepted within the configured radius of a class site",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def check_in(
    class_id: ClassId,
    data: CheckInRequest,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
    principal: Principal = Citizen,
) -> Response:
    service = TrainingService(session, clock, settings.check_in_radius_m)
    return await idem.run(lambda: service.check_in(principal, class_id, data), status_code=201)


@router.post(
    "/v1/classes/{class_id}/completions",
    response_model=VoucherOut,
    operation_id="classes.record_completion",
    summary="Record whether a trainee completed the training (not completed → the voucher lapses)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_completion(
    class_id: ClassId,
    data: CompletionRequest,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
    principal: Principal = InstitutionPeople,
) -> Response:
    service = TrainingService(session, clock, settings.check_in_radius_m)
    return await idem.run(lambda: service.record_completion(principal, class_id, data))

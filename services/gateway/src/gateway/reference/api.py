"""Public reference answers at the short paths clients are told about, each the provider's own answer.

``/api/v1/certificate-numbers/{number}`` is the registry's decode (CR-1) and ``/api/v1/calendar/...`` is
org-filing's working-day calendar (P-1, P-2, P-3). The same routes are relayed at ``/api/v1/registry/...`` and
``/api/v1/filing/...``; these short paths exist so that a body planning its dates, or anyone reading a number,
need not know which service answers. No rule lives here: the parameters go on as the caller sent them (the
provider validates them and refuses with its own code and rule ID), a refusal comes back byte for byte with all
its fields (``faults``, ``covered_years``), and an answer is parsed into the provider's contract, so a provider
that changes its shape is a 502 naming it rather than a silently different answer.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import httpx
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from gateway import paths
from gateway.relay import passthrough
from gateway.upstreams import UpstreamsDep
from skills_shared.clients import ServiceClient, service_path
from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1.org_filing import DeadlineOut, WorkingDaysOut
from skills_shared.contracts.v1.registry import CertificateNumberParts
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["reference"])

M = TypeVar("M", bound=BaseModel)
ERRORS = problem_responses(409, 422, 429, 502, 503)


async def _answer(service: ServiceClient, model: type[M], path: str, request: Request) -> M | Response:
    """The provider's answer: a refusal passed on unchanged, a success parsed into its contract."""
    forwarded: dict[str, Any] = {}
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        forwarded["headers"] = {"X-Request-ID": request_id}
    response: httpx.Response = await service.request("GET", path, params=request.query_params, **forwarded)
    if response.is_error:
        return passthrough(response)
    parsed: M = parse_contract(model, response.json(), service=service.name)
    return parsed


@router.get(
    "/certificate-numbers/{number}",
    operation_id="certificate_numbers.decode",
    response_model=CertificateNumberParts,
    summary="Decode a certificate number part by part (public; the registry's CR-1 reading)",
    responses=ERRORS,
)
async def decode_certificate_number(
    request: Request,
    upstreams: UpstreamsDep,
    number: Annotated[str, Path(description="22-character certificate number, e.g. S000050070012253000123.")],
) -> CertificateNumberParts | Response:
    """Category, route, province, place, body sequence, year, level and serial of a number; a malformed one
    gets the registry's one refusal, ``invalid_certificate_number``, listing every fault with its position.
    Says nothing about whether such a certificate exists (that is ``/api/v1/certificates/{number}``)."""
    return await _answer(
        upstreams.registry,
        CertificateNumberParts,
        service_path(paths.REGISTRY_NUMBER_DECODE, number=number),
        request,
    )


@router.get(
    "/calendar/working-days",
    operation_id="calendar.working_days",
    response_model=WorkingDaysOut,
    summary="N working days from a start day, and the next day after them (public; org-filing's P-1 count)",
    responses=ERRORS,
)
async def calendar_working_days(
    request: Request,
    upstreams: UpstreamsDep,
    start: Annotated[str, Query(description="The day the period starts (not counted), YYYY-MM-DD.")],
    n: Annotated[str, Query(description="Working days in the period (1–250), e.g. 5 for a 公示.")],
) -> WorkingDaysOut | Response:
    """The period a 公示 or a review lasts, with the years the calendar covers; a day outside them is P-3."""
    return await _answer(upstreams.org_filing, WorkingDaysOut, paths.ORG_CALENDAR_WORKING_DAYS, request)


@router.get(
    "/calendar/deadline",
    operation_id="calendar.deadline",
    response_model=DeadlineOut,
    summary="The last day to file N working days before an event, and whether a filing day is on time (P-2)",
    responses=ERRORS,
)
async def calendar_deadline(
    request: Request,
    upstreams: UpstreamsDep,
    event_date: Annotated[str, Query(description="The event day (e.g. the evaluation), YYYY-MM-DD.")],
    n: Annotated[
        str | None, Query(description="Working days of lead (1–250); org-filing's plan lead (10) if absent.")
    ] = None,
    filed_on: Annotated[
        str | None, Query(description="A filing day to judge against the deadline, YYYY-MM-DD.")
    ] = None,
) -> DeadlineOut | Response:
    """``latest_filing_date`` for the event; with ``filed_on``, ``on_time`` and ``earliest_event_date``."""
    return await _answer(upstreams.org_filing, DeadlineOut, paths.ORG_CALENDAR_DEADLINE, request)
